/* eslint-disable no-nested-ternary */
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

/** A CAPI Cluster: refs, topology (ClusterClass), phase, and conditions of both styles. */
export function parseCluster(o: ObjectEnvelope, out: ParsedObjects) {
  const { name, namespace, apiVersion, location, meta, spec, status } = o;
  const topo = spec.topology;
  let topology: ParsedCluster['topology'];
  if (topo !== undefined && topo !== null) {
    if (!isRecord(topo)) fail('spec.topology must be an object');
    const className =
      typeof topo.class === 'string'
        ? topo.class
        : isRecord(topo.classRef) && typeof topo.classRef.name === 'string'
        ? topo.classRef.name
        : undefined;
    const classNamespace =
      typeof topo.classNamespace === 'string'
        ? topo.classNamespace
        : isRecord(topo.classRef) && typeof topo.classRef.namespace === 'string'
        ? topo.classRef.namespace
        : undefined;
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
}
