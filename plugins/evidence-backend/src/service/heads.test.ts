import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import {
  HeadsTree,
  openNote,
  parseCheckpoint,
  parseHeadsExtension,
  verifyBundle,
  verifyHeadProof,
} from '@assay/plugin-evidence-common';
import { Knex } from 'knex';
import { DatabaseEvidenceStore } from '../store/DatabaseEvidenceStore';
import { prepared, testConfig } from '../store/testUtils';
import { EvidenceLog } from './EvidenceLog';

jest.setTimeout(60_000);

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

/** What someone with owner access to the database can do. */
async function deleteRecord(knex: Knex, entityRef: string, seq: number) {
  if (knex.client.config.client === 'pg') {
    await knex.raw('ALTER TABLE evidence_records DISABLE TRIGGER USER');
  } else {
    await knex.raw('DROP TRIGGER evidence_records_no_delete');
  }
  await knex('evidence_records').where({ entity_ref: entityRef, seq }).delete();
}

const A = 'component:default/a';
const B = 'component:default/b';

function openCheckpoint(log: EvidenceLog, note: string) {
  return parseCheckpoint(openNote(note, [log.verifierKey]).text);
}

describe.each(databases.eachSupportedId())('entity heads on %p', databaseId => {
  it('signs the heads of every entity into the checkpoint and proves them', async () => {
    const { log, store } = await setup(databaseId);
    for (let i = 1; i <= 3; i++) await log.append(prepared(A, i));
    const b1 = await log.append(prepared(B, 1));
    const cp = await log.checkpoint();
    const checkpoint = openCheckpoint(log, cp.note);
    expect(checkpoint.extensions).toEqual([
      expect.stringMatching(/^assay-heads\/v1 2 [A-Za-z0-9+/]{43}=$/),
    ]);
    const headA = await store.head(A);
    expect(
      verifyHeadProof(await log.headProof(A, cp.treeSize), checkpoint, A),
    ).toEqual({ seq: 3, hash: headA!.hash });
    expect(
      verifyHeadProof(await log.headProof(B, cp.treeSize), checkpoint, B),
    ).toEqual({ seq: 1, hash: b1.row.hash });
    const c = 'component:default/c';
    expect(
      verifyHeadProof(await log.headProof(c, cp.treeSize), checkpoint, c),
    ).toBeNull();

    // heads at an earlier size come from the records, not the current table
    await log.append(prepared(A, 4));
    const early = await log.headProof(A, 2);
    expect(early.head).toMatchObject({ entityRef: A, seq: 2 });
    expect((await log.headProof(B, 2)).head).toBeNull();

    const bundle = await log.bundle(A);
    const result = verifyBundle(bundle);
    expect(result.failures).toEqual([]);
    expect(result.heads).toMatchObject({ bound: true, committed: { seq: 4 } });
  });

  it('heads trees of later sizes (updated from a kept tree) and earlier ones (rebuilt) equal the tree of the records', async () => {
    const { log, store } = await setup(databaseId);
    const entities = ['m', 'c', 'x', 'a', 'q'].map(
      n => `component:default/${n}`,
    );
    const sizes: number[] = [];
    for (let i = 0; i < 30; i++) {
      // new entities join over time, existing ones move on
      await log.append(
        prepared(entities[(i * 7) % (1 + Math.floor(i / 6))], i),
      );
      if (i % 4 === 3) sizes.push((await log.checkpoint()).treeSize);
    }
    /** The heads at `size` from first principles: every record read. */
    const reference = async (size: number) => {
      const heads = new Map<string, { seq: number; hash: string }>();
      for (const e of entities) {
        for (const r of await store.allForEntity(e)) {
          if (r.leafIndex < size) heads.set(e, { seq: r.seq, hash: r.hash });
        }
      }
      return new HeadsTree(
        [...heads].map(([entityRef, h]) => ({ entityRef, ...h })),
      );
    };
    // older sizes after newer ones: rebuilt from evidence_heads + the records
    for (const size of [...sizes, 5, 1, 17, ...sizes.reverse()]) {
      const tree = await log.headsTree(size);
      const ref = await reference(size);
      expect([size, tree.extension()]).toEqual([size, ref.extension()]);
      for (const e of [...entities, 'component:default/n']) {
        expect(tree.proof(e, size)).toEqual(ref.proof(e, size));
      }
    }
  });

  it('refuses head proofs for tree sizes far behind the log that are not kept (bounded cost)', async () => {
    const { log } = await setup(databaseId);
    for (let i = 1; i <= 12; i++) await log.append(prepared(A, i));
    const cp = await log.checkpoint();
    log.maxHeadsLag = 5;
    await expect(log.headProof(A, 2)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^treeSize: 2 is more than 5 leaves/),
    });
    await expect(log.headProof(A, 8)).resolves.toMatchObject({
      head: { seq: 8 },
    });
    // a kept tree is served whatever its age
    await log.append(prepared(A, 13));
    await log.append(prepared(A, 14));
    await log.append(prepared(A, 15));
    await log.append(prepared(A, 16));
    await log.append(prepared(A, 17));
    await log.append(prepared(A, 18));
    await expect(log.headProof(A, cp.treeSize)).resolves.toMatchObject({
      head: { seq: 12 },
    });
  });

  it('a deleted head record is named as a truncation; a rewritten heads table breaks the proof', async () => {
    const { knex, log } = await setup(databaseId);
    for (let i = 1; i <= 3; i++) await log.append(prepared(A, i));
    await log.append(prepared(B, 1));
    const cp = await log.checkpoint(); // a verifier or the viewer fetched it

    await deleteRecord(knex, A, 3);
    const bundle = await log.bundle(A);
    expect(bundle.records).toHaveLength(2);
    const result = verifyBundle(bundle);
    expect(result.ok).toBe(false);
    expect(result.chain.ok).toBe(true); // what is left still chains
    expect(result.failures).toEqual([
      {
        seq: 3,
        reason: expect.stringMatching(
          /^truncated: the signed checkpoint commits to head #3 .* end at #2$/,
        ),
      },
    ]);

    // covering it up in the heads table changes the heads root: the proof
    // no longer matches what the checkpoint signs
    const prev = await knex('evidence_records')
      .where({ entity_ref: A, seq: 2 })
      .first();
    await knex('evidence_heads')
      .where({ entity_ref: A })
      .update({ seq: 2, hash: prev.hash, leaf_index: prev.leaf_index });
    const fresh = new EvidenceLog(
      log.store,
      testConfig,
      mockServices.logger.mock(),
    );
    await fresh.init();
    const checkpoint = openCheckpoint(log, cp.note);
    expect(parseHeadsExtension(checkpoint.extensions)?.count).toBe(2);
    const proof = await fresh.headProof(A, cp.treeSize);
    expect(() => verifyHeadProof(proof, checkpoint, A)).toThrow(
      /not in the heads tree the checkpoint signs/,
    );
    expect(verifyBundle(await fresh.bundle(A)).ok).toBe(false);
  });
});
