// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('scorecard_results', t => {
    t.comment('Latest scorecard result per entity');
    t.string('entity_ref', 255)
      .primary()
      .comment('kind:namespace/name, lower case');
    t.string('kind', 64).notNullable().comment('entity kind, lower case');
    t.string('title', 255).notNullable().comment('display title');
    t.string('owner', 255).nullable().comment('owner ref');
    t.string('system', 255).nullable().comment('system ref');
    t.string('domain', 255).nullable().comment('domain ref (from the system)');
    t.string('mode', 16).notNullable().comment('sandbox | compliance');
    t.float('score').notNullable().comment('weighted score 0-100');
    t.string('level', 16)
      .notNullable()
      .comment('none | bronze | silver | gold');
    t.integer('level_rank')
      .notNullable()
      .comment('-1 none, 0 bronze, 1 silver, 2 gold');
    t.integer('failing')
      .notNullable()
      .comment('count of checks not passing or waived');
    t.text('failing_checks').notNullable().comment(',id,id, of failing checks');
    t.string('computed_at', 32).notNullable().comment('ISO time of evaluation');
    t.string('result_hash', 64)
      .notNullable()
      .comment('hex SHA-256 of the canonical result');
    t.string('entity_etag', 255)
      .nullable()
      .comment('catalog etag the result was computed from');
    t.text('result', 'longtext')
      .notNullable()
      .comment('the full EntityResult as JSON');
    t.index(['owner'], 'scorecard_results_owner_idx');
    t.index(['system'], 'scorecard_results_system_idx');
    t.index(['level_rank'], 'scorecard_results_level_idx');
    t.index(['score'], 'scorecard_results_score_idx');
  });
  await knex.schema.createTable('scorecard_history', t => {
    t.comment('One point per entity per day (the last result of the day)');
    t.string('entity_ref', 255).notNullable();
    t.string('day', 10).notNullable().comment('YYYY-MM-DD (UTC)');
    t.string('owner', 255).nullable();
    t.float('score').notNullable();
    t.string('level', 16).notNullable();
    t.integer('pass').notNullable();
    t.integer('fail').notNullable();
    t.integer('warn').notNullable();
    t.integer('unknown').notNullable();
    t.integer('waived').notNullable();
    t.primary(['entity_ref', 'day']);
    t.index(['day'], 'scorecard_history_day_idx');
  });
  await knex.schema.createTable('scorecard_waivers', t => {
    t.comment('Waiver requests and decisions');
    t.string('id', 36).primary().comment('uuid');
    t.string('entity_ref', 255).notNullable();
    t.string('check_id', 128).notNullable();
    t.text('reason').notNullable();
    t.string('expires_at', 32).notNullable().comment('ISO time');
    t.string('status', 16)
      .notNullable()
      .comment('pending | approved | rejected');
    t.string('requested_by', 255).notNullable().comment('user entity ref');
    t.string('requested_at', 32).notNullable();
    t.string('decided_by', 255).nullable();
    t.string('decided_at', 32).nullable();
    t.text('comment').nullable().comment('decision comment');
    t.string('evidence_hash', 64)
      .nullable()
      .comment('hash of the waiver evidence record');
    t.index(['entity_ref'], 'scorecard_waivers_entity_idx');
    t.index(['status'], 'scorecard_waivers_status_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('scorecard_waivers');
  await knex.schema.dropTable('scorecard_history');
  await knex.schema.dropTable('scorecard_results');
};
