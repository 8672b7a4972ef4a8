export { CapaBackendClient } from './CapaBackendClient';
export type { FleetReportResponse } from './CapaBackendClient';
export { checkCapaBackendInstalled } from './checkCapaBackendInstalled';
