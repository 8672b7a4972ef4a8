import { createHash } from 'node:crypto';
import {
  GetRoleCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  ListAccountsCommand,
  ListAccountsCommandInput,
} from '@aws-sdk/client-organizations';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
} from '@aws-sdk/client-sts';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  AwsCredentialProvider,
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import type {
  AssumeHop,
  AssumeResult,
  ChainPlan,
  EksClusterLookup,
  EksClusterPlan,
  EvidencePlan,
  LiveEvidence,
  OrganizationAccount,
  PolicyDocument,
  RoleLookup,
  SimulationResult,
} from '@capa-portal/plugin-capa-common';
import {
  parseArn,
  partitionRegion,
  roleNameFromArn,
  simulationSourceArn,
} from './arn';
import {
  AwsErrorKind,
  classifyAwsError,
  describeAwsError,
  redactSecrets,
} from './awsErrors';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import {
  AwsClientCredentials,
  AwsClientFactory,
  createDefaultAwsClientFactory,
} from './clients';
import { readAwsVerificationSettings } from './config';
import { createLimiter, Limiter } from './limiter';
import { withRetry } from './retry';

/**
 * Where results are cached: Backstage's `CacheService` fits (memory by default, Redis / memcache in
 * production, shared by all backend replicas). Values are plain JSON and never hold credentials.
 */
export interface AwsEvidenceCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, options?: { ttl?: number }): Promise<void>;
}

/** Which management account's credentials start a chain (the account CAPA's controllers run in). */
export type ChainSourceAccount =
  | string
  | Record<string, string>
  | ((chain: ChainPlan) => string | undefined);

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

/** Gathers live AWS evidence for the trust engine. Never throws for missing credentials or AWS failures. */
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

const CACHE_PREFIX = 'capa-aws:v1';
const DEFAULT_TTL_MS = 15 * 60 * 1000;
const EKS_FOUND_TTL_MS = 24 * 60 * 60 * 1000;

function hash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value))
    .digest('hex')
    .slice(0, 32);
}

/** Why an account's own (configured) credentials could not be used: the piece of evidence is then absent. */
class NoCredentials extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The outcome of assuming the first hops of a chain: the last hop's credentials, or where it failed. */
type HopOutcome =
  | {
      ok: true;
      credentials: AwsClientCredentials;
      principal: string;
      /** Every credential string obtained so far, to redact from messages. */
      secrets: string[];
    }
  | {
      ok: false;
      /** 0-based index of the hop that failed. */
      hop: number;
      error: unknown;
      /** AssumeRole answered without credentials. */
      noCredentials?: boolean;
      secrets: string[];
    };

interface HopSession {
  outcome: Promise<HopOutcome>;
  expiration?: Date;
  expiresSoon(): boolean;
}

/** Hop prefixes assumed during one gather (in memory only, never cached): see `#assumeHops`. */
type HopSessions = Map<string, HopSession>;

class InMemoryCache implements AwsEvidenceCache {
  readonly #entries = new Map<string, { value: unknown; expires: number }>();
  async get(key: string) {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return JSON.parse(JSON.stringify(entry.value));
  }
  async set(key: string, value: unknown, options?: { ttl?: number }) {
    if (this.#entries.size >= 10_000) {
      const now = Date.now();
      for (const [k, e] of this.#entries)
        if (e.expires <= now) this.#entries.delete(k);
    }
    this.#entries.set(key, {
      value: JSON.parse(JSON.stringify(value)),
      expires: Date.now() + (options?.ttl ?? DEFAULT_TTL_MS),
    });
  }
}

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
  readonly #credentials: AwsCredentialsManager;
  readonly #logger: LoggerService;
  readonly #cache: AwsEvidenceCache;
  readonly #clients: AwsClientFactory;
  readonly #limit: Limiter;
  readonly #ttlMs: number;
  readonly #maxAttempts: number;
  readonly #retryBaseDelayMs: number;
  readonly #retryMaxDelayMs: number;
  readonly #region: string;
  readonly #organizationAccountId?: string;
  readonly #eksClusters: boolean;
  readonly #inflight = new Map<string, Promise<unknown>>();
  /**
   * Accounts whose configured credentials AWS refused (invalid, expired), with AWS's words: the last known
   * state, set by a call AWS refused and cleared by one it authenticated (answered, or denied the action). Not
   * cleared when a gather starts, so that a gather running at the same time can't wipe what another found.
   */
  readonly #unusable = new Map<string, string>();

  /** Credentials of `accountId` were authenticated by AWS (a call answered, or denied as not allowed). */
  #credentialsWorked(accountId: string) {
    this.#unusable.delete(accountId);
  }

  /**
   * What a failed call signed with `accountId`'s own credentials says of them: AWS refused them (invalid,
   * expired) → logged, remembered and thrown as NoCredentials (the evidence stays absent); denied or not found
   * → they worked. Anything else (throttling, 5xx) says nothing about them.
   */
  #judgeCredentials(
    accountId: string,
    kind: AwsErrorKind,
    message: string,
    skipped: string,
  ) {
    if (kind === 'credentials' || kind === 'expired') {
      this.#logger.warn(
        `capa: the AWS credentials for account ${accountId} are not usable, not ${skipped}: ${message}`,
      );
      this.#unusable.set(accountId, message);
      throw new NoCredentials(message);
    }
    if (kind === 'denied' || kind === 'not-found')
      this.#credentialsWorked(accountId);
  }
  readonly #providers = new Map<
    string,
    { at: number; provider: Promise<AwsCredentialProvider | NoCredentials> }
  >();
  #loggedDisabled = false;

  private constructor(
    enabled: boolean,
    credentials: AwsCredentialsManager,
    options: AwsEvidenceGathererOptions,
  ) {
    this.#enabled = enabled;
    this.#credentials = credentials;
    this.#logger = options.logger;
    this.#cache = options.cache ?? new InMemoryCache();
    this.#clients = options.clientFactory ?? createDefaultAwsClientFactory();
    this.#limit = createLimiter(options.concurrency ?? 8);
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
    this.#retryMaxDelayMs = options.retryMaxDelayMs ?? 10_000;
    this.#region = options.region ?? 'us-east-1';
    this.#organizationAccountId = options.organizationAccountId;
    this.#eksClusters = options.eksClusters ?? true;
  }

  // -------------------------------------------------------------------------------------------------------
  // Organizations

  async listOrganizationAccounts(options?: {
    force?: boolean;
  }): Promise<OrganizationAccount[] | undefined> {
    if (!this.#checkEnabled()) return undefined;
    const key = `${CACHE_PREFIX}:orgs:${this.#organizationAccountId ?? 'main'}`;
    const result = await this.#cached<{ accounts?: OrganizationAccount[] }>(
      key,
      !!options?.force,
      async () => {
        let provider: AwsCredentialProvider;
        try {
          provider = await this.#provider(this.#organizationAccountId);
        } catch (e) {
          this.#logger.info(
            `capa: not listing AWS Organizations accounts: ${
              (e as Error).message
            }`,
          );
          return undefined;
        }
        const client = this.#clients.organizations({
          region: partitionRegion(undefined, 'us-east-1'),
          credentials: provider.sdkCredentialProvider,
          principal: provider.accountId ?? 'main',
        });
        const accounts: OrganizationAccount[] = [];
        try {
          // Paginated by hand (not paginateListAccounts): each page is one request under the limiter, and a
          // throttled page is retried with the same NextToken (a paginator that threw can't be resumed).
          let nextToken: string | undefined;
          let pages = 0;
          do {
            const input: ListAccountsCommandInput = nextToken
              ? { NextToken: nextToken }
              : {};
            const page = await this.#call(() =>
              client.send(new ListAccountsCommand(input)),
            );
            for (const a of page.Accounts ?? []) {
              if (!a.Id) continue;
              const status = (a as { State?: string }).State ?? a.Status;
              accounts.push({
                accountId: a.Id,
                ...(a.Name ? { name: a.Name } : {}),
                ...(a.Email ? { email: a.Email } : {}),
                ...(status ? { status } : {}),
              });
            }
            nextToken = page.NextToken || undefined;
            pages++;
          } while (nextToken && pages < 1000);
        } catch (e) {
          const kind = classifyAwsError(e);
          this.#logger.warn(
            `capa: AWS Organizations ListAccounts ${
              kind === 'denied' ? 'denied' : 'failed'
            }, accounts are not merged from Organizations: ${describeAwsError(
              e,
            )}`,
          );
          // Not cached: the next refresh asks again.
          return undefined;
        }
        return { accounts };
      },
    );
    return result?.accounts;
  }

  // -------------------------------------------------------------------------------------------------------
  // gather

  async gather(
    plan: EvidencePlan,
    options: GatherOptions = {},
  ): Promise<LiveEvidence> {
    if (!this.#checkEnabled()) return {};
    const force = !!options.force;
    const evidence: LiveEvidence = {};
    const involved = involvedAccounts(plan, options.managementAccountId);

    const roles = [...new Set(plan.roleArns)].map(
      async arn => [arn, await this.#getRole(arn, force)] as const,
    );
    const sims = dedupeBy(plan.simulations, s => s.key).map(
      async s =>
        [
          s.key,
          await this.#simulate(s.principalArn, s.roleArn, force),
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
          ? await this.#assumeChain(chain, account, force, sessions)
          : undefined,
      ] as const;
    });
    // EKS clusters: DescribeCluster as soon as the cluster's chain is assumed, with its credentials (from this
    // gather's session memo: no AssumeRole is repeated for them).
    const eksClient = this.#eksClusters ? this.#clients.eks : undefined;
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
        await this.#describeEks(e, chain, account, force, sessions),
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
    const problems = [...involved]
      .filter(account => this.#unusable.has(account))
      .sort()
      .map(account => [account, this.#unusable.get(account)!] as const);
    if (problems.length)
      evidence.credentialProblems = Object.fromEntries(problems);
    return evidence;
  }

  // -------------------------------------------------------------------------------------------------------
  // iam:GetRole

  #getRole(roleArn: string, force: boolean): Promise<RoleLookup | undefined> {
    return this.#cached(
      `${CACHE_PREFIX}:role:${hash(roleArn)}`,
      force,
      async () => {
        const arn = parseArn(roleArn);
        const roleName = roleNameFromArn(roleArn);
        const checkedAt = new Date().toISOString();
        if (!arn || !roleName || !/^\d{12}$/.test(arn.accountId)) {
          return {
            status: 'error',
            message: `not an IAM role ARN: ${roleArn}`,
            checkedAt,
          } satisfies RoleLookup;
        }
        const iam = await this.#iamClient(arn, `reading ${roleArn}`);
        if (!iam) return undefined;
        try {
          const out = await this.#call(() =>
            iam.send(new GetRoleCommand({ RoleName: roleName })),
          );
          this.#credentialsWorked(arn.accountId);
          const encoded = out.Role?.AssumeRolePolicyDocument;
          // IAM names are case-insensitive, paths are not: a role found by name under another path is not this ARN.
          if (
            out.Role?.Arn &&
            out.Role.Arn.toLowerCase() !== roleArn.toLowerCase()
          ) {
            return {
              status: 'not-found',
              message: `${roleArn} does not exist; account ${arn.accountId} has ${out.Role.Arn} (a different path)`,
              checkedAt,
            } satisfies RoleLookup;
          }
          if (!encoded)
            return {
              status: 'found',
              message: 'the role has no trust policy',
              checkedAt,
            } satisfies RoleLookup;
          const trustPolicy = decodePolicyDocument(encoded);
          if (!trustPolicy) {
            return {
              status: 'error',
              message: 'the trust policy could not be decoded as JSON',
              checkedAt,
            } satisfies RoleLookup;
          }
          return {
            status: 'found',
            trustPolicy,
            checkedAt,
          } satisfies RoleLookup;
        } catch (e) {
          const kind = classifyAwsError(e);
          const message = describeAwsError(e);
          this.#judgeCredentials(
            arn.accountId,
            kind,
            message,
            `reading ${roleArn}`,
          );
          if (kind === 'not-found')
            return {
              status: 'not-found',
              message: `${roleArn} does not exist (${message})`,
              checkedAt,
            } satisfies RoleLookup;
          if (kind === 'denied')
            return {
              status: 'access-denied',
              message,
              checkedAt,
            } satisfies RoleLookup;
          return {
            status: 'error',
            message: this.#failureMessage(kind, message),
            checkedAt,
          } satisfies RoleLookup;
        }
      },
    );
  }

  // -------------------------------------------------------------------------------------------------------
  // iam:SimulatePrincipalPolicy

  #simulate(
    principalArn: string,
    roleArn: string,
    force: boolean,
  ): Promise<SimulationResult | undefined> {
    const source = simulationSourceArn(principalArn);
    return this.#cached(
      `${CACHE_PREFIX}:sim:${hash([source, roleArn])}`,
      force,
      async () => {
        const checkedAt = new Date().toISOString();
        const arn = parseArn(source);
        if (!arn || !/^\d{12}$/.test(arn.accountId)) {
          return {
            decision: 'error',
            message: `not an IAM principal ARN: ${principalArn}`,
            checkedAt,
          } satisfies SimulationResult;
        }
        const iam = await this.#iamClient(arn, `simulating ${source}`);
        if (!iam) return undefined;
        try {
          const out = await this.#call(() =>
            iam.send(
              new SimulatePrincipalPolicyCommand({
                PolicySourceArn: source,
                ActionNames: ['sts:AssumeRole'],
                ResourceArns: [roleArn],
              }),
            ),
          );
          this.#credentialsWorked(arn.accountId);
          const result =
            out.EvaluationResults?.find(
              r => r.EvalActionName?.toLowerCase() === 'sts:assumerole',
            ) ?? out.EvaluationResults?.[0];
          const decision = result?.EvalDecision;
          if (
            decision !== 'allowed' &&
            decision !== 'explicitDeny' &&
            decision !== 'implicitDeny'
          ) {
            return {
              decision: 'error',
              message: `unexpected simulation answer: ${String(decision)}`,
              checkedAt,
            } satisfies SimulationResult;
          }
          const matched = [
            ...(result?.MatchedStatements ?? []),
            ...(result?.ResourceSpecificResults ?? []).flatMap(
              r => r.MatchedStatements ?? [],
            ),
          ]
            .map(s => s.SourcePolicyId ?? s.SourcePolicyType)
            .filter((s): s is string => !!s);
          const notes: string[] = [];
          if (source !== principalArn)
            notes.push(
              `simulated as ${source} (the role of the session ${principalArn})`,
            );
          if (
            result?.OrganizationsDecisionDetail?.AllowedByOrganizations ===
            false
          )
            notes.push('denied by an organization SCP');
          if (
            result?.PermissionsBoundaryDecisionDetail
              ?.AllowedByPermissionsBoundary === false
          )
            notes.push('denied by the permissions boundary');
          if (result?.MissingContextValues?.length)
            notes.push(
              `context keys not simulated: ${result.MissingContextValues.join(
                ', ',
              )}`,
            );
          return {
            decision,
            ...(matched.length
              ? { matchedStatements: [...new Set(matched)] }
              : {}),
            ...(notes.length ? { message: notes.join('; ') } : {}),
            checkedAt,
          } satisfies SimulationResult;
        } catch (e) {
          const kind = classifyAwsError(e);
          const message = describeAwsError(e);
          this.#judgeCredentials(
            arn.accountId,
            kind,
            message,
            `simulating ${source}`,
          );
          let why = this.#failureMessage(kind, message);
          if (kind === 'denied') {
            why = `not allowed to run iam:SimulatePrincipalPolicy on ${source}: ${message}`;
          } else if (kind === 'not-found') {
            why = `the principal ${source} does not exist: ${message}`;
          }
          return {
            decision: 'error',
            message: why,
            checkedAt,
          } satisfies SimulationResult;
        }
      },
    );
  }

  // -------------------------------------------------------------------------------------------------------
  // eks:DescribeCluster with the credentials a chain ends in

  #describeEks(
    e: EksClusterPlan,
    chain: ChainPlan,
    sourceAccountId: string,
    force: boolean,
    sessions: HopSessions,
  ): Promise<EksClusterLookup | undefined> {
    return this.#cached(
      `${CACHE_PREFIX}:eks:${hash([sourceAccountId, e.key])}`,
      force,
      async () => {
        const checkedAt = new Date().toISOString();
        let provider: AwsCredentialProvider;
        try {
          provider = await this.#provider(sourceAccountId);
        } catch {
          return undefined;
        }
        const outcome = await this.#assumeHops(
          sessions,
          provider,
          sourceAccountId,
          chain,
          chain.hops.length,
          p => partitionRegion(p, provider.stsRegion ?? this.#region),
        );
        if (!outcome.ok) {
          return {
            status: 'error',
            message: `the chain could not be assumed to read the cluster: ${describeAwsError(
              outcome.error,
              outcome.secrets,
            )}`,
            checkedAt,
          } satisfies EksClusterLookup;
        }
        const eks = this.#clients.eks!({
          region: e.region,
          credentials: outcome.credentials,
          principal: outcome.principal,
        });
        try {
          const out = await this.#call(() =>
            eks.send(new DescribeClusterCommand({ name: e.name })),
          );
          const cluster = out.cluster;
          return {
            status: 'found',
            ...(cluster?.endpoint ? { endpoint: cluster.endpoint } : {}),
            ...(cluster?.certificateAuthority?.data
              ? { certificateAuthorityData: cluster.certificateAuthority.data }
              : {}),
            checkedAt,
          } satisfies EksClusterLookup;
        } catch (err) {
          const kind = classifyAwsError(err);
          const message = describeAwsError(err, outcome.secrets);
          if (kind === 'not-found')
            return {
              status: 'not-found',
              message: `no EKS cluster ${e.name} in ${e.region}: ${message}`,
              checkedAt,
            } satisfies EksClusterLookup;
          if (kind === 'denied')
            return {
              status: 'access-denied',
              message: `not allowed to run eks:DescribeCluster on ${e.name}: ${message}`,
              checkedAt,
            } satisfies EksClusterLookup;
          return {
            status: 'error',
            message: this.#failureMessage(kind, message),
            checkedAt,
          } satisfies EksClusterLookup;
        }
      },
      // A cluster's endpoint and CA change rarely: found ones are kept a day (Verify now asks again).
      value =>
        value.status === 'found'
          ? Math.max(this.#ttlMs, EKS_FOUND_TTL_MS)
          : this.#ttlMs,
    );
  }

  // -------------------------------------------------------------------------------------------------------
  // sts:AssumeRole along a chain, then sts:GetCallerIdentity

  #assumeChain(
    chain: ChainPlan,
    sourceAccountId: string,
    force: boolean,
    sessions: HopSessions,
  ): Promise<AssumeResult | undefined> {
    const hops = chain.hops;
    // Keyed by what is asked (not by the generated session name of a defaulted hop), hashed: the key
    // carries no ExternalId or policy in clear.
    const key = `${CACHE_PREFIX}:chain:${hash([
      sourceAccountId,
      chain.rootStaticSecret ?? null,
      chain.expectedAccountId,
      hops.map(h => [
        h.roleArn,
        h.sessionNameDefaulted ? null : h.sessionName,
        h.durationSeconds,
        h.externalId ?? null,
        h.policy ?? null,
      ]),
    ])}`;
    return this.#cached(key, force, async () => {
      const checkedAt = new Date().toISOString();
      let provider: AwsCredentialProvider;
      try {
        provider = await this.#provider(sourceAccountId);
      } catch (e) {
        this.#logger.debug(
          `capa: no AWS credentials for management account ${sourceAccountId}, not assuming chain ${
            chain.key
          }: ${(e as Error).message}`,
        );
        return undefined;
      }
      const stsRegion = (p: string | undefined) =>
        partitionRegion(p, provider.stsRegion ?? this.#region);
      // Hops are assumed through the gather's session memo: chains that start with the same hops (nested
      // chains through a hub identity) share one AssumeRole per common hop.
      const outcome = await this.#assumeHops(
        sessions,
        provider,
        sourceAccountId,
        chain,
        hops.length,
        stsRegion,
      );
      const secrets = outcome.secrets;
      // The first hop is signed with the management account's own credentials.
      if (outcome.ok ? hops.length > 0 : outcome.hop > 0)
        this.#credentialsWorked(sourceAccountId);
      if (!outcome.ok) {
        const i = outcome.hop;
        const hop = hops[i];
        const kind = classifyAwsError(outcome.error);
        const message = describeAwsError(outcome.error, secrets);
        // Only the first hop is signed with the management account's own credentials.
        if (i === 0)
          this.#judgeCredentials(
            sourceAccountId,
            kind,
            message,
            `assuming chain ${chain.key}`,
          );
        if (outcome.noCredentials) {
          return {
            status: 'error',
            failedHop: i,
            message: `AssumeRole ${hop.roleArn} returned no credentials`,
            checkedAt,
          } satisfies AssumeResult;
        }
        return {
          status: assumeStatus(kind),
          failedHop: i,
          message: `AssumeRole ${hop.roleArn} (hop ${i + 1} of ${
            hops.length
          }) failed: ${this.#failureMessage(kind, message)}`,
          checkedAt,
        } satisfies AssumeResult;
      }
      const credentials = outcome.credentials;
      const principal = outcome.principal;
      const last = hops[hops.length - 1];
      const sts = this.#clients.sts({
        // The partition of the last role, or of the root principal for a chain without role hops.
        region: stsRegion(
          parseArn(last?.roleArn ?? chain.rootPrincipalArn ?? '')?.partition,
        ),
        credentials,
        principal,
      });
      try {
        const who = await this.#call(() =>
          sts.send(new GetCallerIdentityCommand({})),
        );
        if (hops.length === 0) this.#credentialsWorked(sourceAccountId);
        const accountId = who.Account;
        const arn = who.Arn;
        if (accountId !== chain.expectedAccountId) {
          // The calls succeeded ('ok'); the engine compares accountId with expectedAccountId and fails the check.
          return {
            status: 'ok',
            ...(accountId ? { accountId } : {}),
            ...(arn ? { arn } : {}),
            message: `GetCallerIdentity returned account ${
              accountId ?? '(none)'
            }, expected ${chain.expectedAccountId}`,
            checkedAt,
          } satisfies AssumeResult;
        }
        return {
          status: 'ok',
          accountId,
          ...(arn ? { arn } : {}),
          checkedAt,
        } satisfies AssumeResult;
      } catch (e) {
        const kind = classifyAwsError(e);
        // Without role hops, GetCallerIdentity is signed with the management account's own credentials.
        if (hops.length === 0)
          this.#judgeCredentials(
            sourceAccountId,
            kind,
            describeAwsError(e),
            `verifying chain ${chain.key}`,
          );
        return {
          status: kind === 'throttled' ? 'throttled' : 'error',
          message: `GetCallerIdentity after the last hop failed: ${this.#failureMessage(
            kind,
            describeAwsError(e, secrets),
          )}`,
          checkedAt,
        } satisfies AssumeResult;
      }
    });
  }

  /**
   * Assumes the first `n` hops of a chain, reusing what this gather already assumed for the same first hops
   * from the same source account (same role, session name, duration, external id and session policy): each
   * distinct hop prefix is one AssumeRole per gather, so a hub identity shared by many nested chains is
   * assumed once, not once per chain. Prefix credentials close to expiry are not reused.
   */
  #assumeHops(
    sessions: HopSessions,
    provider: AwsCredentialProvider,
    sourceAccountId: string,
    chain: ChainPlan,
    n: number,
    stsRegion: (partition: string | undefined) => string,
  ): Promise<HopOutcome> {
    if (n === 0) {
      return Promise.resolve({
        ok: true,
        credentials: provider.sdkCredentialProvider,
        principal: sourceAccountId,
        secrets: [],
      });
    }
    const key = JSON.stringify([
      sourceAccountId,
      chain.rootStaticSecret ?? null,
      chain.hops
        .slice(0, n)
        .map(h => [
          h.roleArn,
          h.sessionNameDefaulted ? null : h.sessionName,
          h.durationSeconds,
          h.externalId ?? null,
          h.policy ?? null,
        ]),
    ]);
    const existing = sessions.get(key);
    if (existing && !existing.expiresSoon()) return existing.outcome;
    const entry: HopSession = {
      outcome: Promise.resolve({
        ok: false,
        hop: 0,
        error: undefined,
        secrets: [],
      }),
      // Reuse only while at least a minute of the session is left.
      expiresSoon: () =>
        entry.expiration !== undefined &&
        entry.expiration.getTime() - Date.now() < 60_000,
    };
    const outcome = (async (): Promise<HopOutcome> => {
      const before = await this.#assumeHops(
        sessions,
        provider,
        sourceAccountId,
        chain,
        n - 1,
        stsRegion,
      );
      if (!before.ok) return before;
      const i = n - 1;
      const hop = chain.hops[i];
      const sts = this.#clients.sts({
        region: stsRegion(parseArn(hop.roleArn)?.partition),
        credentials: before.credentials,
        principal: before.principal,
      });
      try {
        const out = await this.#call(() =>
          sts.send(new AssumeRoleCommand(hopParameters(hop))),
        );
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
          return {
            ok: false,
            hop: i,
            error: undefined,
            noCredentials: true,
            secrets: before.secrets,
          };
        }
        entry.expiration = c.Expiration;
        return {
          ok: true,
          credentials: {
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretAccessKey,
            sessionToken: c.SessionToken,
            ...(c.Expiration ? { expiration: c.Expiration } : {}),
          },
          principal: `hop:${i}:${hop.roleArn}`,
          secrets: [
            ...before.secrets,
            c.AccessKeyId,
            c.SecretAccessKey,
            c.SessionToken,
          ],
        };
      } catch (error) {
        return { ok: false, hop: i, error, secrets: before.secrets };
      }
    })();
    entry.outcome = outcome;
    sessions.set(key, entry);
    return outcome;
  }

  // -------------------------------------------------------------------------------------------------------
  // plumbing

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

  #failureMessage(kind: AwsErrorKind, message: string): string {
    if (kind === 'throttled')
      return `still throttled after ${this.#maxAttempts} attempts: ${message}`;
    if (kind === 'transient')
      return `failed after ${this.#maxAttempts} attempts: ${message}`;
    return message;
  }

  /** One AWS request: under the concurrency limit, retried with backoff on throttling. */
  #call<T>(request: () => Promise<T>): Promise<T> {
    return withRetry(() => this.#limit(request), {
      maxAttempts: this.#maxAttempts,
      baseDelayMs: this.#retryBaseDelayMs,
      maxDelayMs: this.#retryMaxDelayMs,
      onRetry: ({ attempt, delayMs, kind }) =>
        this.#logger.debug(
          `capa: AWS request ${kind}, retry ${attempt} in ${delayMs} ms`,
        ),
    });
  }

  /** The configured credential provider of an account (or the main account); throws NoCredentials. */
  /** An IAM client with the account's own credentials, or undefined (logged) when the account has none. */
  async #iamClient(
    arn: { accountId: string; partition: string },
    purpose: string,
  ): Promise<ReturnType<AwsClientFactory['iam']> | undefined> {
    let provider: AwsCredentialProvider;
    try {
      provider = await this.#provider(arn.accountId);
    } catch (e) {
      this.#logger.debug(
        `capa: no AWS credentials for account ${
          arn.accountId
        }, not ${purpose}: ${(e as Error).message}`,
      );
      return undefined;
    }
    return this.#clients.iam({
      region: partitionRegion(arn.partition, 'us-east-1'),
      credentials: provider.sdkCredentialProvider,
      principal: arn.accountId,
    });
  }

  async #provider(
    accountId: string | undefined,
  ): Promise<AwsCredentialProvider> {
    const key = accountId ?? '';
    let entry = this.#providers.get(key);
    if (!entry || Date.now() - entry.at > this.#ttlMs) {
      const provider = this.#credentials
        .getCredentialProvider(accountId ? { accountId } : undefined)
        .catch(
          e =>
            new NoCredentials(
              redactSecrets(String((e as Error)?.message ?? e)).split('\n')[0],
            ),
        );
      entry = { at: Date.now(), provider };
      this.#providers.set(key, entry);
    }
    const provider = await entry.provider;
    if (provider instanceof NoCredentials) throw provider;
    return provider;
  }

  /**
   * Cache-aside with in-flight sharing. `compute` returning undefined (no credentials) or throwing
   * NoCredentials caches nothing and yields undefined. Values are JSON, without credentials.
   */
  async #cached<T>(
    key: string,
    force: boolean,
    compute: () => Promise<T | undefined>,
    ttlOf?: (value: T) => number,
  ): Promise<T | undefined> {
    const running = this.#inflight.get(key);
    if (running) return running as Promise<T | undefined>;
    if (!force) {
      const hit = await this.#cacheGet(key);
      if (hit !== undefined) return hit as T;
      const started = this.#inflight.get(key);
      if (started) return started as Promise<T | undefined>;
    }
    const promise = (async () => {
      let value: T | undefined;
      try {
        value = await compute();
      } catch (e) {
        if (e instanceof NoCredentials) return undefined;
        // Only our own code can throw here; report without the error object.
        this.#logger.error(
          `capa: live AWS evidence failed unexpectedly: ${describeAwsError(e)}`,
        );
        return undefined;
      }
      if (value !== undefined)
        await this.#cacheSet(key, value, ttlOf?.(value) ?? this.#ttlMs);
      return value;
    })().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  async #cacheGet(key: string): Promise<unknown> {
    try {
      return await this.#cache.get(key);
    } catch (e) {
      this.#logger.warn(
        `capa: cache read failed, asking AWS: ${describeAwsError(e)}`,
      );
      return undefined;
    }
  }

  async #cacheSet(key: string, value: unknown, ttl: number): Promise<void> {
    try {
      await this.#cache.set(key, value, { ttl });
    } catch (e) {
      this.#logger.warn(`capa: cache write failed: ${describeAwsError(e)}`);
    }
  }
}

/**
 * The AssumeRole input CAPA sends for a hop (pkg/cloud/identity GetAssumeRoleCredentials, aws-sdk-go v1
 * stscreds): RoleSessionName as planned, or, when the identity sets none (`sessionNameDefaulted`),
 * stscreds' default, the UTC time in nanoseconds; DurationSeconds (stscreds' default 15 minutes when 0);
 * ExternalId only when non-empty; Policy (the identity's inlinePolicy) only when non-empty. policyARNs
 * are never sent by CAPA, so never here either.
 */
function hopParameters(hop: AssumeHop) {
  return {
    RoleArn: hop.roleArn,
    RoleSessionName:
      hop.sessionNameDefaulted || !hop.sessionName
        ? `${Date.now()}000000`
        : hop.sessionName,
    DurationSeconds: hop.durationSeconds > 0 ? hop.durationSeconds : 900,
    ...(hop.externalId ? { ExternalId: hop.externalId } : {}),
    ...(hop.policy ? { Policy: hop.policy } : {}),
  };
}

/**
 * IAM returns policy documents URL-encoded (RFC 3986: `%20` for a space, `%2B` for a plus); decode and
 * parse. A document that is already JSON is parsed as is; `+` is read as a space only as a last resort.
 */
export function decodePolicyDocument(
  encoded: string,
): PolicyDocument | undefined {
  const candidates: Array<() => string> = [
    () => encoded,
    () => decodeURIComponent(encoded),
    () => decodeURIComponent(encoded.replace(/\+/g, '%20')),
  ];
  if (!encoded.trimStart().startsWith('{')) candidates.shift();
  for (const candidate of candidates) {
    try {
      const doc = JSON.parse(candidate());
      if (
        doc &&
        typeof doc === 'object' &&
        !Array.isArray(doc) &&
        'Statement' in doc
      )
        return doc as PolicyDocument;
    } catch {
      // not this encoding: try the next
    }
  }
  return undefined;
}

function assumeStatus(kind: AwsErrorKind): AssumeResult['status'] {
  if (kind === 'denied') return 'denied';
  if (kind === 'throttled') return 'throttled';
  return 'error';
}

/** The accounts whose own credentials a plan uses: target roles' (GetRole), principals' (simulation), chains' roots. */
function involvedAccounts(
  plan: EvidencePlan,
  source: ChainSourceAccount | undefined,
): Set<string> {
  const accounts = new Set<string>();
  const add = (arnText: string) => {
    const arn = parseArn(arnText);
    if (arn && /^\d{12}$/.test(arn.accountId)) accounts.add(arn.accountId);
  };
  plan.roleArns.forEach(add);
  for (const s of plan.simulations) add(simulationSourceArn(s.principalArn));
  for (const chain of plan.chains) {
    if (chain.rootStaticSecret) continue;
    const account = sourceAccountFor(chain, source);
    if (account) accounts.add(account);
  }
  return accounts;
}

function sourceAccountFor(
  chain: ChainPlan,
  source: ChainSourceAccount | undefined,
): string | undefined {
  if (!source) {
    const root = chain.rootPrincipalArn
      ? parseArn(chain.rootPrincipalArn)
      : undefined;
    return root && /^\d{12}$/.test(root.accountId) ? root.accountId : undefined;
  }
  if (typeof source === 'string') return source;
  if (typeof source === 'function') return source(chain);
  return source[chain.key];
}

function dedupeBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

function collect<T>(
  entries: ReadonlyArray<readonly [string, T | undefined]>,
): Record<string, T> | undefined {
  const out: Record<string, T> = {};
  let any = false;
  for (const [k, v] of entries) {
    if (v !== undefined) {
      out[k] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}
