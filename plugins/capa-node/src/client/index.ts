export {
  CAPA_REPORT_CHANGED_TOPIC,
  CapaBackendClient,
} from './CapaBackendClient';
export type { FleetReportResponse } from './CapaBackendClient';
export { checkCapaBackendInstalled } from './checkCapaBackendInstalled';
