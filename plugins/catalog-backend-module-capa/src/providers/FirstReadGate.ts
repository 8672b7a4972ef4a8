import type {
  CatalogFleetView,
  CatalogViewScope,
  ManagementClusterStatus,
} from '@capa-portal/plugin-capa-common';
import type { FleetReportResponse } from '@capa-portal/plugin-capa-node';
import type { FleetReportSource } from './CapaEntityProvider';

/** How long the account entities wait at most for every management cluster's first read (default of `capa.catalog.firstReadWait`). */
export const DEFAULT_FIRST_READ_WAIT_MS = 2 * 60 * 1000;

/** The source the gate stands in front of (one that caches answers forgets them on `invalidate`). */
export interface InvalidatableFleetReportSource extends FleetReportSource {
  invalidate?(): void;
}

/**
 * Holds the account entities back while the capa backend's first reads are under way: until every management
 * cluster has been read once (or its read failed), or `maxWaitMs` after the gate was made, the accounts provider's
 * ask answers "nothing new" after a small `GET /management-clusters`, so nothing is applied and nothing is
 * downloaded. An account's verdict depends on every management cluster's identities, so without the gate the
 * catalog got the account entities again with each read's verdicts while it was processing the first ones.
 *
 * A management cluster's provider is not held: its part of the fleet (`catalogView`) says whether that management
 * cluster has been read, so it applies its entities as soon as its own first read is done, and a slow or failing
 * management cluster never holds the others back. A source without parts (the whole report, as before the catalog
 * views) is held for every provider, as each download would be the whole report. Once open, the gate stays open:
 * a later failing read keeps its last good data (see `CapaEntityProvider`), and nothing waits again.
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
    scope: CatalogViewScope,
    etag?: string,
  ): Promise<{ etag?: string; view?: CatalogFleetView }> {
    if (this.#source.catalogView) {
      if (scope.type === 'accounts' && !(await this.isOpen())) return { etag };
      return this.#source.catalogView(scope, etag);
    }
    if (!(await this.isOpen())) return { etag };
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
