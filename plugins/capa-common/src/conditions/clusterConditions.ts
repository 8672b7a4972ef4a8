import type { ClusterReport, KubeObject } from '../types';
import {
  capaConditionsReport,
  type CapaConditionsReport,
} from './capaConditions';

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/**
 * CAPA's conditions for one cluster of a report, read from the management cluster's objects: the object that
 * carries identityRef (`report.infrastructureRef`) and the identities of the chain. Undefined when that object
 * is not among `objects` (a cluster whose carrier is missing has no CAPA word to show).
 *
 * @public
 */
export function capaConditionsForCluster(
  report: ClusterReport,
  objects: Iterable<KubeObject>,
): CapaConditionsReport | undefined {
  const ref = report.infrastructureRef;
  if (!ref) return undefined;
  const group = groupOf(ref.apiVersion);
  const chain = new Set(report.chain.map(l => `${l.kind}/${l.name}`));
  let carrier: KubeObject | undefined;
  const identities: KubeObject[] = [];
  for (const o of objects) {
    if (
      !carrier &&
      o.kind === ref.kind &&
      o.metadata?.name === ref.name &&
      (o.metadata.namespace ?? '') === report.namespace &&
      groupOf(o.apiVersion) === group
    ) {
      carrier = o;
    } else if (
      !o.metadata?.namespace &&
      chain.has(`${o.kind}/${o.metadata?.name}`)
    ) {
      identities.push(o);
    }
  }
  if (!carrier) return undefined;
  return capaConditionsReport(
    carrier,
    identities,
    report.verdict,
    report.checks,
  );
}
