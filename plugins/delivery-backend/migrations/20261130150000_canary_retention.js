// @ts-check

/**
 * Canary retention: an index on `finished_at` for the daily cleanup that
 * deletes finished runs older than `delivery.canary.retentionDays` (with
 * their analyses and events; the evidence records they produced stay in the
 * evidence log).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('delivery_canary_runs', table => {
    table.index(['finished_at'], 'delivery_canary_runs_finished_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('delivery_canary_runs', table => {
    table.dropIndex(['finished_at'], 'delivery_canary_runs_finished_idx');
  });
};
