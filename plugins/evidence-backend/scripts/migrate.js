#!/usr/bin/env node
// @ts-check
/*
 * Runs the evidence store's migrations under the OWNER role, for production
 * setups where the backend connects as a runtime role that cannot change the
 * schema (backend.database.plugin.evidence.skipMigrations: true).
 *
 *   ASSAY_EVIDENCE_MIGRATION_URL=postgresql://evidence_owner:…@db/backstage_plugin_evidence \
 *     yarn workspace @assay/plugin-evidence-backend migrate --grant-to evidence_app
 *
 * --grant-to <role>  also grants the runtime role SELECT/INSERT and the few
 *                    UPDATE/DELETEs it needs (see scripts/dbRoles.js).
 */
const { migrateEvidence } = require('./dbRoles');

async function main() {
  const url = process.env.ASSAY_EVIDENCE_MIGRATION_URL;
  if (!url) {
    throw new Error(
      'set ASSAY_EVIDENCE_MIGRATION_URL to a PostgreSQL connection string for the owner role of the evidence database',
    );
  }
  const args = process.argv.slice(2);
  let grantTo;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--grant-to' && args[i + 1]) grantTo = args[++i];
    else
      throw new Error(
        `unknown argument ${args[i]} (usage: migrate [--grant-to <role>])`,
      );
  }
  const knex = require('knex')({ client: 'pg', connection: url });
  try {
    const { applied } = await migrateEvidence(knex, { grantTo });
    console.log(
      applied.length
        ? `evidence: applied ${applied.length} migration(s): ${applied.join(
            ', ',
          )}`
        : 'evidence: schema is up to date',
    );
    if (grantTo)
      console.log(`evidence: runtime privileges granted to ${grantTo}`);
  } finally {
    await knex.destroy();
  }
}

main().catch(e => {
  console.error(`evidence migrate: ${e.message}`);
  process.exit(1);
});
