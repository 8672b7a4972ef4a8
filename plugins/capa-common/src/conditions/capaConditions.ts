/*
 * CAPA's own word on a cluster's identity, beside our verdict.
 *
 * CAPA writes conditions on the object that carries `identityRef` (AWSCluster, AWSManagedControlPlane):
 * - `PrincipalUsageAllowed`: the identity and every source identity in its chain admit the object's namespace
 *   (False with reason `PrincipalUsageUnauthorized` / `SourcePrincipalUsageUnauthorized`);
 * - `PrincipalCredentialRetrieved`: the chain's credentials could be retrieved, i.e. the AssumeRole calls
 *   worked (False with `PrincipalCredentialRetrievalFailed` / `CredentialProviderBuildFailed`);
 * - and the infrastructure ones (`VpcReady`, `SubnetsReady`, `LoadBalancerReady`, `EKSControlPlaneReady`, ...).
 * (CAPA's api/v1beta2 conditions_consts.go and pkg/cloud/scope/session.go.) Where they live: the vendored CRDs
 * (CAPA v2.11) have CAPI v1beta1-style `status.conditions` (type, status, severity, reason, message,
 * lastTransitionTime); CAPA's move to the CAPI v1beta2 contract adds metav1 conditions (with
 * `observedGeneration`) under `status.v1beta2.conditions`, and later keeps the old ones under
 * `status.deprecated.v1beta1.conditions`. All three places are read.
 *
 * CAPA sets these only while it reconciles, so they go stale: a condition is flagged stale when it transitioned
 * before the carrier's (or, for the Principal* conditions, an identity's) last spec change, or when its
 * `observedGeneration` (or the status's) is behind `metadata.generation`.
 *
 * Pure (no I/O). It sits outside ../trust on purpose: the engine is being split into trust/checks; once that
 * lands, this comparison belongs beside the checks (a `capa-conditions` view of the cluster report).
 */
import type { Check, ClusterCondition, KubeObject, Verdict } from '../types';

/** @public */
export const PRINCIPAL_USAGE_ALLOWED = 'PrincipalUsageAllowed';
/** @public */
export const PRINCIPAL_CREDENTIAL_RETRIEVED = 'PrincipalCredentialRetrieved';

/** @public */
export type CapaConditionSource =
  | 'status.conditions'
  | 'status.v1beta2.conditions'
  | 'status.deprecated.v1beta1.conditions';

/**
 * One condition CAPA wrote, where it was found, and why it may be stale.
 *
 * @public
 */
export interface CapaCondition extends ClusterCondition {
  source: CapaConditionSource;
  observedGeneration?: number;
  /** Why the condition may not reflect the current objects (absent: no sign of staleness). */
  stale?: string;
}

/**
 * How CAPA's principal conditions compare with our verdict:
 * - `agree`: both say usable, or both say broken;
 * - `capa-allows-we-broken`: CAPA says PrincipalUsageAllowed (and no credential failure), we say broken;
 * - `capa-refuses-we-allow`: CAPA says a Principal* condition is False, we say trusted / configured / degraded;
 * - `no-capa-word`: CAPA wrote no Principal* condition (not reconciled yet, or a GitOps manifest), or our
 *   verdict is `unknown`.
 *
 * @public
 */
export type CapaAgreement =
  | 'agree'
  | 'capa-allows-we-broken'
  | 'capa-refuses-we-allow'
  | 'no-capa-word';

/** @public */
export interface CapaConditionsReport {
  /** The object CAPA wrote the conditions on. */
  object: {
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
  };
  generation?: number;
  observedGeneration?: number;
  /** Last spec change of the object (newest non-status managedFields time, else creationTimestamp). */
  lastChange?: string;
  conditions: CapaCondition[];
  agreement: CapaAgreement;
  /** The disagreement in one sentence (only when agreement is capa-allows-we-broken / capa-refuses-we-allow). */
  disagreement?: string;
  /** True when any condition is flagged stale. */
  stale: boolean;
}

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readList(v: unknown, source: CapaConditionSource): CapaCondition[] {
  if (!Array.isArray(v)) return [];
  const out: CapaCondition[] = [];
  for (const c of v) {
    if (!isObj(c) || typeof c.type !== 'string') continue;
    const str = (k: string) => (typeof c[k] === 'string' ? c[k] : undefined);
    out.push({
      type: c.type,
      status: str('status') ?? 'Unknown',
      reason: str('reason'),
      message: str('message'),
      lastTransitionTime: str('lastTransitionTime'),
      severity: str('severity'),
      source,
      observedGeneration:
        typeof c.observedGeneration === 'number'
          ? c.observedGeneration
          : undefined,
    });
  }
  return out;
}

/**
 * Every condition of the object, v1beta2 (metav1) first: for a type in both lists the newer contract wins.
 *
 * @public
 */
export function readCapaConditions(object: KubeObject): CapaCondition[] {
  const status = isObj((object as any).status) ? (object as any).status : {};
  const lists = [
    readList(status.v1beta2?.conditions, 'status.v1beta2.conditions'),
    readList(status.conditions, 'status.conditions'),
    readList(
      status.deprecated?.v1beta1?.conditions,
      'status.deprecated.v1beta1.conditions',
    ),
  ];
  const seen = new Set<string>();
  const out: CapaCondition[] = [];
  for (const c of lists.flat()) {
    if (seen.has(c.type)) continue;
    seen.add(c.type);
    out.push(c);
  }
  return out;
}

/**
 * When the object's spec (or metadata) last changed: the newest `metadata.managedFields[].time` of a write that
 * was not to the status subresource, else `creationTimestamp`. GitOps manifests carry neither: undefined.
 *
 * @public
 */
export function lastChangeOf(
  object: KubeObject | undefined,
): string | undefined {
  if (!object) return undefined;
  const md = object.metadata ?? ({} as KubeObject['metadata']);
  let newest: number | undefined;
  let newestText: string | undefined;
  const fields = Array.isArray(md.managedFields) ? md.managedFields : [];
  for (const f of fields as unknown[]) {
    if (!isObj(f) || f.subresource === 'status' || typeof f.time !== 'string')
      continue;
    const t = Date.parse(f.time);
    if (!Number.isNaN(t) && (newest === undefined || t > newest)) {
      newest = t;
      newestText = f.time;
    }
  }
  return newestText ?? md.creationTimestamp ?? undefined;
}

function olderThan(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return !Number.isNaN(ta) && !Number.isNaN(tb) && ta < tb;
}

function staleness(
  c: CapaCondition,
  carrier: KubeObject,
  identities: KubeObject[],
): string | undefined {
  const generation = (carrier.metadata as any).generation;
  const statusObserved = (carrier as any).status?.observedGeneration;
  if (typeof generation === 'number') {
    const observed = c.observedGeneration ?? statusObserved;
    if (typeof observed === 'number' && observed < generation)
      return `observedGeneration ${observed} is behind generation ${generation}`;
  }
  const carrierChange = lastChangeOf(carrier);
  if (olderThan(c.lastTransitionTime, carrierChange))
    return `last transition ${c.lastTransitionTime} is older than the ${carrier.kind}'s last change ${carrierChange}`;
  if (
    c.type === PRINCIPAL_USAGE_ALLOWED ||
    c.type === PRINCIPAL_CREDENTIAL_RETRIEVED
  ) {
    for (const identity of identities) {
      const change = lastChangeOf(identity);
      if (olderThan(c.lastTransitionTime, change))
        return `last transition ${c.lastTransitionTime} is older than ${identity.kind}/${identity.metadata.name}'s last change ${change}`;
    }
  }
  return undefined;
}

const USABLE: Verdict[] = ['trusted', 'configured', 'degraded'];

function compare(
  conditions: CapaCondition[],
  verdict: Verdict,
  checks: Check[],
): Pick<CapaConditionsReport, 'agreement' | 'disagreement'> {
  const usage = conditions.find(c => c.type === PRINCIPAL_USAGE_ALLOWED);
  const credential = conditions.find(
    c => c.type === PRINCIPAL_CREDENTIAL_RETRIEVED,
  );
  if ((!usage && !credential) || verdict === 'unknown')
    return { agreement: 'no-capa-word' };
  const refused = [usage, credential].filter(c => c?.status === 'False');
  const failing = checks.filter(c => c.status === 'fail').map(c => c.id);
  if (refused.length > 0) {
    if (!USABLE.includes(verdict)) return { agreement: 'agree' };
    return {
      agreement: 'capa-refuses-we-allow',
      disagreement: `CAPA says ${refused
        .map(c => `${c!.type}=False${c!.reason ? ` (${c!.reason})` : ''}`)
        .join(', ')}, but our checks find the chain ${verdict}`,
    };
  }
  if (usage?.status === 'True' && verdict === 'broken') {
    return {
      agreement: 'capa-allows-we-broken',
      disagreement: `CAPA says ${PRINCIPAL_USAGE_ALLOWED}=True${
        credential?.status === 'True'
          ? ` and ${PRINCIPAL_CREDENTIAL_RETRIEVED}=True`
          : ''
      }, but our checks find the chain broken (${failing.join(', ')})`,
    };
  }
  return { agreement: 'agree' };
}

/**
 * CAPA's conditions on `carrier` (the AWSCluster / AWSManagedControlPlane carrying identityRef), each flagged
 * when stale, and compared with our verdict and checks. `identities`: the chain's identity objects found.
 *
 * @public
 */
export function capaConditionsReport(
  carrier: KubeObject,
  identities: KubeObject[],
  verdict: Verdict,
  checks: Check[],
): CapaConditionsReport {
  const conditions = readCapaConditions(carrier).map(c => {
    const stale = staleness(c, carrier, identities);
    return stale ? { ...c, stale } : c;
  });
  const generation = (carrier.metadata as any).generation;
  const observed = (carrier as any).status?.observedGeneration;
  const lastChange = lastChangeOf(carrier);
  return {
    object: {
      apiVersion: carrier.apiVersion,
      kind: carrier.kind,
      ...(carrier.metadata.namespace
        ? { namespace: carrier.metadata.namespace }
        : {}),
      name: carrier.metadata.name,
    },
    ...(typeof generation === 'number' ? { generation } : {}),
    ...(typeof observed === 'number' ? { observedGeneration: observed } : {}),
    ...(lastChange ? { lastChange } : {}),
    conditions,
    ...compare(conditions, verdict, checks),
    stale: conditions.some(c => c.stale),
  };
}
