// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('scorecard_checksets', t => {
    t.comment(
      'Check definitions results were computed with, stored once per version',
    );
    t.string('digest', 64)
      .primary()
      .comment('hex SHA-256 of the sorted-key JSON of the checks');
    t.text('checks', 'longtext')
      .notNullable()
      .comment('the CheckDefinition[] as JSON');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('scorecard_checksets');
};
