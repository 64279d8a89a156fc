// @ts-check

/**
 * Entity heads and the integrity audit.
 *
 * evidence_heads: each entity's newest record, maintained by appends under
 * the log lock. Signed checkpoints commit to the heads at their tree size
 * (the `assay-heads/v1` extension line), computed from this table without
 * scanning the records. It is a cache of what the records say: a tampered
 * row changes the heads root, which no longer matches the signed one.
 *
 * evidence_audit_state / evidence_audit_findings: the resumable global audit
 * task (recomputes tree nodes from leaves, checks record columns against the
 * canonical bytes) and what it found.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('evidence_heads', table => {
    table.comment('Newest record of each entity (maintained by appends)');
    table.string('entity_ref', 255).primary().comment('Catalog entity ref');
    table.integer('seq').notNullable().comment('Seq of the newest record');
    table.string('hash', 64).notNullable().comment('Its hex hash');
    table.bigInteger('leaf_index').notNullable().comment('Its leaf index');
  });
  await knex.raw(`
    INSERT INTO evidence_heads (entity_ref, seq, hash, leaf_index)
    SELECT r.entity_ref, r.seq, r.hash, r.leaf_index
    FROM evidence_records r
    JOIN (SELECT entity_ref, MAX(seq) AS seq FROM evidence_records GROUP BY entity_ref) m
      ON m.entity_ref = r.entity_ref AND m.seq = r.seq`);

  await knex.schema.createTable('evidence_audit_state', table => {
    table.comment('Progress of the integrity audit task (single row)');
    table.integer('id').primary().comment('Always 1');
    table
      .bigInteger('cursor')
      .notNullable()
      .comment('Next leaf index to audit in the current pass');
    table.string('pass_started_at', 32).nullable().comment('ISO time');
    table.string('last_completed_at', 32).nullable().comment('ISO time');
    table
      .bigInteger('last_completed_size')
      .nullable()
      .comment('Tree size the last complete pass covered');
    table.integer('passes').notNullable().comment('Completed passes');
  });
  await knex('evidence_audit_state').insert({ id: 1, cursor: 0, passes: 0 });

  await knex.schema.createTable('evidence_audit_findings', table => {
    table.comment('Integrity problems found by the audit task');
    table.increments('id');
    table.string('found_at', 32).notNullable().comment('ISO time');
    table.string('kind', 64).notNullable().comment('What failed');
    table.bigInteger('leaf_index').nullable().comment('Leaf concerned');
    table.string('entity_ref', 255).nullable().comment('Entity concerned');
    table.text('message').notNullable().comment('Human-readable finding');
    table.index(['found_at'], 'evidence_audit_findings_time_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTableIfExists('evidence_audit_findings');
  await knex.schema.dropTableIfExists('evidence_audit_state');
  await knex.schema.dropTableIfExists('evidence_heads');
};
