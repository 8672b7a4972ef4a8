/*
 * What changed between two sets of live AWS evidence, as the accounts whose chains read it. Each kind of evidence
 * is read by the hops of a chain (trust/hops.ts, evidence.ts, checks/sourcePermission.ts, checks/liveAssume.ts,
 * reports/clusterReport.ts): a changed entry affects every chain that reaches one of the accounts its key names.
 * Anything else (AWS Organizations' accounts, an evidence kind not listed here) asks for a full evaluation.
 */
import type { LiveEvidence } from '../../types';
import { accountOfArn } from '../../iam/arn';
import { isRecord } from '../../records';
import { deepEqual } from './deepEqual';

export interface EvidenceChanges {
  /** Why only a full evaluation is safe; undefined when the changes below say everything. */
  full?: string;
  /** Accounts whose chains read changed evidence (a role hop in them, or landing in them). */
  accounts: Set<string>;
  /** Management clusters every chain of which reads changed evidence (tags of their controller principal). */
  managementClusters: Set<string>;
}

/** The evidence maps keyed per principal, role, simulation, chain or EKS cluster. */
const KEYED = [
  'targetRoles',
  'simulations',
  'principalTags',
  'assumeResults',
  'eksClusters',
] as const;
/** Kept beside the evidence, never read by the engine (types.ts). */
const IGNORED = new Set(['credentialProblems']);

function changedKeys(a: unknown, b: unknown): string[] {
  const ra = isRecord(a) ? a : {};
  const rb = isRecord(b) ? b : {};
  if (ra === rb) return [];
  const out: string[] = [];
  for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)]))
    if (!deepEqual(ra[k], rb[k])) out.push(k);
  return out;
}

/** Every account an ARN in the text names (chain keys and EKS keys hold the ARNs of their hops). */
function accountsIn(text: string): string[] {
  return [...text.matchAll(/arn:[^:\s]*:[^:\s]*:[^:\s]*:(\d{12}):/g)].map(
    m => m[1],
  );
}

/**
 * The changes between the evidence of the previous evaluation and this one's. `principals` maps each management
 * cluster's controller principal ARN to the management clusters using it.
 */
export function evidenceChanges(
  before: LiveEvidence | undefined,
  after: LiveEvidence | undefined,
  principals: Map<string, string[]>,
): EvidenceChanges {
  const changes: EvidenceChanges = {
    accounts: new Set(),
    managementClusters: new Set(),
  };
  const a = (isRecord(before) ? before : {}) as Record<string, unknown>;
  const b = (isRecord(after) ? after : {}) as Record<string, unknown>;
  if (a === b) return changes;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (IGNORED.has(k) || (KEYED as readonly string[]).includes(k)) continue;
    if (!deepEqual(a[k], b[k]))
      return { ...changes, full: `live evidence ${k} changed` };
  }
  const add = (accountId: string | undefined, key: string) => {
    if (!accountId) {
      changes.full = `live evidence for ${key} names no account`;
      return;
    }
    changes.accounts.add(accountId);
  };
  for (const key of changedKeys(a.targetRoles, b.targetRoles))
    add(accountOfArn(key), key);
  // `${principalArn} -> ${roleArn}`: read by the hop that assumes roleArn.
  for (const key of changedKeys(a.simulations, b.simulations))
    add(accountOfArn(key.split(' -> ').pop() ?? ''), key);
  // A role's tags are read by the hop after it; the controller principal's by every chain of its clusters.
  for (const key of changedKeys(a.principalTags, b.principalTags)) {
    for (const m of principals.get(key) ?? [])
      changes.managementClusters.add(m);
    if (!principals.has(key)) add(accountOfArn(key), key);
  }
  // Chain keys (and the EKS keys made from them) name the ARN of every hop and of the controller principal.
  for (const key of [
    ...changedKeys(a.assumeResults, b.assumeResults),
    ...changedKeys(a.eksClusters, b.eksClusters),
  ]) {
    const accounts = accountsIn(key);
    if (!accounts.length) {
      // A static identity's chain without hops: its management cluster is the key's first part.
      const mgmt = key.split('>')[0];
      changes.managementClusters.add(mgmt);
    }
    for (const id of accounts) changes.accounts.add(id);
  }
  return changes;
}
