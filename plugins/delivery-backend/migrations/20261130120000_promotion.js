// @ts-check

/**
 * Promotion: releases, what runs in each environment, promotions and their
 * approvals.
 *
 * `delivery_promotions.active_key` holds `<entity ref>|<environment>` while a
 * promotion is active (awaiting-approval or running), NULL otherwise, under a
 * unique index: at most one active promotion per entity and environment,
 * enforced by the database.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('delivery_promotion_releases', table => {
    table.comment(
      'Releases: each is an immutable `release` evidence record (referenced by its hash)',
    );
    table
      .string('hash', 64)
      .primary()
      .comment('Hash of the release evidence record');
    table.string('entity_ref', 255).notNullable();
    table.string('version', 128).notNullable();
    table.string('producer', 255).notNullable().comment('Who cut the release');
    table.string('created_at', 32).notNullable();
    table
      .text('record')
      .notNullable()
      .comment('JSON: the ReleaseRecord payload');
    table.boolean('demo').notNullable().defaultTo(false);
    table.unique(['entity_ref', 'version']);
    table.index(
      ['entity_ref', 'created_at'],
      'delivery_promotion_releases_idx',
    );
  });

  await knex.schema.createTable('delivery_promotion_deployments', table => {
    table.comment('The release running in each environment of an entity');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('release_hash', 64).notNullable();
    table.string('version', 128).notNullable();
    table.string('deployed_at', 32).notNullable();
    table.string('promotion_id', 64).nullable();
    table
      .text('deployment_ref')
      .nullable()
      .comment('What the deployment provider reports (commit, recorder ref)');
    table.primary(['entity_ref', 'environment']);
  });

  await knex.schema.createTable('delivery_promotions', table => {
    table.comment('Promotions and rollbacks of an entity into an environment');
    table.string('id', 64).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('kind', 16).notNullable().comment('promotion | rollback');
    table.string('version', 128).notNullable();
    table.string('release_hash', 64).notNullable();
    table
      .string('status', 32)
      .notNullable()
      .comment(
        'awaiting-approval | running | succeeded | failed | blocked | rolled-back | cancelled',
      );
    table
      .string('active_key', 330)
      .nullable()
      .unique()
      .comment(
        '<entity_ref>|<environment> while active, else NULL (one active promotion per entity and environment)',
      );
    table.string('requested_by', 255).notNullable();
    table.string('requested_at', 32).notNullable();
    table.string('finished_at', 32).nullable();
    table.string('mode', 16).notNullable();
    table.text('evaluation').notNullable().comment('JSON: GateEvaluation');
    table.integer('approvals_required').notNullable().defaultTo(0);
    table
      .text('evidence_hashes')
      .notNullable()
      .comment('JSON: evidence records written for this promotion');
    table.float('lead_time_seconds').nullable();
    table.string('previous_release_hash', 64).nullable();
    table.string('plan_id', 64).nullable();
    table.text('error').nullable();
    table.boolean('demo').notNullable().defaultTo(false);
    table.index(
      ['entity_ref', 'requested_at'],
      'delivery_promotions_entity_idx',
    );
    table.index(['status'], 'delivery_promotions_status_idx');
  });

  await knex.schema.createTable('delivery_promotion_approvals', table => {
    table.comment('Approvals of a promotion, bound to its release hash');
    table
      .string('promotion_id', 64)
      .notNullable()
      .references('id')
      .inTable('delivery_promotions')
      .onDelete('CASCADE');
    table.string('approver', 255).notNullable();
    table.string('release_hash', 64).notNullable();
    table.string('approved_at', 32).notNullable();
    table.string('expires_at', 32).notNullable();
    table.text('comment').nullable();
    table
      .string('evidence_hash', 64)
      .nullable()
      .comment('Hash of the approval evidence record');
    table.primary(['promotion_id', 'approver']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('delivery_promotion_approvals');
  await knex.schema.dropTable('delivery_promotions');
  await knex.schema.dropTable('delivery_promotion_deployments');
  await knex.schema.dropTable('delivery_promotion_releases');
};
