import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { canonicalJson, sha256Hex } from '@assay/plugin-evidence-common';
import { DatabaseEvidenceStore } from '../store/DatabaseEvidenceStore';
import { prepared, testConfig } from '../store/testUtils';
import { EntityVerifier } from './EntityVerifier';
import { EvidenceLog } from './EvidenceLog';
import { VerifyWorker } from './verifyWorker';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const A = 'component:default/a';

describe.each(databases.eachSupportedId())(
  'EntityVerifier on %p',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseEvidenceStore.create({
        database: mockServices.database({ knex }),
      });
      const log = new EvidenceLog(
        store,
        testConfig,
        mockServices.logger.mock(),
      );
      await log.init();
      const workerErrors = jest.fn();
      const worker = new VerifyWorker(workerErrors);
      const verifier = new EntityVerifier(store, worker);
      const append = async (n: number, entityRef = A) => {
        for (let i = 0; i < n; i++) await log.append(prepared(entityRef, i));
      };
      const isPg = knex.client.config.client === 'pg';
      const dropTriggers = async () => {
        for (const op of ['update', 'delete']) {
          await knex.raw(
            isPg
              ? `DROP TRIGGER evidence_records_no_update ON evidence_records`
              : `DROP TRIGGER evidence_records_no_${op}`,
          );
          if (isPg) break; // one trigger covers both on PostgreSQL
        }
      };
      return {
        knex,
        store,
        verifier,
        worker,
        workerErrors,
        append,
        dropTriggers,
      };
    }

    it('verifies in a worker thread, then only the suffix after the persisted verified head', async () => {
      const { store, verifier, worker, workerErrors, append } = await setup();
      await append(3);
      await append(1, 'component:default/b');
      await expect(verifier.verify(A)).resolves.toMatchObject({
        ok: true,
        checked: 3,
        verifiedFrom: 0,
      });
      expect(await store.getVerifiedHead(A)).toMatchObject({ seq: 3 });
      expect(worker.threaded).toBe(true);
      expect(workerErrors).not.toHaveBeenCalled();

      await append(2);
      const after = jest.spyOn(store, 'recordsAfter');
      const result = await verifier.verify(A);
      expect(result).toMatchObject({ ok: true, checked: 5, verifiedFrom: 3 });
      // only the two new records were read, from seq 3 on
      expect(after.mock.calls[0].slice(0, 2)).toEqual([A, 3]);
      expect(await store.getVerifiedHead(A)).toMatchObject({ seq: 5 });
      // nothing new: nothing read beyond the head
      await expect(verifier.verify(A)).resolves.toMatchObject({
        ok: true,
        checked: 5,
        verifiedFrom: 5,
      });
      await worker.close();
    });

    it('shares one run between concurrent requests for an entity', async () => {
      const { store, verifier, worker, append } = await setup();
      await append(4);
      const after = jest.spyOn(store, 'recordsAfter');
      const [x, y] = await Promise.all([
        verifier.verify(A),
        verifier.verify(A),
      ]);
      expect(x).toEqual(y);
      expect(after).toHaveBeenCalledTimes(1);
      await worker.close();
    });

    it('names a verified head that was deleted or rewritten', async () => {
      const { knex, verifier, worker, append, dropTriggers } = await setup();
      await append(3);
      await expect(verifier.verify(A)).resolves.toMatchObject({ ok: true });
      await dropTriggers();
      const [row] = await knex('evidence_records').where({
        entity_ref: A,
        seq: 3,
      });
      await knex('evidence_records').where({ entity_ref: A, seq: 3 }).delete();
      await expect(verifier.verify(A)).resolves.toMatchObject({
        ok: false,
        firstBad: {
          seq: 3,
          reason: expect.stringMatching(/#3, verified on .* is missing/),
        },
      });
      // put it back with other bytes but the old hash column
      const env = JSON.parse(row.canonical);
      env.summary.tests = 999;
      await knex('evidence_records').insert({
        ...row,
        canonical: canonicalJson(env),
      });
      await expect(verifier.verify(A)).resolves.toMatchObject({
        ok: false,
        firstBad: { seq: 3, reason: expect.stringMatching(/was changed/) },
      });
      await worker.close();
    });

    it('rejects a rewritten record in the suffix, with its stored hash recomputed', async () => {
      const { knex, verifier, worker, append, dropTriggers } = await setup();
      await append(2);
      await expect(verifier.verify(A)).resolves.toMatchObject({ ok: true });
      await append(2);
      await dropTriggers();
      const [row] = await knex('evidence_records').where({
        entity_ref: A,
        seq: 3,
      });
      const env = JSON.parse(row.canonical);
      env.summary.failures = 7;
      const canonical = canonicalJson(env);
      await knex('evidence_records')
        .where({ entity_ref: A, seq: 3 })
        .update({ canonical, hash: sha256Hex(canonical) });
      const result = await verifier.verify(A);
      expect(result).toMatchObject({ ok: false, checked: 2, verifiedFrom: 2 });
      expect(!result.ok && result.firstBad.seq).toBe(3);
      await worker.close();
    });
  },
);
