// @ts-check

/**
 * Coordinated promotion plans (src/orchestration).
 *
 * A plan promotes several services to one environment in waves computed from
 * the catalog's dependsOn relations. `row_version` on plans and items is the
 * compare-and-set guard every orchestrator update checks, so two backends
 * never start a wave, promote an item or roll it back twice. `active_key`
 * (`<environment>|<entity ref>` while the plan runs, NULL afterwards) is
 * unique: an entity is in at most one running plan per environment. Waves are
 * the items' `wave` column. Steps are the outbox of `promotion` evidence
 * records (kind plan-step).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('delivery_promotion_plans', table => {
    table.comment('Coordinated promotion plans');
    table.string('id', 64).primary().comment('Plan id (uuid)');
    table.string('environment', 64).notNullable().comment('Target environment');
    table
      .string('status', 16)
      .notNullable()
      .comment('running | succeeded | failed | aborted');
    table
      .string('phase', 16)
      .notNullable()
      .comment('promoting | rolling-back | done');
    table
      .integer('current_wave')
      .notNullable()
      .defaultTo(0)
      .comment('Index of the wave being promoted (or that failed)');
    table
      .integer('row_version')
      .notNullable()
      .defaultTo(0)
      .comment('Compare-and-set guard, +1 on every update');
    table
      .integer('concurrency')
      .notNullable()
      .comment('Services promoted in parallel per wave (config at creation)');
    table
      .boolean('rollback_earlier_waves')
      .notNullable()
      .defaultTo(false)
      .comment('Policy at creation: roll back earlier waves on a failure');
    table
      .text('graph')
      .notNullable()
      .comment('JSON: { nodes, edges } ([a, b] = a depends on b)');
    table
      .string('requested_by', 255)
      .notNullable()
      .comment('Entity ref of the requesting user');
    table.string('abort_requested_by', 255).nullable();
    table.text('abort_reason').nullable();
    table.text('error').nullable().comment('Why the plan failed or aborted');
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.string('finished_at', 32).nullable();
    table
      .integer('done_seq')
      .notNullable()
      .defaultTo(0)
      .comment('Counter of finished items (their completion order)');
    table
      .boolean('demo')
      .notNullable()
      .defaultTo(false)
      .comment('Seeded demo plan');
    table.index(['status'], 'delivery_promotion_plans_status_idx');
    table.index(['created_at'], 'delivery_promotion_plans_created_idx');
  });

  await knex.schema.createTable('delivery_promotion_plan_items', table => {
    table.comment('One service of a plan');
    table
      .string('plan_id', 64)
      .notNullable()
      .references('id')
      .inTable('delivery_promotion_plans')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.integer('wave').notNullable();
    table.integer('position').notNullable().comment('Order inside the wave');
    table
      .string('status', 24)
      .notNullable()
      .comment(
        'pending | running | awaiting-approval | succeeded | failed | blocked | skipped | cancelled | rolling-back | rolled-back | rollback-failed',
      );
    table.integer('row_version').notNullable().defaultTo(0);
    table
      .string('active_key', 330)
      .nullable()
      .unique()
      .comment('<environment>|<entity ref> while the plan runs, else NULL');
    table.string('release_hash', 64).notNullable();
    table.string('version', 128).notNullable();
    table
      .string('previous_release_hash', 64)
      .nullable()
      .comment('Release deployed before the plan (rollback target)');
    table.string('previous_version', 128).nullable();
    table.string('promotion_id', 64).nullable();
    table.string('rollback_promotion_id', 64).nullable();
    table
      .string('lease_until', 32)
      .nullable()
      .comment('While a backend promotes/rolls back this item');
    table.string('started_at', 32).nullable();
    table.string('finished_at', 32).nullable();
    table
      .integer('done_seq')
      .nullable()
      .comment('Completion order of the promotion (rollback goes in reverse)');
    table.string('rolled_back_at', 32).nullable();
    table.text('error').nullable();
    table
      .text('preview')
      .nullable()
      .comment('JSON: gate evaluation at creation');
    table.primary(['plan_id', 'entity_ref']);
  });

  await knex.schema.createTable('delivery_promotion_plan_steps', table => {
    table.comment(
      'Steps of a plan; each becomes a promotion evidence record (outbox)',
    );
    table
      .string('plan_id', 64)
      .notNullable()
      .references('id')
      .inTable('delivery_promotion_plans')
      .onDelete('CASCADE');
    table.integer('seq').notNullable().comment('Per plan, from 1');
    table.string('at', 32).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.integer('wave').notNullable();
    table.string('step', 32).notNullable();
    table.string('outcome', 32).notNullable();
    table.text('text').notNullable();
    table
      .text('record')
      .notNullable()
      .comment('JSON: summary facts and payload of the evidence record');
    table
      .string('evidence_hash', 64)
      .nullable()
      .comment('Hash of the written evidence record; NULL = not yet written');
    table.primary(['plan_id', 'seq']);
    table.index(['evidence_hash'], 'delivery_promotion_plan_steps_outbox_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('delivery_promotion_plan_steps');
  await knex.schema.dropTable('delivery_promotion_plan_items');
  await knex.schema.dropTable('delivery_promotion_plans');
};
