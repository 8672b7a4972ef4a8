export {
  capaConditionsReport,
  readCapaConditions,
  lastChangeOf,
  PRINCIPAL_USAGE_ALLOWED,
  PRINCIPAL_CREDENTIAL_RETRIEVED,
} from './capaConditions';
export type {
  CapaAgreement,
  CapaCondition,
  CapaConditionSource,
  CapaConditionsReport,
} from './capaConditions';
export { capaConditionsForCluster } from './clusterConditions';
