/*
 * Two manifests defining the same object. The API server keeps one object per API group, kind, namespace and
 * name (the version does not count: v1beta1 and v1beta2 of a kind are the same object). What a GitOps folder
 * with a duplicate becomes depends on the tool that applies it:
 * - `kubectl apply -f <dir>` applies each file in turn (lexical order) and each document of a file in order, so
 *   the last definition is what the cluster keeps;
 * - kustomize refuses the build: "may not add resource with an already registered id" (kustomize
 *   api/resmap/reswrangler.go, Append);
 * - Flux's kustomize-controller builds every path with kustomize, generating a kustomization.yaml that lists
 *   all the *.yaml / *.yml files when the path has none (fluxcd/pkg kustomize/kustomize_generator.go,
 *   generateKustomization), so it refuses the folder too and keeps the last revision it applied.
 * The portal reads such a folder as kubectl applies it, the only reading it can compute: the last definition
 * wins, in the order the readers read (files by path in code-point order, then each file's documents in order).
 * Every earlier definition is reported with severity `error` naming both places, as under Flux or kustomize
 * the folder does not apply at all. The file is readable, so it is not the doctor's "unusable input" (exit 2).
 */
import { splitApiVersion } from '../model/apiVersions';
import { isRecord } from '../records';
import type { InputProblem, LocatedObject } from '../types';

/** Kinds whose objects have no namespace (a namespace written on them is ignored by the API server). */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  'infrastructure.cluster.x-k8s.io/AWSClusterControllerIdentity',
  'infrastructure.cluster.x-k8s.io/AWSClusterRoleIdentity',
  'infrastructure.cluster.x-k8s.io/AWSClusterStaticIdentity',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
]);

/**
 * The object's identity in the API server: `group/Kind/namespace/name`, with the namespace the engine reads an
 * object without one into (`default`) and none for cluster-scoped kinds. Undefined for a document that is not
 * an object with apiVersion, kind and metadata.name (those are reported elsewhere).
 */
function objectKey(item: LocatedObject): string | undefined {
  const o = item.object as unknown;
  if (!isRecord(o) || !isRecord(o.metadata)) return undefined;
  const { apiVersion, kind } = o;
  const { name, namespace } = o.metadata;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    return undefined;
  if (typeof name !== 'string' || !name) return undefined;
  const { group } = splitApiVersion(apiVersion);
  let ns = typeof namespace === 'string' && namespace ? namespace : 'default';
  if (CLUSTER_SCOPED.has(`${group}/${kind}`)) ns = '';
  return `${group}/${kind}/${ns}/${name}`;
}

function describeObject(item: LocatedObject): string {
  const o = item.object as {
    kind?: string;
    metadata?: Record<string, unknown>;
  };
  const ns = o.metadata?.namespace;
  return `${o.kind}/${typeof ns === 'string' && ns ? `${ns}/` : ''}${String(
    o.metadata?.name,
  )}`;
}

function place(item: LocatedObject): string {
  const { source, line } = item.location;
  return line !== undefined ? `${source}:${line}` : source;
}

/**
 * Keeps the last definition of each object, in the order given (the order the files are read in, then each
 * file's documents in order), and reports every earlier definition as a problem that names both places.
 *
 * @public
 */
export function dropDuplicateObjects(objects: LocatedObject[]): {
  objects: LocatedObject[];
  problems: InputProblem[];
} {
  const keys = objects.map(objectKey);
  const last = new Map<string, number>();
  keys.forEach((key, i) => {
    if (key !== undefined) last.set(key, i);
  });
  if (last.size === keys.filter(k => k !== undefined).length)
    return { objects, problems: [] };
  const kept: LocatedObject[] = [];
  const problems: InputProblem[] = [];
  objects.forEach((item, i) => {
    const key = keys[i];
    const winner = key === undefined ? i : last.get(key)!;
    if (winner === i) {
      kept.push(item);
      return;
    }
    const desc = describeObject(item);
    problems.push({
      source: item.location.source,
      line: item.location.line,
      object: desc,
      severity: 'error',
      message: `${desc} is defined again at ${place(
        objects[winner],
      )}: the later definition is used and this one ignored, as kubectl apply -f does; kustomize and Flux refuse to apply a folder with a duplicate object (remove one of them)`,
    });
  });
  return { objects: kept, problems };
}
