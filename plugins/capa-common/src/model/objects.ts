/* eslint-disable no-nested-ternary */
/*
 * Parsing CAPA / CAPI objects in every version we meet (CAPA v1alpha3, v1alpha4, v1beta1, v1beta2;
 * CAPI Cluster v1beta1 and v1beta2). Malformed objects become InputProblems; nothing here throws.
 */
import type {
  ClusterCondition,
  IdentityRef,
  InputProblem,
  KubeObject,
  LocatedObject,
  SourceLocation,
} from '../types';
import { allowedNamespacesShapeError } from './allowedNamespaces';
import {
  CAPI_GROUP,
  CAPI_OPERATOR_GROUP,
  splitApiVersion,
} from './apiVersions';

export const CONTROLLER_IDENTITY_KIND = 'AWSClusterControllerIdentity';
export const ROLE_IDENTITY_KIND = 'AWSClusterRoleIdentity';
export const STATIC_IDENTITY_KIND = 'AWSClusterStaticIdentity';
export const IDENTITY_KINDS = [
  CONTROLLER_IDENTITY_KIND,
  ROLE_IDENTITY_KIND,
  STATIC_IDENTITY_KIND,
] as const;
/** `infrav1.AWSClusterControllerIdentityName`: the singleton's only acceptable name. */
export const CONTROLLER_IDENTITY_NAME = 'default';
/** What CAPA's defaulting webhooks set when identityRef is omitted. */
export const DEFAULT_IDENTITY_REF: IdentityRef = {
  kind: CONTROLLER_IDENTITY_KIND,
  name: CONTROLLER_IDENTITY_NAME,
};

/** Kinds that carry `identityRef`. */
export const CARRIER_KINDS = [
  'AWSCluster',
  'AWSManagedControlPlane',
  'ROSAControlPlane',
  'AWSClusterTemplate',
  'AWSManagedControlPlaneTemplate',
] as const;
export type CarrierKind = (typeof CARRIER_KINDS)[number];

export interface ParsedIdentity {
  kind: string;
  name: string;
  apiVersion: string;
  location: SourceLocation;
  /** Raw value (shape validated): `undefined`/`null` mean "deny all". */
  allowedNamespaces: unknown;
  roleArn?: string;
  sourceIdentityRef?: IdentityRef;
  externalId?: string;
  /** 0 when not set. */
  durationSeconds: number;
  sessionName?: string;
  inlinePolicy?: string;
  policyArns?: string[];
  secretRef?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ParsedCarrier {
  kind: CarrierKind;
  namespace: string;
  name: string;
  apiVersion: string;
  location: SourceLocation;
  /** As written; undefined when omitted (CAPA then defaults it). */
  identityRef?: IdentityRef;
  region?: string;
  version?: string;
  apiServer?: string;
  eksClusterName?: string;
  /** The owning CAPI Cluster name, from the `cluster.x-k8s.io/cluster-name` label or an owner reference. */
  ownerCluster?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ObjectRefLite {
  kind: string;
  name: string;
  apiVersion?: string;
  apiGroup?: string;
  namespace?: string;
}

export interface ParsedCluster {
  namespace: string;
  name: string;
  apiVersion: string;
  location: SourceLocation;
  infrastructureRef?: ObjectRefLite;
  controlPlaneRef?: ObjectRefLite;
  topology?: {
    className: string;
    classNamespace?: string;
    version?: string;
    variables: Array<{ name: string; value: unknown }>;
  };
  phase?: string;
  conditions: ClusterCondition[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  infrastructureReady?: boolean;
  controlPlaneReady?: boolean;
}

export interface ParsedClusterClass {
  namespace: string;
  name: string;
  apiVersion: string;
  infrastructureTemplate?: ObjectRefLite;
  controlPlaneTemplate?: ObjectRefLite;
}

export interface ParsedInfrastructureProvider {
  namespace: string;
  name: string;
  apiVersion: string;
  location: SourceLocation;
  watchFilter?: string;
  configSecret?: string;
}

export interface ParsedObjects {
  clusters: ParsedCluster[];
  carriers: ParsedCarrier[];
  identities: ParsedIdentity[];
  /** `Kind/name` -> identity (first wins). */
  identityIndex: Map<string, ParsedIdentity>;
  /** Identity keys that were present but malformed (skipped). */
  malformedIdentities: Set<string>;
  /** Namespace name -> labels. */
  namespaces: Map<string, Record<string, string>>;
  clusterClasses: ParsedClusterClass[];
  infrastructureProviders: ParsedInfrastructureProvider[];
  /** Other kubeadm control planes: namespace/name -> version, for kubernetesVersion. */
  controlPlaneVersions: Map<string, string>;
  problems: InputProblem[];
}

export function identityKey(ref: IdentityRef): string {
  return `${ref.kind}/${ref.name}`;
}

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const hasOwn = (o: object, k: string) =>
  Object.prototype.hasOwnProperty.call(o, k);

/** True for a plain object whose every key maps to a string: such a map needs no copy. */
function isPlainStringMap(v: Record<string, any>): boolean {
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v)
    if (!hasOwn(v, k) || k === '__proto__' || typeof v[k] !== 'string')
      return false;
  return true;
}

/**
 * The string entries of a map. Labels and annotations are nearly always plain string maps already: they are
 * used as they are (the parsed objects never change them), not copied once per object.
 */
function strMap(v: unknown): Record<string, string> | undefined {
  if (!isObj(v)) return undefined;
  if (isPlainStringMap(v)) return v as Record<string, string>;
  // for…in over own keys: the same keys in the same order as Object.entries, without its [key, value] arrays.
  const out: Record<string, string> = {};
  for (const k in v) {
    if (!hasOwn(v, k)) continue;
    const val = v[k];
    if (typeof val === 'string') out[k] = val;
  }
  return out;
}

const RELEVANT_GROUPS = new Set([
  'infrastructure.cluster.x-k8s.io',
  'controlplane.cluster.x-k8s.io',
  CAPI_GROUP,
  CAPI_OPERATOR_GROUP,
]);

class ShapeError extends Error {}

function fail(msg: string): never {
  throw new ShapeError(msg);
}

function optString(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(`${path} must be a string`);
  return v;
}

function parseIdentityRef(v: unknown, path: string): IdentityRef | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) fail(`${path} must be an object with kind and name`);
  if (typeof v.kind !== 'string' || !v.kind)
    fail(`${path}.kind must be a non-empty string`);
  if (typeof v.name !== 'string' || !v.name)
    fail(`${path}.name must be a non-empty string`);
  return { kind: v.kind, name: v.name };
}

function parseRef(
  v: unknown,
  path: string,
  defaultNamespace?: string,
): ObjectRefLite | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) fail(`${path} must be an object`);
  if (typeof v.kind !== 'string' || typeof v.name !== 'string')
    fail(`${path} needs string kind and name`);
  return {
    kind: v.kind,
    name: v.name,
    apiVersion: typeof v.apiVersion === 'string' ? v.apiVersion : undefined,
    apiGroup:
      typeof v.apiGroup === 'string'
        ? v.apiGroup
        : typeof v.apiVersion === 'string'
        ? splitApiVersion(v.apiVersion).group
        : undefined,
    namespace: typeof v.namespace === 'string' ? v.namespace : defaultNamespace,
  };
}

/** Reads both condition styles (CAPI v1beta1: severity; v1beta2 / metav1: observedGeneration). */
export function parseConditions(v: unknown): ClusterCondition[] {
  if (!Array.isArray(v)) return [];
  const out: ClusterCondition[] = [];
  for (const c of v) {
    if (!isObj(c) || typeof c.type !== 'string') continue;
    out.push({
      type: c.type,
      status: typeof c.status === 'string' ? c.status : 'Unknown',
      reason: typeof c.reason === 'string' ? c.reason : undefined,
      message: typeof c.message === 'string' ? c.message : undefined,
      lastTransitionTime:
        typeof c.lastTransitionTime === 'string'
          ? c.lastTransitionTime
          : undefined,
      severity: typeof c.severity === 'string' ? c.severity : undefined,
    });
  }
  return out;
}

function mergeConditions(
  primary: ClusterCondition[],
  ...others: ClusterCondition[][]
): ClusterCondition[] {
  // Nothing to merge (the common case): primary is this object's own fresh list, no copy needed.
  if (others.every(list => list.length === 0)) return primary;
  const seen = new Set(primary.map(c => c.type));
  const out = [...primary];
  for (const list of others) {
    for (const c of list) {
      if (!seen.has(c.type)) {
        seen.add(c.type);
        out.push(c);
      }
    }
  }
  return out;
}

function ownerClusterOf(meta: Record<string, any>): string | undefined {
  const label = meta.labels?.['cluster.x-k8s.io/cluster-name'];
  if (typeof label === 'string' && label) return label;
  if (Array.isArray(meta.ownerReferences)) {
    for (const o of meta.ownerReferences) {
      if (isObj(o) && o.kind === 'Cluster' && typeof o.name === 'string')
        return o.name;
    }
  }
  return undefined;
}

function describe(obj: KubeObject): string {
  const ns =
    typeof obj.metadata?.namespace === 'string' && obj.metadata.namespace
      ? `${obj.metadata.namespace}/`
      : '';
  return `${obj.kind}/${ns}${obj.metadata?.name ?? '?'}`;
}

/**
 * Parses the objects of one management cluster. Unknown kinds are ignored; malformed objects of the kinds we
 * read are reported and skipped.
 */
export function parseObjects(located: LocatedObject[]): ParsedObjects {
  const out: ParsedObjects = {
    clusters: [],
    carriers: [],
    identities: [],
    identityIndex: new Map(),
    malformedIdentities: new Set(),
    namespaces: new Map(),
    clusterClasses: [],
    infrastructureProviders: [],
    controlPlaneVersions: new Map(),
    problems: [],
  };
  const seen = new Set<string>();
  const list = Array.isArray(located) ? located : [];
  for (const item of list) {
    try {
      parseOne(item, out, seen);
    } catch (e) {
      const loc =
        isObj(item) && isObj(item.location)
          ? (item.location as SourceLocation)
          : { source: 'unknown' };
      out.problems.push({
        source: String(loc.source ?? 'unknown'),
        line: loc.line,
        message: `object could not be read: ${
          e instanceof Error ? e.message : String(e)
        }`,
        severity: 'error',
      });
    }
  }
  return out;
}

function parseOne(item: LocatedObject, out: ParsedObjects, seen: Set<string>) {
  const location: SourceLocation =
    isObj(item) &&
    isObj(item.location) &&
    typeof item.location.source === 'string'
      ? {
          source: item.location.source,
          line:
            typeof item.location.line === 'number'
              ? item.location.line
              : undefined,
        }
      : { source: 'unknown' };
  const problem = (
    message: string,
    severity: 'error' | 'warning' = 'error',
    object?: string,
  ) =>
    out.problems.push({
      source: location.source,
      line: location.line,
      object,
      message,
      severity,
    });
  const obj = isObj(item) ? (item.object as unknown) : undefined;
  if (!isObj(obj)) {
    problem(
      'document is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)',
      'warning',
    );
    return;
  }
  const kind = obj.kind;
  const apiVersion = obj.apiVersion;
  if (
    typeof kind !== 'string' ||
    !kind ||
    typeof apiVersion !== 'string' ||
    !apiVersion
  ) {
    problem(
      'object has no apiVersion / kind: not a Kubernetes object',
      'warning',
    );
    return;
  }
  const { group } = splitApiVersion(apiVersion);
  const relevant =
    RELEVANT_GROUPS.has(group) || (group === '' && kind === 'Namespace');
  if (!relevant) return;
  const meta = obj.metadata;
  if (!isObj(meta)) {
    problem(`${kind} has no metadata: skipped`, 'error', `${kind}/?`);
    return;
  }
  if (typeof meta.name !== 'string' || !meta.name) {
    problem(`${kind} has no metadata.name: skipped`, 'error', `${kind}/?`);
    return;
  }
  if (
    meta.namespace !== undefined &&
    meta.namespace !== null &&
    typeof meta.namespace !== 'string'
  ) {
    problem(
      `${kind}/${meta.name}: metadata.namespace must be a string: skipped`,
      'error',
      `${kind}/${meta.name}`,
    );
    return;
  }
  if (
    meta.labels !== undefined &&
    meta.labels !== null &&
    !isObj(meta.labels)
  ) {
    problem(
      `${kind}/${meta.name}: metadata.labels must be a map: skipped`,
      'error',
      `${kind}/${meta.name}`,
    );
    return;
  }
  const k = obj as KubeObject;
  const name: string = meta.name;
  const namespace: string =
    typeof meta.namespace === 'string' && meta.namespace
      ? meta.namespace
      : 'default';
  if (obj.spec !== undefined && obj.spec !== null && !isObj(obj.spec)) {
    const desc = describe(k);
    problem(`${desc}: spec must be an object: skipped`, 'error', desc);
    if ((IDENTITY_KINDS as readonly string[]).includes(kind))
      out.malformedIdentities.add(`${kind}/${name}`);
    return;
  }
  const spec: Record<string, any> = isObj(obj.spec) ? obj.spec : {};
  const status: Record<string, any> = isObj(obj.status) ? obj.status : {};

  try {
    if (kind === 'Namespace' && group === '') {
      out.namespaces.set(name, strMap(meta.labels) ?? {});
      return;
    }
    if (
      (IDENTITY_KINDS as readonly string[]).includes(kind) &&
      group === 'infrastructure.cluster.x-k8s.io'
    ) {
      const key = `${kind}/${name}`;
      const shape = allowedNamespacesShapeError(spec.allowedNamespaces);
      if (shape) fail(`spec.${shape}`);
      let durationSeconds = 0;
      if (spec.durationSeconds !== undefined && spec.durationSeconds !== null) {
        if (
          typeof spec.durationSeconds !== 'number' ||
          !Number.isInteger(spec.durationSeconds)
        ) {
          fail('spec.durationSeconds must be an integer');
        }
        durationSeconds = spec.durationSeconds;
      }
      let policyArns: string[] | undefined;
      if (spec.policyARNs !== undefined && spec.policyARNs !== null) {
        if (
          !Array.isArray(spec.policyARNs) ||
          spec.policyARNs.some((x: unknown) => typeof x !== 'string')
        ) {
          fail('spec.policyARNs must be a list of strings');
        }
        policyArns = spec.policyARNs;
      }
      const identity: ParsedIdentity = {
        kind,
        name,
        apiVersion,
        location,
        allowedNamespaces: spec.allowedNamespaces,
        roleArn:
          kind === ROLE_IDENTITY_KIND
            ? optString(spec.roleARN, 'spec.roleARN')
            : undefined,
        sourceIdentityRef:
          kind === ROLE_IDENTITY_KIND
            ? parseIdentityRef(spec.sourceIdentityRef, 'spec.sourceIdentityRef')
            : undefined,
        externalId:
          kind === ROLE_IDENTITY_KIND
            ? optString(spec.externalID, 'spec.externalID')
            : undefined,
        durationSeconds,
        sessionName: optString(spec.sessionName, 'spec.sessionName'),
        inlinePolicy: optString(spec.inlinePolicy, 'spec.inlinePolicy'),
        policyArns,
        secretRef:
          kind === STATIC_IDENTITY_KIND
            ? optString(spec.secretRef, 'spec.secretRef')
            : undefined,
        labels: strMap(meta.labels),
        annotations: strMap(meta.annotations),
      };
      if (kind === ROLE_IDENTITY_KIND && !identity.roleArn)
        fail('spec.roleARN is required');
      if (kind === STATIC_IDENTITY_KIND && !identity.secretRef)
        fail('spec.secretRef is required');
      if (out.identityIndex.has(key)) {
        const first = out.identityIndex.get(key)!;
        problem(
          `${key} is defined more than once (first at ${first.location.source}${
            first.location.line ? `:${first.location.line}` : ''
          }); the first is used`,
          'warning',
          key,
        );
        return;
      }
      out.identities.push(identity);
      out.identityIndex.set(key, identity);
      return;
    }
    if ((CARRIER_KINDS as readonly string[]).includes(kind)) {
      const isTemplate = kind.endsWith('Template');
      let s = spec;
      if (isTemplate) {
        const tmpl = spec.template;
        if (tmpl !== undefined && tmpl !== null && !isObj(tmpl))
          fail('spec.template must be an object');
        const ts = isObj(tmpl) ? tmpl.spec : undefined;
        if (ts !== undefined && ts !== null && !isObj(ts))
          fail('spec.template.spec must be an object');
        s = isObj(ts) ? ts : {};
      }
      const path = isTemplate ? 'spec.template.spec' : 'spec';
      const endpoint = isObj(s.controlPlaneEndpoint)
        ? s.controlPlaneEndpoint
        : undefined;
      const host =
        endpoint && typeof endpoint.host === 'string' && endpoint.host
          ? endpoint.host
          : undefined;
      const port =
        endpoint && typeof endpoint.port === 'number' && endpoint.port
          ? endpoint.port
          : undefined;
      const carrier: ParsedCarrier = {
        kind: kind as CarrierKind,
        namespace,
        name,
        apiVersion,
        location,
        identityRef: parseIdentityRef(s.identityRef, `${path}.identityRef`),
        region: optString(s.region, `${path}.region`),
        version: typeof s.version === 'string' ? s.version : undefined,
        apiServer: host
          ? host.startsWith('http')
            ? host
            : `https://${host}${port && port !== 443 ? `:${port}` : ''}`
          : undefined,
        eksClusterName:
          typeof s.eksClusterName === 'string' ? s.eksClusterName : undefined,
        ownerCluster: ownerClusterOf(meta),
        labels: strMap(meta.labels),
        annotations: strMap(meta.annotations),
      };
      out.carriers.push(carrier);
      return;
    }
    if (kind === 'Cluster' && group === CAPI_GROUP) {
      const topo = spec.topology;
      let topology: ParsedCluster['topology'];
      if (topo !== undefined && topo !== null) {
        if (!isObj(topo)) fail('spec.topology must be an object');
        const className =
          typeof topo.class === 'string'
            ? topo.class
            : isObj(topo.classRef) && typeof topo.classRef.name === 'string'
            ? topo.classRef.name
            : undefined;
        const classNamespace =
          typeof topo.classNamespace === 'string'
            ? topo.classNamespace
            : isObj(topo.classRef) &&
              typeof topo.classRef.namespace === 'string'
            ? topo.classRef.namespace
            : undefined;
        const variables = Array.isArray(topo.variables)
          ? topo.variables.filter(
              (v: unknown) => isObj(v) && typeof (v as any).name === 'string',
            )
          : [];
        if (className)
          topology = {
            className,
            classNamespace,
            version:
              typeof topo.version === 'string' ? topo.version : undefined,
            variables,
          };
      }
      const v1b2 = isObj(status.v1beta2)
        ? parseConditions(status.v1beta2.conditions)
        : [];
      const dep =
        isObj(status.deprecated) && isObj(status.deprecated.v1beta1)
          ? parseConditions(status.deprecated.v1beta1.conditions)
          : [];
      const init = isObj(status.initialization)
        ? status.initialization
        : undefined;
      out.clusters.push({
        namespace,
        name,
        apiVersion,
        location,
        infrastructureRef: parseRef(
          spec.infrastructureRef,
          'spec.infrastructureRef',
          namespace,
        ),
        controlPlaneRef: parseRef(
          spec.controlPlaneRef,
          'spec.controlPlaneRef',
          namespace,
        ),
        topology,
        phase: typeof status.phase === 'string' ? status.phase : undefined,
        conditions: mergeConditions(
          parseConditions(status.conditions),
          v1b2,
          dep,
        ),
        labels: strMap(meta.labels),
        annotations: strMap(meta.annotations),
        infrastructureReady:
          typeof status.infrastructureReady === 'boolean'
            ? status.infrastructureReady
            : init && typeof init.infrastructureProvisioned === 'boolean'
            ? init.infrastructureProvisioned
            : undefined,
        controlPlaneReady:
          typeof status.controlPlaneReady === 'boolean'
            ? status.controlPlaneReady
            : init && typeof init.controlPlaneInitialized === 'boolean'
            ? init.controlPlaneInitialized
            : undefined,
      });
      return;
    }
    if (kind === 'ClusterClass' && group === CAPI_GROUP) {
      const infra = isObj(spec.infrastructure)
        ? spec.infrastructure
        : undefined;
      const cp = isObj(spec.controlPlane) ? spec.controlPlane : undefined;
      out.clusterClasses.push({
        namespace,
        name,
        apiVersion,
        infrastructureTemplate: infra
          ? parseRef(
              infra.ref ?? infra.templateRef,
              'spec.infrastructure.ref',
              namespace,
            )
          : undefined,
        controlPlaneTemplate: cp
          ? parseRef(
              cp.ref ?? cp.templateRef,
              'spec.controlPlane.ref',
              namespace,
            )
          : undefined,
      });
      return;
    }
    if (kind === 'InfrastructureProvider' && group === CAPI_OPERATOR_GROUP) {
      const args =
        isObj(spec.manager) && isObj(spec.manager.additionalArgs)
          ? spec.manager.additionalArgs
          : {};
      const wf = args['watch-filter'] ?? args['--watch-filter'];
      out.infrastructureProviders.push({
        namespace,
        name,
        apiVersion,
        location,
        watchFilter: typeof wf === 'string' ? wf : undefined,
        configSecret:
          isObj(spec.configSecret) && typeof spec.configSecret.name === 'string'
            ? spec.configSecret.name
            : undefined,
      });
      return;
    }
    if (
      kind.endsWith('ControlPlane') &&
      group === 'controlplane.cluster.x-k8s.io' &&
      typeof spec.version === 'string'
    ) {
      out.controlPlaneVersions.set(`${namespace}/${name}`, spec.version);
    }
  } catch (e) {
    if (e instanceof ShapeError) {
      const desc = describe(k);
      problem(`${desc}: ${e.message}: skipped`, 'error', desc);
      if ((IDENTITY_KINDS as readonly string[]).includes(kind))
        out.malformedIdentities.add(`${kind}/${name}`);
      return;
    }
    throw e;
  }
  void seen;
}
