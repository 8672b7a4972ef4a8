import {
  VERDICTS_WORST_FIRST,
  type CheckEvidence,
  type ClusterReport,
  type Verdict,
} from '@capa-portal/plugin-capa-common';

/** Every verdict, worst first: the order the UI lists and counts them in. */
export const VERDICTS: readonly Verdict[] = VERDICTS_WORST_FIRST;

/** CAPI Cluster phases (docs/contracts.md §1). */
export const CLUSTER_PHASES = [
  'Pending',
  'Provisioning',
  'Provisioned',
  'Deleting',
  'Failed',
  'Unknown',
];

export function flavourLabel(flavour: ClusterReport['flavour']): string {
  switch (flavour) {
    case 'eks':
      return 'EKS';
    case 'kubeadm':
      return 'kubeadm';
    case 'rosa':
      return 'ROSA';
    default:
      return 'unknown';
  }
}

/** 900 → "15 min", 3600 → "1 h", 5400 → "1 h 30 min". */
export function formatDuration(
  seconds: number | undefined,
): string | undefined {
  if (seconds === undefined || seconds === null) return undefined;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [];
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s || parts.length === 0) parts.push(`${s} s`);
  return `${parts.join(' ')} (${seconds}s)`;
}

/** "12 minutes ago", from an ISO timestamp. */
export function formatRelative(
  iso: string | undefined,
  now = Date.now(),
): string {
  if (!iso) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const diff = Math.round((now - then) / 1000);
  if (diff < 0) return new Date(then).toLocaleString();
  if (diff < 60) return `${diff} s ago`;
  if (diff < 3600) return `${Math.floor(diff / 60)} min ago`;
  if (diff < 86400) return `${Math.floor(diff / 3600)} h ago`;
  return `${Math.floor(diff / 86400)} d ago`;
}

/** One evidence entry as a line: `source:line — detail`. */
export function formatEvidence(evidence: CheckEvidence): string {
  const where = evidence.line
    ? `${evidence.source}:${evidence.line}`
    : evidence.source;
  return evidence.detail ? `${where} — ${evidence.detail}` : where;
}

/** An evidence value for display: strings as they are, the rest as pretty JSON. */
export function formatEvidenceValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

/**
 * Card titles are headings (level 3, like the catalog's own entity cards), so that screen readers and
 * `getByRole('heading')` find each card by its title.
 */
export const CARD_TITLE_PROPS = { component: 'h3' } as const;

/** "with 1 cluster problem" / "with 2 cluster problems", or '' when there is none. */
export function clusterProblemsText(count: number | undefined): string {
  if (!count) return '';
  return `with ${count} cluster problem${count === 1 ? '' : 's'}`;
}
