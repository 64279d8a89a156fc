import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { generateSignerKey, verifyBundle } from '@assay/plugin-evidence-common';
import knexFactory, { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { migrateEvidence } from '../../scripts/dbRoles';
import { EvidenceLog } from '../service/EvidenceLog';
import { IntegrityAudit } from '../service/IntegrityAudit';
import { DatabaseEvidenceStore } from './DatabaseEvidenceStore';
import { prepared, testConfig } from './testUtils';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

/** Connection settings of the test database, for another role. */
function connectionAs(admin: Knex, user: string, password: string) {
  const c: any = admin.client.config.connection;
  const base =
    typeof c === 'string'
      ? (() => {
          const u = new URL(c);
          return {
            host: u.hostname,
            port: Number(u.port || 5432),
            database: u.pathname.slice(1),
          };
        })()
      : { host: c.host, port: c.port, database: c.database };
  return knexFactory({
    client: 'pg',
    connection: { ...base, user, password },
    pool: { min: 0, max: 3 },
  });
}

describe.each(databases.eachSupportedId())(
  'PostgreSQL roles on %p',
  databaseId => {
    it('the runtime role appends and reads but cannot disable the triggers, update, delete or truncate', async () => {
      const admin = await databases.init(databaseId);
      const suffix = randomBytes(4).toString('hex');
      const owner = `evidence_owner_${suffix}`;
      const app = `evidence_app_${suffix}`;
      const password = randomBytes(12).toString('hex');
      const { rows } = await admin.raw('SELECT current_database() AS db');
      const db = rows[0].db;
      await admin.raw(`CREATE ROLE ${owner} LOGIN PASSWORD '${password}'`);
      await admin.raw(`CREATE ROLE ${app} LOGIN PASSWORD '${password}'`);
      // the DBA hands the (empty) evidence database to the owner role
      await admin.raw(`ALTER DATABASE "${db}" OWNER TO ${owner}`);
      await admin.raw(`GRANT CONNECT ON DATABASE "${db}" TO ${app}`);

      const asOwner = connectionAs(admin, owner, password);
      const asApp = connectionAs(admin, app, password);
      try {
        // 1. migrations under the owner, grants for the runtime role
        const { applied } = await migrateEvidence(asOwner, { grantTo: app });
        expect(applied.length).toBeGreaterThanOrEqual(2);

        // 2. the backend under the runtime role, migrations skipped
        const store = await DatabaseEvidenceStore.create({
          database: mockServices.database({
            knex: asApp,
            migrations: { skip: true },
          }),
        });
        const log = new EvidenceLog(
          store,
          {
            ...testConfig,
            signerKey: generateSignerKey(testConfig.origin),
          },
          mockServices.logger.mock(),
        );
        await log.init();
        for (let i = 1; i <= 3; i++) {
          await log.append(prepared('component:default/a', i));
        }
        await log.append(
          prepared('component:default/b', 1, {
            blobs: [
              {
                digest: `sha256:${'0'.repeat(64)}`,
                size: 1,
                mediaType: 'text/plain',
                content: Buffer.from('x'),
              },
            ],
            payloadDigest: `sha256:${'0'.repeat(64)}`,
          }),
        );
        expect(verifyBundle(await log.bundle('component:default/a')).ok).toBe(
          true,
        );
        await store.setLegalHold({
          entityRef: 'component:default/a',
          reason: 'audit',
          setBy: 'user:default/x',
          setAt: new Date().toISOString(),
        });
        expect(await store.releaseLegalHold('component:default/a')).toBe(true);
        expect(
          await store.purgeExpired(new Date().toISOString(), {
            entityRef: 'component:default/b',
            ignoreExpiry: true,
          }),
        ).toMatchObject({ blobs: 1 });
        const audit = new IntegrityAudit(store, mockServices.logger.mock());
        expect((await audit.run()).findings).toEqual([]);

        // 3. what the runtime role cannot do
        const refused = async (sql: string, why: RegExp) =>
          expect(asApp.raw(sql)).rejects.toThrow(why);
        for (const t of ['evidence_records', 'evidence_tree_nodes']) {
          await refused(
            `ALTER TABLE ${t} DISABLE TRIGGER USER`,
            /must be owner of table/,
          );
          await refused(
            `DROP TRIGGER ${t}_no_update ON ${t}`,
            /must be owner of (table|relation)/,
          );
          await refused(`UPDATE ${t} SET hash = hash`, /permission denied/);
          await refused(`DELETE FROM ${t}`, /permission denied/);
          await refused(`TRUNCATE ${t}`, /permission denied/);
        }
        await refused(
          'DROP FUNCTION evidence_worm_guard() CASCADE',
          /must be owner of function/,
        );
        await refused(
          'SET session_replication_role = replica',
          /permission denied/,
        );
        await refused(
          'ALTER TABLE evidence_heads DISABLE TRIGGER ALL',
          /must be owner/,
        );
        // nothing changed
        expect(await asApp('evidence_records').count({ n: '*' })).toEqual([
          { n: '4' },
        ]);

        // and the owner still can (which is why the backend must not run as it)
        await asOwner.raw('ALTER TABLE evidence_records DISABLE TRIGGER USER');
        await asOwner.raw('ALTER TABLE evidence_records ENABLE TRIGGER USER');
      } finally {
        await asApp.destroy();
        await asOwner.destroy();
        await admin.raw(`ALTER DATABASE "${db}" OWNER TO CURRENT_USER`);
        await admin.raw(`REASSIGN OWNED BY ${owner} TO CURRENT_USER`);
        await admin.raw(`DROP OWNED BY ${owner}`);
        await admin.raw(`DROP OWNED BY ${app}`);
        await admin.raw(`DROP ROLE ${owner}`);
        await admin.raw(`DROP ROLE ${app}`);
      }
    });
  },
);
