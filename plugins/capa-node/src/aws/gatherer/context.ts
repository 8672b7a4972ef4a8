/*
 * What every AWS call of the gatherer shares: the clients, the cache, the credential tracker, and how one
 * request is made (under the concurrency limit, retried with backoff and full jitter on throttling).
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { AwsCredentialProvider } from '@backstage/integration-aws-node';
import { partitionRegion } from '../arn';
import type { AwsErrorKind } from '../awsErrors';
import type { AwsClientFactory } from '../clients';
import { createLimiter } from '../limiter';
import { withRetry } from '../retry';
import type { EvidenceCache } from './cache';
import type { CredentialTracker } from './credentials';

export interface GathererContext {
  readonly logger: LoggerService;
  readonly clients: AwsClientFactory;
  /** Region for STS when the account's config names none. */
  readonly region: string;
  readonly cache: EvidenceCache;
  readonly credentials: CredentialTracker;
  /** One AWS request: under the concurrency limit, retried with backoff on throttling. */
  call<T>(request: () => Promise<T>): Promise<T>;
  /** The message of a failure, saying how often a throttled or transient request was tried. */
  failureMessage(kind: AwsErrorKind, message: string): string;
}

export function createGathererContext(options: {
  logger: LoggerService;
  clients: AwsClientFactory;
  region: string;
  cache: EvidenceCache;
  credentials: CredentialTracker;
  concurrency: number;
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
}): GathererContext {
  const limit = createLimiter(options.concurrency);
  const { logger, maxAttempts } = options;
  return {
    logger,
    clients: options.clients,
    region: options.region,
    cache: options.cache,
    credentials: options.credentials,
    call: request =>
      withRetry(() => limit(request), {
        maxAttempts,
        baseDelayMs: options.retryBaseDelayMs,
        maxDelayMs: options.retryMaxDelayMs,
        onRetry: ({ attempt, delayMs, kind }) =>
          logger.debug(
            `capa: AWS request ${kind}, retry ${attempt} in ${delayMs} ms`,
          ),
      }),
    failureMessage(kind, message) {
      if (kind === 'throttled')
        return `still throttled after ${maxAttempts} attempts: ${message}`;
      if (kind === 'transient')
        return `failed after ${maxAttempts} attempts: ${message}`;
      return message;
    },
  };
}

/** An IAM client with the account's own credentials, or undefined (logged) when the account has none. */
export async function iamClient(
  ctx: GathererContext,
  arn: { accountId: string; partition: string },
  purpose: string,
): Promise<ReturnType<AwsClientFactory['iam']> | undefined> {
  let provider: AwsCredentialProvider;
  try {
    provider = await ctx.credentials.provider(arn.accountId);
  } catch (e) {
    ctx.logger.debug(
      `capa: no AWS credentials for account ${arn.accountId}, not ${purpose}: ${
        (e as Error).message
      }`,
    );
    return undefined;
  }
  return ctx.clients.iam({
    region: partitionRegion(arn.partition, 'us-east-1'),
    credentials: provider.sdkCredentialProvider,
    principal: arn.accountId,
  });
}
