/*
 * What capa's trust alerts last notified (issue #16): one row per account, workload cluster and management-cluster
 * source. A change is claimed by a conditional update of its row, so one replica notifies it, once, and a restart
 * does not notify it again.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('capa_notified_states', table => {
    table.comment('The state capa last notified (or recorded) per subject');
    table
      .string('subject', 255)
      .primary()
      .notNullable()
      .comment(
        'account:<id>, cluster:<mgmt>/<namespace>/<name> or source:<mgmt>',
      );
    table
      .string('state', 16)
      .notNullable()
      .comment('ok, degraded or broken (trust); fresh or stale (sources)');
    table
      .string('verdict', 16)
      .nullable()
      .comment('The verdict when the state was recorded');
    table.string('changed_at', 64).notNullable().comment('ISO time');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('capa_notified_states');
};
