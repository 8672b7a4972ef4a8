/* eslint-disable no-nested-ternary */
/*
 * The carriers of identityRef: `spec.identityRef`, in templates `spec.template.spec.identityRef`; region,
 * version and (EKS) the API server endpoint and cluster name come with it.
 */
import type { CarrierKind, ParsedCarrier, ParsedObjects } from '../objectTypes';
import {
  fail,
  ObjectEnvelope,
  optString,
  ownerClusterOf,
  parseIdentityRef,
  strMap,
} from '../parseHelpers';
import { isRecord } from '../../records';

/** An object carrying identityRef: AWSCluster, AWSManagedControlPlane, ROSAControlPlane and their templates. */
export function parseCarrier(o: ObjectEnvelope, out: ParsedObjects) {
  const { kind, name, namespace, apiVersion, location, meta, spec } = o;
  const isTemplate = kind.endsWith('Template');
  let s = spec;
  if (isTemplate) {
    const tmpl = spec.template;
    if (tmpl !== undefined && tmpl !== null && !isRecord(tmpl))
      fail('spec.template must be an object');
    const ts = isRecord(tmpl) ? tmpl.spec : undefined;
    if (ts !== undefined && ts !== null && !isRecord(ts))
      fail('spec.template.spec must be an object');
    s = isRecord(ts) ? ts : {};
  }
  const path = isTemplate ? 'spec.template.spec' : 'spec';
  const endpoint = isRecord(s.controlPlaneEndpoint)
    ? s.controlPlaneEndpoint
    : undefined;
  const host =
    endpoint && typeof endpoint.host === 'string' && endpoint.host
      ? endpoint.host
      : undefined;
  const port =
    endpoint && typeof endpoint.port === 'number' && endpoint.port
      ? endpoint.port
      : undefined;
  const carrier: ParsedCarrier = {
    kind: kind as CarrierKind,
    namespace,
    name,
    apiVersion,
    location,
    identityRef: parseIdentityRef(s.identityRef, `${path}.identityRef`),
    region: optString(s.region, `${path}.region`),
    version: typeof s.version === 'string' ? s.version : undefined,
    apiServer: host
      ? host.startsWith('http')
        ? host
        : `https://${host}${port && port !== 443 ? `:${port}` : ''}`
      : undefined,
    eksClusterName:
      typeof s.eksClusterName === 'string' ? s.eksClusterName : undefined,
    ownerCluster: ownerClusterOf(meta),
    labels: strMap(meta.labels),
    annotations: strMap(meta.annotations),
  };
  out.carriers.push(carrier);
}
