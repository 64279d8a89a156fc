// @ts-check

/**
 * Indexes the overview's queries use: the sorts by level and score with
 * their `entity_ref` tie-break (the single-column indexes left a sort of
 * every row for each page); `(level_rank, entity_ref)` also answers the
 * per-level counts of every page and the level filter without reading the
 * rows (which carry the result JSON).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scorecard_results', t => {
    t.dropIndex(['level_rank'], 'scorecard_results_level_idx');
    t.dropIndex(['score'], 'scorecard_results_score_idx');
  });
  await knex.schema.alterTable('scorecard_results', t => {
    t.index(['level_rank', 'entity_ref'], 'scorecard_results_level_rank_idx');
    t.index(['score', 'entity_ref'], 'scorecard_results_score_ref_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scorecard_results', t => {
    t.dropIndex(
      ['level_rank', 'entity_ref'],
      'scorecard_results_level_rank_idx',
    );
    t.dropIndex(['score', 'entity_ref'], 'scorecard_results_score_ref_idx');
  });
  await knex.schema.alterTable('scorecard_results', t => {
    t.index(['level_rank'], 'scorecard_results_level_idx');
    t.index(['score'], 'scorecard_results_score_idx');
  });
};
