import type {
  ClusterReport,
  FleetReport,
} from '@capa-portal/plugin-capa-common';
import type { CallerAccess } from './CapaAccess';
import { clusterKey, identityKey } from './resources';

/**
 * The part of a trust report one caller may read:
 * - accounts and workload clusters the caller may read (`capa.account.read` and the catalog entity);
 * - identities the caller may read, or that target a readable account, or that a readable cluster uses (an
 *   account's report and a cluster's chain show those identities anyway);
 * - an account's own `clusters`, `identities` and `clusterProblems` lists hold only the readable ones, so every
 *   count (and each reachability chain's `clusterCount`) is of what the caller sees;
 * - management clusters the caller may read, or that manage a readable cluster or identity (with counts of the
 *   readable ones); input problems only of management clusters the caller may read.
 */
export function filterReport(
  report: FleetReport,
  access: CallerAccess,
): FleetReport {
  const { index } = access;
  const accountIds = new Set(
    report.accounts
      .filter(a => access.canRead(index.account(a.accountId)))
      .map(a => a.accountId),
  );
  const clusters = report.clusters.filter(c =>
    access.canRead(index.cluster(c)),
  );
  const clusterKeys = new Set(clusters.map(clusterKey));
  const identities = report.identities.filter(
    i =>
      (i.accountId !== undefined && accountIds.has(i.accountId)) ||
      i.usedBy.some(u =>
        clusterKeys.has(
          clusterKey({ managementCluster: i.managementCluster, ...u }),
        ),
      ) ||
      access.canRead(index.identity(i)),
  );
  const identityKeys = new Set(identities.map(identityKey));
  // Readable clusters per chain: management cluster, the identity their identityRef names, and the CAPI Operator
  // provider CAPA runs as for them (named by their static-credentials evidence), as the engine keys its chains.
  const chainKey = (x: {
    managementCluster: string;
    kind: string;
    name: string;
    via?: string;
  }) => `${x.managementCluster}\u0000${x.kind}/${x.name}\u0000${x.via ?? ''}`;
  const usersOf = new Map<string, number>();
  for (const c of clusters) {
    const key = chainKey({
      managementCluster: c.managementCluster,
      ...c.identityRef,
      via: operatorProviderOf(c),
    });
    usersOf.set(key, (usersOf.get(key) ?? 0) + 1);
  }
  const accounts = report.accounts
    .filter(a => accountIds.has(a.accountId))
    .map(a => {
      const readable = a.clusters.filter(c => clusterKeys.has(clusterKey(c)));
      const clusterProblems = a.clusterProblems.filter(p =>
        clusterKeys.has(clusterKey(p)),
      );
      return {
        ...a,
        clusters: readable,
        identities: a.identities.filter(i => identityKeys.has(identityKey(i))),
        // The chains stay (identities targeting a readable account are readable); their counts and the
        // cluster problems are of readable clusters only.
        reachability: {
          ...a.reachability,
          chains: a.reachability.chains.map(ch => ({
            ...ch,
            clusterCount: usersOf.get(chainKey(ch)) ?? 0,
          })),
        },
        clusterProblems,
        clusterProblemCount: clusterProblems.length,
      };
    });
  const readableMgmt = new Set(
    report.managementClusters
      .filter(m => access.canRead(index.managementCluster(m.name)))
      .map(m => m.name),
  );
  const count = (list: Array<{ managementCluster: string }>, name: string) =>
    list.reduce((n, x) => (x.managementCluster === name ? n + 1 : n), 0);
  const managementClusters = report.managementClusters
    .map(m => ({
      ...m,
      clusterCount: count(clusters, m.name),
      identityCount: count(identities, m.name),
    }))
    .filter(
      m =>
        readableMgmt.has(m.name) || m.clusterCount > 0 || m.identityCount > 0,
    );
  const problems = report.problems.filter(p =>
    [...readableMgmt].some(name => p.source.startsWith(`${name}:`)),
  );
  return {
    ...report,
    accounts,
    clusters,
    identities,
    managementClusters,
    problems,
  };
}

const PROVIDER_EVIDENCE = 'InfrastructureProvider/';

/** `namespace/name` of the CAPI Operator provider a cluster's static-credentials check names, if any. */
function operatorProviderOf(c: ClusterReport): string | undefined {
  const source = c.checks.find(k => k.id === 'static-credentials')
    ?.evidence?.[0]?.source;
  return source?.startsWith(PROVIDER_EVIDENCE)
    ? source.slice(PROVIDER_EVIDENCE.length)
    : undefined;
}
