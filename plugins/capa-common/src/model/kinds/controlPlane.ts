import type { ParsedObjects } from '../objectTypes';
import type { ObjectEnvelope } from '../parseHelpers';

/** Another control plane (e.g. KubeadmControlPlane): its version, for the cluster's kubernetesVersion. */
export function parseControlPlaneVersion(
  o: ObjectEnvelope,
  out: ParsedObjects,
) {
  if (typeof o.spec.version === 'string')
    out.controlPlaneVersions.set(`${o.namespace}/${o.name}`, o.spec.version);
}
