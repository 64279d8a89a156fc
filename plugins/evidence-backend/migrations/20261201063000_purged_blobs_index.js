// @ts-check

/**
 * The purged blobs, indexed: `evidence_blobs (digest) WHERE purged_at IS NOT
 * NULL`, a partial index that holds only purged payloads and artifacts (none
 * until retention purges one). Reads that mark records `payloadPurged` (a
 * list page, the bulk read behind `POST /v1/latest`) probe it per cited
 * digest instead of reading each blob's row, content and all, to see its
 * `purged_at`. A purge adds its digests to the index; a restore removes them.
 *
 * On PostgreSQL the build holds a write lock on evidence_blobs while it
 * scans the table (its rows are small: contents are TOASTed), so appends
 * wait for the migration, as for any deployment step that migrates. Reads
 * work without the index (the SQLite query falls back to no hint).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.raw(
    'CREATE INDEX evidence_blobs_purged_idx ON evidence_blobs (digest) WHERE purged_at IS NOT NULL',
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX evidence_blobs_purged_idx');
};
