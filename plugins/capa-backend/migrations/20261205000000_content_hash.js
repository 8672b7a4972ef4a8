/*
 * A hash of each snapshot's content (objects and problems), so a read that finds exactly what is stored keeps
 * the generation: nothing is evaluated again and the report's ETag stays (issue #17).
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('capa_source_snapshots', table => {
    table
      .string('content_hash', 64)
      .nullable()
      .comment('SHA-256 of the stored objects and problems (JSON)');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('capa_source_snapshots', table => {
    table.dropColumn('content_hash');
  });
};
