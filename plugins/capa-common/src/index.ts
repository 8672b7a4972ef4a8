/**
 * capa-portal's common package: the contract shared by capa-portal's packages (API types, annotations, entity
 * types, check ids, permissions) and the pure trust engine (`evaluateFleet`, `planEvidence`). Isomorphic: no fs,
 * net or process; imported by the browser too. What is not exported here (the engine's parts, the IAM evaluator's
 * internals, the object parsers) is internal and may change in any release.
 *
 * @packageDocumentation
 */
export * from './types';
export { isRecord } from './records';

export { evaluateFleet, planEvidence } from './trust/engine';
export { evaluateFleetIncrementally } from './trust/incremental/evaluateIncrementally';
export type {
  EvaluationStats,
  FleetEvaluation,
  IncrementalOptions,
} from './trust/incremental/evaluateIncrementally';
export {
  verdictOf,
  compareCheckStatus,
  VERDICTS_WORST_FIRST,
} from './trust/verdict';

export { reachabilityChecks, reachabilityVerdict } from './trust/reachability';
export { namespaceReach, chainAdmission } from './trust/namespaceReach';

export { isNamespaceAllowed } from './model/allowedNamespaces';
export type { NamespaceDecision } from './model/allowedNamespaces';
export {
  CONTROLLER_IDENTITY_KIND,
  ROLE_IDENTITY_KIND,
  IDENTITY_KINDS,
  DEFAULT_IDENTITY_REF,
} from './model/objects';
export { splitApiVersion } from './model/apiVersions';

export { evaluatePolicy } from './iam/evaluate';
export type {
  ContextValue,
  PolicyDecision,
  PolicyEvaluation,
  PolicyPrincipal,
  PolicyRequest,
  SourcedStatement,
  StatementResult,
  Tri,
} from './iam/evaluate';
export {
  parseArn,
  parseRoleArn,
  accountOfArn,
  isAccountId,
  ACCOUNT_ID_PATTERN,
} from './iam/arn';
export type { ParsedArn, ParsedRoleArn } from './iam/arn';
export { ROLE_SESSION_NAME_PATTERN, EXTERNAL_ID_PATTERN } from './iam/sts';

export * from './manifests';
export { parseOrganizationSnapshot } from './organizations/parseOrganizationSnapshot';
export {
  onboardingGaps,
  matchesOnboardingFilter,
} from './views/onboardingGaps';
export { trustMap } from './views/trustMap';
export * from './api/types';
export * from './catalog';
export * from './permissions';

export * from './conditions';

export * from './workload';
