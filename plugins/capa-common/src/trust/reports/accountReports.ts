/* eslint-disable no-nested-ternary */
/*
 * Account reports: every account known from config, management clusters, identities (role ARNs, static
 * identities' annotation) and AWS Organizations, with the verdicts of the clusters and identities that target it.
 */
import type {
  AccountReport,
  Check,
  ClusterReport,
  IdentityReport,
  Verdict,
} from '../../types';
import { ROLE_IDENTITY_KIND, STATIC_IDENTITY_KIND } from '../../model/objects';
import type { FleetContext } from '../context';
import { aggregateVerdicts } from '../verdict';
import { accountKnownCheck } from '../checks/accountKnown';

export function accountReports(
  fleet: FleetContext,
  clusters: ClusterReport[],
  identities: IdentityReport[],
): AccountReport[] {
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

  const clustersBy = new Map<string, ClusterReport[]>();
  for (const c of clusters) {
    if (!c.accountId) continue;
    const l = clustersBy.get(c.accountId);
    if (l) l.push(c);
    else clustersBy.set(c.accountId, [c]);
  }
  const identitiesBy = new Map<string, IdentityReport[]>();
  for (const i of identities) {
    // Role identities land in their role's account, the controller identity in the management account, static
    // identities in the account of their access keys (known from the `amazonaws.com/account-id` annotation).
    if (!i.accountId) continue;
    const l = identitiesBy.get(i.accountId);
    if (l) l.push(i);
    else identitiesBy.set(i.accountId, [i]);
  }

  const out: AccountReport[] = [];
  for (const [accountId, sources] of ids) {
    const cfg = fleet.accounts.get(accountId);
    const org = fleet.organization?.get(accountId);
    const known = accountKnownCheck(fleet, accountId, false);
    const cs = clustersBy.get(accountId) ?? [];
    const is = identitiesBy.get(accountId) ?? [];
    const checks: Check[] = [known];
    const verdicts: Verdict[] = [
      ...cs.map(c => c.verdict),
      ...is.map(i => i.verdict),
    ];
    const knownVerdict: Verdict =
      known.status === 'fail'
        ? 'broken'
        : known.status === 'warn'
        ? 'degraded'
        : 'configured';
    // Nothing targets the account: only account-known speaks, and it cannot prove trust.
    const verdict: Verdict = verdicts.length
      ? aggregateVerdicts([
          ...verdicts,
          ...(known.status === 'pass' ? [] : [knownVerdict]),
        ])
      : known.status === 'pass'
      ? 'unknown'
      : knownVerdict;
    const report: AccountReport = {
      accountId,
      name: cfg?.name ?? org?.name,
      tier: cfg?.tier,
      owner: cfg?.owner,
      email: org?.email,
      status: org?.status,
      verdict,
      checks,
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
    };
    out.push(report);
  }
  out.sort((a, b) => a.accountId.localeCompare(b.accountId));
  return out;
}
