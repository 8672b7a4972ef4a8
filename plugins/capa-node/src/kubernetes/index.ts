export {
  DEFAULT_KUBERNETES_PAGE_SIZE,
  DEFAULT_KUBERNETES_TIMEOUT_MS,
  describeConnection,
  kubeConfigFor,
  readManagementClusterConnection,
} from './connection';
export type {
  InClusterConnection,
  KubeconfigFileConnection,
  KubernetesRequestOptions,
  ManagementClusterConnection,
  TokenConnection,
} from './connection';
export {
  KubernetesFleetReader,
  MAX_LIST_RESTARTS,
} from './KubernetesFleetReader';
export type {
  KubernetesFleetReadResult,
  KubernetesFleetReaderOptions,
} from './KubernetesFleetReader';
export {
  DEFAULT_WATCH_SECONDS,
  KubernetesFleetWatcher,
  WATCH_BACKOFF_MS,
  WATCH_FAILURES_BEFORE_STALE,
} from './KubernetesFleetWatcher';
export type {
  KubernetesFleetWatcherOptions,
  KubernetesFleetWatcherStats,
} from './KubernetesFleetWatcher';
export {
  DEFAULT_FIELD_MANAGER,
  KubernetesApplier,
  KubernetesApplyError,
  objectRef,
} from './KubernetesApplier';
export type {
  AppliedObject,
  KubernetesApplierOptions,
} from './KubernetesApplier';
export { KubernetesRequestError } from './errors';
export type {
  KubernetesFailureReason,
  KubernetesRequestErrorOptions,
  KubernetesStatus,
} from './errors';
export {
  KNOWN_RESOURCE_TYPES,
  MANAGEMENT_CLUSTER_KINDS,
  apiVersionOf,
  findResourceType,
  resourceName,
} from './kinds';
export type { KubernetesResourceType } from './kinds';
