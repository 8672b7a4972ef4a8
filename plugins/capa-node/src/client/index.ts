export { CapaBackendClient } from './CapaBackendClient';
export type { FleetReportResponse } from './CapaBackendClient';
