export {
  buildFleetSources,
  createFleetSourcesFromConfig,
  readFleetConfiguration,
} from './createFleetSources';
export type {
  FleetConfigOrigin,
  FleetConfiguration,
} from './createFleetSources';
export type {
  ConfiguredManagementCluster,
  FleetSources,
  ManagementClusterSource,
  SourceRead,
  SourceReadOptions,
} from './types';
