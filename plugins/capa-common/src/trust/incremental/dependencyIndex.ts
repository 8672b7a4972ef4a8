/*
 * What each object of a management cluster can affect, read from its last evaluation: the clusters whose chain
 * goes through an identity (CAPA resolves identityRef, then each sourceIdentityRef, within the management
 * cluster: pkg/cloud/scope/session.go buildProvidersForRef), the clusters of a namespace (allowedNamespaces is
 * checked against the namespace of the AWSCluster / AWSManagedControlPlane, for every identity of the chain), the
 * identities whose chain goes through an identity, and the accounts a chain reaches (each role hop's account and
 * the account it lands in: the live evidence read for it, trust/hops.ts).
 */
import type { ChainLink, ClusterReport, IdentityReport } from '../../types';
import { ref } from '../checks/check';
import type { MgmtEvaluation } from '../engine';
import type { ClusterUnit } from '../context';

export interface DependencyIndex {
  /** `namespace/name` of a unit -> its indices in the evaluation (more than one when names repeat). */
  unitsByKey: Map<string, number[]>;
  /** `Kind/name` of an identity -> the units whose chain includes it (present or missing). */
  unitsByIdentity: Map<string, number[]>;
  unitsByNamespace: Map<string, number[]>;
  /** Account id -> the units whose chain reaches it. */
  unitsByAccount: Map<string, number[]>;
  /** `Kind/name` of an identity -> the identity reports whose chain includes it. */
  identitiesByIdentity: Map<string, string[]>;
  /** Account id -> the identity reports whose chain reaches it. */
  identitiesByAccount: Map<string, string[]>;
}

export const unitKey = (u: Pick<ClusterUnit, 'namespace' | 'name'>) =>
  `${u.namespace}/${u.name}`;

function add<V>(map: Map<string, V[]>, key: string, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The accounts a chain reaches: its role hops' accounts and the account it lands in. */
export function chainAccounts(
  report: Pick<ClusterReport | IdentityReport, 'chain' | 'accountId'>,
): string[] {
  const out = new Set<string>();
  for (const l of report.chain) if (l.accountId) out.add(l.accountId);
  if (report.accountId) out.add(report.accountId);
  return [...out];
}

export const linkKeys = (chain: ChainLink[]) =>
  chain.map(l => ref(l.kind, l.name));

/** Built once per evaluation of a management cluster, on the first incremental update that needs it. */
const built = new WeakMap<MgmtEvaluation['units'], DependencyIndex>();

export function dependencyIndex(evaluation: MgmtEvaluation): DependencyIndex {
  const cached = built.get(evaluation.units);
  if (cached) return cached;
  const index: DependencyIndex = {
    unitsByKey: new Map(),
    unitsByIdentity: new Map(),
    unitsByNamespace: new Map(),
    unitsByAccount: new Map(),
    identitiesByIdentity: new Map(),
    identitiesByAccount: new Map(),
  };
  evaluation.mgmt.units.forEach((unit, i) => {
    add(index.unitsByKey, unitKey(unit), i);
    add(index.unitsByNamespace, unit.namespace, i);
    const report = evaluation.units[i]?.report;
    if (!report) return;
    for (const k of new Set(linkKeys(report.chain)))
      add(index.unitsByIdentity, k, i);
    for (const a of chainAccounts(report)) add(index.unitsByAccount, a, i);
  });
  for (const report of evaluation.identities) {
    if (!report) continue;
    const key = ref(report.kind, report.name);
    for (const k of new Set(linkKeys(report.chain)))
      add(index.identitiesByIdentity, k, key);
    for (const a of chainAccounts(report))
      add(index.identitiesByAccount, a, key);
  }
  built.set(evaluation.units, index);
  return index;
}
