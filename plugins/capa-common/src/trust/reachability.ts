/*
 * Reachability versus cluster problems (docs/contracts.md §4).
 *
 * CAPA builds a cluster's credentials in `pkg/cloud/scope/session.go`: `buildProvidersForRef` walks the cluster's
 * identityRef, and for every identity of the chain it (1) reads the identity object (`k8sClient.Get`), (2) asks
 * `isClusterPermittedToUsePrincipal(allowedNamespaces, clusterScoper.Namespace())` with the namespace of the
 * AWSCluster / AWSManagedControlPlane being reconciled (a refusal sets `PrincipalUsageAllowed=False` on that
 * cluster only), then (3) stacks the role providers; `providers[0].Retrieve()` then calls sts:AssumeRole along the
 * chain (a refusal sets `PrincipalCredentialRetrieved`). So:
 *
 * - **Reachability** is a property of the identity chain, the same for every cluster that names it: whether its
 *   objects resolve and chain properly (identity-exists for the links behind the identityRef, chain-valid,
 *   controller-identity-name), whether sts:AssumeRole succeeds at each hop (session-duration, external-id,
 *   source-permission, target-trust, live-assume), whether the account is known, and how the chain authenticates
 *   (static-credentials of a static identity, api-version of the identity objects themselves: an identity
 *   manifest the API server refuses is an identity CAPA cannot read). These are an identity report's checks
 *   except namespace-allowed.
 *   A CAPI Operator InfrastructureProvider whose watch-filter selects a cluster runs CAPA for it with that
 *   provider's static credentials: the chain then starts from those keys, so its static-credentials warning is
 *   reachability too, of a chain listed apart (`via` the provider).
 * - **Cluster problems** depend on one cluster: namespace-allowed (its namespace against every link), identity-exists
 *   when its own identityRef names nothing (there is no chain to judge), and api-version of its own Cluster /
 *   AWSCluster / AWSManagedControlPlane manifests.
 *
 * An account's verdict is its reachability; its clusters' own problems are listed and counted beside it.
 */
import type {
  AccountReachability,
  Check,
  CheckId,
  ClusterProblem,
  ClusterReport,
  IdentityReport,
  ReachabilityChain,
  Verdict,
} from '../types';
import { aggregateVerdicts, verdictOf, VERDICTS_WORST_FIRST } from './verdict';

/** The check that depends on the namespace of the cluster using an identity, not on the identity's chain. */
const NAMESPACE_CHECK: CheckId = 'namespace-allowed';

/**
 * The reachability checks of an identity: its report's checks except namespace-allowed (every other check of an
 * identity report is decided by the chain it starts).
 *
 * @public
 */
export function reachabilityChecks<C extends Pick<Check, 'id' | 'status'>>(
  identityChecks: readonly C[],
): C[] {
  return identityChecks.filter(c => c.id !== NAMESPACE_CHECK);
}

/**
 * Whether CAPA can assume into the identity's account along its chain, whatever namespace asks.
 *
 * @public
 */
export function reachabilityVerdict(
  identity: Pick<IdentityReport, 'checks'>,
): Verdict {
  return verdictOf(reachabilityChecks(identity.checks));
}

/** One identity's chain as the account's reachability lists it. */
export function reachabilityChain(
  identity: IdentityReport,
  clusterCount: number,
): ReachabilityChain {
  const checks = reachabilityChecks(identity.checks);
  return {
    managementCluster: identity.managementCluster,
    kind: identity.kind,
    name: identity.name,
    verdict: verdictOf(checks),
    failing: checks.filter(c => c.status === 'fail').map(c => c.id),
    warning: checks.filter(c => c.status === 'warn').map(c => c.id),
    clusterCount,
  };
}

/**
 * A chain used by clusters but with no identity report (CAPA's auto-created `AWSClusterControllerIdentity/default`,
 * absent from the input): judged by one cluster's checks with its own ones left out.
 */
export function reachabilityChainOfCluster(
  cluster: ClusterReport,
  own: readonly Check[],
  clusterCount: number,
  via?: string,
): ReachabilityChain {
  const ownIds = new Set(own.map(c => c.id));
  const checks = cluster.checks.filter(
    c => c.id !== NAMESPACE_CHECK && !ownIds.has(c.id),
  );
  return {
    managementCluster: cluster.managementCluster,
    kind: cluster.identityRef.kind,
    name: cluster.identityRef.name,
    verdict: verdictOf(checks),
    failing: checks.filter(c => c.status === 'fail').map(c => c.id),
    warning: checks.filter(c => c.status === 'warn').map(c => c.id),
    clusterCount,
    ...(via ? { via } : {}),
  };
}

/** What account-known alone says about an account, when it does not pass. */
const KNOWN_VERDICT: Partial<Record<Check['status'], Verdict>> = {
  fail: 'broken',
  warn: 'degraded',
};

/**
 * The account's reachability: the worst of its chains and of account-known. Worst, not best: every chain that
 * lands in the account is a way CAPA is configured to reach it, and a broken one breaks the clusters that name it.
 * With no chain, only account-known speaks, and a passing account-known proves no way in (`unknown`).
 */
export function accountReachability(
  chains: ReachabilityChain[],
  accountKnown: Pick<Check, 'status'>,
): AccountReachability {
  const known = KNOWN_VERDICT[accountKnown.status];
  const verdict = chains.length
    ? aggregateVerdicts([
        ...chains.map(c => c.verdict),
        ...(known ? [known] : []),
      ])
    : known ?? 'unknown';
  return { verdict, chains };
}

/** A cluster's own failing and warning checks as the account lists them, or undefined when it has none. */
export function clusterProblem(
  cluster: ClusterReport,
  own: readonly Check[],
): ClusterProblem | undefined {
  const bad = own.filter(c => c.status === 'fail' || c.status === 'warn');
  if (!bad.length) return undefined;
  return {
    managementCluster: cluster.managementCluster,
    namespace: cluster.namespace,
    name: cluster.name,
    identityRef: cluster.identityRef,
    verdict: cluster.verdict,
    checks: bad.map(c => ({ id: c.id, status: c.status, message: c.message })),
  };
}

/** Cluster problems worst first (by the cluster's verdict), then by management cluster, namespace and name. */
export function sortClusterProblems(
  problems: ClusterProblem[],
): ClusterProblem[] {
  const rank = (v: Verdict) => VERDICTS_WORST_FIRST.indexOf(v);
  return problems.sort(
    (a, b) =>
      rank(a.verdict) - rank(b.verdict) ||
      a.managementCluster.localeCompare(b.managementCluster) ||
      a.namespace.localeCompare(b.namespace) ||
      a.name.localeCompare(b.name),
  );
}
