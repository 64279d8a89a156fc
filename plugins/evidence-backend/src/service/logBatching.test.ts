import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { openNote, parseCheckpoint } from '@assay/plugin-evidence-common';
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
  return { store, log };
}

const A = 'component:default/a';
const B = 'component:default/b';
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe.each(databases.eachSupportedId())(
  'EvidenceLog batching and signing on %p',
  databaseId => {
    it('group commit: an append still being prepared joins the batch', async () => {
      const { store, log } = await setup(databaseId);
      await log.append(prepared(A, 1)); // the log's first batch
      const batches: number[] = [];
      const appendBatch = store.appendBatch.bind(store);
      jest
        .spyOn(store, 'appendBatch')
        .mockImplementation(async (items, ...rest) => {
          batches.push(items.length);
          return appendBatch(items, ...rest);
        });
      const done = log.preparing(); // a second request is being validated
      const first = log.append(prepared(A, 2));
      await new Promise(r => setImmediate(r));
      const second = log.append(prepared(B, 1));
      done();
      const [a, b] = await Promise.all([first, second]);
      expect(batches).toEqual([2]);
      expect(a.row.seq).toBe(2);
      expect(b.row.leafIndex).toBe(a.row.leafIndex + 1);
      // nothing being prepared: no waiting, a batch of one
      await log.append(prepared(A, 3));
      expect(batches).toEqual([2, 1]);
      await log.close();
    });

    it('a conflicting idempotency key fails alone; its batch is split in halves, not appended one by one', async () => {
      const { store, log } = await setup(databaseId);
      await log.append(prepared(A, 0, { idempotencyKey: 'k' }));
      const batches: number[] = [];
      const appendBatch = store.appendBatch.bind(store);
      jest
        .spyOn(store, 'appendBatch')
        .mockImplementation(async (items, ...rest) => {
          batches.push(items.length);
          return appendBatch(items, ...rest);
        });
      const all = Array.from({ length: 64 }, (_, i) =>
        i === 40
          ? log.append(prepared(A, 99, { idempotencyKey: 'k' }))
          : log.append(prepared(i % 2 ? A : B, i + 1)),
      );
      const settled = await Promise.allSettled(all);
      const conflict = settled[40];
      expect(conflict.status).toBe('rejected');
      expect((conflict as PromiseRejectedResult).reason.name).toBe(
        'ConflictError',
      );
      const leaves = settled
        .filter((_, i) => i !== 40)
        .map(o => {
          expect(o.status).toBe('fulfilled');
          return (o as PromiseFulfilledResult<any>).value.row.leafIndex;
        });
      // every other append stored once, in the queue's order
      expect(leaves).toEqual([...leaves].sort((a, b) => a - b));
      expect(new Set(leaves).size).toBe(63);
      // 64 items: the failed batch, then halves down to the bad one
      expect(batches.length).toBeLessThanOrEqual(2 * Math.log2(64) + 1);
      await log.close();
    });

    it('signs the checkpoint of the new size once appends settle', async () => {
      const { store, log } = await setup(databaseId);
      for (let i = 1; i <= 3; i++) await log.append(prepared(A, i));
      expect(await store.getCheckpoint(3)).toBeUndefined();
      for (let i = 0; i < 100 && !(await store.getCheckpoint(3)); i++) {
        await sleep(20);
      }
      const note = await store.getCheckpoint(3);
      expect(note).toBeDefined();
      const cp = parseCheckpoint(openNote(note!, [log.verifierKey]).text);
      expect(cp.treeSize).toBe(3);
      // a request gets the stored one, not a new signature
      const put = jest.spyOn(store, 'putCheckpoint');
      expect((await log.checkpoint()).note).toBe(note);
      expect(put).not.toHaveBeenCalled();
      await log.close();
    });

    it('concurrent requests for an unsigned size share one signing', async () => {
      const { store, log } = await setup(databaseId);
      await log.close(); // no background signing in this test
      for (let i = 1; i <= 2; i++) await log.append(prepared(A, i));
      const put = jest.spyOn(store, 'putCheckpoint');
      const notes = await Promise.all([
        log.checkpoint(),
        log.checkpoint(),
        log.checkpoint(),
      ]);
      expect(put).toHaveBeenCalledTimes(1);
      expect(new Set(notes.map(n => n.note)).size).toBe(1);
      expect(notes[0].treeSize).toBe(2);
    });
  },
);
