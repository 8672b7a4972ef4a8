export { capaFleetServiceRef } from './fleetService';
export type { CapaFleetService } from './fleetService';
