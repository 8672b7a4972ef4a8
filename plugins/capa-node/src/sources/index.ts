export { createFleetSourcesFromConfig } from './createFleetSources';
export type {
  ConfiguredManagementCluster,
  FleetSources,
  ManagementClusterSource,
  SourceRead,
} from './types';
