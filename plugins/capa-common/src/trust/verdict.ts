import type { Check, CheckStatus, Verdict } from '../types';

/**
 * The verdict of a list of checks (docs/contracts.md §4), decided in this order:
 * 1. `broken`     any check failed;
 * 2. `degraded`   any check warned;
 * 3. `trusted`    `live-assume` passed (the chain was assumed for real; skipped static checks are then moot);
 * 4. `unknown`    any check other than `live-assume` was skipped (not enough evidence: e.g. no trust policy
 *                 or permission evidence for a hop), or there are no checks at all;
 * 5. `configured` every check passed and `live-assume` was skipped / absent.
 *
 * @public
 */
export function verdictOf(
  checks: ReadonlyArray<Pick<Check, 'id' | 'status'>>,
): Verdict {
  if (!checks || checks.length === 0) return 'unknown';
  let warn = false;
  let skip = false;
  let live: CheckStatus | undefined;
  for (const c of checks) {
    if (c.status === 'fail') return 'broken';
    if (c.status === 'warn') warn = true;
    if (c.id === 'live-assume') live = c.status;
    else if (c.status === 'skip') skip = true;
  }
  if (warn) return 'degraded';
  if (live === 'pass') return 'trusted';
  if (skip) return 'unknown';
  return 'configured';
}

const SEVERITY: Record<Verdict, number> = {
  broken: 4,
  degraded: 3,
  unknown: 2,
  configured: 1,
  trusted: 0,
};

/**
 * Every verdict, worst first: broken, degraded, unknown, configured, trusted.
 *
 * @public
 */
export const VERDICTS_WORST_FIRST: readonly Verdict[] = Object.freeze(
  (Object.keys(SEVERITY) as Verdict[]).sort(
    (a, b) => SEVERITY[b] - SEVERITY[a],
  ),
);

/** Worst-of aggregation: broken > degraded > unknown > configured > trusted. Empty -> unknown. */
export function aggregateVerdicts(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict | undefined;
  for (const v of verdicts) {
    if (worst === undefined || SEVERITY[v] > SEVERITY[worst]) worst = v;
  }
  return worst ?? 'unknown';
}

const STATUS_RANK: Record<CheckStatus, number> = {
  fail: 3,
  warn: 2,
  skip: 1,
  pass: 0,
};

/**
 * Orders check statuses worst first (fail, warn, skip, pass; anything else last), for sorting.
 *
 * @public
 */
export function compareCheckStatus(a: CheckStatus, b: CheckStatus): number {
  return (STATUS_RANK[b] ?? -1) - (STATUS_RANK[a] ?? -1);
}

/** Worst-of for check statuses: fail > warn > skip > pass. */
export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let worst: CheckStatus = 'pass';
  for (const s of statuses) if (STATUS_RANK[s] > STATUS_RANK[worst]) worst = s;
  return worst;
}
