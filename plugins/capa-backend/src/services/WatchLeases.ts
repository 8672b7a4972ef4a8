import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

const TABLE = 'capa_watch_leases';

/** Thrown by a guarded snapshot write when this replica no longer holds the management cluster's lease. */
export class LeaseLostError extends Error {
  constructor(managementCluster: string) {
    super(
      `this replica no longer holds the watch lease of management cluster "${managementCluster}"`,
    );
    this.name = 'LeaseLostError';
  }
}

/** Run inside a snapshot write's transaction: throws {@link LeaseLostError} unless the lease is still held. */
export type SnapshotWriteGuard = (tx: Knex.Transaction) => Promise<void>;

/**
 * The database's clock in milliseconds since the epoch, as SQL: leases are compared by one clock, the
 * database's, so replicas whose clocks differ still agree on when a lease ends.
 */
function nowMsSql(db: Knex): string {
  const client = String(db.client.config.client);
  if (client === 'pg')
    return 'floor(extract(epoch from clock_timestamp()) * 1000)';
  if (client.includes('sqlite'))
    return "cast((julianday('now') - 2440587.5) * 86400000 as integer)";
  if (client.startsWith('mysql')) return 'floor(unix_timestamp(now(3)) * 1000)';
  throw new Error(
    `capa: watch leases do not support database client ${client}`,
  );
}

/**
 * Leases in the plugin's database that make one replica the watcher of each live management cluster
 * (table `capa_watch_leases`). Each instance is one holder (a random id, with the host name for logs).
 * Acquiring and renewing are one conditional statement each, so two replicas never both succeed.
 */
export class WatchLeases {
  readonly holder: string;
  readonly #db: Knex;
  readonly #ttlMs: number;
  readonly #now: string;
  readonly #locks: boolean;

  private constructor(db: Knex, ttlMs: number) {
    this.#db = db;
    this.#ttlMs = ttlMs;
    this.#now = nowMsSql(db);
    // SQLite has one writer at a time (and knex warns on FOR UPDATE there); the others lock the lease row.
    this.#locks = !String(db.client.config.client).includes('sqlite');
    this.holder = `${hostname()}:${process.pid}:${randomBytes(4).toString(
      'hex',
    )}`;
  }

  /** The leases of the plugin's database (its migrations run by {@link SnapshotStore.create}). */
  static async create(
    database: DatabaseService,
    options: { ttlMs: number },
  ): Promise<WatchLeases> {
    return new WatchLeases(await database.getClient(), options.ttlMs);
  }

  /**
   * Takes the lease of `managementCluster` when it is free or expired, or renews it when this instance holds it:
   * it then lasts `ttlMs` from now (database clock). Returns whether this instance holds it.
   */
  async acquire(managementCluster: string): Promise<boolean> {
    const db = this.#db;
    const expiresAt = db.raw(`${this.#now} + ?`, [this.#ttlMs]);
    const taken = await db(TABLE)
      .where({ management_cluster: managementCluster })
      .andWhere(q =>
        q
          .where({ holder: this.holder })
          .orWhere('expires_at', '<', db.raw(this.#now)),
      )
      .update({ holder: this.holder, expires_at: expiresAt });
    if (taken > 0) return true;
    await db(TABLE)
      .insert({
        management_cluster: managementCluster,
        holder: this.holder,
        expires_at: expiresAt,
      })
      .onConflict('management_cluster')
      .ignore();
    const row = await db(TABLE)
      .where({ management_cluster: managementCluster })
      .first('holder');
    return row?.holder === this.holder;
  }

  /** Gives the lease up (shutdown, a management cluster removed): another replica may take it at once. */
  async release(managementCluster: string): Promise<void> {
    await this.#db(TABLE)
      .where({ management_cluster: managementCluster, holder: this.holder })
      .delete();
  }

  /** The holder of each lease that has not expired, by management cluster (for status and tests). */
  async holders(): Promise<Map<string, string>> {
    const rows: Array<{ management_cluster: string; holder: string }> =
      await this.#db(TABLE)
        .where('expires_at', '>=', this.#db.raw(this.#now))
        .select('management_cluster', 'holder');
    return new Map(rows.map(r => [r.management_cluster, r.holder]));
  }

  /**
   * A guard for snapshot writes of `managementCluster`: inside the write's transaction it checks (and on
   * PostgreSQL and MySQL locks, until the write commits) that this instance still holds an unexpired lease, so a
   * replica that lost the lease while a write was on its way (a long pause, a lost database connection) cannot
   * overwrite what the new holder stored.
   */
  guard(managementCluster: string): SnapshotWriteGuard {
    return async tx => {
      let query = tx(TABLE)
        .where({ management_cluster: managementCluster, holder: this.holder })
        .andWhere('expires_at', '>=', tx.raw(this.#now))
        .first('holder');
      if (this.#locks) query = query.forUpdate();
      if (!(await query)) throw new LeaseLostError(managementCluster);
    };
  }
}
