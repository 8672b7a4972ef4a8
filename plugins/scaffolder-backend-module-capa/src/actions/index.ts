export {
  createCapaIdentityResolveAction,
  resolveIdentity,
} from './identityResolve';
export type {
  ResolveIdentityInput,
  ResolveIdentityResult,
} from './identityResolve';
export { createCapaClusterRenderAction, renderCluster } from './clusterRender';
export type { RenderResult } from './clusterRender';
export {
  createCapaClusterApplyAction,
  SCAFFOLDER_FIELD_MANAGER,
} from './clusterApply';
export type { ApplyDependencies } from './clusterApply';
export {
  createCapaAccountBootstrapAction,
  generateBootstrap,
} from './accountBootstrap';
export type { BootstrapResult } from './accountBootstrap';
export { createCapaTrustVerifyAction } from './trustVerify';
