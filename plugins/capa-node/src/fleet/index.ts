export {
  loadFleetFromDirectory,
  parseFleetConfig,
  parseManifestText,
  FleetLoadError,
  isUrl,
} from './loadFleet';
export type {
  FleetConfig,
  FleetConfigAccount,
  FleetConfigManagementCluster,
} from './loadFleet';
