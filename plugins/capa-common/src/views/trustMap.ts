/*
 * The data of the fleet trust map (`GET /trust-map`): management clusters, the identities they hold and the
 * accounts those reach, each with its verdict, from one (caller-filtered) report. Small per item (no checks, no
 * evidence), so a 1,000-account fleet is a few hundred kilobytes.
 */
import type { TrustMapResponse } from '../api/types';
import type { FleetReport } from '../types';

/** @public */
export function trustMap(
  report: FleetReport,
  staleManagementClusters: ReadonlySet<string> = new Set(),
): TrustMapResponse {
  return {
    managementClusters: report.managementClusters.map(m => ({
      name: m.name,
      accountId: m.accountId,
      stale: staleManagementClusters.has(m.name),
    })),
    identities: report.identities.map(i => ({
      managementCluster: i.managementCluster,
      kind: i.kind,
      name: i.name,
      ...(i.accountId ? { accountId: i.accountId } : {}),
      verdict: i.verdict,
      failing: i.checks.filter(c => c.status === 'fail').map(c => c.id),
      warning: i.checks.filter(c => c.status === 'warn').map(c => c.id),
      clusterCount: i.usedBy.length,
    })),
    accounts: report.accounts.map(a => ({
      accountId: a.accountId,
      ...(a.name ? { name: a.name } : {}),
      ...(a.status ? { status: a.status } : {}),
      verdict: a.verdict,
    })),
    generatedAt: report.generatedAt,
  };
}
