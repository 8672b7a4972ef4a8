/**
 * Test doubles for capa-node's adapters (`@capa-portal/plugin-capa-node/testing`). Not for production use.
 */
export {
  TestKubernetesApiServer,
  applyMerge,
  GZIP_THRESHOLD_BYTES,
} from './TestKubernetesApiServer';
export type {
  TestKubernetesApiServerOptions,
  TestValidationResult,
  TestRequestRecord,
  TestRequestVerb,
  FailRule,
} from './TestKubernetesApiServer';
export { smallCapaFleet } from './fleetFixture';
export { describeWithKubeApiServer, uniqueName } from './realKubeApiServer';
export type { RealKubeApiServer } from './realKubeApiServer';
export type { KubernetesResourceType, TokenConnection } from '../kubernetes';
