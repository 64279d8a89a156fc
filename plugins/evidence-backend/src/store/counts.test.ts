import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import {
  DatabaseEvidenceStore,
  KEPT_CHECKPOINTS,
} from './DatabaseEvidenceStore';
import { EvidenceLog } from '../service/EvidenceLog';
import { prepared, testConfig } from './testUtils';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const A = 'component:default/a';

describe.each(databases.eachSupportedId())(
  'maintained counts and keyset pages on %p',
  databaseId => {
    it('counts per entity and category in the append transaction, never by scanning', async () => {
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
      await Promise.all(
        Array.from({ length: 7 }, (_, i) =>
          log.append(
            prepared(A, i, { category: i % 3 === 0 ? 'sbom' : 'tests' }),
          ),
        ),
      );
      await log.append(prepared('component:default/b', 1));

      const all = await store.list(A, { limit: 2, order: 'desc' });
      expect(all.total).toBe(7);
      expect(all.rows.map(r => r.seq)).toEqual([7, 6]);
      const next = await store.list(A, {
        limit: 2,
        order: 'desc',
        afterSeq: 6,
      });
      expect(next.rows.map(r => r.seq)).toEqual([5, 4]);
      const sbom = await store.list(A, {
        limit: 50,
        order: 'asc',
        categories: ['sbom'],
      });
      expect(sbom.total).toBe(3);
      expect(sbom.rows).toHaveLength(3);
      expect(await store.categoryCounts(A)).toEqual(
        expect.arrayContaining([
          { category: 'sbom', count: 3, latestSeq: expect.any(Number) },
          { category: 'tests', count: 4, latestSeq: expect.any(Number) },
        ]),
      );
      // time and subject filters have no maintained count
      const since = await store.list(A, {
        limit: 50,
        order: 'asc',
        since: '2000-01-01T00:00:00Z',
      });
      expect(since.rows).toHaveLength(7);
      expect(since.total).toBeUndefined();
      // the count comes from the maintained table, not COUNT(*) over records
      await knex('evidence_category_counts')
        .where({ entity_ref: A, category: 'sbom' })
        .update({ count: 1000 });
      expect((await store.list(A, { limit: 1, order: 'desc' })).total).toBe(
        1004,
      );
    });
  },
);

describe.each(databases.eachSupportedId())(
  'bounded checkpoint rows on %p',
  databaseId => {
    it('keeps the newest checkpoints only, and proofs from an older size still verify', async () => {
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
      for (let i = 0; i < KEPT_CHECKPOINTS + 6; i++) {
        await log.append(prepared(A, i));
        await log.checkpoint();
      }
      const rows = await knex('evidence_checkpoints').orderBy('tree_size');
      expect(rows).toHaveLength(KEPT_CHECKPOINTS);
      expect(Number(rows[0].tree_size)).toBe(7);
      // a verifier that remembered tree size 2 still gets its consistency proof
      const proof = await log.consistency(2, KEPT_CHECKPOINTS + 6);
      expect(proof.hashes.length).toBeGreaterThan(0);
    });
  },
);
