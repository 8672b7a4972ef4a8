import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  InputProblem,
  LocatedObject,
} from '@capa-portal/plugin-capa-common';
import { createHash } from 'node:crypto';
import { Knex } from 'knex';
import type { SnapshotWriteGuard } from './WatchLeases';

const TABLE = 'capa_source_snapshots';

/** The last good read of one management-cluster source, and how the last attempt went. */
export interface SourceSnapshot {
  source: string;
  objects: LocatedObject[];
  problems: InputProblem[];
  objectCount: number;
  /** When the served objects were read; undefined when no read has ever succeeded. */
  syncedAt?: string;
  attemptedAt?: string;
  /** Why the last attempt failed; undefined when it succeeded. */
  error?: string;
  /** Bumped on every good read: a cheap way for replicas to tell that something changed. */
  generation: number;
}

/** Per-source state without the objects: cheap to read on every request. */
export type SourceStatus = Omit<SourceSnapshot, 'objects' | 'problems'>;

/** A row without its objects: what status reads select (never the large columns). */
type StatusRow = Omit<Row, 'objects' | 'problems'>;
const STATUS_COLUMNS = [
  'source',
  'object_count',
  'synced_at',
  'attempted_at',
  'error',
  'generation',
];

interface Row {
  source: string;
  objects: string | null;
  problems: string | null;
  object_count: number;
  synced_at: string | null;
  attempted_at: string | null;
  error: string | null;
  generation: number;
}

/**
 * Stores the last good read of each source in the plugin's database, so that every replica serves the same
 * data, a restart serves the last good data at once, and a failing source never loses what it had.
 */
export class SnapshotStore {
  readonly #db: Knex;
  #localWrites = 0;
  /**
   * What this instance last stored per source, by the generation it was stored as: read back without the database
   * while that generation is current (no transfer and no parse of the objects, tens of MB per management cluster at
   * fleet scale, and one copy of them in memory instead of two). A newer generation, written by another replica,
   * is read from the database and the entry is dropped.
   */
  readonly #written = new Map<
    string,
    { generation: number; objects: LocatedObject[]; problems: InputProblem[] }
  >();

  /** Writes made through this instance so far: readers caching statuses use it to see their own writes at once. */
  get localWrites(): number {
    return this.#localWrites;
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  static async create(database: DatabaseService): Promise<SnapshotStore> {
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await db.migrate.latest({
        directory: resolvePackagePath(
          '@capa-portal/plugin-capa-backend',
          'migrations',
        ),
      });
    }
    return new SnapshotStore(db);
  }

  /**
   * A read succeeded: replace the source's objects. When they are exactly what is stored (the same JSON), only
   * the sync is recorded and the generation stays, so nothing downstream is computed again. Returns whether the
   * content changed. With a `guard` (a watched source's lease), nothing is written unless the guard passes
   * inside the write's transaction.
   */
  async saveSuccess(
    source: string,
    objects: LocatedObject[],
    problems: InputProblem[],
    at: Date,
    guard?: SnapshotWriteGuard,
  ): Promise<boolean> {
    const now = at.toISOString();
    const objectsJson = JSON.stringify(objects);
    const problemsJson = JSON.stringify(problems);
    const contentHash = createHash('sha256')
      .update(objectsJson)
      .update('\0')
      .update(problemsJson)
      .digest('hex');
    const synced = { synced_at: now, attempted_at: now, error: null };
    const changed = await this.#db.transaction(async tx => {
      await guard?.(tx);
      const same = await tx(TABLE)
        .where({ source, content_hash: contentHash })
        .andWhere('generation', '>', 0)
        .update(synced);
      if (same > 0) return false;
      const values = {
        ...synced,
        objects: objectsJson,
        problems: problemsJson,
        object_count: objects.length,
        content_hash: contentHash,
      };
      const updated = await tx(TABLE)
        .where({ source })
        .update({ ...values, generation: tx.raw('generation + 1') });
      if (updated === 0) {
        await tx(TABLE).insert({ source, ...values, generation: 1 });
      }
      const row = await tx(TABLE).where({ source }).first('generation');
      return { generation: Number(row.generation) };
    });
    this.#localWrites++;
    if (!changed) return false;
    this.#written.set(source, { ...changed, objects, problems });
    return true;
  }

  /**
   * A read found the source unchanged: it is synced now, its objects stay (no new generation, so nothing is
   * evaluated again). False when no snapshot of it is stored (then the caller needs a full read).
   */
  async saveUnchanged(
    source: string,
    at: Date,
    guard?: SnapshotWriteGuard,
  ): Promise<boolean> {
    const now = at.toISOString();
    const updated = await this.#write(guard, db =>
      db(TABLE)
        .where({ source })
        .andWhere('generation', '>', 0)
        .update({ synced_at: now, attempted_at: now, error: null }),
    );
    this.#localWrites++;
    return updated > 0;
  }

  /** A read failed: record why, keep the last good objects. */
  async saveFailure(
    source: string,
    error: string,
    at: Date,
    guard?: SnapshotWriteGuard,
  ): Promise<void> {
    const attempted_at = at.toISOString();
    await this.#write(guard, async db => {
      const updated = await db(TABLE)
        .where({ source })
        .update({ attempted_at, error });
      if (updated === 0) {
        await db(TABLE)
          .insert({
            source,
            attempted_at,
            error,
            object_count: 0,
            generation: 0,
          })
          .onConflict('source')
          .merge(['attempted_at', 'error']);
      }
    });
    this.#localWrites++;
  }

  /** Runs `write` as it is, or in a transaction behind `guard`. */
  #write<T>(
    guard: SnapshotWriteGuard | undefined,
    write: (db: Knex) => Promise<T>,
  ): Promise<T> {
    if (!guard) return write(this.#db);
    return this.#db.transaction(async tx => {
      await guard(tx);
      return write(tx);
    });
  }

  async statuses(): Promise<SourceStatus[]> {
    const rows: StatusRow[] = await this.#db(TABLE).select(STATUS_COLUMNS);
    return rows.map(toStatus);
  }

  /**
   * The stored snapshots of `sources`. Objects this instance stored at the current generation are its own (the
   * callers never change them); the others are read and parsed.
   */
  async snapshots(sources: string[]): Promise<SourceSnapshot[]> {
    if (sources.length === 0) return [];
    const statuses: StatusRow[] = await this.#db(TABLE)
      .whereIn('source', sources)
      .select(STATUS_COLUMNS);
    const snapshots: SourceSnapshot[] = [];
    const stored: string[] = [];
    for (const row of statuses) {
      const written = this.#written.get(row.source);
      if (written?.generation === Number(row.generation)) {
        snapshots.push({
          ...toStatus(row),
          objects: written.objects,
          problems: written.problems,
        });
      } else {
        this.#written.delete(row.source);
        stored.push(row.source);
      }
    }
    if (stored.length === 0) return snapshots;
    const rows: Row[] = await this.#db(TABLE)
      .whereIn('source', stored)
      .select();
    for (const row of rows)
      snapshots.push({
        ...toStatus(row),
        objects: row.objects ? JSON.parse(row.objects) : [],
        problems: row.problems ? JSON.parse(row.problems) : [],
      });
    return snapshots;
  }
}

function toStatus(row: StatusRow): SourceStatus {
  return {
    source: row.source,
    objectCount: row.object_count,
    syncedAt: row.synced_at ?? undefined,
    attemptedAt: row.attempted_at ?? undefined,
    error: row.error ?? undefined,
    generation: Number(row.generation),
  };
}
