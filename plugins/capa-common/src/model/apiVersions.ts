/*
 * Which API versions CAPA and CAPI serve today (from their CRDs: CAPA serves only v1beta2; v1beta1 is
 * `served: false`; v1alpha3 / v1alpha4 were removed. CAPI serves v1beta2 and, deprecated, v1beta1).
 */

export const CAPA_INFRA_GROUP = 'infrastructure.cluster.x-k8s.io';
export const CAPA_CONTROLPLANE_GROUP = 'controlplane.cluster.x-k8s.io';
export const CAPI_GROUP = 'cluster.x-k8s.io';
export const CAPI_OPERATOR_GROUP = 'operator.cluster.x-k8s.io';

export type ApiVersionStatus = 'served' | 'deprecated' | 'unserved' | 'unknown';

/** @public */
export function splitApiVersion(apiVersion: string): {
  group: string;
  version: string;
} {
  const i = apiVersion.lastIndexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export interface ApiVersionVerdict {
  status: ApiVersionStatus;
  message: string;
}

const memo = new Map<string, ApiVersionVerdict>();

/** Classifies the apiVersion of a CAPA / CAPI object. */
export function classifyApiVersion(
  apiVersion: string,
  kind: string,
): ApiVersionVerdict {
  const key = `${kind}@${apiVersion}`;
  let v = memo.get(key);
  if (!v) {
    v = classify(apiVersion, kind);
    if (memo.size > 1000) memo.clear();
    memo.set(key, v);
  }
  return v;
}

function classify(apiVersion: string, kind: string): ApiVersionVerdict {
  const { group, version } = splitApiVersion(apiVersion);
  if (group === CAPI_GROUP) {
    if (version === 'v1beta2')
      return { status: 'served', message: `${kind} ${apiVersion} is served` };
    if (version === 'v1beta1') {
      return {
        status: 'deprecated',
        message: `${kind} ${apiVersion} is served but deprecated (CAPI v1beta2 is current)`,
      };
    }
    if (version === 'v1alpha3' || version === 'v1alpha4') {
      return {
        status: 'unserved',
        message: `${kind} ${apiVersion} is no longer served by Cluster API: migrate to v1beta2`,
      };
    }
    return {
      status: 'unknown',
      message: `${kind} ${apiVersion} is not a known Cluster API version`,
    };
  }
  if (group === CAPA_INFRA_GROUP || group === CAPA_CONTROLPLANE_GROUP) {
    if (version === 'v1beta2')
      return { status: 'served', message: `${kind} ${apiVersion} is served` };
    if (
      version === 'v1beta1' ||
      version === 'v1alpha3' ||
      version === 'v1alpha4'
    ) {
      return {
        status: 'unserved',
        message: `${kind} ${apiVersion} is not served by CAPA (it serves only v1beta2): the API server rejects this manifest; migrate to ${group}/v1beta2`,
      };
    }
    return {
      status: 'unknown',
      message: `${kind} ${apiVersion} is not a known CAPA version`,
    };
  }
  return { status: 'unknown', message: `${kind} ${apiVersion}` };
}
