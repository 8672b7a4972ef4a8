/*
 * The catalog entities capa's catalog module makes of a fleet report, every management cluster's source healthy:
 * what the bench counts and what scripts/report-snapshot.ts hashes.
 */
import type {
  FleetInput,
  FleetReport,
  ManagementClusterStatus,
} from '@capa-portal/plugin-capa-common';
import {
  accountEntities,
  managementClusterEntities,
} from '@capa-portal/plugin-catalog-backend-module-capa';

export function catalogEntitiesOf(
  report: FleetReport,
  input: FleetInput,
  source: { type: ManagementClusterStatus['source']['type']; at: string },
) {
  const sources: ManagementClusterStatus[] = input.managementClusters.map(m => {
    const summary = report.managementClusters.find(s => s.name === m.name);
    return {
      name: m.name,
      accountId: m.accountId,
      // As the backend fills it (TrustService's management-cluster statuses).
      controllerPrincipalArn:
        summary?.controllerPrincipalArn ?? m.controllerPrincipalArn ?? '',
      clusterCount: summary?.clusterCount ?? 0,
      identityCount: summary?.identityCount ?? 0,
      source: { type: source.type, target: m.name },
      reachable: true,
      lastSync: source.at,
      lastAttempt: source.at,
      stale: false,
      objectCount: m.objects.length,
      problemCount: 0,
    };
  });
  const defaults = { owner: 'group:default/platform-team' };
  const withSources = { ...report, sources };
  return [
    ...accountEntities(report, defaults),
    ...input.managementClusters.flatMap(m =>
      managementClusterEntities(
        withSources,
        m.name,
        { owner: m.owner, system: m.system },
        defaults,
      ),
    ),
  ];
}
