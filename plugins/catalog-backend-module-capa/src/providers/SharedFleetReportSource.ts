import type { FleetReportResponse } from '@capa-portal/plugin-capa-node';
import type { FleetReportSource } from './CapaEntityProvider';

/**
 * One report fetch serves every provider of a refresh cycle: the providers (one per management cluster, one for
 * accounts) run on the same cadence, and each needs the same report. Without this, N management clusters meant
 * N + 1 downloads of the whole fleet report per cycle. A failed fetch is not remembered.
 */
export class SharedFleetReportSource implements FleetReportSource {
  readonly #source: FleetReportSource;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #last?: { at: number; report: Promise<FleetReportResponse> };

  constructor(
    source: FleetReportSource,
    options?: { maxAgeMs?: number; now?: () => number },
  ) {
    this.#source = source;
    this.#maxAgeMs = options?.maxAgeMs ?? 10_000;
    this.#now = options?.now ?? Date.now;
  }

  fleetReport(): Promise<FleetReportResponse> {
    const now = this.#now();
    if (this.#last && now - this.#last.at < this.#maxAgeMs)
      return this.#last.report;
    const report = this.#source.fleetReport();
    const entry = { at: now, report };
    this.#last = entry;
    report.catch(() => {
      if (this.#last === entry) this.#last = undefined;
    });
    return report;
  }
}
