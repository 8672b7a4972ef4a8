import {
  accountEntityName,
  clusterEntityName,
  FleetReport,
  identityEntityName,
} from '@capa-portal/plugin-capa-common';

/*
 * The catalog entities a single-resource route asks the catalog about (one getEntitiesByRefs call): the
 * resource itself and whatever else can make it readable.
 */

const ref = (name: string) => `resource:default/${name}`;

/** An account's report: the account and the clusters in it (clusters are shown only when readable). */
export function accountScope(report: FleetReport, accountId: string): string[] {
  const account = report.accounts.find(a => a.accountId === accountId);
  if (!account) return [];
  return [
    ref(accountEntityName(accountId)),
    ...account.clusters.map(c => ref(clusterEntityName(c))),
  ];
}

export function clusterScope(c: {
  managementCluster: string;
  namespace: string;
  name: string;
}): string[] {
  return [ref(clusterEntityName(c))];
}

/** An identity chain: the identities of that name, the accounts they target and the clusters that use them. */
export function identityScope(
  report: FleetReport,
  managementCluster: string,
  name: string,
): string[] {
  const refs = new Set<string>();
  for (const i of report.identities) {
    if (i.managementCluster !== managementCluster || i.name !== name) continue;
    refs.add(ref(identityEntityName(i)));
    if (i.accountId) refs.add(ref(accountEntityName(i.accountId)));
    for (const u of i.usedBy)
      refs.add(ref(clusterEntityName({ ...u, managementCluster })));
  }
  return [...refs];
}
