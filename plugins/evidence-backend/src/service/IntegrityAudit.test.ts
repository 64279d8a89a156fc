import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { DatabaseEvidenceStore } from '../store/DatabaseEvidenceStore';
import { prepared, testConfig } from '../store/testUtils';
import { EvidenceLog } from './EvidenceLog';
import { AuditMetrics, IntegrityAudit } from './IntegrityAudit';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const A = 'component:default/a';
const B = 'component:default/b';

async function setup(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const store = await DatabaseEvidenceStore.create({
    database: mockServices.database({ knex }),
  });
  const log = new EvidenceLog(store, testConfig, mockServices.logger.mock());
  await log.init();
  // 11 leaves: a and b interleaved, so the tree has nodes up to level 3
  for (let i = 1; i <= 11; i++) {
    await log.append(prepared(i % 3 ? A : B, i));
  }
  const logger = mockServices.logger.mock();
  const counted: string[] = [];
  const metrics: AuditMetrics = {
    finding: kind => counted.push(kind),
    checked: () => {},
  };
  const audit = (batchSize = 4) =>
    new IntegrityAudit(store, logger, metrics, { batchSize, maxBatches: 100 });
  return { knex, store, log, logger, counted, audit };
}

/** What the table owner can do: turn the WORM triggers off. */
async function unguard(knex: Knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw('ALTER TABLE evidence_records DISABLE TRIGGER USER');
    await knex.raw('ALTER TABLE evidence_tree_nodes DISABLE TRIGGER USER');
  } else {
    for (const t of ['evidence_records', 'evidence_tree_nodes']) {
      await knex.raw(`DROP TRIGGER ${t}_no_update`);
      await knex.raw(`DROP TRIGGER ${t}_no_delete`);
    }
  }
}

describe.each(databases.eachSupportedId())(
  'IntegrityAudit on %p',
  databaseId => {
    it('audits a clean log in bounded, resumable batches', async () => {
      const { audit, counted } = await setup(databaseId);
      const first = await audit().runBatch();
      expect(first).toMatchObject({ checked: 4, passCompleted: false });
      // a new instance (another replica, a restart) resumes at the cursor
      expect(await audit().state()).toMatchObject({ cursor: 4, passes: 0 });
      expect(await audit().runBatch()).toMatchObject({ checked: 4 });
      expect(await audit().runBatch()).toMatchObject({
        checked: 3,
        passCompleted: true,
        findings: [],
      });
      expect(await audit().state()).toMatchObject({
        cursor: 0,
        passes: 1,
        lastCompletedSize: 11,
      });
      expect(counted).toEqual([]);
      expect((await audit().findings()).total).toBe(0);
    });

    it('finds a category column that disagrees with the canonical bytes', async () => {
      const { knex, audit, counted, logger } = await setup(databaseId);
      await unguard(knex);
      await knex('evidence_records')
        .where({ leaf_index: 5 })
        .update({ category: 'sast', recorded_at: '2099-01-01T00:00:00.000Z' });
      const { findings } = await audit().run();
      expect(findings).toEqual([
        expect.objectContaining({
          kind: 'record-column',
          leafIndex: 5,
          message:
            'record at leaf 5: column category is "sast" but its canonical bytes say "tests"',
        }),
        expect.objectContaining({
          kind: 'record-column',
          message: expect.stringMatching(/column recorded_at is "2099/),
        }),
      ]);
      expect(counted).toEqual(['record-column', 'record-column']);
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringMatching(/^evidence audit: record-column: /),
        expect.objectContaining({ leafIndex: 5 }),
      );
      // stored for the log page, and not repeated by the next pass
      await audit().run();
      expect((await audit().findings()).total).toBe(2);
      expect(counted).toHaveLength(2);
    });

    it('recomputes interior nodes from their children', async () => {
      const { knex, audit } = await setup(databaseId);
      await unguard(knex);
      await knex('evidence_tree_nodes')
        .where({ level: 2, idx: 1 })
        .update({ hash: 'ab'.repeat(32) });
      const { findings } = await audit(3).run();
      expect(findings.map(f => f.message)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^Merkle node \(level 2, index 1\) is abab.* but its children hash to/,
          ),
          // the parent no longer matches its (tampered) child either
          expect.stringMatching(/^Merkle node \(level 3, index 0\)/),
        ]),
      );
    });

    it('finds a deleted head record and rewritten canonical bytes', async () => {
      const { knex, audit } = await setup(databaseId);
      await unguard(knex);
      const head = await knex('evidence_records')
        .where({ entity_ref: A })
        .orderBy('seq', 'desc')
        .first();
      await knex('evidence_records').where({ hash: head.hash }).delete();
      const row = await knex('evidence_records')
        .where({ leaf_index: 2 })
        .first();
      const canonical = row.canonical.replace('"tests":13', '"tests":99');
      await knex('evidence_records')
        .where({ leaf_index: 2 })
        .update({
          canonical,
          hash: require('node:crypto')
            .createHash('sha256')
            .update(canonical)
            .digest('hex'),
        });
      const { findings } = await audit().run();
      const kinds = findings.map(f => `${f.kind}@${f.leafIndex}`);
      expect(kinds).toEqual(
        expect.arrayContaining([
          `missing-record@${head.leaf_index}`,
          'leaf-hash@2',
          'chain-link@5', // b's next record (leaf 5) links to the old hash
          'head@null',
        ]),
      );
      expect(findings.find(f => f.kind === 'head')?.message).toMatch(
        /no such record is stored \(truncated\)/,
      );
    });
  },
);
