import type { ParsedObjects } from '../objectTypes';
import { isObj, ObjectEnvelope, parseRef } from '../parseHelpers';

/** A CAPI ClusterClass: the templates its clusters' infrastructure and control plane come from. */
export function parseClusterClass(o: ObjectEnvelope, out: ParsedObjects) {
  const { name, namespace, apiVersion, spec } = o;
  const infra = isObj(spec.infrastructure) ? spec.infrastructure : undefined;
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
      ? parseRef(cp.ref ?? cp.templateRef, 'spec.controlPlane.ref', namespace)
      : undefined,
  });
}
