/*
 * capa-backend's storage: the last good read of each management-cluster source, shared by every replica.
 * A failed read updates only the attempt columns, so the last good objects are kept (and served as stale).
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('capa_source_snapshots', table => {
    table.comment('The last good read of each management-cluster source');
    table
      .string('source', 255)
      .primary()
      .notNullable()
      .comment('The management cluster name');
    table
      .text('objects', 'longtext')
      .nullable()
      .comment('JSON: the objects of the last good read');
    table
      .text('problems', 'longtext')
      .nullable()
      .comment('JSON: input problems of the last good read');
    table.integer('object_count').notNullable().defaultTo(0);
    table
      .string('synced_at', 64)
      .nullable()
      .comment('When the last good read finished (ISO)');
    table
      .string('attempted_at', 64)
      .nullable()
      .comment('When a read was last tried (ISO)');
    table
      .text('error')
      .nullable()
      .comment('Why the last read failed; null when it succeeded');
    table
      .integer('generation')
      .notNullable()
      .defaultTo(0)
      .comment('Bumped on every good read');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('capa_source_snapshots');
};
