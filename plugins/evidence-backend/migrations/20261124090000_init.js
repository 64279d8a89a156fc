// @ts-check

/**
 * Evidence store schema.
 *
 * WORM: evidence_records and evidence_tree_nodes are append-only. The
 * database itself refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) on
 * them, so not even a bug in this plugin can rewrite history.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('evidence_records', table => {
    table.comment('Append-only evidence records; one hash chain per entity');
    table
      .bigInteger('leaf_index')
      .primary()
      .comment('Position in the global RFC 6962 log (0-based)');
    table.string('entity_ref', 255).notNullable().comment('Catalog entity ref');
    table.integer('seq').notNullable().comment('Per-entity sequence from 1');
    table.string('category', 64).notNullable().comment('Evidence category');
    table
      .string('hash', 64)
      .notNullable()
      .unique()
      .comment('hex SHA-256 of the canonical envelope');
    table
      .text('canonical')
      .notNullable()
      .comment('RFC 8785 canonical JSON of the envelope (the leaf data)');
    table
      .string('recorded_at', 32)
      .notNullable()
      .comment('ISO-8601 time of recording (from the envelope)');
    table
      .string('subject_text', 1024)
      .nullable()
      .comment('Lower-cased subject values, for search');
    table
      .string('idempotency_key', 400)
      .nullable()
      .unique()
      .comment('entityRef + client Idempotency-Key, makes retries safe');
    table.unique(['entity_ref', 'seq'], {
      indexName: 'evidence_records_entity_seq_uniq',
    });
    table.index(['entity_ref', 'category', 'seq'], 'evidence_records_cat_idx');
  });

  await knex.schema.createTable('evidence_tree_nodes', table => {
    table.comment('Hashes of perfect subtrees of the global Merkle log');
    table.integer('level').notNullable().comment('0 = leaf hashes');
    table.bigInteger('idx').notNullable().comment('Index at that level');
    table.string('hash', 64).notNullable().comment('hex node hash');
    table.primary(['level', 'idx']);
  });

  await knex.schema.createTable('evidence_log', table => {
    table.comment('Current size and root of the global log (single row)');
    table.integer('id').primary().comment('Always 1');
    table.bigInteger('tree_size').notNullable().comment('Number of leaves');
    table.string('root_hash', 64).notNullable().comment('hex root hash');
  });
  await knex('evidence_log').insert({
    id: 1,
    tree_size: 0,
    // SHA-256 of the empty string: the RFC 6962 root of an empty tree
    root_hash:
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  });

  await knex.schema.createTable('evidence_checkpoints', table => {
    table.comment('Signed checkpoints (C2SP signed notes), one per tree size');
    table.bigInteger('tree_size').primary().comment('Tree size signed');
    table.text('note').notNullable().comment('The signed note text');
    table.string('created_at', 32).notNullable().comment('ISO time signed');
  });

  await knex.schema.createTable('evidence_blobs', table => {
    table.comment('Content-addressed payloads and artifacts');
    table.string('digest', 71).primary().comment('sha256:<hex>');
    table.bigInteger('size').notNullable().comment('Size in bytes');
    table.string('media_type', 255).notNullable().comment('Media type');
    table.binary('content').nullable().comment('Bytes; null once purged');
    table.string('purged_at', 32).nullable().comment('Retention purge time');
  });

  await knex.schema.createTable('evidence_blob_refs', table => {
    table.comment('Which record cites which blob, with its retention expiry');
    table.bigInteger('leaf_index').notNullable().comment('Citing record');
    table.string('digest', 71).notNullable().comment('Cited blob');
    table.string('entity_ref', 255).notNullable().comment('Entity');
    table.string('category', 64).notNullable().comment('Category');
    table.string('expires_at', 32).notNullable().comment('Retention expiry');
    table.primary(['leaf_index', 'digest']);
    table.index(['digest'], 'evidence_blob_refs_digest_idx');
  });

  await knex.schema.createTable('evidence_legal_holds', table => {
    table.comment('Legal holds: payloads of held entities are never purged');
    table.string('entity_ref', 255).primary().comment('Entity under hold');
    table.text('reason').notNullable().comment('Why');
    table.string('set_by', 255).notNullable().comment('Principal');
    table.string('set_at', 32).notNullable().comment('ISO time');
  });

  await knex.schema.createTable('evidence_signing_keys', table => {
    table.comment('Checkpoint signing key generated on first start');
    table.string('name', 255).primary().comment('Key name (note origin)');
    table.text('signer_key').notNullable().comment('C2SP note signer key');
    table.string('created_at', 32).notNullable().comment('ISO time');
  });

  const worm = ['evidence_records', 'evidence_tree_nodes'];
  if (knex.client.config.client === 'pg') {
    await knex.raw(`
      CREATE OR REPLACE FUNCTION evidence_worm_guard() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'evidence: % on % is not allowed (append-only, WORM)', TG_OP, TG_TABLE_NAME;
      END;
      $$ LANGUAGE plpgsql`);
    for (const t of worm) {
      await knex.raw(
        `CREATE TRIGGER ${t}_no_update BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION evidence_worm_guard()`,
      );
      await knex.raw(
        `CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION evidence_worm_guard()`,
      );
    }
  } else {
    for (const t of worm) {
      for (const op of ['UPDATE', 'DELETE']) {
        await knex.raw(
          `CREATE TRIGGER ${t}_no_${op.toLowerCase()} BEFORE ${op} ON ${t} BEGIN SELECT RAISE(ABORT, 'evidence: ${op} on ${t} is not allowed (append-only, WORM)'); END`,
        );
      }
    }
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const t of [
    'evidence_signing_keys',
    'evidence_legal_holds',
    'evidence_blob_refs',
    'evidence_blobs',
    'evidence_checkpoints',
    'evidence_log',
    'evidence_tree_nodes',
    'evidence_records',
  ]) {
    await knex.schema.dropTableIfExists(t);
  }
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP FUNCTION IF EXISTS evidence_worm_guard()');
  }
};
