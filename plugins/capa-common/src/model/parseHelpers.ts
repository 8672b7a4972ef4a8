/* eslint-disable no-nested-ternary */
/*
 * The readers every kind's parser shares: typed field access that fails with the field's path (ShapeError,
 * reported as an input problem naming the object), string maps, references and conditions.
 */
import type {
  ClusterCondition,
  IdentityRef,
  KubeObject,
  SourceLocation,
} from '../types';
import { splitApiVersion } from './apiVersions';
import type { ObjectRefLite } from './objectTypes';
import { isRecord } from '../records';

export const hasOwn = (o: object, k: string) =>
  Object.prototype.hasOwnProperty.call(o, k);

/** True for a plain object whose every key maps to a string: such a map needs no copy. */
export function isPlainStringMap(v: Record<string, any>): boolean {
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
export function strMap(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
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

export class ShapeError extends Error {}

export function fail(msg: string): never {
  throw new ShapeError(msg);
}

export function optString(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(`${path} must be a string`);
  return v;
}

export function parseIdentityRef(
  v: unknown,
  path: string,
): IdentityRef | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) fail(`${path} must be an object with kind and name`);
  if (typeof v.kind !== 'string' || !v.kind)
    fail(`${path}.kind must be a non-empty string`);
  if (typeof v.name !== 'string' || !v.name)
    fail(`${path}.name must be a non-empty string`);
  return { kind: v.kind, name: v.name };
}

export function parseRef(
  v: unknown,
  path: string,
  defaultNamespace?: string,
): ObjectRefLite | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) fail(`${path} must be an object`);
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
    if (!isRecord(c) || typeof c.type !== 'string') continue;
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

export function mergeConditions(
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

export function ownerClusterOf(meta: Record<string, any>): string | undefined {
  const label = meta.labels?.['cluster.x-k8s.io/cluster-name'];
  if (typeof label === 'string' && label) return label;
  if (Array.isArray(meta.ownerReferences)) {
    for (const o of meta.ownerReferences) {
      if (isRecord(o) && o.kind === 'Cluster' && typeof o.name === 'string')
        return o.name;
    }
  }
  return undefined;
}

export function describe(obj: KubeObject): string {
  const ns =
    typeof obj.metadata?.namespace === 'string' && obj.metadata.namespace
      ? `${obj.metadata.namespace}/`
      : '';
  return `${obj.kind}/${ns}${obj.metadata?.name ?? '?'}`;
}

/** One object past the envelope checks (apiVersion, kind, metadata.name...), as every kind's parser gets it. */
export interface ObjectEnvelope {
  kind: string;
  group: string;
  apiVersion: string;
  name: string;
  /** metadata.namespace, `default` when empty. */
  namespace: string;
  meta: Record<string, any>;
  spec: Record<string, any>;
  status: Record<string, any>;
  location: SourceLocation;
  /** Reports a problem of the document the object is in. */
  problem(
    message: string,
    severity?: 'error' | 'warning',
    object?: string,
  ): void;
}
