/*
 * An identity's report: the checks of the chain it starts, with its own namespace-allowed (its allowedNamespaces
 * against the namespaces of the clusters whose chain includes it) and, for a controller identity, its name.
 */
import type { Check, CheckId, IdentityReport } from '../../types';
import { CHECK_IDS } from '../../types';
import { identityKey, ParsedIdentity } from '../../model/objects';
import type { ClusterUnit, MgmtContext } from '../context';
import { evaluateChain } from '../evaluateChain';
import type { Engine } from '../types';
import { verdictOf } from '../verdict';
import { controllerObjectNameCheck } from '../checks/controllerIdentityName';
import { identityNamespaceCheck } from '../checks/namespaceAllowed';

/** The clusters of a management cluster by identity: those whose chain includes it, and those naming it. */
export interface IdentityUsers {
  /** `Kind/name` -> clusters whose chain includes the identity. */
  users: Map<string, ClusterUnit[]>;
  /** `Kind/name` -> clusters whose identityRef names the identity. */
  direct: Map<string, ClusterUnit[]>;
}

export function identityReport(
  engine: Engine,
  mgmt: MgmtContext,
  identity: ParsedIdentity,
  { users, direct }: IdentityUsers,
): IdentityReport {
  const key = identityKey(identity);
  const ev = evaluateChain(engine, mgmt, {
    kind: identity.kind,
    name: identity.name,
  });
  const namespaces = [...new Set((users.get(key) ?? []).map(u => u.namespace))];
  const own = new Map<CheckId, Check | undefined>([
    [
      'namespace-allowed',
      identityNamespaceCheck(identity, namespaces, ns =>
        mgmt.parsed.namespaces.get(ns),
      ),
    ],
    ['controller-identity-name', controllerObjectNameCheck(identity)],
    ['static-credentials', ev.staticCheck],
    ['api-version', ev.apiVersionCheck],
  ]);
  const checks: Check[] = [];
  for (const id of CHECK_IDS) {
    const c = own.get(id) ?? ev.checks.get(id);
    if (c) checks.push(c);
  }
  return {
    managementCluster: mgmt.name,
    kind: identity.kind,
    name: identity.name,
    accountId: ev.accountId,
    roleArn: identity.roleArn,
    verdict: verdictOf(checks),
    checks,
    chain: ev.chain.links,
    usedBy: (direct.get(key) ?? []).map(u => ({
      namespace: u.namespace,
      name: u.name,
    })),
    apiVersion: identity.apiVersion,
    location: identity.location,
  };
}
