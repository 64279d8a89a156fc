// @ts-check
/*
 * The database as a boundary (PostgreSQL).
 *
 * Production runs the evidence store under two roles:
 * - an OWNER role that owns the tables and runs the migrations
 *   (`yarn workspace @assay/plugin-evidence-backend migrate`), and
 * - a RUNTIME role the backend connects as, which may only SELECT and INSERT
 *   plus the few UPDATE/DELETEs the store needs (listed below). It owns
 *   nothing, so it cannot disable or drop the WORM triggers, and it has no
 *   UPDATE/DELETE/TRUNCATE privilege on records or tree nodes at all.
 */

const path = require('node:path');

const MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

/** Tables the runtime role reads and appends to. */
const TABLES = [
  'evidence_records',
  'evidence_tree_nodes',
  'evidence_log',
  'evidence_checkpoints',
  'evidence_blobs',
  'evidence_blob_refs',
  'evidence_legal_holds',
  'evidence_signing_keys',
  'evidence_heads',
  'evidence_audit_state',
  'evidence_audit_findings',
  'evidence_category_counts',
  'evidence_verified_heads',
];

/**
 * The only mutations besides INSERT, and why. Nothing here touches
 * evidence_records or evidence_tree_nodes.
 */
const EXTRA = [
  // the log row: tree size and root, under the append lock
  ['UPDATE', 'evidence_log'],
  // maintained heads and counts (appends)
  ['UPDATE', 'evidence_heads'],
  ['UPDATE', 'evidence_category_counts'],
  // the /verify cache of verified heads (a cache; deleting it only costs time)
  ['UPDATE, DELETE', 'evidence_verified_heads'],
  // retention purge nulls payload bytes (never envelopes or leaves)
  ['UPDATE (content, purged_at)', 'evidence_blobs'],
  // legal holds are set (upsert) and released
  ['UPDATE, DELETE', 'evidence_legal_holds'],
  // checkpoint rows are bounded: old unsigned-for rows are pruned
  ['DELETE', 'evidence_checkpoints'],
  // the audit task's cursor
  ['UPDATE', 'evidence_audit_state'],
];

/** @param {string} name */
function ident(name) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(
      `not a plain PostgreSQL role name: ${JSON.stringify(name)}`,
    );
  }
  return `"${name}"`;
}

/**
 * Grants the runtime role exactly what the backend needs on the evidence
 * tables that exist. Run as the owner after migrating. PostgreSQL only.
 *
 * @param {import('knex').Knex} knex connected as the owner
 * @param {string} role the runtime role
 */
async function grantRuntimePrivileges(knex, role) {
  if (knex.client.config.client !== 'pg') {
    throw new Error('runtime role grants are for PostgreSQL');
  }
  const r = ident(role);
  const { rows } = await knex.raw(
    `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY(?)`,
    [TABLES],
  );
  const present = new Set(rows.map(/** @param {any} x */ x => x.tablename));
  await knex.raw(
    `GRANT USAGE ON SCHEMA "${await currentSchema(knex)}" TO ${r}`,
  );
  for (const t of TABLES) {
    if (!present.has(t)) continue;
    await knex.raw(`REVOKE ALL ON ${t} FROM ${r}`);
    await knex.raw(`GRANT SELECT, INSERT ON ${t} TO ${r}`);
  }
  for (const [privileges, t] of EXTRA) {
    if (present.has(t)) await knex.raw(`GRANT ${privileges} ON ${t} TO ${r}`);
  }
  await knex.raw(
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${await currentSchema(
      knex,
    )}" TO ${r}`,
  );
}

/** @param {import('knex').Knex} knex */
async function currentSchema(knex) {
  const { rows } = await knex.raw('SELECT current_schema() AS s');
  return rows[0].s;
}

/**
 * Runs the evidence migrations (as the owner) and, with `grantTo`, grants
 * the runtime role its privileges.
 *
 * @param {import('knex').Knex} knex
 * @param {{ grantTo?: string }} [options]
 */
async function migrateEvidence(knex, options = {}) {
  const [, applied] = await knex.migrate.latest({ directory: MIGRATIONS_DIR });
  if (options.grantTo) await grantRuntimePrivileges(knex, options.grantTo);
  return { applied };
}

module.exports = { grantRuntimePrivileges, migrateEvidence, MIGRATIONS_DIR };
