/*
 * What the actions need to know about the fleet, computed from the backend's FleetReport (never by importing
 * capa-backend): which identity admits a namespace for an account, and the trust verdict of an identity for
 * one namespace. CAPA's rules come from capa-common (`chainAdmission`, `verdictOf`), not re-implemented.
 */
import type {
  AccountTrustResponse,
  ChainLink,
  Check,
  FleetReport,
  IdentityReport,
  IdentityRef,
  Verdict,
} from '@capa-portal/plugin-capa-common';
import {
  CONTROLLER_IDENTITY_KIND,
  ROLE_IDENTITY_KIND,
  chainAdmission,
  verdictOf,
} from '@capa-portal/plugin-capa-common';

/**
 * The slice of `CapaBackendClient` (capa-node) the actions use. Injected so tests pass a fake built from a
 * real `evaluateFleet`.
 *
 * @public
 */
export interface CapaFleetApi {
  fleetReport(): Promise<FleetReport>;
  verifyAccount(accountId: string): Promise<AccountTrustResponse>;
  accountTrust?(accountId: string): Promise<AccountTrustResponse>;
}

export function refText(ref: IdentityRef): string {
  return `${ref.kind}/${ref.name}`;
}

export interface NamespaceAdmission {
  /** pass: every link admits; fail: a link refuses; warn: depends on Namespace labels not known. */
  status: 'pass' | 'fail' | 'warn';
  reasons: string[];
}

const ADMISSION_STATUS = {
  yes: 'pass',
  no: 'fail',
  unknown: 'warn',
} as const;

/**
 * Whether every identity of a chain admits `namespace` (CAPA checks each link). `observed`: the result of
 * the engine's own namespace-allowed check for a cluster in that namespace using that chain, which knows the
 * Namespace's labels (the report does not carry them).
 */
export function chainAdmits(
  chain: ChainLink[],
  namespace: string,
  observed?: Check,
  namespaceLabels?: Record<string, string>,
): NamespaceAdmission {
  if (observed && (observed.status === 'pass' || observed.status === 'fail')) {
    return { status: observed.status, reasons: [observed.message] };
  }
  const { admits, reasons } = chainAdmission(chain, namespace, namespaceLabels);
  return { status: ADMISSION_STATUS[admits], reasons };
}

function observedNamespaceCheck(
  report: FleetReport,
  managementCluster: string,
  ref: IdentityRef,
  namespace: string,
): Check | undefined {
  const cluster = report.clusters.find(
    c =>
      c.managementCluster === managementCluster &&
      c.namespace === namespace &&
      c.identityRef.kind === ref.kind &&
      c.identityRef.name === ref.name,
  );
  return cluster?.checks.find(c => c.id === 'namespace-allowed');
}

export function findIdentity(
  report: FleetReport,
  managementCluster: string,
  ref: IdentityRef,
): IdentityReport | undefined {
  return report.identities.find(
    i =>
      i.managementCluster === managementCluster &&
      i.kind === ref.kind &&
      i.name === ref.name,
  );
}

export interface IdentityNamespaceVerdict {
  verdict: Verdict;
  /** The identity's checks with namespace-allowed decided for this namespace. */
  checks: Check[];
  admission: NamespaceAdmission;
  identity?: IdentityReport;
}

/**
 * The trust verdict of `ref` for a cluster in `namespace`: the identity's own checks (chain, trust policy,
 * permission, session duration, ...) with `namespace-allowed` decided for this namespace, not aggregated
 * over the clusters that use it today. An identity that does not exist is `broken` (identity-exists fails).
 */
export function identityVerdictForNamespace(
  report: FleetReport,
  managementCluster: string,
  ref: IdentityRef,
  namespace: string,
): IdentityNamespaceVerdict {
  const identity = findIdentity(report, managementCluster, ref);
  if (!identity) {
    const check: Check = {
      id: 'identity-exists',
      status: 'fail',
      message: `${refText(
        ref,
      )} does not exist on management cluster ${managementCluster}`,
    };
    return {
      verdict: 'broken',
      checks: [check],
      admission: { status: 'fail', reasons: [check.message] },
    };
  }
  const admission = chainAdmits(
    identity.chain,
    namespace,
    observedNamespaceCheck(report, managementCluster, ref, namespace),
  );
  const nsCheck: Check = {
    id: 'namespace-allowed',
    status: admission.status,
    message: admission.reasons.join('; '),
  };
  const checks = [
    ...identity.checks.filter(c => c.id !== 'namespace-allowed'),
    nsCheck,
  ];
  return { verdict: verdictOf(checks), checks, admission, identity };
}

/** Identities of a management cluster that lead into `accountId` (role identities by ARN, static by annotation, the controller in its own account). */
export function identitiesForAccount(
  report: FleetReport,
  managementCluster: string,
  accountId: string,
): IdentityReport[] {
  return report.identities.filter(
    i => i.managementCluster === managementCluster && i.accountId === accountId,
  );
}

const KIND_PREFERENCE: Record<string, number> = {
  [ROLE_IDENTITY_KIND]: 0,
  [CONTROLLER_IDENTITY_KIND]: 1,
};
const VERDICT_PREFERENCE: Record<Verdict, number> = {
  trusted: 0,
  configured: 1,
  degraded: 2,
  unknown: 3,
  broken: 4,
};

export interface IdentityCandidate {
  identity: IdentityReport;
  result: IdentityNamespaceVerdict;
}

/** Every identity for the account with its verdict for the namespace, best first (admitting, then verdict, then kind). */
export function rankCandidates(
  report: FleetReport,
  managementCluster: string,
  accountId: string,
  namespace: string,
): IdentityCandidate[] {
  return identitiesForAccount(report, managementCluster, accountId)
    .map(identity => ({
      identity,
      result: identityVerdictForNamespace(
        report,
        managementCluster,
        { kind: identity.kind, name: identity.name },
        namespace,
      ),
    }))
    .sort((a, b) => {
      const rank = { pass: 0, warn: 1, fail: 2 };
      const adm = (c: IdentityCandidate) => rank[c.result.admission.status];
      return (
        adm(a) - adm(b) ||
        VERDICT_PREFERENCE[a.result.verdict] -
          VERDICT_PREFERENCE[b.result.verdict] ||
        (KIND_PREFERENCE[a.identity.kind] ?? 2) -
          (KIND_PREFERENCE[b.identity.kind] ?? 2) ||
        a.identity.name.localeCompare(b.identity.name)
      );
    });
}

/** The failing and warning checks, as one line each. */
export function problemLines(checks: Check[]): string[] {
  return checks
    .filter(c => c.status === 'fail' || c.status === 'warn')
    .map(c => `${c.id} ${c.status}: ${c.message}`);
}
