/**
 * Node library of capa-portal: the shared fleet service and the extension point for fleet sources, the
 * management-cluster sources (manifests, URLs, live Kubernetes), the AWS evidence gatherer, CRD validation, the
 * Kubernetes applier, the client the modules call the capa backend with, and the fleet.yaml loader the doctor
 * CLI (`@capa-portal/doctor`) uses. Test helpers (a test Kubernetes API server, fixtures) are in `./testing`.
 *
 * @packageDocumentation
 */

// the fleet: one service for every plugin, and sources modules can add
export { capaFleetServiceRef } from './services';
export type { CapaFleetService } from './services';
export { capaFleetSourcesExtensionPoint } from './extensions';
export type {
  CapaFleetSourceFactory,
  CapaFleetSourceFactoryOptions,
  CapaFleetSourcesExtensionPoint,
} from './extensions';
export { createFleetSourcesFromConfig } from './sources';
export type {
  ConfiguredManagementCluster,
  FleetSources,
  ManagementClusterSource,
  SourceRead,
  SourceReadOptions,
} from './sources';
export { loadFleetFromDirectory, FleetLoadError } from './fleet';

// live management clusters
export {
  DEFAULT_KUBERNETES_PAGE_SIZE,
  KubernetesFleetReader,
  KubernetesFleetWatcher,
  KubernetesApplier,
  KubernetesApplyError,
  KubernetesRequestError,
  MANAGEMENT_CLUSTER_KINDS,
  objectRef,
} from './kubernetes';
export type {
  AppliedObject,
  InClusterConnection,
  KubeconfigFileConnection,
  KubernetesApplierOptions,
  KubernetesFailureReason,
  KubernetesRequestErrorOptions,
  KubernetesStatus,
  KubernetesFleetReaderOptions,
  KubernetesFleetReadResult,
  KubernetesFleetWatcherOptions,
  KubernetesFleetWatcherStats,
  KubernetesRequestOptions,
  KubernetesResourceType,
  ManagementClusterConnection,
  TokenConnection,
} from './kubernetes';

// AWS evidence
export {
  DefaultAwsEvidenceGatherer,
  createDefaultAwsClientFactory,
} from './aws';
export type {
  AwsClientCredentials,
  AwsClientFactory,
  AwsClientOptions,
  AwsEvidenceCache,
  AwsEvidenceGatherer,
  AwsEvidenceGathererOptions,
  ChainSourceAccount,
  DefaultAwsClientFactoryOptions,
  GatherOptions,
  WorkloadAccessRequest,
} from './aws';

// CRD validation of rendered manifests
export * from './crd';

// the capa backend, seen from the catalog and scaffolder modules
export {
  CAPA_REPORT_CHANGED_TOPIC,
  CapaBackendClient,
  checkCapaBackendInstalled,
} from './client';
export type { FleetReportResponse } from './client';
