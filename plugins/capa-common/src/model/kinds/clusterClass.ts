import type { ParsedObjects } from '../objectTypes';
import { ObjectEnvelope, parseRef } from '../parseHelpers';
import { isRecord } from '../../records';

/** A CAPI ClusterClass: the templates its clusters' infrastructure and control plane come from. */
export function parseClusterClass(o: ObjectEnvelope, out: ParsedObjects) {
  const { name, namespace, apiVersion, spec } = o;
  const infra = isRecord(spec.infrastructure) ? spec.infrastructure : undefined;
  const cp = isRecord(spec.controlPlane) ? spec.controlPlane : undefined;
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
      ? parseRef(cp.ref ?? cp.templateRef, 'spec.controlPlane.ref', namespace)
      : undefined,
  });
}
