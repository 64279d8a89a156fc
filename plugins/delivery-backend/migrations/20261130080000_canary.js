// @ts-check

/**
 * Canary rollout engine state.
 *
 * One row per run in delivery_canary_runs; `row_version` is the
 * compare-and-set guard every engine update checks, so two replicas never
 * apply the same step twice. `active_key` holds the entity ref while a run is
 * active (NULL otherwise) under a unique index: at most one active run per
 * entity, enforced by the database.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('delivery_canary_runs', table => {
    table.comment('Canary runs: one per entity and version');
    table.string('id', 64).primary().comment('Run id (uuid)');
    table.string('entity_ref', 255).notNullable().comment('Catalog entity ref');
    table.string('version', 128).notNullable().comment('Canary version');
    table
      .string('baseline_version', 128)
      .notNullable()
      .comment('Stable (baseline) version');
    table
      .string('status', 32)
      .notNullable()
      .comment('running | paused | succeeded | rolled_back | aborted');
    table
      .string('active_key', 255)
      .nullable()
      .unique()
      .comment(
        'entity_ref while the run is active, else NULL (one active run per entity)',
      );
    table
      .integer('row_version')
      .notNullable()
      .defaultTo(0)
      .comment('Compare-and-set guard, +1 on every update');
    table
      .text('state')
      .notNullable()
      .comment('JSON: the rollout state machine state');
    table
      .text('config')
      .notNullable()
      .comment('JSON: steps, metrics, retries, intervals of this run');
    table
      .integer('requested_weight')
      .notNullable()
      .defaultTo(0)
      .comment('Canary weight requested (percent)');
    table
      .integer('applied_weight')
      .nullable()
      .comment('Canary weight last applied by the traffic provider');
    table
      .float('observed_weight')
      .nullable()
      .comment('Canary traffic share measured (percent)');
    table
      .string('simulation', 16)
      .nullable()
      .comment('healthy | degrading (built-in simulator only)');
    table.text('reason').nullable().comment('Why it ended or paused');
    table
      .text('causal_chain')
      .nullable()
      .comment('JSON: step, weight, metric, values, rule of a rollback/abort');
    table
      .string('created_by', 255)
      .notNullable()
      .comment('Entity ref of the starting user');
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.string('finished_at', 32).nullable();
    table
      .string('next_at', 32)
      .nullable()
      .comment('When the engine next acts (ISO-8601); NULL when not running');
    table
      .boolean('demo')
      .notNullable()
      .defaultTo(false)
      .comment('Seeded demo run');
    table.index(
      ['entity_ref', 'created_at'],
      'delivery_canary_runs_entity_idx',
    );
    table.index(['status', 'next_at'], 'delivery_canary_runs_due_idx');
  });

  await knex.schema.createTable('delivery_canary_analyses', table => {
    table.comment('One analysis (judge verdict) of a run step');
    table.string('id', 64).primary();
    table
      .string('run_id', 64)
      .notNullable()
      .references('id')
      .inTable('delivery_canary_runs')
      .onDelete('CASCADE');
    table.integer('step').notNullable();
    table.integer('weight').notNullable();
    table.integer('attempt').notNullable();
    table.string('at', 32).notNullable();
    table.text('verdict').notNullable().comment('JSON: judge result');
    table
      .string('outcome', 16)
      .notNullable()
      .comment('advance | retry | rollback | pause | complete');
    table.float('observed_weight').nullable();
    table
      .string('inputs_digest', 80)
      .notNullable()
      .comment('sha256 of the canonical judge input');
    table
      .text('measurements')
      .notNullable()
      .comment('JSON: canary/baseline series per metric');
    table.unique(['run_id', 'step', 'attempt']);
  });

  await knex.schema.createTable('delivery_canary_events', table => {
    table.comment(
      'Decisions of a run; each becomes a canary evidence record (outbox)',
    );
    table
      .string('run_id', 64)
      .notNullable()
      .references('id')
      .inTable('delivery_canary_runs')
      .onDelete('CASCADE');
    table.integer('seq').notNullable().comment('Per run, from 1');
    table.string('at', 32).notNullable();
    table.string('type', 32).notNullable();
    table.string('actor', 255).nullable();
    table.text('summary').notNullable();
    table.integer('requested_weight').nullable();
    table.float('observed_weight').nullable();
    table
      .text('record')
      .notNullable()
      .comment('JSON: the evidence append request of this decision');
    table
      .string('evidence_hash', 64)
      .nullable()
      .comment('Hash of the written evidence record; NULL = not yet written');
    table.primary(['run_id', 'seq']);
    table.index(['evidence_hash'], 'delivery_canary_events_outbox_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('delivery_canary_events');
  await knex.schema.dropTable('delivery_canary_analyses');
  await knex.schema.dropTable('delivery_canary_runs');
};
