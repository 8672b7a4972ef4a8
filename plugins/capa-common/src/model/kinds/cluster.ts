/*
 * CAPI Cluster, v1beta1 and v1beta2: v1beta1 status has infrastructureReady / controlPlaneReady and its
 * conditions (v1beta2 ones under status.v1beta2); v1beta2 has initialization and its old ones under
 * status.deprecated.v1beta1. Both are read.
 */
import type { ParsedCluster, ParsedObjects } from '../objectTypes';
import {
  fail,
  mergeConditions,
  ObjectEnvelope,
  parseConditions,
  parseRef,
  strMap,
} from '../parseHelpers';
import { isRecord } from '../../records';

/** The first of `values` of the type (the v1beta1 field, then its v1beta2 successor), or undefined. */
function firstOf(type: 'string', ...values: unknown[]): string | undefined;
function firstOf(type: 'boolean', ...values: unknown[]): boolean | undefined;
function firstOf(type: 'string' | 'boolean', ...values: unknown[]) {
  return values.find(v => typeof v === type);
}

/** A CAPI Cluster: refs, topology (ClusterClass), phase, and conditions of both styles. */
export function parseCluster(o: ObjectEnvelope, out: ParsedObjects) {
  const { name, namespace, apiVersion, location, meta, spec, status } = o;
  const topo = spec.topology;
  let topology: ParsedCluster['topology'];
  if (topo !== undefined && topo !== null) {
    if (!isRecord(topo)) fail('spec.topology must be an object');
    // v1beta1 names the ClusterClass in class / classNamespace, v1beta2 in classRef.
    const classRef = isRecord(topo.classRef) ? topo.classRef : {};
    const className = firstOf('string', topo.class, classRef.name);
    const classNamespace = firstOf(
      'string',
      topo.classNamespace,
      classRef.namespace,
    );
    const variables = Array.isArray(topo.variables)
      ? topo.variables.filter(
          (v: unknown) => isRecord(v) && typeof (v as any).name === 'string',
        )
      : [];
    if (className)
      topology = {
        className,
        classNamespace,
        version: typeof topo.version === 'string' ? topo.version : undefined,
        variables,
      };
  }
  const v1b2 = isRecord(status.v1beta2)
    ? parseConditions(status.v1beta2.conditions)
    : [];
  const dep =
    isRecord(status.deprecated) && isRecord(status.deprecated.v1beta1)
      ? parseConditions(status.deprecated.v1beta1.conditions)
      : [];
  const init = isRecord(status.initialization)
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
    conditions: mergeConditions(parseConditions(status.conditions), v1b2, dep),
    labels: strMap(meta.labels),
    annotations: strMap(meta.annotations),
    infrastructureReady: firstOf(
      'boolean',
      status.infrastructureReady,
      init?.infrastructureProvisioned,
    ),
    controlPlaneReady: firstOf(
      'boolean',
      status.controlPlaneReady,
      init?.controlPlaneInitialized,
    ),
  });
}
