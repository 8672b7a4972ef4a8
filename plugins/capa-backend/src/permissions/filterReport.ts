import type { FleetReport } from '@capa-portal/plugin-capa-common';
import type { CallerAccess } from './CapaAccess';
import { clusterKey, identityKey } from './resources';

/**
 * The part of a trust report one caller may read:
 * - accounts and workload clusters the caller may read (`capa.account.read` and the catalog entity);
 * - identities the caller may read, or that target a readable account, or that a readable cluster uses (an
 *   account's report and a cluster's chain show those identities anyway);
 * - an account's own `clusters` and `identities` lists hold only the readable ones, so every count is of what
 *   the caller sees;
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
  const accounts = report.accounts
    .filter(a => accountIds.has(a.accountId))
    .map(a => ({
      ...a,
      clusters: a.clusters.filter(c => clusterKeys.has(clusterKey(c))),
      identities: a.identities.filter(i => identityKeys.has(identityKey(i))),
    }));
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
