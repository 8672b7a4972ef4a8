/*
 * @capa-portal/plugin-capa-common: the shared contract types and the pure trust engine.
 * Isomorphic: no fs, net or process; imported by the browser too.
 */
export * from './types';
export { CHECK_IDS as CAPA_TRUST_CHECK_IDS } from './types';

export {
  evaluateFleet,
  planEvidence,
  chainKey,
  DEFAULTED_SESSION_NAME,
} from './trust/engine';
export { resolveChain, hopsOf } from './trust/chain';
export type {
  ResolvedChain,
  ChainProblem,
  ChainProblemKind,
  IdentityLookup,
} from './trust/chain';
export { verdictOf, aggregateVerdicts, worstStatus } from './trust/verdict';
export {
  DEFAULT_DURATION_SECONDS,
  MIN_DURATION_SECONDS,
  MAX_DURATION_SECONDS,
  ROLE_CHAINING_MAX_SECONDS,
} from './trust/hops';

export {
  isNamespaceAllowed,
  summarizeAllowedNamespaces,
  allowedNamespacesShapeError,
} from './model/allowedNamespaces';
export type { NamespaceDecision } from './model/allowedNamespaces';
export {
  parseObjects,
  parseConditions,
  identityKey,
  CONTROLLER_IDENTITY_KIND,
  ROLE_IDENTITY_KIND,
  STATIC_IDENTITY_KIND,
  IDENTITY_KINDS,
  CONTROLLER_IDENTITY_NAME,
  DEFAULT_IDENTITY_REF,
  CARRIER_KINDS,
} from './model/objects';
export type {
  ParsedObjects,
  ParsedIdentity,
  ParsedCarrier,
  ParsedCluster,
  ParsedClusterClass,
  ParsedInfrastructureProvider,
  CarrierKind,
} from './model/objects';
export { classifyApiVersion, splitApiVersion } from './model/apiVersions';
export type { ApiVersionStatus, ApiVersionVerdict } from './model/apiVersions';

export {
  evaluatePolicy,
  evaluateCondition,
  matchStatement,
  toStatements,
} from './iam/evaluate';
export type {
  ContextValue,
  PolicyPrincipal,
  PolicyRequest,
  PolicyDecision,
  PolicyEvaluation,
  SourcedStatement,
  StatementResult,
  Tri,
} from './iam/evaluate';
export {
  parseArn,
  parseRoleArn,
  accountOfArn,
  isAccountId,
  globMatch,
  arnLike,
} from './iam/arn';
export type { ParsedArn, ParsedRoleArn } from './iam/arn';

export {
  parseIamConfiguration,
  roleForArn,
  roleArnOf,
  managedName,
  defaultControllerPrincipal,
  DEFAULT_NAME_SUFFIX,
  CLUSTERAWSADM_MAX_SESSION_DURATION,
  ROLE_SECTIONS,
} from './clusterawsadm/iamConfiguration';
export type {
  ParsedIamConfiguration,
  ClusterawsadmRole,
  ClusterawsadmRoleKey,
} from './clusterawsadm/iamConfiguration';

export * from './manifests';
export * from './api/types';
export * from './catalog';
export * from './permissions';

export * from './conditions';
