/*
 * What changed in one management cluster between two reads, object by object, compared as the engine reads them
 * (parsed: a Cluster paired with its AWSCluster / AWSManagedControlPlane / template, an identity, a Namespace's
 * labels). Changes the engine never reads (status of a KubeadmControlPlane, a resourceVersion) are not changes.
 */
import type { ClusterUnit, ParsedManagementCluster } from '../context';
import { identityKey, ParsedIdentity } from '../../model/objects';
import { deepEqual } from './deepEqual';
import { unitKey } from './dependencyIndex';

export interface ObjectChanges {
  /** Every unit is affected (the CAPI Operator providers changed: their watch-filters select clusters). */
  all: boolean;
  /** Units (`namespace/name`) whose own objects changed, appeared, went, or whose name is not unique. */
  units: Set<string>;
  /** Identities (`Kind/name`) that changed, appeared, went, turned malformed, or whose name is not unique. */
  identities: Set<string>;
  /** Namespaces whose labels changed, or that appeared or went. */
  namespaces: Set<string>;
  /** The units or identities that stayed are in another order (the reports' order follows it). */
  reordered: boolean;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Keys whose lists differ (or are longer than one: a repeated name is compared by position, so never reused). */
function changedGroups<T>(
  before: Map<string, T[]>,
  after: Map<string, T[]>,
  same: (a: T, b: T) => boolean,
): Set<string> {
  const out = new Set<string>();
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(k) ?? [];
    const b = after.get(k) ?? [];
    if (a.length !== 1 || b.length !== 1 || !same(a[0], b[0])) out.add(k);
  }
  return out;
}

/** Whether the keys both lists hold are in the same order in both. */
function sameOrder(before: string[], after: string[]): boolean {
  const inAfter = new Set(after);
  const inBefore = new Set(before);
  const a = before.filter(k => inAfter.has(k));
  const b = after.filter(k => inBefore.has(k));
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/** The KubeadmControlPlane version a unit's report shows (reports/clusterReport.ts kubernetesVersionOf). */
function controlPlaneVersion(m: ParsedManagementCluster, u: ClusterUnit) {
  const r = u.cluster?.controlPlaneRef;
  return r
    ? m.parsed.controlPlaneVersions.get(
        `${r.namespace ?? u.cluster!.namespace}/${r.name}`,
      )
    : undefined;
}

export function objectChanges(
  before: ParsedManagementCluster,
  after: ParsedManagementCluster,
): ObjectChanges {
  const units = changedGroups(
    groupBy(before.units, unitKey),
    groupBy(after.units, unitKey),
    (a, b) =>
      deepEqual(a, b) &&
      controlPlaneVersion(before, a) === controlPlaneVersion(after, b),
  );
  const identities = changedGroups(
    groupBy(before.parsed.identities, identityKey),
    groupBy(after.parsed.identities, identityKey),
    deepEqual,
  );
  // The index also holds the controller identity CAPA would create; malformed ones are missing links.
  const indexed = (m: ParsedManagementCluster) =>
    groupBy([...m.parsed.identityIndex.values()], identityKey);
  for (const k of changedGroups(indexed(before), indexed(after), deepEqual))
    identities.add(k);
  for (const k of before.parsed.malformedIdentities)
    if (!after.parsed.malformedIdentities.has(k)) identities.add(k);
  for (const k of after.parsed.malformedIdentities)
    if (!before.parsed.malformedIdentities.has(k)) identities.add(k);
  const namespaces = new Set<string>();
  const nsBefore = before.parsed.namespaces;
  const nsAfter = after.parsed.namespaces;
  for (const k of new Set([...nsBefore.keys(), ...nsAfter.keys()]))
    if (
      nsBefore.has(k) !== nsAfter.has(k) ||
      !deepEqual(nsBefore.get(k), nsAfter.get(k))
    )
      namespaces.add(k);
  const ids = (m: ParsedManagementCluster) =>
    m.parsed.identities.map((i: ParsedIdentity) => identityKey(i));
  return {
    all: !deepEqual(
      before.parsed.infrastructureProviders,
      after.parsed.infrastructureProviders,
    ),
    units,
    identities,
    namespaces,
    reordered:
      !sameOrder(before.units.map(unitKey), after.units.map(unitKey)) ||
      !sameOrder(ids(before), ids(after)),
  };
}
