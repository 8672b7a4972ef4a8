import type {
  CatalogFleetView,
  ManagementClusterStatus,
} from '@capa-portal/plugin-capa-common';
import type { FleetReportResponse } from '@capa-portal/plugin-capa-node';
import type { FleetReportSource } from './CapaEntityProvider';

/** How long the gate waits at most for every management cluster's first read (default of `capa.catalog.firstReadWait`). */
export const DEFAULT_FIRST_READ_WAIT_MS = 2 * 60 * 1000;

/** The source the gate stands in front of (one that caches answers forgets them on `invalidate`). */
export interface InvalidatableFleetReportSource extends FleetReportSource {
  invalidate?(): void;
}

/**
 * Holds the catalog back while the capa backend's first reads are under way: until every management cluster has
 * been read once (or its read failed), or `maxWaitMs` after the gate was made, a provider's ask for the report
 * answers "nothing new" after a small `GET /management-clusters`, so nothing is applied and nothing is downloaded.
 *
 * Without it each management cluster's first read (they end one after another, and each is announced) made the
 * providers download the whole report again (86 MB at 10,000 clusters: seconds of serialising and parsing on the
 * backend's main thread each time), and the catalog got a full mutation per management cluster plus the account
 * entities again with each read's verdicts, while the catalog was processing the first ones. With the gate the
 * ramp ends in one download and one full mutation per provider (each provider now downloads its own part of the
 * fleet, `catalogView`, but the account entities would still be re-applied with each read's verdicts). Once open, the gate stays open: a later failing
 * read keeps its last good data (see `CapaEntityProvider`), and nothing waits again.
 */
export class FirstReadGate implements InvalidatableFleetReportSource {
  readonly #source: InvalidatableFleetReportSource;
  readonly #statuses: () => Promise<ManagementClusterStatus[]>;
  readonly #deadline: number;
  readonly #now: () => number;
  #open = false;
  #asking?: Promise<boolean>;

  constructor(
    source: InvalidatableFleetReportSource,
    statuses: () => Promise<ManagementClusterStatus[]>,
    options?: { maxWaitMs?: number; now?: () => number },
  ) {
    this.#source = source;
    this.#statuses = statuses;
    this.#now = options?.now ?? Date.now;
    this.#deadline =
      this.#now() + (options?.maxWaitMs ?? DEFAULT_FIRST_READ_WAIT_MS);
  }

  /**
   * Whether every management cluster has been read once (or failed), asked at most once at a time: the providers
   * of one refresh (one per management cluster, one for accounts) share one answer.
   */
  async isOpen(): Promise<boolean> {
    if (this.#open) return true;
    if (this.#now() >= this.#deadline) return (this.#open = true);
    if (!this.#asking) {
      this.#asking = this.#statuses()
        .then(items => items.every(s => s.lastSync || s.error))
        .finally(() => (this.#asking = undefined));
    }
    if (await this.#asking) this.#open = true;
    return this.#open;
  }

  async fleetReportIfChanged(
    etag?: string,
  ): Promise<{ etag?: string; report?: FleetReportResponse }> {
    if (!(await this.isOpen())) return { etag };
    return this.#source.fleetReportIfChanged
      ? this.#source.fleetReportIfChanged(etag)
      : { report: await this.#source.fleetReport() };
  }

  async catalogView(
    scope: { type: 'accounts' } | { type: 'management-cluster'; name: string },
    etag?: string,
  ): Promise<{ etag?: string; view?: CatalogFleetView }> {
    if (!(await this.isOpen())) return { etag };
    if (this.#source.catalogView) return this.#source.catalogView(scope, etag);
    const { etag: tag, report } = await this.fleetReportIfChanged(etag);
    return { etag: tag, view: report };
  }

  async fleetReport(): Promise<FleetReportResponse> {
    return this.#source.fleetReport();
  }

  invalidate(): void {
    this.#source.invalidate?.();
  }
}
