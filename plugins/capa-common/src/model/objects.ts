/*
 * Parsing CAPA / CAPI objects in every version we meet (CAPA v1alpha3, v1alpha4, v1beta1, v1beta2;
 * CAPI Cluster v1beta1 and v1beta2). Malformed objects become InputProblems; nothing here throws.
 *
 * Each object's envelope (apiVersion, kind, metadata) is checked once here; its kind's parser (model/kinds/)
 * is then picked from PARSERS, the first row that matches.
 */
import type { KubeObject, LocatedObject, SourceLocation } from '../types';
import {
  CAPI_GROUP,
  CAPI_OPERATOR_GROUP,
  splitApiVersion,
} from './apiVersions';
import { CARRIER_KINDS, IDENTITY_KINDS, ParsedObjects } from './objectTypes';
import { describe, ObjectEnvelope, ShapeError } from './parseHelpers';
import { parseCarrier } from './kinds/carrier';
import { parseCluster } from './kinds/cluster';
import { parseClusterClass } from './kinds/clusterClass';
import { parseControlPlaneVersion } from './kinds/controlPlane';
import { parseIdentity } from './kinds/identity';
import { parseInfrastructureProvider } from './kinds/infrastructureProvider';
import { parseNamespace } from './kinds/namespace';
import { isRecord } from '../records';

export * from './objectTypes';
export { parseConditions } from './parseHelpers';

const INFRA_GROUP = 'infrastructure.cluster.x-k8s.io';
const CONTROLPLANE_GROUP = 'controlplane.cluster.x-k8s.io';
const RELEVANT_GROUPS = new Set([
  INFRA_GROUP,
  CONTROLPLANE_GROUP,
  CAPI_GROUP,
  CAPI_OPERATOR_GROUP,
]);

const isIdentityKind = (kind: string) =>
  (IDENTITY_KINDS as readonly string[]).includes(kind);

/** Which parser reads an object, by kind and API group: the first row that matches. */
const PARSERS: ReadonlyArray<{
  matches(kind: string, group: string): boolean;
  parse(o: ObjectEnvelope, out: ParsedObjects): void;
}> = [
  {
    matches: (kind, group) => kind === 'Namespace' && group === '',
    parse: parseNamespace,
  },
  {
    matches: (kind, group) => isIdentityKind(kind) && group === INFRA_GROUP,
    parse: parseIdentity,
  },
  {
    matches: kind => (CARRIER_KINDS as readonly string[]).includes(kind),
    parse: parseCarrier,
  },
  {
    matches: (kind, group) => kind === 'Cluster' && group === CAPI_GROUP,
    parse: parseCluster,
  },
  {
    matches: (kind, group) => kind === 'ClusterClass' && group === CAPI_GROUP,
    parse: parseClusterClass,
  },
  {
    matches: (kind, group) =>
      kind === 'InfrastructureProvider' && group === CAPI_OPERATOR_GROUP,
    parse: parseInfrastructureProvider,
  },
  {
    matches: (kind, group) =>
      kind.endsWith('ControlPlane') && group === CONTROLPLANE_GROUP,
    parse: parseControlPlaneVersion,
  },
];

function locationOf(item: unknown): SourceLocation {
  return isRecord(item) &&
    isRecord(item.location) &&
    typeof item.location.source === 'string'
    ? {
        source: item.location.source,
        line:
          typeof item.location.line === 'number'
            ? item.location.line
            : undefined,
      }
    : { source: 'unknown' };
}

/** The metadata problem that makes an object unreadable, or undefined. */
function metadataProblem(kind: string, meta: unknown): string | undefined {
  if (!isRecord(meta)) return `${kind} has no metadata: skipped`;
  if (typeof meta.name !== 'string' || !meta.name)
    return `${kind} has no metadata.name: skipped`;
  if (
    meta.namespace !== undefined &&
    meta.namespace !== null &&
    typeof meta.namespace !== 'string'
  )
    return `${kind}/${meta.name}: metadata.namespace must be a string: skipped`;
  if (
    meta.labels !== undefined &&
    meta.labels !== null &&
    !isRecord(meta.labels)
  )
    return `${kind}/${meta.name}: metadata.labels must be a map: skipped`;
  return undefined;
}

/**
 * The object of a document when it is one of the kinds we read and its envelope is sound; problems are
 * reported and undefined returned otherwise (objects of other API groups are ignored silently).
 */
function readEnvelope(
  item: LocatedObject,
  out: ParsedObjects,
): ObjectEnvelope | undefined {
  const location = locationOf(item);
  const problem: ObjectEnvelope['problem'] = (
    message,
    severity = 'error',
    object,
  ) =>
    out.problems.push({
      source: location.source,
      line: location.line,
      object,
      message,
      severity,
    });
  const obj = isRecord(item) ? (item.object as unknown) : undefined;
  if (!isRecord(obj)) {
    problem(
      'document is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)',
      'warning',
    );
    return undefined;
  }
  const { kind, apiVersion, metadata: meta } = obj;
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
    return undefined;
  }
  const { group } = splitApiVersion(apiVersion);
  if (!RELEVANT_GROUPS.has(group) && !(group === '' && kind === 'Namespace'))
    return undefined;
  const bad = metadataProblem(kind, meta);
  if (bad) {
    const object =
      isRecord(meta) && typeof meta.name === 'string' && meta.name
        ? `${kind}/${meta.name}`
        : `${kind}/?`;
    problem(bad, 'error', object);
    return undefined;
  }
  const name: string = meta.name;
  if (obj.spec !== undefined && obj.spec !== null && !isRecord(obj.spec)) {
    const desc = describe(obj as KubeObject);
    problem(`${desc}: spec must be an object: skipped`, 'error', desc);
    if (isIdentityKind(kind)) out.malformedIdentities.add(`${kind}/${name}`);
    return undefined;
  }
  return {
    kind,
    group,
    apiVersion,
    name,
    namespace:
      typeof meta.namespace === 'string' && meta.namespace
        ? meta.namespace
        : 'default',
    meta,
    spec: isRecord(obj.spec) ? obj.spec : {},
    status: isRecord(obj.status) ? obj.status : {},
    location,
    problem,
  };
}

function parseOne(item: LocatedObject, out: ParsedObjects) {
  const o = readEnvelope(item, out);
  if (!o) return;
  const parser = PARSERS.find(p => p.matches(o.kind, o.group));
  if (!parser) return;
  try {
    parser.parse(o, out);
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    const desc = describe({ kind: o.kind, metadata: o.meta } as KubeObject);
    o.problem(`${desc}: ${e.message}: skipped`, 'error', desc);
    if (isIdentityKind(o.kind))
      out.malformedIdentities.add(`${o.kind}/${o.name}`);
  }
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
  const list = Array.isArray(located) ? located : [];
  for (const item of list) {
    try {
      parseOne(item, out);
    } catch (e) {
      const loc =
        isRecord(item) && isRecord(item.location)
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
