/*
 * A workload cluster's report: its facts (phase, region, version, owner, EKS endpoint...) and its chain's checks
 * with the cluster's own in their place (namespace-allowed for its namespace, static-credentials of CAPI
 * Operator providers, api-version of its objects).
 */
import type {
  Check,
  CheckId,
  ClusterReport,
  EksClusterPlan,
  SourceLocation as ObjectLocation,
} from '../../types';
import { CHECK_IDS } from '../../types';
import {
  OBJECT_ANNOTATION_OWNER,
  OBJECT_ANNOTATION_SYSTEM,
} from '../../catalog';
import type { ClusterUnit, MgmtContext } from '../context';
import { evaluateChain } from '../evaluateChain';
import { eksClusterKey } from '../../types';
import type { ChainEvaluation, Engine, ObjectApiVersion } from '../types';
import { verdictOf } from '../verdict';
import { objectApiVersionCheck } from '../checks/apiVersion';
import {
  identityRefUnknownCheck,
  withIdentityRefNote,
} from '../checks/identityExists';
import { chainNamespaceCheck } from '../checks/namespaceAllowed';
import {
  operatorProviderFor,
  operatorStaticCredentialsCheck,
} from '../checks/staticCredentials';

type ClusterFacts = Omit<
  ClusterReport,
  'verdict' | 'checks' | 'chain' | 'identityRef' | 'apiVersions'
>;

/**
 * The eks:DescribeCluster lookup of an EKS cluster (an `AWSManagedControlPlane` with a region) whose chain can be
 * assumed, or undefined. CAPA names the EKS cluster `spec.eksClusterName`, else `<namespace>_<name>`.
 */
export function eksLookupOf(
  unit: ClusterUnit,
  ev: ChainEvaluation,
): EksClusterPlan | undefined {
  const carrier = unit.carrier;
  if (!carrier || carrier.kind !== 'AWSManagedControlPlane') return undefined;
  if (!ev.plan || !carrier.region) return undefined;
  const name = carrier.eksClusterName ?? `${unit.namespace}_${carrier.name}`;
  return {
    key: eksClusterKey(ev.plan.key, carrier.region, name),
    chainKey: ev.plan.key,
    region: carrier.region,
    name,
  };
}

function objectApiVersions(unit: ClusterUnit): ObjectApiVersion[] {
  const out: ObjectApiVersion[] = [];
  const { cluster, carrier } = unit;
  const add = (
    kind: string,
    o: { name: string; apiVersion: string; location: ObjectLocation },
  ) =>
    out.push({
      kind,
      name: o.name,
      apiVersion: o.apiVersion,
      line: o.location.line,
      source: o.location.source,
    });
  if (cluster) add('Cluster', cluster);
  if (carrier) add(carrier.kind, carrier);
  return out;
}

function kubernetesVersionOf(
  mgmt: MgmtContext,
  unit: ClusterUnit,
): string | undefined {
  const { cluster, carrier } = unit;
  return (
    (carrier &&
    (carrier.kind === 'AWSManagedControlPlane' ||
      carrier.kind === 'ROSAControlPlane')
      ? carrier.version
      : undefined) ??
    cluster?.topology?.version ??
    (cluster?.controlPlaneRef
      ? mgmt.parsed.controlPlaneVersions.get(
          `${cluster.controlPlaneRef.namespace ?? cluster.namespace}/${
            cluster.controlPlaneRef.name
          }`,
        )
      : undefined)
  );
}

function clusterFacts(mgmt: MgmtContext, unit: ClusterUnit): ClusterFacts {
  const { cluster, carrier } = unit;
  const facts: ClusterFacts = {
    managementCluster: mgmt.name,
    namespace: unit.namespace,
    name: unit.name,
    flavour: unit.flavour,
    phase: cluster?.phase,
    region: carrier?.region,
    kubernetesVersion: kubernetesVersionOf(mgmt, unit),
    conditions: cluster?.conditions ?? [],
    labels: cluster?.labels ?? carrier?.labels,
    // Owner and system come from the object's annotations, else from the management cluster's config.
    owner:
      cluster?.annotations?.[OBJECT_ANNOTATION_OWNER] ??
      carrier?.annotations?.[OBJECT_ANNOTATION_OWNER] ??
      mgmt.input.owner,
    system:
      cluster?.annotations?.[OBJECT_ANNOTATION_SYSTEM] ??
      carrier?.annotations?.[OBJECT_ANNOTATION_SYSTEM] ??
      mgmt.input.system,
    location: cluster?.location ?? carrier?.location,
  };
  if (carrier)
    facts.infrastructureRef = {
      apiVersion: carrier.apiVersion,
      kind: carrier.kind,
      name: carrier.name,
    };
  if (carrier?.kind === 'AWSManagedControlPlane') {
    if (carrier.apiServer) facts.apiServer = carrier.apiServer;
    facts.eksClusterName =
      carrier.eksClusterName ?? `${unit.namespace}_${carrier.name}`;
  }
  return facts;
}

/** EKS: the API server endpoint and CA read live with eks:DescribeCluster, when they were. */
function addEksEndpoint(
  engine: Engine,
  facts: ClusterFacts,
  eks: EksClusterPlan | undefined,
) {
  const found = eks ? engine.fleet.live.eksClusters?.[eks.key] : undefined;
  if (found?.status !== 'found') return;
  if (found.certificateAuthorityData)
    facts.apiServerCaData = found.certificateAuthorityData;
  if (!facts.apiServer && found.endpoint) facts.apiServer = found.endpoint;
}

/**
 * The checks that depend on this cluster rather than on its chain (reachability.ts): namespace-allowed for its
 * namespace and api-version of its own manifests. (A CAPI Operator provider's static credentials are how CAPA
 * reaches the account for the clusters its watch-filter selects: reachability, see `operatorCheck`.)
 */
function ownChecks(
  engine: Engine,
  mgmt: MgmtContext,
  unit: ClusterUnit,
  ev: ChainEvaluation,
): Partial<Record<CheckId, Check>> {
  return {
    'namespace-allowed': namespaceCheck(engine, mgmt, ev, unit.namespace),
    'api-version': objectApiVersionCheck(
      objectApiVersions(unit),
      undefined,
      engine.apiCheckMemo,
    ),
  };
}

/**
 * The CAPI Operator provider whose static credentials CAPA runs with for this cluster (its chain starts from the
 * controller's credentials, which are then that provider's), with its static-credentials check; or undefined.
 */
function operatorOf(
  mgmt: MgmtContext,
  unit: ClusterUnit,
  ev: ChainEvaluation,
): { check: Check; via: string } | undefined {
  if (ev.chain.root !== 'controller') return undefined;
  const { infrastructureProviders } = mgmt.parsed;
  const provider = operatorProviderFor(
    infrastructureProviders,
    unit.cluster,
    unit.carrier,
  );
  const check = operatorStaticCredentialsCheck(
    infrastructureProviders,
    unit.cluster,
    unit.carrier,
  );
  return provider && check
    ? { check, via: `${provider.namespace}/${provider.name}` }
    : undefined;
}

/** The chain's checks with this cluster's own ones in their place, in the contract's order. */
function clusterChecks(
  engine: Engine,
  unit: ClusterUnit,
  ev: ChainEvaluation,
  own: Partial<Record<CheckId, Check>>,
  operator: Check | undefined,
): Check[] {
  const merged: Partial<Record<CheckId, Check>> = {
    'identity-exists': withIdentityRefNote(
      ev.checks.get('identity-exists')!,
      unit.identityRefNote,
    ),
    'namespace-allowed': own['namespace-allowed'],
    'static-credentials': operator ?? ev.staticCheck,
    // The cluster's objects and its chain's identities in one check, as before the split.
    'api-version': objectApiVersionCheck(
      objectApiVersions(unit),
      ev.apiVersionCheck,
      engine.apiCheckMemo,
    ),
  };
  const checks: Check[] = [];
  for (const id of CHECK_IDS) {
    const c = id in merged ? merged[id] : ev.checks.get(id);
    if (c) checks.push(c);
  }
  return checks;
}

/** namespace-allowed of a chain for one namespace, shared by the clusters of that namespace. */
function namespaceCheck(
  engine: Engine,
  mgmt: MgmtContext,
  ev: ChainEvaluation,
  namespace: string,
): Check {
  const cacheKey = `${ev.sig}\u0000${namespace}`;
  let c = engine.nsCache.get(cacheKey);
  if (!c) {
    c = chainNamespaceCheck(
      ev.chain,
      namespace,
      mgmt.parsed.namespaces.get(namespace),
    );
    engine.nsCache.set(cacheKey, c);
  }
  return c;
}

/** A cluster's report and its own checks (those that are not its chain's: reachability.ts). */
export interface ClusterAssessment {
  report: ClusterReport;
  own: Check[];
  /** `namespace/name` of the CAPI Operator InfrastructureProvider whose static credentials CAPA uses for it. */
  via?: string;
}

export function clusterReport(
  engine: Engine,
  mgmt: MgmtContext,
  unit: ClusterUnit,
): ClusterAssessment {
  const facts = clusterFacts(mgmt, unit);
  const objects = objectApiVersions(unit);
  if (!unit.identityRef) {
    // No identityRef could be read (no carrier, or an unreadable one): no chain, so every check is the cluster's.
    const checks: Check[] = [
      identityRefUnknownCheck(unit.missingCarrier),
      objectApiVersionCheck(objects, undefined, engine.apiCheckMemo),
    ];
    return {
      report: {
        ...facts,
        identityRef: { kind: 'unknown', name: '' },
        verdict: verdictOf(checks),
        checks,
        chain: [],
        apiVersions: [...new Set(objects.map(o => o.apiVersion))],
      },
      own: checks,
    };
  }
  const ev = evaluateChain(engine, mgmt, unit.identityRef);
  addEksEndpoint(engine, facts, eksLookupOf(unit, ev));
  const own = ownChecks(engine, mgmt, unit, ev);
  const operator = operatorOf(mgmt, unit, ev);
  const checks = clusterChecks(engine, unit, ev, own, operator?.check);
  const report: ClusterReport = {
    ...facts,
    accountId: ev.accountId,
    identityRef: unit.identityRef,
    verdict: verdictOf(checks),
    checks,
    chain: ev.chain.links,
    apiVersions: [
      ...new Set([...objects.map(o => o.apiVersion), ...ev.apiVersions]),
    ],
  };
  if (unit.identityRefDefaulted) report.identityRefDefaulted = true;
  const ownList = Object.values(own).filter((c): c is Check => !!c);
  // The identityRef itself names nothing: CAPA's k8sClient.Get of it fails for this cluster, there is no chain.
  if (ev.chain.links[0]?.missing)
    ownList.unshift(checks.find(c => c.id === 'identity-exists')!);
  return operator
    ? { report, own: ownList, via: operator.via }
    : { report, own: ownList };
}
