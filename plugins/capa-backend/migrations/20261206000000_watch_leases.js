/*
 * Leadership of the watch of each live management cluster across replicas (issue #17): one row per watched
 * management cluster, held by one replica until `expires_at` (milliseconds since the epoch, by the database's
 * clock, so replicas' clocks never compare). The holder renews it every few seconds; another replica takes it over
 * only after it expired, or once the holder released it on shutdown.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('capa_watch_leases', table => {
    table.comment('Which replica watches each live management cluster');
    table
      .string('management_cluster', 255)
      .primary()
      .notNullable()
      .comment('The management cluster name');
    table
      .string('holder', 255)
      .notNullable()
      .comment(
        'The replica that holds the watch (a random id per plugin instance)',
      );
    table
      .bigInteger('expires_at')
      .notNullable()
      .comment(
        'When the lease ends unless renewed (ms since the epoch, database clock)',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('capa_watch_leases');
};
