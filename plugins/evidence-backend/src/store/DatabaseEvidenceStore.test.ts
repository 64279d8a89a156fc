import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import {
  leafHash,
  merkleRoot,
  utf8Encode,
  verifyChain,
  verifyInclusion,
  fromBase64,
} from '@assay/plugin-evidence-common';
import { DatabaseEvidenceStore } from './DatabaseEvidenceStore';
import { EvidenceLog } from '../service/EvidenceLog';
import { prepared, testConfig } from './testUtils';

jest.setTimeout(60_000);

// better-sqlite3's SqliteError may come from another jest realm when several
// test files share a worker, so match the message rather than `instanceof Error`.
const WORM_REFUSAL = {
  message: expect.stringMatching(/not allowed \(append-only, WORM\)/),
};

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

async function setup(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const store = await DatabaseEvidenceStore.create({
    database: mockServices.database({ knex }),
  });
  const log = new EvidenceLog(store, testConfig, mockServices.logger.mock());
  await log.init();
  return { knex, store, log };
}

describe.each(databases.eachSupportedId())(
  'DatabaseEvidenceStore on %p',
  databaseId => {
    it('chains records per entity and logs them in one Merkle tree', async () => {
      const { store, log } = await setup(databaseId);
      const a = await log.append(prepared('component:default/a', 1));
      const b = await log.append(prepared('component:default/b', 1));
      const a2 = await log.append(prepared('component:default/a', 2));
      expect([a.row.seq, b.row.seq, a2.row.seq]).toEqual([1, 1, 2]);
      expect([a.row.leafIndex, b.row.leafIndex, a2.row.leafIndex]).toEqual([
        0, 1, 2,
      ]);
      expect(JSON.parse(a2.row.canonical).previousHash).toBe(a.row.hash);
      expect(JSON.parse(a.row.canonical).previousHash).toBeNull();

      const state = await store.getLogState();
      const expectedRoot = merkleRoot(
        [a, b, a2].map(o => leafHash(utf8Encode(o.row.canonical))),
      );
      expect(state).toEqual({
        treeSize: 3,
        rootHash: Buffer.from(expectedRoot).toString('hex'),
      });
      await expect(
        log.verifyEntity('component:default/a'),
      ).resolves.toMatchObject({ ok: true, checked: 2 });
    });

    it('serializes many concurrent appends into unbroken chains and a gapless log', async () => {
      const { store, log } = await setup(databaseId);
      const entities = [
        'component:default/x',
        'component:default/y',
        'component:default/z',
      ];
      const outcomes = await Promise.all(
        Array.from({ length: 150 }, (_, i) =>
          log.append(prepared(entities[i % 3], i)),
        ),
      );
      const leafIndexes = outcomes
        .map(o => o.row.leafIndex)
        .sort((p, q) => p - q);
      expect(leafIndexes).toEqual(Array.from({ length: 150 }, (_, i) => i));
      for (const e of entities) {
        const rows = await store.allForEntity(e);
        expect(rows.map(r => r.seq)).toEqual(
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        expect(
          verifyChain(
            rows.map(r => ({ hash: r.hash, canonical: r.canonical })),
          ),
        ).toMatchObject({ ok: true, checked: 50 });
      }
      // every record's inclusion proof verifies against the signed checkpoint's root
      const cp = await log.checkpoint();
      expect(cp.treeSize).toBe(150);
      for (const o of outcomes.slice(0, 20)) {
        const p = await log.inclusion(o.row.leafIndex, cp.treeSize);
        expect(() =>
          verifyInclusion({
            leafIndex: o.row.leafIndex,
            treeSize: cp.treeSize,
            leafHash: leafHash(utf8Encode(o.row.canonical)),
            proof: p.hashes.map(fromBase64),
            rootHash: Buffer.from(cp.rootHash, 'hex'),
          }),
        ).not.toThrow();
      }
    });

    it('also serializes appends from two store instances (two replicas)', async () => {
      const { knex, log } = await setup(databaseId);
      const store2 = await DatabaseEvidenceStore.create({
        database: mockServices.database({ knex, migrations: { skip: true } }),
      });
      const log2 = new EvidenceLog(
        store2,
        testConfig,
        mockServices.logger.mock(),
      );
      await log2.init();
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? log : log2).append(prepared('component:default/r', i)),
        ),
      );
      expect(new Set(outcomes.map(o => o.row.seq)).size).toBe(40);
      await expect(
        log.verifyEntity('component:default/r'),
      ).resolves.toMatchObject({ ok: true, checked: 40 });
    });

    it('a replica whose cached tree is stale writes nothing on top of it (the one-statement append falls back to the locking one)', async () => {
      const { knex, store } = await setup(databaseId);
      const store2 = await DatabaseEvidenceStore.create({
        database: mockServices.database({ knex, migrations: { skip: true } }),
      });
      const e = 'component:default/stale';
      // store caches the tree and e's head (its next batch may skip the lock)
      await store.appendBatch([prepared(e, 1)]);
      await store.appendBatch([prepared(e, 2)]);
      // the other replica appends in between
      await store2.appendBatch([prepared(e, 3), prepared(e, 4)]);
      const [late] = await store.appendBatch([prepared(e, 5)]);
      expect(late.row).toMatchObject({ seq: 5, leafIndex: 4 });
      expect(JSON.parse(late.row.canonical).previousHash).toBe(
        (await store.getBySeq(e, 4))!.hash,
      );
      const rows = await store.allForEntity(e);
      expect(rows.map(r => [r.seq, r.leafIndex])).toEqual([
        [1, 0],
        [2, 1],
        [3, 2],
        [4, 3],
        [5, 4],
      ]);
      const state = await store.getLogState();
      expect(state.treeSize).toBe(5);
      expect(state.rootHash).toBe(
        Buffer.from(
          merkleRoot(rows.map(r => leafHash(utf8Encode(r.canonical)))),
        ).toString('hex'),
      );
      const [{ count }] = await knex('evidence_category_counts')
        .where({ entity_ref: e })
        .select('count');
      expect(Number(count)).toBe(5);

      // an idempotency key the other replica stored: replayed, not stored twice
      const keyed = prepared(e, 6, { idempotencyKey: 'ci-7' });
      const [first] = await store2.appendBatch([keyed]);
      await store.appendBatch([prepared(e, 7)]); // store's cache is current again
      const [again] = await store.appendBatch([keyed]);
      expect(again).toMatchObject({ replayed: true, row: first.row });
      expect(
        (await store.allForEntity(e)).filter(r => r.seq === first.row.seq),
      ).toHaveLength(1);
    });

    it('returns the first record again for a repeated idempotency key', async () => {
      const { store, log } = await setup(databaseId);
      const first = await log.append(
        prepared('component:default/a', 1, { idempotencyKey: 'run-1' }),
      );
      const again = await log.append(
        prepared('component:default/a', 1, {
          idempotencyKey: 'run-1',
          producedAt: '2026-11-24T09:00:00.000Z', // a retry may differ in time only
        }),
      );
      expect(again.replayed).toBe(true);
      expect(again.row.hash).toBe(first.row.hash);
      await expect(
        log.append(
          prepared('component:default/a', 2, { idempotencyKey: 'run-1' }),
        ),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringMatching(/already used for a different record/),
      });
      expect((await store.allForEntity('component:default/a')).length).toBe(1);
    });

    it('refuses UPDATE and DELETE on records and tree nodes in the database itself', async () => {
      const { knex, log } = await setup(databaseId);
      await log.append(prepared('component:default/a', 1));
      await expect(
        knex('evidence_records').update({ category: 'sbom' }),
      ).rejects.toMatchObject(WORM_REFUSAL);
      await expect(knex('evidence_records').delete()).rejects.toMatchObject(
        WORM_REFUSAL,
      );
      await expect(
        knex('evidence_tree_nodes').update({ hash: 'x' }),
      ).rejects.toMatchObject(WORM_REFUSAL);
      await expect(knex('evidence_tree_nodes').delete()).rejects.toMatchObject(
        WORM_REFUSAL,
      );
      const truncate = databaseId.startsWith('POSTGRES')
        ? knex.raw('TRUNCATE evidence_records')
        : knex('evidence_records').truncate(); // knex emulates it with DELETE on SQLite
      await expect(truncate).rejects.toMatchObject(WORM_REFUSAL);
      expect(
        Number((await knex('evidence_records').count({ n: '*' }))[0].n),
      ).toBe(1);
    });

    it('detects a row tampered with directly in the database and names it', async () => {
      const { knex, log } = await setup(databaseId);
      for (let i = 0; i < 5; i++)
        await log.append(prepared('component:default/t', i));
      const isPg = databaseId.startsWith('POSTGRES');
      await knex.raw(
        isPg
          ? 'DROP TRIGGER evidence_records_no_update ON evidence_records'
          : 'DROP TRIGGER evidence_records_no_update',
      );
      const row = await knex('evidence_records')
        .where({ entity_ref: 'component:default/t', seq: 3 })
        .first();
      await knex('evidence_records')
        .where({ leaf_index: row.leaf_index })
        .update({
          canonical: row.canonical.replace('"failures":0', '"failures":1'),
        });
      const result = await log.verifyEntity('component:default/t');
      expect(result).toMatchObject({ ok: false, firstBad: { seq: 3 } });

      // re-hashing the edited row consistently still breaks the next link and the leaf
      const edited = await knex('evidence_records')
        .where({ leaf_index: row.leaf_index })
        .first();
      const newHash = createHash('sha256')
        .update(edited.canonical)
        .digest('hex');
      await knex('evidence_records')
        .where({ leaf_index: row.leaf_index })
        .update({ hash: newHash });
      const again = await log.verifyEntity('component:default/t');
      expect(again.ok).toBe(false);
      expect((again as any).firstBad.seq).toBeGreaterThanOrEqual(3);
    });

    it('purges expired payloads but keeps envelopes, leaves and held entities', async () => {
      const { store, log } = await setup(databaseId);
      const blob = {
        digest: `sha256:${'ab'.repeat(32)}`,
        size: 3,
        mediaType: 'text/plain',
        content: Buffer.from('abc'),
      };
      const blob2 = {
        digest: `sha256:${'cd'.repeat(32)}`,
        size: 3,
        mediaType: 'text/plain',
        content: Buffer.from('def'),
      };
      await log.append(
        prepared('component:default/p', 1, {
          payloadDigest: blob.digest,
          blobs: [blob],
          expiresAt: '2020-01-01T00:00:00.000Z',
        }),
      );
      await log.append(
        prepared('component:default/h', 1, {
          payloadDigest: blob2.digest,
          blobs: [blob2],
          expiresAt: '2020-01-01T00:00:00.000Z',
        }),
      );
      await store.setLegalHold({
        entityRef: 'component:default/h',
        reason: 'litigation',
        setBy: 'user:default/x',
        setAt: '2026-01-01T00:00:00Z',
      });
      const r = await store.purgeExpired('2026-11-24T00:00:00.000Z');
      expect(r).toEqual({ blobs: 1, records: 1 });
      expect((await store.getBlob(blob.digest))?.content).toBeNull();
      expect((await store.getBlob(blob2.digest))?.content?.toString()).toBe(
        'def',
      );
      await expect(
        log.verifyEntity('component:default/p'),
      ).resolves.toMatchObject({ ok: true });
    });
  },
);

describe.each(databases.eachSupportedId())('migrations on %p', databaseId => {
  it('go up, down and up again', async () => {
    const knex = await databases.init(databaseId);
    const directory = resolvePackagePath(
      '@assay/plugin-evidence-backend',
      'migrations',
    );
    await knex.migrate.latest({ directory });
    await knex('evidence_log').where({ id: 1 }).first();
    await knex.migrate.rollback({ directory }, true);
    expect(await knex.schema.hasTable('evidence_records')).toBe(false);
    await knex.migrate.latest({ directory });
    expect(
      Number((await knex('evidence_log').where({ id: 1 }).first()).tree_size),
    ).toBe(0);
  });
});
