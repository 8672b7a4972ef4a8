/*
 * Account reports: every account known from config, management clusters, identities (role ARNs, static
 * identities' annotation) and AWS Organizations. The verdict is the account's reachability (the chains that land
 * in it and account-known); the clusters' own problems are listed beside it (../reachability.ts).
 */
import type {
  AccountReport,
  Check,
  ClusterProblem,
  ClusterReport,
  IdentityReport,
  ReachabilityChain,
} from '../../types';
import { ROLE_IDENTITY_KIND, STATIC_IDENTITY_KIND } from '../../model/objects';
import type { FleetContext } from '../context';
import { accountKnownCheck } from '../checks/accountKnown';
import {
  accountReachability,
  clusterProblem,
  reachabilityChain,
  reachabilityChainOfCluster,
  sortClusterProblems,
} from '../reachability';

function groupBy<T>(items: T[], key: (t: T) => string | undefined) {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (!k) continue;
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Where each account is known from, in the order accounts are first met. */
function accountSources(
  fleet: FleetContext,
  clusters: ClusterReport[],
  identities: IdentityReport[],
) {
  const ids = new Map<string, AccountReport['sources']>();
  const add = (id: string | undefined, s: AccountReport['sources'][number]) => {
    if (!id) return;
    const list = ids.get(id) ?? [];
    if (!list.includes(s)) list.push(s);
    ids.set(id, list);
  };
  for (const a of fleet.accounts.keys()) add(a, 'config');
  for (const a of fleet.managementAccounts.keys()) add(a, 'management');
  for (const i of identities) {
    if (i.kind === ROLE_IDENTITY_KIND || i.kind === STATIC_IDENTITY_KIND)
      add(i.accountId, 'identity');
  }
  for (const c of clusters)
    if (c.accountId && !ids.has(c.accountId)) add(c.accountId, 'identity');
  for (const a of ids.keys())
    if (fleet.organization?.has(a)) add(a, 'organizations');
  return ids;
}

/** What a cluster adds to its report for its account: its own checks, and the CAPI Operator provider CAPA runs as. */
export interface ClusterOwn {
  own: Check[];
  via?: string;
}

const chainKey = (mgmt: string, kind: string, name: string, via?: string) =>
  `${mgmt}\u0000${kind}/${name}${via ? `\u0000${via}` : ''}`;

/**
 * The chains that land in an account: one per identity report targeting it, plus one per identityRef its clusters
 * name that has no identity report (CAPA's auto-created controller identity), or that CAPA uses with a CAPI
 * Operator provider's static credentials instead of the controller's (`via`).
 */
function chainsOf(
  identities: IdentityReport[],
  clusters: ClusterReport[],
  own: Map<ClusterReport, ClusterOwn>,
): ReachabilityChain[] {
  const users = groupBy(clusters, c =>
    chainKey(
      c.managementCluster,
      c.identityRef.kind,
      c.identityRef.name,
      own.get(c)?.via,
    ),
  );
  const chains: ReachabilityChain[] = [];
  const seen = new Set<string>();
  for (const i of identities) {
    const key = chainKey(i.managementCluster, i.kind, i.name);
    seen.add(key);
    chains.push(reachabilityChain(i, users.get(key)?.length ?? 0));
  }
  for (const [key, list] of users) {
    if (seen.has(key)) continue;
    const first = own.get(list[0]);
    chains.push(
      reachabilityChainOfCluster(
        list[0],
        first?.own ?? [],
        list.length,
        first?.via,
      ),
    );
  }
  return chains;
}

/**
 * The account reports, sorted by account id. `reuse` may hand back an account's report from an earlier evaluation
 * (incremental evaluation: nothing it aggregates changed, and it is known from the same sources); `counter`
 * counts the accounts aggregated here.
 */
export function accountReports(
  fleet: FleetContext,
  clusters: ClusterReport[],
  identities: IdentityReport[],
  own: Map<ClusterReport, ClusterOwn>,
  reuse?: (
    accountId: string,
    sources: AccountReport['sources'],
  ) => AccountReport | undefined,
  counter?: { accounts: number },
): AccountReport[] {
  // Role identities land in their role's account, the controller identity in the management account, static
  // identities in the account of their access keys (known from the `amazonaws.com/account-id` annotation).
  const clustersBy = groupBy(clusters, c => c.accountId);
  const identitiesBy = groupBy(identities, i => i.accountId);
  const out: AccountReport[] = [];
  for (const [accountId, sources] of accountSources(
    fleet,
    clusters,
    identities,
  )) {
    const reused = reuse?.(accountId, sources);
    if (reused) {
      out.push(reused);
      continue;
    }
    if (counter) counter.accounts++;
    const cfg = fleet.accounts.get(accountId);
    const org = fleet.organization?.get(accountId);
    const known = accountKnownCheck(fleet, accountId, false);
    const cs = clustersBy.get(accountId) ?? [];
    const is = identitiesBy.get(accountId) ?? [];
    const reachability = accountReachability(chainsOf(is, cs, own), known);
    const clusterProblems = sortClusterProblems(
      cs
        .map(c => clusterProblem(c, own.get(c)?.own ?? []))
        .filter((p): p is ClusterProblem => !!p),
    );
    out.push({
      accountId,
      name: cfg?.name ?? org?.name,
      tier: cfg?.tier,
      owner: cfg?.owner,
      email: org?.email,
      status: org?.status,
      verdict: reachability.verdict,
      checks: [known],
      reachability,
      clusterProblems,
      clusterProblemCount: clusterProblems.length,
      sources,
      managementClusters: fleet.managementAccounts.get(accountId) ?? [],
      clusters: cs.map(c => ({
        managementCluster: c.managementCluster,
        namespace: c.namespace,
        name: c.name,
        verdict: c.verdict,
      })),
      identities: is.map(i => ({
        managementCluster: i.managementCluster,
        kind: i.kind,
        name: i.name,
        verdict: i.verdict,
      })),
    });
  }
  out.sort((a, b) => a.accountId.localeCompare(b.accountId));
  return out;
}
