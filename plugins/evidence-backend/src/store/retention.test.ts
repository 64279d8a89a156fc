import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { DatabaseEvidenceStore } from './DatabaseEvidenceStore';
import { EvidenceLog } from '../service/EvidenceLog';
import { prepared, testConfig } from './testUtils';

jest.setTimeout(300_000);

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

const digest = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;

describe.each(databases.eachSupportedId())('retention on %p', databaseId => {
  it('purges 100,000 due blobs in bounded batches (one whereIn used to fail past 65,535)', async () => {
    const { knex, store } = await setup(databaseId);
    const due = 100_000;
    const blobs = [];
    const refs = [];
    for (let i = 0; i < due + 3; i++) {
      blobs.push({
        digest: digest(i),
        size: 1,
        media_type: 'text/plain',
        content: Buffer.from([i % 256]),
        purged_at: null,
      });
      // the last three are not due: one retained, two cited by a held entity
      const entityRef =
        i >= due + 1 ? 'component:default/held' : 'component:default/a';
      refs.push({
        leaf_index: i,
        digest: digest(i),
        entity_ref: entityRef,
        category: 'tests',
        expires_at:
          i === due ? '2999-01-01T00:00:00.000Z' : '2020-01-01T00:00:00.000Z',
      });
    }
    await knex.batchInsert('evidence_blobs', blobs, 200); // SQLite: ≤ 500 terms
    await knex.batchInsert('evidence_blob_refs', refs, 200);
    await knex('evidence_legal_holds').insert({
      entity_ref: 'component:default/held',
      reason: 'litigation',
      set_by: 'user:default/alice',
      set_at: '2026-01-01T00:00:00.000Z',
    });

    const r = await store.purgeExpired('2026-11-30T00:00:00.000Z');
    expect(r).toEqual({ blobs: due, records: due });
    const [{ n }] = await knex('evidence_blobs')
      .whereNull('content')
      .count({ n: '*' });
    expect(Number(n)).toBe(due);
    const kept = await knex('evidence_blobs')
      .whereNotNull('content')
      .orderBy('digest')
      .pluck('digest');
    expect(kept).toEqual([digest(due), digest(due + 1), digest(due + 2)]);
    // the records citing a purged blob (the partial index of purged blobs),
    // for a few leaves and for all of them in one call
    expect(
      await store.purgedLeaves([0, 1, due, due + 1, due + 2, 999_999]),
    ).toEqual(new Set([0, 1]));
    const all = await store.purgedLeaves(refs.map(x => x.leaf_index));
    expect(all.size).toBe(due);
    expect(all.has(due - 1) && !all.has(due)).toBe(true);
    // a database without the index yet answers the same (unhinted query)
    await knex.raw('DROP INDEX evidence_blobs_purged_idx');
    expect(await store.purgedLeaves([0, 1, due, due + 1])).toEqual(
      new Set([0, 1]),
    );
    // nothing left to do
    await expect(
      store.purgeExpired('2026-11-30T00:00:01.000Z'),
    ).resolves.toEqual({ blobs: 0, records: 0 });
  });

  it('nulls payloads and appends the purge record in one transaction: a failed append leaves the payloads', async () => {
    const { store, log } = await setup(databaseId);
    const payload = Buffer.from('{"secret":"pii"}');
    const d = 'sha256:'.padEnd(71, 'a');
    await log.append(
      prepared('component:default/a', 1, {
        payloadDigest: d,
        blobs: [
          {
            digest: d,
            size: payload.length,
            mediaType: 'application/json',
            content: payload,
          },
        ],
      }),
    );
    const purge = (fail: boolean) =>
      log.append(
        prepared('component:default/a', 2, { category: 'compliance' }),
        async tx => {
          await store.purgeIn(tx, new Date().toISOString(), {
            entityRef: 'component:default/a',
            ignoreExpiry: true,
          });
          if (fail) throw new Error('append failed after the purge');
        },
      );
    await expect(purge(true)).rejects.toThrow('append failed after the purge');
    expect((await store.getBlob(d))?.content).toEqual(payload);
    expect((await store.getLogState()).treeSize).toBe(1);

    await purge(false);
    expect((await store.getBlob(d))?.content ?? null).toBeNull();
    expect((await store.getLogState()).treeSize).toBe(2);
  });

  it('a purged payload uploaded again is restored, cited by the new record, with the held flag and counts of the batch', async () => {
    const { knex, store, log } = await setup(databaseId);
    const entityRef = 'component:default/a';
    const payload = Buffer.from('{"secret":"pii"}');
    const d = 'sha256:'.padEnd(71, 'b');
    const withPayload = (i: number) =>
      prepared(entityRef, i, {
        payloadDigest: d,
        blobs: [
          {
            digest: d,
            size: payload.length,
            mediaType: 'application/json',
            content: payload,
          },
        ],
      });
    await log.append(withPayload(1));
    await log.append(prepared(entityRef, 2, { category: 'compliance' }), tx =>
      store
        .purgeIn(tx, new Date().toISOString(), {
          entityRef,
          ignoreExpiry: true,
        })
        .then(() => undefined),
    );
    expect((await store.getBlob(d))?.content ?? null).toBeNull();
    await knex('evidence_legal_holds').insert({
      entity_ref: entityRef,
      reason: 'litigation',
      set_by: 'user:default/alice',
      set_at: '2026-01-01T00:00:00.000Z',
    });
    // one batch of two records citing the same bytes, and one of another entity
    const out = await log.appendAll([
      withPayload(3),
      withPayload(4),
      prepared('component:default/b', 1),
    ]);
    expect(out.map(o => [o.row.entityRef, o.row.seq, o.legalHold])).toEqual([
      [entityRef, 3, true],
      [entityRef, 4, true],
      ['component:default/b', 1, false],
    ]);
    const blob = await knex('evidence_blobs').where({ digest: d }).first();
    expect(Buffer.from(blob.content)).toEqual(payload);
    expect(blob.purged_at).toBeNull();
    expect(
      (
        await knex('evidence_blob_refs')
          .where({ digest: d })
          .orderBy('leaf_index')
          .select('leaf_index')
      ).map(r => Number(r.leaf_index)),
    ).toEqual([0, 2, 3]);
    expect(await store.countRecords(entityRef)).toBe(4);
    expect(await store.countRecords(entityRef, ['tests'])).toBe(3);
    expect(await store.countRecords('component:default/b')).toBe(1);
    const heads = await knex('evidence_heads')
      .orderBy('entity_ref')
      .select('entity_ref', 'seq', 'leaf_index');
    expect(
      heads.map(h => [h.entity_ref, Number(h.seq), Number(h.leaf_index)]),
    ).toEqual([
      [entityRef, 4, 3],
      ['component:default/b', 1, 4],
    ]);
    const state = await store.getLogState();
    expect(state.treeSize).toBe(5);
    // the heads are cached now: on PostgreSQL the conditional one-statement
    // batch, with a blob that is stored already (kept, cited once more)
    const again = await log.append(withPayload(5));
    expect([again.row.seq, again.row.leafIndex, again.legalHold]).toEqual([
      5,
      5,
      true,
    ]);
    expect(
      (
        await knex('evidence_blob_refs')
          .where({ digest: d })
          .orderBy('leaf_index')
          .select('leaf_index')
      ).map(r => Number(r.leaf_index)),
    ).toEqual([0, 2, 3, 5]);
    expect(
      Buffer.from(
        (await knex('evidence_blobs').where({ digest: d }).first()).content,
      ),
    ).toEqual(payload);
    expect(await store.countRecords(entityRef, ['tests'])).toBe(4);
  });
});
