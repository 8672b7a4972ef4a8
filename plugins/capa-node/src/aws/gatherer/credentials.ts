/*
 * Whose credentials sign what: the configured credential provider of each account (memoised for the cache
 * TTL), and the bookkeeping of accounts whose credentials AWS refused (invalid, expired), reported in
 * LiveEvidence.credentialProblems. Credentials never leave the gatherer: only sanitised messages do.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  AwsCredentialProvider,
  AwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { AwsErrorKind, redactSecrets } from '../awsErrors';

/** Why an account's own (configured) credentials could not be used: the piece of evidence is then absent. */
export class NoCredentials extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export class CredentialTracker {
  readonly #credentials: AwsCredentialsManager;
  readonly #logger: LoggerService;
  readonly #ttlMs: number;
  readonly #providers = new Map<
    string,
    { at: number; provider: Promise<AwsCredentialProvider | NoCredentials> }
  >();
  /**
   * Accounts whose configured credentials AWS refused (invalid, expired), with AWS's words: the last known
   * state, set by a call AWS refused and cleared by one it authenticated (answered, or denied the action). Not
   * cleared when a gather starts, so that a gather running at the same time can't wipe what another found.
   */
  readonly #unusable = new Map<string, string>();

  constructor(
    credentials: AwsCredentialsManager,
    logger: LoggerService,
    ttlMs: number,
  ) {
    this.#credentials = credentials;
    this.#logger = logger;
    this.#ttlMs = ttlMs;
  }

  /** The configured credential provider of an account (or the main account); throws NoCredentials. */
  async provider(
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

  /** Credentials of `accountId` were authenticated by AWS (a call answered, or denied as not allowed). */
  worked(accountId: string) {
    this.#unusable.delete(accountId);
  }

  /**
   * What a failed call signed with `accountId`'s own credentials says of them: AWS refused them (invalid,
   * expired) → logged, remembered and thrown as NoCredentials (the evidence stays absent); denied or not found
   * → they worked. Anything else (throttling, 5xx) says nothing about them.
   */
  judge(
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
    if (kind === 'denied' || kind === 'not-found') this.worked(accountId);
  }

  /** The refused accounts among `accounts`, sorted, with AWS's words; undefined when none. */
  problemsOf(accounts: Iterable<string>): Record<string, string> | undefined {
    const problems = [...accounts]
      .filter(account => this.#unusable.has(account))
      .sort()
      .map(account => [account, this.#unusable.get(account)!] as const);
    return problems.length ? Object.fromEntries(problems) : undefined;
  }
}
