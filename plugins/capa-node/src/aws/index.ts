export {
  DefaultAwsEvidenceGatherer,
  decodePolicyDocument,
} from './AwsEvidenceGatherer';
export type {
  AwsEvidenceGatherer,
  AwsEvidenceGathererOptions,
  AwsEvidenceCache,
  GatherOptions,
  ChainSourceAccount,
  WorkloadAccessRequest,
} from './AwsEvidenceGatherer';
export { createDefaultAwsClientFactory } from './clients';
export { readAwsVerificationSettings } from './config';
export type { AwsVerificationSettings } from './config';
export type {
  AwsClientFactory,
  AwsClientOptions,
  AwsClientCredentials,
  DefaultAwsClientFactoryOptions,
} from './clients';
export { createLimiter } from './limiter';
export type { Limiter } from './limiter';
export { classifyAwsError, describeAwsError, redactSecrets } from './awsErrors';
export type { AwsErrorKind } from './awsErrors';
