// @ts-check

/**
 * Bounded request cost.
 *
 * evidence_category_counts: records per (entity, category), maintained by
 * appends in the same transaction, so list pages and the summary never
 * COUNT(*) an entity's history.
 *
 * evidence_verified_heads: per entity, the newest record `/verify` has
 * verified (the whole chain up to it). The next `/verify` checks that this
 * record is still the one it verified and verifies only the suffix after it,
 * linked to it. A cache of work done, never trusted for more: deleting a row
 * only makes the next `/verify` start from the beginning.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('evidence_category_counts', table => {
    table.comment('Records per entity and category (maintained by appends)');
    table.string('entity_ref', 255).notNullable().comment('Catalog entity ref');
    table.string('category', 64).notNullable().comment('Evidence category');
    table.bigInteger('count').notNullable().comment('Number of records');
    table.integer('latest_seq').notNullable().comment('Seq of the newest one');
    table.primary(['entity_ref', 'category']);
  });
  await knex.raw(`
    INSERT INTO evidence_category_counts (entity_ref, category, count, latest_seq)
    SELECT entity_ref, category, COUNT(*), MAX(seq)
    FROM evidence_records GROUP BY entity_ref, category`);

  await knex.schema.createTable('evidence_verified_heads', table => {
    table.comment('Newest record /verify has verified, per entity');
    table.string('entity_ref', 255).primary().comment('Catalog entity ref');
    table.integer('seq').notNullable().comment('Seq verified up to');
    table.string('hash', 64).notNullable().comment('Hash of that record');
    table.bigInteger('leaf_index').notNullable().comment('Its leaf index');
    table.string('verified_at', 32).notNullable().comment('ISO time');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTableIfExists('evidence_verified_heads');
  await knex.schema.dropTableIfExists('evidence_category_counts');
};
