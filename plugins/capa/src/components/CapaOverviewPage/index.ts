export { CapaOverviewContent, CapaOverviewPage } from './CapaOverviewPage';
export { countByVerdict } from './AccountsSection';
export { managementClusterHealth } from './ManagementClustersSection';
export type { ClusterFilter } from './ClustersSection';
