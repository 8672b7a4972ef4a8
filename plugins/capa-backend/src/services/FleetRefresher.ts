import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { ManagementClusterSource } from '@capa-portal/plugin-capa-node';
import { SnapshotStore } from './SnapshotStore';
import { WatchLeadership, WatchLeaseTiming } from './WatchLeadership';
import { LeaseLostError, WatchLeases } from './WatchLeases';

/** How long a watched source's changes gather before they are stored: a burst of events makes one snapshot. */
export const CHANGE_DEBOUNCE_MS = 250;

/**
 * Reads every management-cluster source and stores what it read ({@link SnapshotStore}, shared by every replica).
 * A failed read keeps the last good objects.
 *
 * Sources that are read (manifests folders and URLs, live clusters with `kubernetes.watch: false`): one
 * scheduler task per management cluster, scope `global`: with several replicas on one database, the scheduler's
 * locks make one replica run each task per period.
 *
 * Watched sources (a live cluster's LIST, then WATCH per kind; `subscribe`): one replica at a time holds the
 * watch of each management cluster, elected by a lease in the database ({@link WatchLeases}, table
 * `capa_watch_leases`, {@link WatchLeadership} keeps it):
 * - Every replica tries to take or renew each lease every `renewMs` (default 5 s); a lease lasts `ttlMs`
 *   (default 20 s, `capa.refresh.watchLease`) by the database's clock. Its holder (the leader) subscribes to the
 *   source and reads it in full at once (one LIST per kind, then its watches); every change is read
 *   {@link CHANGE_DEBOUNCE_MS} after the first change of a burst (the read answers from memory) and stored.
 *   The watcher also announces when its reads start or stop failing, so failing watches are recorded (the
 *   source shown stale) at once; the scheduled task still runs, doing something on the leader only, as the
 *   safety net.
 * - The other replicas open nothing on that management cluster: they serve the stored snapshots, which they
 *   re-read when a source's generation moves (TrustService's state reads, at most every 250 ms).
 * - Hand-over: a leader that stops releases its leases (the shutdown hook), so another replica takes them at its
 *   next renewal. A leader that dies renews nothing: its leases expire after `ttlMs` and another replica takes
 *   them. A leader cut off from the database lets its watches go one renewal period before its lease can expire,
 *   so two replicas never watch at once; when it comes back, the lease is someone else's and it stays out.
 * - Nothing lost: a new leader's first read is a full LIST, so it finds whatever changed while nobody watched.
 *   Nothing duplicated: identical content keeps its generation (the store's content hash), so a hand-over with
 *   no change stores no new generation. Every write of a watched source's snapshot is guarded by its lease inside
 *   the write's transaction: a replica that lost the lease while a write was on its way writes nothing.
 */
export class FleetRefresher {
  readonly #store: SnapshotStore;
  readonly #logger: LoggerService;
  readonly #now: () => Date;
  readonly #leadership: WatchLeadership;

  readonly #onStored?: (managementCluster: string) => void;

  constructor(options: {
    store: SnapshotStore;
    logger: LoggerService;
    now?: () => Date;
    /** Called after a read stored new content (a new generation) for a management cluster. */
    onStored?: (managementCluster: string) => void;
    /** The watch leases shared by the replicas; without them this replica watches every watched source. */
    leases?: WatchLeases;
    leaseTiming?: WatchLeaseTiming;
  }) {
    this.#onStored = options.onStored;
    this.#store = options.store;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
    this.#leadership = new WatchLeadership({
      leases: options.leases,
      timing: options.leaseTiming,
      logger: options.logger,
      onLead: name => this.#lead(name),
      onStepDown: name => this.#stepDown(name),
    });
  }

  static taskId(source: ManagementClusterSource): string {
    return `capa-refresh:${source.name}`;
  }

  /** The current source of each management cluster, by name: tasks read whatever source the name has now. */
  readonly #sources = new Map<string, ManagementClusterSource>();
  readonly #scheduled = new Set<string>();
  /** The watched sources this replica listens to (it leads them), with the unsubscribe. */
  readonly #subscribed = new Map<
    string,
    { source: ManagementClusterSource; unsubscribe: () => void }
  >();
  /** Management clusters whose next read must be full: their previous refresh failed, or this replica just took them. */
  readonly #fullNext = new Set<string>();
  /** Management clusters with a change-triggered read waiting or running, and whether another is due after it. */
  readonly #changed = new Map<string, { again: boolean }>();
  /** The read of each management cluster under way: reads of one source run one after another. */
  readonly #reading = new Map<string, Promise<boolean>>();
  #closed = false;

  /**
   * Schedules one task per management cluster and contends for the watch of each watched one. Called again with a
   * changed fleet, it reads the new sources from then on, schedules tasks for new management clusters, and lets
   * the tasks of removed ones do nothing (the scheduler cannot unschedule a task).
   */
  async schedule(
    scheduler: SchedulerService,
    sources: ManagementClusterSource[],
    schedule: SchedulerServiceTaskScheduleDefinition,
  ): Promise<void> {
    for (const old of this.#sources.values()) {
      if (sources.includes(old)) continue;
      this.#unsubscribe(old.name);
      old.close?.();
    }
    this.#sources.clear();
    for (const source of sources) this.#sources.set(source.name, source);
    // A replaced source of a management cluster led here is listened to (and read in full) from now on.
    for (const source of sources) {
      if (this.#leadership.leads(source.name)) this.#lead(source.name);
    }
    await this.#leadership.contend(
      sources.filter(s => s.subscribe).map(s => s.name),
    );
    for (const source of sources) {
      if (this.#scheduled.has(source.name)) continue;
      this.#scheduled.add(source.name);
      await scheduler.scheduleTask({
        id: FleetRefresher.taskId(source),
        scope: 'global',
        ...schedule,
        fn: async () => {
          const current = this.#sources.get(source.name);
          if (current) await this.refresh(current);
        },
      });
    }
  }

  /** Whether this replica watches `name` (for a watched source) now. */
  leads(name: string): boolean {
    return this.#leadership.leads(name);
  }

  /** Stops listening, lets the watches go, releases the leases and closes every source (the plugin's shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#leadership.close();
    for (const name of [...this.#subscribed.keys()]) this.#unsubscribe(name);
    for (const source of this.#sources.values()) source.close?.();
    this.#sources.clear();
  }

  /** This replica took the watch of `name`: listen to its source and read it in full now. */
  #lead(name: string): void {
    const source = this.#sources.get(name);
    if (!source?.subscribe || this.#closed) return;
    if (this.#subscribed.get(name)?.source === source) return;
    this.#unsubscribe(name);
    this.#subscribed.set(name, {
      source,
      unsubscribe: source.subscribe(() => this.#onChange(name)),
    });
    this.#fullNext.add(name);
    this.#onChange(name);
  }

  /** This replica no longer holds the watch of `name`: stop listening and let the watches go. */
  #stepDown(name: string): void {
    const subscribed = this.#subscribed.get(name);
    this.#unsubscribe(name);
    subscribed?.source.suspend?.();
  }

  #unsubscribe(name: string): void {
    this.#subscribed.get(name)?.unsubscribe();
    this.#subscribed.delete(name);
  }

  /** One read per burst of changes; a change during that read makes one more read after it. */
  #onChange(name: string): void {
    const pending = this.#changed.get(name);
    if (pending) {
      pending.again = true;
      return;
    }
    const state = { again: false };
    this.#changed.set(name, state);
    const run = async () => {
      state.again = false;
      if (this.#closed) {
        this.#changed.delete(name);
        return;
      }
      const source = this.#sources.get(name);
      if (source) await this.refresh(source);
      if (state.again) setTimeout(run, CHANGE_DEBOUNCE_MS).unref?.();
      else this.#changed.delete(name);
    };
    setTimeout(run, CHANGE_DEBOUNCE_MS).unref?.();
  }

  /**
   * Reads one source once and stores the outcome. Never throws. A watched source is read only by the replica
   * that holds its watch (elsewhere this does nothing and answers false). Reads of one source queue.
   */
  refresh(source: ManagementClusterSource): Promise<boolean> {
    const previous = this.#reading.get(source.name) ?? Promise.resolve(true);
    const next = previous.then(() => this.#read(source));
    this.#reading.set(source.name, next);
    void next.then(() => {
      if (this.#reading.get(source.name) === next)
        this.#reading.delete(source.name);
    });
    return next;
  }

  async #read(source: ManagementClusterSource): Promise<boolean> {
    const watched = Boolean(source.subscribe);
    if (watched && (this.#closed || !this.#leadership.leads(source.name))) {
      this.#logger.debug(
        `capa: management cluster "${source.name}" is watched by another replica: nothing to read here`,
      );
      return false;
    }
    const guard = watched ? this.#leadership.guard(source.name) : undefined;
    const started = Date.now();
    try {
      // After a failure (of the read or of storing it) the source's idea of "unchanged" may be ahead of the store.
      let read = await source.read({ full: this.#fullNext.has(source.name) });
      this.#fullNext.delete(source.name);
      if (read.unchanged) {
        if (await this.#store.saveUnchanged(source.name, this.#now(), guard)) {
          this.#logger.debug(
            `capa: management cluster "${source.name}" (${source.type}) unchanged`,
          );
          return true;
        }
        // Nothing of it is stored (a new database, a first read that failed): read it in full.
        read = await source.read({ full: true });
      }
      const changed = await this.#store.saveSuccess(
        source.name,
        read.objects,
        read.problems,
        this.#now(),
        guard,
      );
      if (changed) this.#onStored?.(source.name);
      (changed ? this.#logger.info : this.#logger.debug).call(
        this.#logger,
        `capa: read ${read.objects.length} objects from management cluster "${
          source.name
        }" (${source.type}) in ${Date.now() - started} ms${
          read.problems.length ? `, ${read.problems.length} input problems` : ''
        }${changed ? '' : ' (unchanged)'}`,
      );
      return true;
    } catch (e) {
      if (e instanceof LeaseLostError) return this.#refused(source.name, e);
      return this.#failed(source, e, guard);
    }
  }

  /** Another replica holds the watch now and stores what it reads: this replica wrote nothing. */
  #refused(name: string, e: LeaseLostError): false {
    this.#logger.info(
      `capa: a write of management cluster "${name}" was refused: ${e.message}`,
    );
    this.#leadership.stepDown(name, e.message);
    return false;
  }

  async #failed(
    source: ManagementClusterSource,
    e: unknown,
    guard: Parameters<SnapshotStore['saveFailure']>[3],
  ): Promise<false> {
    this.#fullNext.add(source.name);
    const message = e instanceof Error ? e.message : String(e);
    this.#logger.warn(
      `capa: reading management cluster "${source.name}" failed, keeping its last good data: ${message}`,
    );
    try {
      await this.#store.saveFailure(source.name, message, this.#now(), guard);
    } catch (storeError) {
      if (storeError instanceof LeaseLostError)
        this.#refused(source.name, storeError);
      else
        this.#logger.error(
          `capa: could not record the failure of "${source.name}": ${storeError}`,
        );
    }
    return false;
  }
}
