import type { FleetReportResponse } from '@capa-portal/plugin-capa-node';
import type { FleetReportSource } from './CapaEntityProvider';

type Answer = { etag?: string; report?: FleetReportResponse };

/** One refresh cycle's conditional fetch, and the unconditional one a provider without the tag needed. */
interface Cycle {
  at: number;
  answer: Promise<Answer>;
  full?: Promise<Answer>;
}

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
  #cycle?: Cycle;

  constructor(
    source: FleetReportSource,
    options?: { maxAgeMs?: number; now?: () => number },
  ) {
    this.#source = source;
    this.#maxAgeMs = options?.maxAgeMs ?? 10_000;
    this.#now = options?.now ?? Date.now;
  }

  /**
   * One conditional fetch per cycle: the first provider's tag is sent; a provider that holds the same tag gets the
   * 304 answer, any other the whole report (fetched once more in the cycle at most).
   */
  async fleetReportIfChanged(etag?: string): Promise<Answer> {
    const inner = this.#source;
    if (!inner.fleetReportIfChanged)
      return { report: await this.fleetReport() };
    const now = this.#now();
    let cycle = this.#cycle;
    if (!cycle || now - cycle.at >= this.#maxAgeMs) {
      cycle = { at: now, answer: inner.fleetReportIfChanged(etag) };
      this.#forgetOnFailure(cycle, cycle.answer);
      this.#cycle = cycle;
    }
    const answer = await cycle.answer;
    if (answer.report || (etag !== undefined && answer.etag === etag))
      return answer;
    if (!cycle.full) {
      cycle.full = inner.fleetReportIfChanged(undefined);
      this.#forgetOnFailure(cycle, cycle.full);
    }
    return cycle.full;
  }

  #forgetOnFailure(cycle: Cycle, p: Promise<unknown>) {
    p.catch(() => {
      if (this.#cycle === cycle) this.#cycle = undefined;
    });
  }

  /** Forgets this cycle's answers: the report changed (the capa backend said so), the next ask fetches. */
  invalidate(): void {
    this.#cycle = undefined;
    this.#last = undefined;
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
