import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { ManagementClusterSource } from '@capa-portal/plugin-capa-node';
import { SnapshotStore } from './SnapshotStore';

/** How long a watched source's changes gather before they are stored: a burst of events makes one snapshot. */
export const CHANGE_DEBOUNCE_MS = 250;

/**
 * Reads every management-cluster source on the scheduler. Tasks are `global`: with several replicas on one
 * database, one replica runs each task per period. A failed read keeps the last good objects.
 *
 * A source that announces its changes (a watched live cluster, `subscribe`) is also read as soon as it changes,
 * {@link CHANGE_DEBOUNCE_MS} after the first change of a burst; such a read answers from memory, so the
 * schedule then only records that the source is still healthy.
 */
export class FleetRefresher {
  readonly #store: SnapshotStore;
  readonly #logger: LoggerService;
  readonly #now: () => Date;

  readonly #onStored?: (managementCluster: string) => void;

  constructor(options: {
    store: SnapshotStore;
    logger: LoggerService;
    now?: () => Date;
    /** Called after a read stored new content (a new generation) for a management cluster. */
    onStored?: (managementCluster: string) => void;
  }) {
    this.#onStored = options.onStored;
    this.#store = options.store;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
  }

  static taskId(source: ManagementClusterSource): string {
    return `capa-refresh:${source.name}`;
  }

  /** The current source of each management cluster, by name: tasks read whatever source the name has now. */
  readonly #sources = new Map<string, ManagementClusterSource>();
  readonly #scheduled = new Set<string>();
  readonly #unsubscribe = new Map<string, () => void>();
  /** Management clusters whose next read must be full: their previous refresh failed. */
  readonly #fullNext = new Set<string>();
  /** Management clusters with a change-triggered read waiting or running, and whether another is due after it. */
  readonly #changed = new Map<string, { again: boolean }>();

  /**
   * Schedules one task per management cluster. Called again with a changed fleet, it reads the new sources from
   * then on, schedules tasks for new management clusters, and lets the tasks of removed ones do nothing (the
   * scheduler cannot unschedule a task).
   */
  async schedule(
    scheduler: SchedulerService,
    sources: ManagementClusterSource[],
    schedule: SchedulerServiceTaskScheduleDefinition,
  ): Promise<void> {
    for (const old of this.#sources.values()) {
      if (sources.includes(old)) continue;
      this.#unsubscribe.get(old.name)?.();
      this.#unsubscribe.delete(old.name);
      old.close?.();
    }
    this.#sources.clear();
    for (const source of sources) {
      this.#sources.set(source.name, source);
      if (source.subscribe && !this.#unsubscribe.has(source.name)) {
        this.#unsubscribe.set(
          source.name,
          source.subscribe(() => this.#onChange(source.name)),
        );
      }
    }
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

  /** Stops listening to every source and closes them (the plugin's shutdown). */
  close(): void {
    for (const unsubscribe of this.#unsubscribe.values()) unsubscribe();
    this.#unsubscribe.clear();
    for (const source of this.#sources.values()) source.close?.();
    this.#sources.clear();
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
      const source = this.#sources.get(name);
      if (source) await this.refresh(source);
      if (state.again) setTimeout(run, CHANGE_DEBOUNCE_MS).unref?.();
      else this.#changed.delete(name);
    };
    setTimeout(run, CHANGE_DEBOUNCE_MS).unref?.();
  }

  /** Reads one source once and stores the outcome. Never throws. */
  async refresh(source: ManagementClusterSource): Promise<boolean> {
    const started = Date.now();
    try {
      // After a failure (of the read or of storing it) the source's idea of "unchanged" may be ahead of the store.
      let read = await source.read({ full: this.#fullNext.has(source.name) });
      this.#fullNext.delete(source.name);
      if (read.unchanged) {
        if (await this.#store.saveUnchanged(source.name, this.#now())) {
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
      this.#fullNext.add(source.name);
      const message = e instanceof Error ? e.message : String(e);
      this.#logger.warn(
        `capa: reading management cluster "${source.name}" failed, keeping its last good data: ${message}`,
      );
      try {
        await this.#store.saveFailure(source.name, message, this.#now());
      } catch (storeError) {
        this.#logger.error(
          `capa: could not record the failure of "${source.name}": ${storeError}`,
        );
      }
      return false;
    }
  }
}
