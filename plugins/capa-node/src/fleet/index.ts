export {
  loadFleetFromDirectory,
  parseFleetConfig,
  FleetLoadError,
  isUrl,
} from './loadFleet';
export type {
  FleetConfig,
  FleetConfigAccount,
  FleetConfigManagementCluster,
} from './loadFleet';
