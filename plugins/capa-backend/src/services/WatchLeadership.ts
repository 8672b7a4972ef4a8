import { LoggerService } from '@backstage/backend-plugin-api';
import { performance } from 'node:perf_hooks';
import { SnapshotWriteGuard, WatchLeases } from './WatchLeases';

/** How long a watch lease lasts unless renewed, and how often its holder renews it. */
export interface WatchLeaseTiming {
  ttlMs: number;
  renewMs: number;
}

/** Defaults of `capa.refresh.watchLease`: a dead replica's watches move to another within about 20 s. */
export const DEFAULT_WATCH_LEASE: WatchLeaseTiming = {
  ttlMs: 20_000,
  renewMs: 5_000,
};

/**
 * Which watched management clusters this replica leads (holds the watch of), kept with {@link WatchLeases}.
 *
 * Every `renewMs` it takes or renews the lease of each name it contends for. It calls `onLead` when it gains a
 * lease and `onStepDown` when it loses one: another replica holds it, or no renewal succeeded in time. "In time"
 * is measured on this replica's monotonic clock from when the last successful renewal was *sent*, minus one
 * renewal period: the lease in the database ends `ttlMs` after that statement ran, so this replica lets its
 * watches go before any other replica can take the lease over, even when the database cannot be reached.
 *
 * Without leases (no database given) this replica leads every name: one replica needs no election.
 */
export class WatchLeadership {
  readonly #leases?: WatchLeases;
  readonly #timing: WatchLeaseTiming;
  readonly #logger: LoggerService;
  readonly #onLead: (name: string) => void;
  readonly #onStepDown: (name: string) => void;
  readonly #names = new Set<string>();
  /** The names led now, each with the timer that steps down unless the lease is renewed first. */
  readonly #leading = new Map<string, NodeJS.Timeout | undefined>();
  readonly #failing = new Set<string>();
  #timer?: NodeJS.Timeout;
  /** The round under way (rounds run one after another). */
  #round$: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: {
    leases?: WatchLeases;
    timing?: WatchLeaseTiming;
    logger: LoggerService;
    onLead: (name: string) => void;
    onStepDown: (name: string) => void;
  }) {
    this.#leases = options.leases;
    this.#timing = options.timing ?? DEFAULT_WATCH_LEASE;
    this.#logger = options.logger;
    this.#onLead = options.onLead;
    this.#onStepDown = options.onStepDown;
  }

  /** Whether this replica holds the watch of `name` now. */
  leads(name: string): boolean {
    return this.#leading.has(name);
  }

  /** The write guard of `name`'s snapshots: none without leases. */
  guard(name: string): SnapshotWriteGuard | undefined {
    return this.#leases?.guard(name);
  }

  /**
   * Contends for exactly `names` from now on: gives up (and releases) the leases of names no longer in it, runs
   * one round at once, and keeps renewing every `renewMs`.
   */
  async contend(names: string[]): Promise<void> {
    if (this.#closed) return;
    const gone = [...this.#names].filter(n => !names.includes(n));
    this.#names.clear();
    names.forEach(n => this.#names.add(n));
    for (const name of gone) this.stepDown(name, 'it is no longer watched');
    await Promise.all(gone.map(name => this.#release(name)));
    await this.#round();
  }

  /** Stops leading `name` at once (a lost lease, a refused write); the next round contends again. */
  stepDown(name: string, why: string): void {
    if (!this.#leading.has(name)) return;
    clearTimeout(this.#leading.get(name));
    this.#leading.delete(name);
    this.#logger.info(
      `capa: this replica stops watching management cluster "${name}": ${why}`,
    );
    this.#onStepDown(name);
  }

  /** Steps down everywhere and releases the leases, so another replica takes over without waiting for expiry. */
  async close(releaseTimeoutMs = 5_000): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const name of [...this.#leading.keys()])
      this.stepDown(name, 'the backend is stopping');
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      // A renewal on its way could take a lease after its release: release after it.
      this.#round$.then(() =>
        Promise.all([...this.#names].map(name => this.#release(name))),
      ),
      new Promise(resolve => {
        timeout = setTimeout(resolve, releaseTimeoutMs);
      }),
    ]);
    clearTimeout(timeout);
  }

  #round(): Promise<void> {
    this.#round$ = this.#round$.then(() => this.#renewAll());
    return this.#round$;
  }

  async #renewAll(): Promise<void> {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    await Promise.all([...this.#names].map(name => this.#renew(name)));
    if (this.#closed || !this.#leases) return;
    this.#timer = setTimeout(() => void this.#round(), this.#timing.renewMs);
    this.#timer.unref?.();
  }

  async #renew(name: string): Promise<void> {
    const sentAt = performance.now();
    let held = true;
    try {
      if (this.#leases) held = await this.#leases.acquire(name);
      this.#failing.delete(name);
    } catch (e) {
      // Keep leading until the deadline of the last renewal: a short database outage moves nothing.
      if (!this.#failing.has(name))
        this.#logger.warn(
          `capa: could not renew the watch lease of management cluster "${name}": ${e}`,
        );
      this.#failing.add(name);
      return;
    }
    if (this.#closed || !this.#names.has(name)) return;
    const { ttlMs, renewMs } = this.#timing;
    const left = sentAt + ttlMs - renewMs - performance.now();
    if (!held || left <= 0) {
      this.stepDown(
        name,
        held
          ? 'its lease was renewed too late'
          : 'another replica holds its lease',
      );
      return;
    }
    if (!this.#leases) {
      if (!this.#leading.has(name)) this.#lead(name, undefined);
      return;
    }
    const deadline = setTimeout(
      () => this.stepDown(name, 'its lease could not be renewed in time'),
      left,
    );
    deadline.unref?.();
    if (this.#leading.has(name)) {
      clearTimeout(this.#leading.get(name));
      this.#leading.set(name, deadline);
    } else this.#lead(name, deadline);
  }

  #lead(name: string, deadline: NodeJS.Timeout | undefined) {
    this.#leading.set(name, deadline);
    this.#logger.info(
      `capa: this replica watches management cluster "${name}"${
        this.#leases ? ` (watch lease holder ${this.#leases.holder})` : ''
      }`,
    );
    this.#onLead(name);
  }

  async #release(name: string): Promise<void> {
    try {
      await this.#leases?.release(name);
    } catch (e) {
      this.#logger.warn(
        `capa: could not release the watch lease of management cluster "${name}" (it expires by itself): ${e}`,
      );
    }
  }
}
