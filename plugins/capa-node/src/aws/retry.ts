import { AwsErrorKind, classifyAwsError, isRetryable } from './awsErrors';

export interface RetryOptions {
  /** Total attempts, the first included. */
  maxAttempts: number;
  /** Base of the exponential backoff, in milliseconds. */
  baseDelayMs: number;
  /** Upper bound of one backoff delay, in milliseconds. */
  maxDelayMs: number;
  /** Injected for tests. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry (never with the error itself: only its kind). */
  onRetry?: (info: {
    attempt: number;
    delayMs: number;
    kind: AwsErrorKind;
  }) => void;
}

const defaultSleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/** "Full jitter" backoff: a uniformly random delay in [0, min(max, base * 2^attempt)). */
export function fullJitterDelay(
  attempt: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
) {
  const ceiling = Math.min(
    options.maxDelayMs,
    options.baseDelayMs * 2 ** attempt,
  );
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/**
 * Calls `attempt` until it succeeds, retrying only throttling and transient failures, with exponential
 * backoff and full jitter. Access denied, not found and expired / invalid credentials fail at once.
 * `attempt` is called afresh each time, so a concurrency slot is held per attempt and not during a sleep.
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const kind = classifyAwsError(error);
      if (!isRetryable(kind) || n + 1 >= options.maxAttempts) throw error;
      const delayMs = fullJitterDelay(n, options);
      options.onRetry?.({ attempt: n + 1, delayMs, kind });
      await sleep(delayMs);
    }
  }
}
