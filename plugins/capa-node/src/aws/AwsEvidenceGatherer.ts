/*
 * The live AWS evidence gatherer: carries out an evidence plan (iam:GetRole, iam:SimulatePrincipalPolicy,
 * sts:AssumeRole chains + sts:GetCallerIdentity, eks:DescribeCluster, organizations:ListAccounts). One module
 * per AWS call in gatherer/, with the cache (gatherer/cache.ts) and the credential bookkeeping
 * (gatherer/credentials.ts) they share; this class only wires them and runs a plan's calls concurrently.
 */
import type { Config } from '@backstage/config';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import type {
  EvidencePlan,
  LiveEvidence,
  LiveWorkloadEvidence,
  OrganizationAccount,
} from '@capa-portal/plugin-capa-common';
import { createDefaultAwsClientFactory } from './clients';
import { readAwsVerificationSettings } from './config';
import { assumeChain, HopSessions } from './gatherer/assumeChain';
import { DEFAULT_TTL_MS, EvidenceCache, InMemoryCache } from './gatherer/cache';
import { createGathererContext, GathererContext } from './gatherer/context';
import { CredentialTracker } from './gatherer/credentials';
import { describeEks } from './gatherer/describeEks';
import { getRole } from './gatherer/getRole';
import { listOrganizationAccounts } from './gatherer/organizations';
import {
  collect,
  dedupeBy,
  involvedAccounts,
  sourceAccountFor,
} from './gatherer/plan';
import { simulate } from './gatherer/simulate';
import {
  gatherWorkloadAccess,
  WorkloadAccessRequest,
} from './gatherer/workloadAccess';
import type {
  AwsEvidenceGatherer,
  AwsEvidenceGathererOptions,
  GatherOptions,
} from './gatherer/types';

export type {
  AwsEvidenceCache,
  AwsEvidenceGatherer,
  AwsEvidenceGathererOptions,
  ChainSourceAccount,
  GatherOptions,
} from './gatherer/types';
export { decodePolicyDocument } from './gatherer/policyDocument';
export type { WorkloadAccessRequest } from './gatherer/workloadAccess';

/**
 * Live AWS evidence through `@backstage/integration-aws-node` credentials.
 *
 * - Every result is cached by what was asked (role ARN; principal and role; the chain's exact AssumeRole
 *   parameters and root account) for `ttlMs`, in the shared cache; concurrent requests for the same key share
 *   one in-flight promise. So each distinct chain is assumed at most once per TTL, unless `force` is set.
 * - At most `concurrency` AWS requests are in flight; throttling and transient failures are retried with
 *   exponential backoff and full jitter; access denied, not found and expired / invalid credentials are not.
 * - Credentials never leave this class: results, cache entries, errors and log lines hold sanitised
 *   messages only. A hop's temporary credentials live in memory only during the `gather` that assumed them,
 *   where chains starting with the same hops share them (one AssumeRole per distinct hop prefix).
 * - An account without configured credentials yields no evidence (absent keys), never an error.
 *
 * @public
 */
export class DefaultAwsEvidenceGatherer implements AwsEvidenceGatherer {
  /**
   * A gatherer set up from app-config: credentials from the `aws` integration block, and how it talks to AWS
   * from `capa.verification` (concurrency, cacheTtl, maxAttempts, region, organizationAccountId,
   * requestTimeout, endpoints). Options passed here win over config. Throws an InputError naming the key when
   * a setting is wrong.
   */
  static fromConfig(
    config: Config,
    options: AwsEvidenceGathererOptions,
  ): DefaultAwsEvidenceGatherer {
    const enabled =
      config.has('aws') ||
      options.useDefaultCredentialChain === true ||
      !!options.credentialsManager;
    const credentialsManager =
      options.credentialsManager ??
      DefaultAwsCredentialsManager.fromConfig(config);
    // `capa.verification` settings; what the caller passes wins.
    const { clients, ...settings } = readAwsVerificationSettings(config);
    const defined = Object.fromEntries(
      Object.entries(settings).filter(([, v]) => v !== undefined),
    );
    const given = Object.fromEntries(
      Object.entries(options).filter(([, v]) => v !== undefined),
    ) as AwsEvidenceGathererOptions;
    return new DefaultAwsEvidenceGatherer(enabled, credentialsManager, {
      ...defined,
      ...given,
      clientFactory:
        options.clientFactory ?? createDefaultAwsClientFactory(clients),
    });
  }

  readonly #enabled: boolean;
  readonly #logger: AwsEvidenceGathererOptions['logger'];
  readonly #ctx: GathererContext;
  readonly #organizationAccountId?: string;
  readonly #eksClusters: boolean;
  #loggedDisabled = false;

  private constructor(
    enabled: boolean,
    credentials: AwsCredentialsManager,
    options: AwsEvidenceGathererOptions,
  ) {
    const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#enabled = enabled;
    this.#logger = options.logger;
    this.#ctx = createGathererContext({
      logger: options.logger,
      clients: options.clientFactory ?? createDefaultAwsClientFactory(),
      region: options.region ?? 'us-east-1',
      cache: new EvidenceCache(
        options.cache ?? new InMemoryCache(),
        options.logger,
        ttlMs,
      ),
      credentials: new CredentialTracker(credentials, options.logger, ttlMs),
      concurrency: options.concurrency ?? 8,
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      retryBaseDelayMs: options.retryBaseDelayMs ?? 200,
      retryMaxDelayMs: options.retryMaxDelayMs ?? 10_000,
    });
    this.#organizationAccountId = options.organizationAccountId;
    this.#eksClusters = options.eksClusters ?? true;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  #checkEnabled(): boolean {
    if (this.#enabled) return true;
    if (!this.#loggedDisabled) {
      this.#loggedDisabled = true;
      this.#logger.info(
        'capa: no `aws` integration config, live AWS evidence is not gathered',
      );
    }
    return false;
  }

  async listOrganizationAccounts(options?: {
    force?: boolean;
  }): Promise<OrganizationAccount[] | undefined> {
    if (!this.#checkEnabled()) return undefined;
    return listOrganizationAccounts(
      this.#ctx,
      this.#organizationAccountId,
      !!options?.force,
    );
  }

  /**
   * Workload access of one EKS cluster (eks:DescribeCluster, eks:ListPodIdentityAssociations +
   * DescribePodIdentityAssociation, iam:ListOpenIDConnectProviders, iam:GetRole); undefined when AWS is not set up.
   */
  async gatherWorkloadAccess(
    request: WorkloadAccessRequest,
  ): Promise<LiveWorkloadEvidence | undefined> {
    if (!this.#checkEnabled()) return undefined;
    return gatherWorkloadAccess(this.#ctx, request);
  }

  async gather(
    plan: EvidencePlan,
    options: GatherOptions = {},
  ): Promise<LiveEvidence> {
    if (!this.#checkEnabled()) return {};
    const force = !!options.force;
    const evidence: LiveEvidence = {};
    const involved = involvedAccounts(plan, options.managementAccountId);

    const roles = [...new Set(plan.roleArns)].map(
      async arn => [arn, await getRole(this.#ctx, arn, force)] as const,
    );
    const sims = dedupeBy(plan.simulations, s => s.key).map(
      async s =>
        [
          s.key,
          await simulate(this.#ctx, s.principalArn, s.roleArn, force),
        ] as const,
    );
    // Temporary credentials of the hops assumed by this gather, by hop prefix: dropped when it returns.
    const sessions: HopSessions = new Map();
    const uniqueChains = dedupeBy(plan.chains, c => c.key);
    const chains = uniqueChains.map(async chain => {
      // A chain rooted in static credentials is skipped: they are in a Secret, which we never read. Its
      // result stays absent, and the engine reports live-assume as skipped for that reason.
      const account = chain.rootStaticSecret
        ? undefined
        : sourceAccountFor(chain, options.managementAccountId);
      return [
        chain.key,
        account
          ? await assumeChain(this.#ctx, chain, account, force, sessions)
          : undefined,
      ] as const;
    });
    // EKS clusters: DescribeCluster as soon as the cluster's chain is assumed, with its credentials (from this
    // gather's session memo: no AssumeRole is repeated for them).
    const eksClient = this.#eksClusters ? this.#ctx.clients.eks : undefined;
    const chainByKey = new Map(
      uniqueChains.map((chain, i) => [chain.key, { chain, result: chains[i] }]),
    );
    const eksLookups = (
      eksClient ? dedupeBy(plan.eksClusters ?? [], e => e.key) : []
    ).map(async e => {
      const entry = chainByKey.get(e.chainKey);
      const chain = entry?.chain;
      const result = entry ? (await entry.result)[1] : undefined;
      const account =
        chain && !chain.rootStaticSecret
          ? sourceAccountFor(chain, options.managementAccountId)
          : undefined;
      if (!chain || !account || result?.status !== 'ok')
        return [e.key, undefined] as const;
      return [
        e.key,
        await describeEks(this.#ctx, e, chain, account, force, sessions),
      ] as const;
    });
    const orgs =
      options.includeOrganizations === false
        ? undefined
        : this.listOrganizationAccounts({ force });

    const [
      roleResults,
      simResults,
      chainResults,
      organizationAccounts,
      eksResults,
    ] = await Promise.all([
      Promise.all(roles),
      Promise.all(sims),
      Promise.all(chains),
      orgs,
      Promise.all(eksLookups),
    ]);

    const targetRoles = collect(roleResults);
    const simulations = collect(simResults);
    const assumeResults = collect(chainResults);
    const eksClusters = collect(eksResults);
    if (eksClusters) evidence.eksClusters = eksClusters;
    if (organizationAccounts)
      evidence.organizationAccounts = organizationAccounts;
    if (targetRoles) evidence.targetRoles = targetRoles;
    if (simulations) evidence.simulations = simulations;
    if (assumeResults) evidence.assumeResults = assumeResults;
    const problems = this.#ctx.credentials.problemsOf(involved);
    if (problems) evidence.credentialProblems = problems;
    return evidence;
  }
}
