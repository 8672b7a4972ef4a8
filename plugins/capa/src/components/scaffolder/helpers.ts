import type {
  AccountTrustResponse,
  ChainLink,
  IdentityReport,
  Verdict,
} from '@capa-portal/plugin-capa-common';
import { isNamespaceAllowed } from '@capa-portal/plugin-capa-common';

export const VERDICT_LABEL: Record<Verdict, string> = {
  trusted: 'Trusted',
  configured: 'Configured',
  degraded: 'Degraded',
  broken: 'Broken',
  unknown: 'Unknown',
};

export function verdictLabel(verdict: string | undefined): string {
  return (verdict && VERDICT_LABEL[verdict as Verdict]) || 'Unknown';
}

/** Another field's value from the whole form (the scaffolder passes it as `formContext.formData`). */
export function formValue(
  formContext: unknown,
  field: string | undefined,
): string | undefined {
  if (!field) return undefined;
  const data = (
    formContext as { formData?: Record<string, unknown> } | undefined
  )?.formData;
  let cur: unknown = data;
  for (const part of field.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'string' && cur ? cur : undefined;
}

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface NamespaceOption {
  namespace: string;
  /** Identities whose whole chain admits it, with their verdicts. */
  identities: Array<{ kind: string; name: string; verdict: Verdict }>;
  /** Clusters of this account already in the namespace. */
  clusterCount: number;
}

export interface NamespaceChoices {
  options: NamespaceOption[];
  /** Identities that admit every namespace (allowedNamespaces {} along the whole chain). */
  admitAll: Array<{ kind: string; name: string; verdict: Verdict }>;
}

function linkAdmits(link: ChainLink, namespace: string): boolean | undefined {
  if (link.missing) return false;
  const d = isNamespaceAllowed(link.allowedNamespaces, namespace);
  return d.unknown ? undefined : d.allowed;
}

/**
 * Whether an identity's whole chain admits a namespace (CAPA checks every link). Selectors need the
 * Namespace's labels, which the report lacks: a cluster of the report in that namespace using the identity
 * with namespace-allowed passing decides then.
 */
export function identityAdmits(
  trust: AccountTrustResponse,
  identity: IdentityReport,
  namespace: string,
): boolean {
  const results = identity.chain.map(l => linkAdmits(l, namespace));
  if (results.every(r => r === true)) return true;
  if (results.some(r => r === false)) return false;
  return trust.clusters.some(
    c =>
      c.managementCluster === identity.managementCluster &&
      c.namespace === namespace &&
      c.identityRef.kind === identity.kind &&
      c.identityRef.name === identity.name &&
      c.checks.some(k => k.id === 'namespace-allowed' && k.status === 'pass'),
  );
}

function isAllowAll(identity: IdentityReport): boolean {
  // A namespace no list can name: only "allow all" links admit it without labels.
  const probe = 'capa-portal-probe-0000';
  return (
    identity.chain.length > 0 &&
    identity.chain.every(l => linkAdmits(l, probe) === true)
  );
}

/** The namespaces an account's identities admit on one management cluster (or all when not given). */
export function namespaceChoices(
  trust: AccountTrustResponse,
  managementCluster?: string,
): NamespaceChoices {
  const identities = trust.identities.filter(
    i => !managementCluster || i.managementCluster === managementCluster,
  );
  const candidates = new Set<string>();
  for (const i of identities) {
    for (const link of i.chain) {
      const list = (link.allowedNamespaces as { list?: unknown } | undefined)
        ?.list;
      if (Array.isArray(list))
        for (const n of list) if (typeof n === 'string') candidates.add(n);
    }
    for (const u of i.usedBy ?? []) candidates.add(u.namespace);
  }
  for (const c of trust.clusters)
    if (!managementCluster || c.managementCluster === managementCluster)
      candidates.add(c.namespace);
  const options: NamespaceOption[] = [];
  for (const namespace of [...candidates].sort()) {
    const admitting = identities
      .filter(i => identityAdmits(trust, i, namespace))
      .map(i => ({ kind: i.kind, name: i.name, verdict: i.verdict }));
    if (!admitting.length) continue;
    options.push({
      namespace,
      identities: admitting,
      clusterCount: trust.clusters.filter(
        c =>
          c.namespace === namespace &&
          (!managementCluster || c.managementCluster === managementCluster),
      ).length,
    });
  }
  return {
    options,
    admitAll: identities
      .filter(isAllowAll)
      .map(i => ({ kind: i.kind, name: i.name, verdict: i.verdict })),
  };
}
