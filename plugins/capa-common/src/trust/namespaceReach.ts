/*
 * The question the create-cluster form asks of an account: "a cluster in namespace N would use identity I, whose
 * chain admits N and reaches the account?" CAPA's `buildProvidersForRef` (pkg/cloud/scope/session.go) checks the
 * cluster's namespace against the allowedNamespaces of every identity of the chain, then assumes the chain's roles:
 * so an identity is usable for N when every link admits N (model/allowedNamespaces.ts) and the chain's
 * reachability (reachability.ts) is not broken. An account is refused only when no identity is usable.
 */
import type { NamespaceCandidate, NamespaceReach } from '../api/types';
import { isNamespaceAllowed } from '../model/allowedNamespaces';
import type { ChainLink, IdentityReport, Verdict } from '../types';
import { reachabilityChecks, reachabilityVerdict } from './reachability';

/**
 * Whether every link of a chain admits `namespace` (CAPA checks each one), with each link's reason. `labels`: the
 * Namespace object's labels, undefined when it was not read (a selector then leaves the answer `unknown`).
 *
 * @public
 */
export function chainAdmission(
  chain: readonly ChainLink[],
  namespace: string,
  labels?: Record<string, string>,
): {
  admits: NamespaceCandidate['admits'];
  reasons: string[];
  /** The reasons of the links that refuse (or may refuse) the namespace. */
  refusals: string[];
} {
  let admits: NamespaceCandidate['admits'] = 'yes';
  const reasons: string[] = [];
  const refusals: string[] = [];
  for (const link of chain) {
    // A missing link has no allowedNamespaces; identity-exists (a reachability check) already refuses the chain.
    if (link.missing) continue;
    const d = isNamespaceAllowed(link.allowedNamespaces, namespace, labels);
    const reason = `${link.kind}/${link.name}: ${d.reason}`;
    reasons.push(reason);
    if (!d.allowed) refusals.push(reason);
    if (!d.allowed && !d.unknown) admits = 'no';
    else if (d.unknown && admits === 'yes') admits = 'unknown';
  }
  return { admits, reasons, refusals };
}

const ADMITS_RANK = { yes: 0, unknown: 1, no: 2 } as const;
const REACH_RANK: Record<Verdict, number> = {
  trusted: 0,
  configured: 1,
  degraded: 2,
  unknown: 3,
  broken: 4,
};
const KIND_RANK: Record<string, number> = {
  AWSClusterRoleIdentity: 0,
  AWSClusterControllerIdentity: 1,
};

/** Best first: admits, then reachability, then role identities before the controller identity, then name. */
function compareCandidates(a: NamespaceCandidate, b: NamespaceCandidate) {
  return (
    ADMITS_RANK[a.admits] - ADMITS_RANK[b.admits] ||
    REACH_RANK[a.reachability] - REACH_RANK[b.reachability] ||
    (KIND_RANK[a.kind] ?? 2) - (KIND_RANK[b.kind] ?? 2) ||
    a.managementCluster.localeCompare(b.managementCluster) ||
    a.name.localeCompare(b.name)
  );
}

const isUsable = (c: NamespaceCandidate) =>
  c.admits !== 'no' && c.reachability !== 'broken';

const refOf = (c: NamespaceCandidate) => `${c.kind}/${c.name}`;

function failingOf(identity: IdentityReport): string {
  const bad = reachabilityChecks(identity.checks).filter(
    c => c.status === 'fail',
  );
  return bad.map(c => `${c.id}: ${c.message}`).join('; ');
}

function explain(
  accountId: string,
  namespace: string,
  where: string,
  candidates: NamespaceCandidate[],
  identities: IdentityReport[],
  refusals: Map<NamespaceCandidate, string[]>,
): string {
  const best = candidates.find(isUsable);
  if (best) {
    const admits =
      best.admits === 'yes'
        ? `admits ${namespace}`
        : `admits ${namespace} if the Namespace's labels match its selector (${best.reasons.join(
            '; ',
          )})`;
    return `a cluster in namespace ${namespace}${where} would use ${refOf(
      best,
    )}, whose chain ${admits} and reaches account ${accountId} (${
      best.reachability
    })`;
  }
  if (!candidates.length)
    return `no identity${where} targets account ${accountId}`;
  const admitting = candidates.filter(c => c.admits !== 'no');
  if (admitting.length) {
    return admitting
      .map(c => {
        const identity = identities.find(
          i =>
            i.managementCluster === c.managementCluster &&
            i.kind === c.kind &&
            i.name === c.name,
        );
        return `${refOf(
          c,
        )} admits ${namespace} but cannot reach account ${accountId}${
          identity ? ` (${failingOf(identity)})` : ''
        }`;
      })
      .join(' | ');
  }
  return `no identity${where} admits namespace ${namespace} for account ${accountId}: ${candidates
    .map(c => (refusals.get(c) ?? c.reasons).join('; '))
    .join(' | ')}`;
}

/**
 * The answer for one account and namespace: the identities targeting the account (on `managementCluster` when
 * given), each with whether its chain admits the namespace and its reachability, and the one a new cluster would
 * use. `namespaceLabels(mgmt)`: the labels of Namespace `namespace` on that management cluster, when read.
 *
 * @public
 */
export function namespaceReach(
  accountId: string,
  identities: readonly IdentityReport[],
  namespace: string,
  options: {
    managementCluster?: string;
    namespaceLabels?: (
      managementCluster: string,
    ) => Record<string, string> | undefined;
  } = {},
): NamespaceReach {
  const { managementCluster } = options;
  const mine = identities.filter(
    i =>
      i.accountId === accountId &&
      (!managementCluster || i.managementCluster === managementCluster),
  );
  const refusals = new Map<NamespaceCandidate, string[]>();
  const candidates = mine
    .map((i): NamespaceCandidate => {
      const admission = chainAdmission(
        i.chain,
        namespace,
        options.namespaceLabels?.(i.managementCluster),
      );
      const candidate: NamespaceCandidate = {
        managementCluster: i.managementCluster,
        kind: i.kind,
        name: i.name,
        admits: admission.admits,
        reasons: admission.reasons,
        reachability: reachabilityVerdict(i),
      };
      refusals.set(candidate, admission.refusals);
      return candidate;
    })
    .sort(compareCandidates);
  const identity = candidates.find(isUsable);
  const where = managementCluster ? ` on ${managementCluster}` : '';
  return {
    namespace,
    ...(managementCluster ? { managementCluster } : {}),
    usable: !!identity,
    ...(identity ? { identity } : {}),
    candidates,
    message: explain(accountId, namespace, where, candidates, mine, refusals),
  };
}
