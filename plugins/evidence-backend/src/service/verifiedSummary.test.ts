import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { DatabaseEvidenceStore } from '../store/DatabaseEvidenceStore';
import { prepared, testConfig } from '../store/testUtils';
import { EvidenceLog } from './EvidenceLog';
import { missingCategories, verifiedCategories } from './verifiedSummary';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const A = 'component:default/a';
const required = [
  { category: 'tests', maxAgeDays: 30 },
  { category: 'sbom', maxAgeDays: 90 },
];
const DAY = 86_400_000;

describe.each(databases.eachSupportedId())(
  'summary from verified bytes on %p',
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
      let t = Date.parse('2026-01-01T00:00:00.000Z');
      const at = () => new Date(t).toISOString();
      // an old tests record, then a fresh sbom record
      await store.appendBatch([prepared(A, 1)], at);
      t += 100 * DAY;
      await store.appendBatch([prepared(A, 2, { category: 'sbom' })], at);
      if (knex.client.config.client === 'pg') {
        await knex.raw('ALTER TABLE evidence_records DISABLE TRIGGER USER');
      } else {
        await knex.raw('DROP TRIGGER evidence_records_no_update');
      }
      return { knex, store, now: t + DAY };
    }

    const summarize = async (store: DatabaseEvidenceStore, now: number) => {
      const categories = verifiedCategories(A, await store.categoryStats(A));
      return {
        categories,
        missing: missingCategories(required, categories, now),
      };
    };

    it('uses the canonical bytes: stale tests stay stale', async () => {
      const { store, now } = await setup();
      expect((await summarize(store, now)).missing).toEqual([
        {
          category: 'tests',
          reason: 'stale',
          lastRecordedAt: '2026-01-01T00:00:00.000Z',
          maxAgeDays: 30,
        },
      ]);
    });

    it('a recorded_at column moved forward does not make old evidence fresh', async () => {
      const { knex, store, now } = await setup();
      await knex('evidence_records')
        .where({ entity_ref: A, seq: 1 })
        .update({ recorded_at: new Date(now).toISOString() });
      const { missing, categories } = await summarize(store, now);
      expect(missing).toEqual([
        expect.objectContaining({ category: 'tests', reason: 'stale' }),
      ]);
      expect(categories.find(c => c.category === 'tests')).toMatchObject({
        latestRecordedAt: '2026-01-01T00:00:00.000Z',
      });
    });

    it('a category column rewritten to a required one is unverified, never satisfying', async () => {
      const { knex, store, now } = await setup();
      // the fresh sbom record relabelled as tests
      await knex('evidence_records')
        .where({ entity_ref: A, seq: 2 })
        .update({ category: 'tests' });
      const { missing, categories } = await summarize(store, now);
      expect(categories.find(c => c.category === 'tests')).toMatchObject({
        integrityProblem: expect.stringMatching(
          /^record #2 .*stored as category "tests" but its canonical bytes say "sbom"$/,
        ),
        latestSummary: {},
      });
      expect(missing).toEqual([
        expect.objectContaining({
          category: 'tests',
          reason: 'unverified',
          problem: expect.stringMatching(/canonical bytes say "sbom"/),
        }),
        expect.objectContaining({ category: 'sbom', reason: 'never' }),
      ]);
    });

    it('canonical bytes that do not hash to the stored hash are unverified', async () => {
      const { knex, store, now } = await setup();
      const row = await knex('evidence_records')
        .where({ entity_ref: A, seq: 2 })
        .first();
      await knex('evidence_records')
        .where({ entity_ref: A, seq: 2 })
        .update({
          canonical: row.canonical.replace('"tests":12', '"tests":99'),
        });
      const { missing } = await summarize(store, now);
      expect(missing).toContainEqual(
        expect.objectContaining({
          category: 'sbom',
          reason: 'unverified',
          problem: expect.stringMatching(/canonical bytes hash to/),
        }),
      );
    });
  },
);
