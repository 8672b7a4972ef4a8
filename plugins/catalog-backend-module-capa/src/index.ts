/**
 * Catalog module of capa-portal: AWS accounts, CAPA workload clusters, management clusters and identities as
 * catalog entities with `dependsOn` relations.
 *
 * @packageDocumentation
 */
export { catalogModuleCapaEntityProvider as default } from './module';
export { CapaEntityProvider } from './providers/CapaEntityProvider';
export type {
  CapaEntityProviderOptions,
  CapaProviderScope,
  FleetReportSource,
} from './providers/CapaEntityProvider';
export {
  accountEntities,
  clusterEntityName,
  entityName,
  identityEntityName,
  managementClusterEntities,
  managementClusterEntityName,
} from './entities/buildEntities';
export type { EntityDefaults } from './entities/buildEntities';
export type {
  AccountEntityMode,
  ExternalAccountEntitySource,
} from './providers/ExternalAccountEntities';
