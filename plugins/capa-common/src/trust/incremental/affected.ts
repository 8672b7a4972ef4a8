/*
 * From what changed to what must be evaluated again in one management cluster: its units first (before they are
 * evaluated), then its identities and the accounts (after, when the units' new chains are known).
 */
import type { IdentityReport } from '../../types';
import { ref } from '../checks/check';
import type { MgmtEvaluation, UnitsEvaluation } from '../engine';
import type { MgmtContext } from '../context';
import { dependencyIndex, linkKeys, unitKey } from './dependencyIndex';
import type { EvidenceChanges } from './evidenceChanges';
import type { ObjectChanges } from './objectChanges';

export interface AffectedUnits {
  all: boolean;
  keys: Set<string>;
}

/** The units whose objects, chain identities, namespace labels or chain evidence changed. */
export function affectedUnits(
  before: MgmtEvaluation,
  changes: ObjectChanges | undefined,
  evidence: EvidenceChanges,
): AffectedUnits {
  const all =
    Boolean(changes?.all) || evidence.managementClusters.has(before.mgmt.name);
  const keys = new Set(changes?.units);
  if (all) return { all, keys };
  const index = dependencyIndex(before);
  const addAt = (at: number[] | undefined) =>
    at?.forEach(i => keys.add(unitKey(before.mgmt.units[i])));
  for (const k of changes?.identities ?? [])
    addAt(index.unitsByIdentity.get(k));
  for (const ns of changes?.namespaces ?? [])
    addAt(index.unitsByNamespace.get(ns));
  for (const a of evidence.accounts) addAt(index.unitsByAccount.get(a));
  return { all, keys };
}

/** Whether the unit at `index` (of `mgmt`) is affected; what the previous evaluation has for it otherwise. */
export function unitReuse(before: MgmtEvaluation, affected: AffectedUnits) {
  const index = dependencyIndex(before);
  return (unit: MgmtContext['units'][number]) => {
    const key = unitKey(unit);
    if (affected.all || affected.keys.has(key)) return undefined;
    const at = index.unitsByKey.get(key);
    return at?.length === 1 ? before.units[at[0]] : undefined;
  };
}

/**
 * The identities to evaluate again: those that changed, whose chain goes through one that changed or reaches an
 * account whose evidence changed, and those in the old or new chain of a unit evaluated again or gone (their
 * users: namespace-allowed and usedBy). Every identity when the order of units or identities changed.
 */
export function affectedIdentities(
  before: MgmtEvaluation,
  mgmt: MgmtContext,
  units: UnitsEvaluation,
  reused: Set<number>,
  changes: ObjectChanges | undefined,
  evidence: EvidenceChanges,
): { all: boolean; keys: Set<string> } {
  const all =
    Boolean(changes?.all || changes?.reordered) ||
    evidence.managementClusters.has(mgmt.name);
  const keys = new Set(changes?.identities);
  if (all) return { all, keys };
  const index = dependencyIndex(before);
  for (const k of changes?.identities ?? [])
    index.identitiesByIdentity.get(k)?.forEach(i => keys.add(i));
  for (const a of evidence.accounts)
    index.identitiesByAccount.get(a)?.forEach(i => keys.add(i));
  const now = new Set<string>();
  mgmt.units.forEach((unit, i) => {
    now.add(unitKey(unit));
    if (reused.has(i)) return;
    const report = units.assessments[i]?.report;
    if (report) linkKeys(report.chain).forEach(k => keys.add(k));
    for (const j of index.unitsByKey.get(unitKey(unit)) ?? []) {
      const old = before.units[j]?.report;
      if (old) linkKeys(old.chain).forEach(k => keys.add(k));
    }
  });
  before.mgmt.units.forEach((unit, j) => {
    const old = before.units[j]?.report;
    if (!now.has(unitKey(unit)) && old)
      linkKeys(old.chain).forEach(k => keys.add(k));
  });
  return { all, keys };
}

/** The previous report of each identity whose `Kind/name` is unique there. */
export function identityReuse(
  before: MgmtEvaluation,
  affected: { all: boolean; keys: Set<string> },
) {
  const byKey = new Map<string, IdentityReport | undefined | null>();
  before.mgmt.parsed.identities.forEach((identity, i) => {
    const key = ref(identity.kind, identity.name);
    byKey.set(key, byKey.has(key) ? null : before.identities[i]);
  });
  return (identity: { kind: string; name: string }) => {
    const key = ref(identity.kind, identity.name);
    if (affected.all || affected.keys.has(key)) return undefined;
    return byKey.get(key) ?? undefined;
  };
}

/**
 * The accounts whose report must be aggregated again: those of every cluster and identity report that is new or
 * gone (before and after), and every account of the management cluster when its order changed.
 */
export function affectedAccounts(
  before: MgmtEvaluation,
  after: MgmtEvaluation,
  reordered: boolean,
  out: Set<string>,
) {
  const kept = new Set<unknown>();
  for (const a of after.units) if (a) kept.add(a.report);
  for (const i of after.identities) if (i) kept.add(i);
  const was = new Set<unknown>();
  for (const a of before.units) if (a) was.add(a.report);
  for (const i of before.identities) if (i) was.add(i);
  const add = (r: { accountId?: string }) => {
    if (r.accountId) out.add(r.accountId);
  };
  for (const a of before.units)
    if (a && (reordered || !kept.has(a.report))) add(a.report);
  for (const i of before.identities)
    if (i && (reordered || !kept.has(i))) add(i);
  for (const a of after.units)
    if (a && (reordered || !was.has(a.report))) add(a.report);
  for (const i of after.identities) if (i && (reordered || !was.has(i))) add(i);
}
