import {
  type Check,
  type FleetReport,
  managementClusterEntityName,
  type Verdict,
} from '@capa-portal/plugin-capa-common';
import { CapaResourceIndex } from '../../permissions/resources';

/**
 * How a verdict counts for alerts (DESIGN.md §4): `trusted` and `configured` are both fine, `degraded` has a
 * warning, `broken` a failure. `unknown` (not enough evidence) is no state at all: it changes nothing.
 */
export type TrustState = 'ok' | 'degraded' | 'broken';

const STATE_OF: Partial<Record<Verdict, TrustState>> = {
  trusted: 'ok',
  configured: 'ok',
  degraded: 'degraded',
  broken: 'broken',
};

export const RANK: Record<TrustState, number> = {
  ok: 0,
  degraded: 1,
  broken: 2,
};

/** An account or workload cluster whose trust state is watched. */
export interface TrustSubject {
  kind: 'account' | 'cluster';
  /** `account:<id>` or `cluster:<mgmt>/<namespace>/<name>`. */
  subject: string;
  /** What the title calls it. */
  label: string;
  state: TrustState;
  verdict: Verdict;
  /** The checks that make the state: failing ones when broken, warning ones when degraded. */
  checks: Array<Pick<Check, 'id' | 'message'>>;
  /** The owner group (`group:default/...`), as the catalog module sets the entity's `spec.owner`. */
  owner?: string;
  /** `resource:default/<name>`: the account's or cluster's catalog entity. */
  entityRef: string;
}

/** A management cluster whose source is watched for staleness. */
export interface SourceSubject {
  subject: string;
  name: string;
  state: 'fresh' | 'stale';
  error?: string;
  owner?: string;
  entityRef: string;
}

export interface SubjectOptions {
  /** Management clusters whose last read failed: what involves them is frozen (not compared, not recorded). */
  stale: ReadonlySet<string>;
  /** Lower-cased tiers that notify; undefined: every tier (and accounts without one). */
  tiers?: ReadonlySet<string>;
  /**
   * The tier each cluster's account had when it was last known (by subject), kept by the caller across passes and
   * updated here. A cluster whose identity chain breaks has no account in the report (nothing tells which account
   * CAPA would reach), and that break is the one its owner most needs to hear about: such a cluster is judged by
   * the tier its account had before, and notifies when none was ever known.
   */
  knownTiers?: Map<string, string>;
}

const MAX_CHECKS = 5;

function stateChecks(
  lists: Check[][],
  state: TrustState,
): TrustSubject['checks'] {
  if (state === 'ok') return [];
  const status = state === 'broken' ? 'fail' : 'warn';
  const seen = new Set<string>();
  const out: TrustSubject['checks'] = [];
  for (const c of lists.flat()) {
    const key = `${c.id}\0${c.message}`;
    if (c.status !== status || seen.has(key)) continue;
    seen.add(key);
    out.push({ id: c.id, message: c.message });
  }
  return out.slice(0, MAX_CHECKS);
}

/**
 * The accounts and clusters of a report that alerts watch: those with a verdict that counts, in a tier that
 * notifies, involving no stale management cluster. An account's checks are its own and those of the identities
 * that target it (its verdict is whether CAPA can reach it, docs/contracts.md §4).
 */
export function trustSubjects(
  report: FleetReport,
  index: CapaResourceIndex,
  options: SubjectOptions,
): TrustSubject[] {
  const inTier = (tier: string | undefined) =>
    !options.tiers || (tier !== undefined && options.tiers.has(tier));
  const frozen = (managementClusters: string[]) =>
    managementClusters.some(m => options.stale.has(m));
  const identityChecks = new Map<string, Check[][]>();
  for (const i of report.identities) {
    if (!i.accountId) continue;
    const lists = identityChecks.get(i.accountId) ?? [];
    lists.push(i.checks);
    identityChecks.set(i.accountId, lists);
  }
  const subjects: TrustSubject[] = [];
  for (const a of report.accounts) {
    const state = STATE_OF[a.verdict];
    const resource = index.account(a.accountId);
    if (!state || !resource || !inTier(resource.tier)) continue;
    if (frozen(resource.managementClusters)) continue;
    subjects.push({
      kind: 'account',
      subject: `account:${a.accountId}`,
      label: `AWS account ${
        a.name ? `${a.name} (${a.accountId})` : a.accountId
      }`,
      state,
      verdict: a.verdict,
      checks: stateChecks(
        [a.checks, ...(identityChecks.get(a.accountId) ?? [])],
        state,
      ),
      owner: resource.owner,
      entityRef: resource.entityRef,
    });
  }
  for (const c of report.clusters) {
    const state = STATE_OF[c.verdict];
    const resource = index.cluster(c);
    if (!state || !resource) continue;
    const subject = `cluster:${c.managementCluster}/${c.namespace}/${c.name}`;
    if (resource.tier !== undefined)
      options.knownTiers?.set(subject, resource.tier);
    const tier = resource.tier ?? options.knownTiers?.get(subject);
    // No tier known: every tier notifies, or the cluster's account is unknown (its chain is broken).
    const notifies =
      tier !== undefined
        ? inTier(tier)
        : !options.tiers || c.accountId === undefined;
    if (!notifies) continue;
    if (frozen(resource.managementClusters)) continue;
    subjects.push({
      kind: 'cluster',
      subject,
      label: `Cluster ${c.namespace}/${c.name} (management cluster ${c.managementCluster})`,
      state,
      verdict: c.verdict,
      checks: stateChecks([c.checks], state),
      owner: resource.owner,
      entityRef: resource.entityRef,
    });
  }
  return subjects;
}

/** Every management cluster of the report with the health of its source. */
export function sourceSubjects(
  sources: Array<{ name: string; stale: boolean; error?: string }>,
  index: CapaResourceIndex,
): SourceSubject[] {
  return sources.map(s => {
    const resource = index.managementCluster(s.name);
    return {
      subject: `source:${s.name}`,
      name: s.name,
      state: s.stale ? 'stale' : 'fresh',
      error: s.error,
      owner: resource?.owner,
      entityRef:
        resource?.entityRef ??
        `resource:default/${managementClusterEntityName(s.name)}`,
    };
  });
}
