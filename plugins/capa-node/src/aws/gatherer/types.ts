import type { LoggerService } from '@backstage/backend-plugin-api';
import type { AwsCredentialsManager } from '@backstage/integration-aws-node';
import type {
  ChainPlan,
  EvidencePlan,
  LiveEvidence,
  OrganizationAccount,
} from '@capa-portal/plugin-capa-common';
import type { AwsClientFactory } from '../clients';

/**
 * Where results are cached: Backstage's `CacheService` fits (memory by default, Redis / memcache in
 * production, shared by all backend replicas). Values are plain JSON and never hold credentials.
 *
 * @public
 */
export interface AwsEvidenceCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, options?: { ttl?: number }): Promise<void>;
}

/**
 * Which management account's credentials start a chain (the account CAPA's controllers run in).
 *
 * @public
 */
export type ChainSourceAccount =
  | string
  | Record<string, string>
  | ((chain: ChainPlan) => string | undefined);

/** @public */
export interface GatherOptions {
  /**
   * The account whose credentials (from the `aws` integration config) are the root of each chain: one
   * account id for every chain, a map from chain key to account id, or a function. Default: the account
   * of the chain's `rootPrincipalArn` (the controller principal). A chain whose account is not known is
   * not assumed (absent from `assumeResults`).
   */
  managementAccountId?: ChainSourceAccount;
  /** Bypass the cache and ask AWS now ("verify now"). Fresh results replace the cached ones. */
  force?: boolean;
  /** Also list the organization's accounts (default true). */
  includeOrganizations?: boolean;
}

/**
 * Gathers live AWS evidence for the trust engine. Never throws for missing credentials or AWS failures.
 *
 * @public
 */
export interface AwsEvidenceGatherer {
  /** Organizations ListAccounts (all pages); undefined when there are no credentials or it is denied. */
  listOrganizationAccounts(options?: {
    force?: boolean;
  }): Promise<OrganizationAccount[] | undefined>;
  /** Carries out an evidence plan: GetRole, SimulatePrincipalPolicy, AssumeRole chains + GetCallerIdentity. */
  gather(plan: EvidencePlan, options?: GatherOptions): Promise<LiveEvidence>;
  /** False when it can make no AWS call at all (no `aws` config and no default credential chain). */
  readonly enabled?: boolean;
}

/** @public */
export interface AwsEvidenceGathererOptions {
  logger: LoggerService;
  /** Shared cache (Backstage `CacheService`). Without one, an in-memory cache of this instance is used. */
  cache?: AwsEvidenceCache;
  /** Creates the SDK clients; default: real clients (see {@link createDefaultAwsClientFactory}). */
  clientFactory?: AwsClientFactory;
  /** Credentials per account; default: `DefaultAwsCredentialsManager.fromConfig(config)`. */
  credentialsManager?: AwsCredentialsManager;
  /** Maximum AWS requests in flight at once (default 8). */
  concurrency?: number;
  /**
   * Look EKS clusters up with eks:DescribeCluster (API server endpoint and CA) with the credentials their
   * chain ends in (default true; needs a client factory with `eks`).
   */
  eksClusters?: boolean;
  /** How long results are cached (default 15 minutes). */
  ttlMs?: number;
  /** Attempts per AWS request on throttling / transient failures, the first included (default 5). */
  maxAttempts?: number;
  /** Backoff base and cap in milliseconds (defaults 200 ms and 10 s); full jitter. */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Region for STS when the account's config names none (default us-east-1). */
  region?: string;
  /**
   * The account to call Organizations ListAccounts from (the organization's management account or a
   * delegated administrator). Default: the `aws.mainAccount` credentials.
   */
  organizationAccountId?: string;
  /**
   * Use the AWS SDK's default credential chain even when app-config has no `aws` block. Off by default, so
   * that a developer machine with ambient AWS credentials makes no live calls unless configured to.
   */
  useDefaultCredentialChain?: boolean;
}
