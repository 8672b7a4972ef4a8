/**
 * How an AWS SDK v3 error is treated: retried (throttling, transient), or reported at once.
 *
 * SDK errors carry request metadata, and some services echo parts of a request back in their messages: we
 * never log, return or cache an error object, only the sanitised `name: message` built here.
 */

/** What kind of failure an AWS call had. */
export type AwsErrorKind =
  | 'throttled'
  | 'transient'
  | 'denied'
  | 'not-found'
  | 'expired'
  | 'credentials'
  | 'error';

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
]);

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
]);

const NOT_FOUND = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  // EKS DescribeCluster
  'ResourceNotFoundException',
]);

const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);

const BAD_CREDENTIALS = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'MissingAuthenticationToken',
  'IncompleteSignature',
]);

const TRANSIENT = new Set([
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceFailureException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

function errorName(error: unknown): string {
  const e = error as
    | { name?: unknown; Code?: unknown; code?: unknown }
    | undefined;
  if (e && typeof e.Code === 'string' && e.Code) return e.Code;
  if (e && typeof e.name === 'string' && e.name && e.name !== 'Error')
    return e.name;
  if (e && typeof e.code === 'string' && e.code) return e.code;
  return 'Error';
}

function httpStatus(error: unknown): number | undefined {
  const status = (
    error as { $metadata?: { httpStatusCode?: unknown } } | undefined
  )?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Classifies an AWS SDK v3 error (or a network error) by its name / code and HTTP status. */
export function classifyAwsError(error: unknown): AwsErrorKind {
  const name = errorName(error);
  const status = httpStatus(error);
  if (THROTTLING.has(name) || status === 429) return 'throttled';
  if (
    (error as { $retryable?: { throttling?: boolean } })?.$retryable?.throttling
  )
    return 'throttled';
  if (EXPIRED.has(name)) return 'expired';
  if (BAD_CREDENTIALS.has(name)) return 'credentials';
  if (DENIED.has(name)) return 'denied';
  if (NOT_FOUND.has(name)) return 'not-found';
  if (TRANSIENT.has(name) || TRANSIENT_CODES.has(name)) return 'transient';
  if (status !== undefined && status >= 500) return 'transient';
  if (status === 403) return 'denied';
  return 'error';
}

/** True for the failures worth retrying with backoff: throttling and transient server / network errors. */
export function isRetryable(kind: AwsErrorKind): boolean {
  return kind === 'throttled' || kind === 'transient';
}

const MAX_MESSAGE = 400;

/**
 * Removes anything that could be a credential from a message: AWS access key ids, 40+ character
 * base64-like runs (secret keys, session tokens, signatures), signing parameters, and every literal
 * `secrets` value given (the temporary credentials of the chain being assumed).
 */
export function redactSecrets(
  message: string,
  secrets: Iterable<string> = [],
): string {
  let out = message;
  for (const secret of secrets) {
    if (secret && secret.length >= 8)
      out = out.split(secret).join('[redacted]');
  }
  return out
    .replace(/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,}\b/g, '[redacted]')
    .replace(
      /(X-Amz-(?:Security-Token|Signature|Credential)=)[^&\s"']+/gi,
      '$1[redacted]',
    )
    .replace(
      /(Credential=|Signature=|SessionToken["']?\s*[:=]\s*["']?)[^,\s"']+/gi,
      '$1[redacted]',
    )
    .replace(/[A-Za-z0-9/+=]{40,}/g, '[redacted]');
}

/** A safe, short description of an AWS error: `Name: message`, secrets removed. */
export function describeAwsError(
  error: unknown,
  secrets: Iterable<string> = [],
): string {
  const name = errorName(error);
  const raw = (error as { message?: unknown } | undefined)?.message;
  const message = typeof raw === 'string' && raw ? raw.split('\n')[0] : '';
  const text = message && message !== name ? `${name}: ${message}` : name;
  const safe = redactSecrets(text, secrets);
  return safe.length > MAX_MESSAGE ? `${safe.slice(0, MAX_MESSAGE)}…` : safe;
}
