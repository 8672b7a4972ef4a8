/*
 * Objects as a real API server returns them: server-populated metadata (uid, generation, creationTimestamp),
 * `metadata.managedFields` (FieldsV1 trees for the applying manager and the controller's updates) and, for
 * objects applied with kubectl, the `kubectl.kubernetes.io/last-applied-configuration` annotation.
 */
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { type Rng, time, uuid } from './random';

export const CAPI = 'cluster.x-k8s.io/v1beta2';
export const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta2';
export const CONTROL_PLANE = 'controlplane.cluster.x-k8s.io/v1beta2';
export const BOOTSTRAP = 'bootstrap.cluster.x-k8s.io/v1beta2';
export const OPERATOR = 'operator.cluster.x-k8s.io/v1alpha2';

/**
 * A FieldsV1 tree as the API server records it in managedFields: `f:<field>` for map keys, `k:{...}` for
 * list items with a merge key (conditions by type, addons by name), `v:` for set items, `.: {}` for maps.
 */
function fieldsOf(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const item of value) {
      if (item && typeof item === 'object') {
        const o = item as Record<string, unknown>;
        const keyField = ['type', 'name', 'id'].find(k => k in o);
        const key = keyField
          ? `k:${JSON.stringify({ [keyField]: o[keyField] })}`
          : `i:${Object.keys(out).length}`;
        out[key] = { '.': {}, ...fieldsOf(o) };
      } else {
        out[`v:${JSON.stringify(item)}`] = {};
      }
    }
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[`f:${k}`] =
        v && typeof v === 'object'
          ? { ...(Array.isArray(v) ? {} : { '.': {} }), ...fieldsOf(v) }
          : {};
    }
    return out;
  }
  return {};
}

export interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: unknown[];
  finalizers?: string[];
}

type Applier =
  | 'kubectl-client-side-apply'
  | 'argocd-controller'
  | 'capi-topology';

/** What the applier leaves in the annotations: kubectl its last-applied configuration, Argo CD its tracking id. */
function applierAnnotations(
  applier: Applier,
  applied: { apiVersion: string; kind: string },
  meta: Meta,
): Record<string, string> {
  const annotations: Record<string, string> = { ...meta.annotations };
  if (applier === 'kubectl-client-side-apply') {
    annotations[
      'kubectl.kubernetes.io/last-applied-configuration'
    ] = `${JSON.stringify(applied)}\n`;
  } else if (applier === 'argocd-controller') {
    const { apiVersion, kind } = applied;
    annotations['argocd.argoproj.io/tracking-id'] = `${
      meta.namespace ?? 'cluster'
    }:${apiVersion.split('/')[0]}/${kind}:${meta.namespace ?? ''}/${meta.name}`;
  }
  return annotations;
}

/** The controller's own entries: finalizers and owner references on metadata, then the status subresource. */
function controllerManagedFields(
  r: Rng,
  apiVersion: string,
  created: string,
  meta: Meta,
  status: Record<string, unknown> | undefined,
  controllerManager: string,
): unknown[] {
  const update = (fieldsV1: unknown, subresource?: 'status') => ({
    manager: controllerManager,
    operation: 'Update',
    apiVersion,
    time: time(r, Date.parse(created)),
    fieldsType: 'FieldsV1',
    fieldsV1,
    ...(subresource ? { subresource } : {}),
  });
  const entries: unknown[] = [];
  if (meta.finalizers || meta.ownerReferences) {
    entries.push(
      update({
        'f:metadata': {
          ...(meta.finalizers
            ? {
                'f:finalizers': {
                  '.': {},
                  ...fieldsOf(meta.finalizers),
                },
              }
            : {}),
          ...(meta.ownerReferences
            ? { 'f:ownerReferences': fieldsOf(meta.ownerReferences) }
            : {}),
        },
      }),
    );
  }
  if (status)
    entries.push(
      update({ 'f:status': { '.': {}, ...fieldsOf(status) } }, 'status'),
    );
  return entries;
}

/**
 * An object as a real API server returns it: server-populated metadata, managedFields for the applying
 * manager (kubectl client-side apply with its last-applied annotation, Argo CD, or the CAPI topology
 * controller) and the controller's status subresource updates.
 */
export function kubeObject(
  r: Rng,
  apiVersion: string,
  kind: string,
  meta: Meta,
  spec: Record<string, unknown> | undefined,
  status: Record<string, unknown> | undefined,
  controllerManager: string,
): KubeObject {
  const created = time(r);
  const applier = r.pick<Applier>([
    'kubectl-client-side-apply',
    'argocd-controller',
    'capi-topology',
  ]);
  const applied = {
    apiVersion,
    kind,
    metadata: {
      name: meta.name,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
    },
    ...(spec ? { spec } : {}),
  };
  const annotations = applierAnnotations(applier, applied, meta);
  const managedFields: unknown[] = [
    {
      manager: applier,
      operation: applier === 'kubectl-client-side-apply' ? 'Update' : 'Apply',
      apiVersion,
      time: created,
      fieldsType: 'FieldsV1',
      fieldsV1: fieldsOf(applied.metadata.labels || spec ? applied : {}),
    },
    ...controllerManagedFields(
      r,
      apiVersion,
      created,
      meta,
      status,
      controllerManager,
    ),
  ];
  return {
    apiVersion,
    kind,
    metadata: {
      name: meta.name,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      uid: uuid(r),
      generation: 1 + r.int(12),
      creationTimestamp: created,
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(meta.ownerReferences
        ? { ownerReferences: meta.ownerReferences }
        : {}),
      ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
      managedFields,
    },
    ...(spec ? { spec } : {}),
    ...(status ? { status } : {}),
  };
}

/**
 * Status conditions: CAPI v1beta2 conditions (reason always, observedGeneration) or CAPA's v1beta1-style ones
 * (reason and severity only when False). When not healthy, the first condition is the one that is False.
 */
export function conditions(
  r: Rng,
  types: string[],
  healthy: boolean,
  v1beta2 = false,
): unknown[] {
  return types.map((type, i) => {
    const ok = healthy || i > 0;
    let detail: Record<string, unknown>;
    if (v1beta2) {
      detail = {
        reason: ok ? (i === 0 ? 'Available' : 'Ready') : 'NotReady',
        message: ok ? '' : `${type} is not ready yet`,
        observedGeneration: 1 + r.int(8),
      };
    } else {
      detail = ok
        ? {}
        : {
            reason: 'WaitingForControlPlane',
            severity: 'Info',
            message: `${type} is not ready yet`,
          };
    }
    return {
      type,
      status: ok ? 'True' : 'False',
      ...detail,
      lastTransitionTime: time(r),
    };
  });
}
