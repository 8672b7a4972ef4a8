import { CustomErrorBase } from '@backstage/errors';

/**
 * Why a request to a management cluster failed.
 *
 * @public
 */
export type KubernetesFailureReason =
  | 'forbidden'
  | 'unauthorized'
  | 'not-found'
  | 'expired'
  | 'invalid'
  | 'conflict'
  | 'server-error'
  | 'timeout'
  | 'unreachable'
  | 'invalid-response'
  | 'bad-request';

/**
 * What a {@link KubernetesRequestError} says besides its message.
 *
 * @public
 */
export interface KubernetesRequestErrorOptions {
  reason: KubernetesFailureReason;
  /** HTTP status, when the server answered. */
  statusCode?: number;
  /** The Kubernetes Status body, when the server sent one. */
  status?: KubernetesStatus;
}

/**
 * A failed request to a management cluster. The message names the cluster, the operation and the object or
 * resource, and carries the server's own message; never credentials.
 *
 * @public
 */
export class KubernetesRequestError extends CustomErrorBase {
  name = 'KubernetesRequestError' as const;
  readonly reason: KubernetesFailureReason;
  /** HTTP status, when the server answered. */
  readonly statusCode?: number;
  /** The Kubernetes Status body, when the server sent one. */
  readonly status?: KubernetesStatus;

  constructor(message: string, options: KubernetesRequestErrorOptions) {
    // No `cause`: CustomErrorBase would append the client's raw error text (response headers and body dumps).
    super(message);
    this.reason = options.reason;
    this.statusCode = options.statusCode;
    this.status = options.status;
  }
}

/**
 * The Kubernetes `Status` object (metav1.Status) as servers send it with an error.
 *
 * @public
 */
export interface KubernetesStatus {
  kind?: 'Status';
  apiVersion?: string;
  status?: 'Failure' | 'Success' | string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
    retryAfterSeconds?: number;
  };
}

/** What a failed client-node call tells us, normalised. */
export interface ClassifiedFailure {
  reason: KubernetesFailureReason;
  statusCode?: number;
  status?: KubernetesStatus;
  /** The server's message (or the transport's), without credentials. */
  detail: string;
}

function parseStatus(body: unknown): KubernetesStatus | undefined {
  let value: unknown = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as KubernetesStatus;
    if (
      o.kind === 'Status' ||
      typeof o.message === 'string' ||
      typeof o.reason === 'string'
    )
      return o;
  }
  return undefined;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  try {
    return JSON.stringify(body);
  } catch {
    return String(body);
  }
}

/** Strips anything that looks like a bearer token or embedded credentials from a message. */
export function redact(text: string): string {
  return text
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]')
    .replace(/("?authorization"?\s*[:=]\s*"?)[^",}\s]+/gi, '$1[redacted]')
    .replace(/(https?:\/\/)[^/@\s]+@/gi, '$1[redacted]@');
}

function reasonForStatus(code: number): KubernetesFailureReason {
  if (code === 401) return 'unauthorized';
  if (code === 403) return 'forbidden';
  if (code === 404) return 'not-found';
  if (code === 409) return 'conflict';
  if (code === 410) return 'expired';
  if (code === 422) return 'invalid';
  if (code === 400 || code === 415) return 'bad-request';
  if (code === 408 || code === 504) return 'timeout';
  return 'server-error';
}

function isApiException(e: unknown): e is { code: number; body: unknown } {
  return (
    !!e &&
    typeof e === 'object' &&
    typeof (e as any).code === 'number' &&
    'body' in (e as any) &&
    (e as any).code >= 100 &&
    (e as any).code < 600
  );
}

/**
 * Classifies an error thrown by client-node (an `ApiException` with `.code` and `.body`, a node-fetch
 * `AbortError` / `FetchError`, or a JSON SyntaxError from the response processor).
 */
export function classifyFailure(
  e: unknown,
  timeoutMs: number,
): ClassifiedFailure {
  if (isApiException(e)) {
    const status = parseStatus(e.body);
    const detail =
      status?.message ?? (bodyText(e.body).slice(0, 500) || `HTTP ${e.code}`);
    return {
      reason: reasonForStatus(e.code),
      statusCode: e.code,
      status,
      detail: redact(detail),
    };
  }
  const err = e as Error & { type?: string; code?: string; errno?: string };
  const name = err?.name ?? '';
  if (
    name === 'AbortError' ||
    name === 'TimeoutError' ||
    err?.type === 'aborted' ||
    err?.type === 'request-timeout'
  ) {
    return { reason: 'timeout', detail: `no answer within ${timeoutMs} ms` };
  }
  if (e instanceof SyntaxError) {
    return {
      reason: 'invalid-response',
      detail: `the response is not valid JSON (${e.message})`,
    };
  }
  if (
    name === 'FetchError' ||
    err?.type === 'system' ||
    typeof err?.code === 'string'
  ) {
    const code = err.code ?? err.errno;
    return {
      reason: 'unreachable',
      detail: redact(`${code ? `${code}: ` : ''}${err.message ?? String(e)}`),
    };
  }
  return { reason: 'server-error', detail: redact(err?.message ?? String(e)) };
}

/** `spec.region: Required value; spec.identityRef.kind: Unsupported value` from a 422 Status, or ''. */
export function describeCauses(status: KubernetesStatus | undefined): string {
  const causes = status?.details?.causes ?? [];
  return causes
    .map(c =>
      c.field
        ? `${c.field}: ${c.message ?? c.reason ?? ''}`
        : c.message ?? c.reason ?? '',
    )
    .filter(Boolean)
    .join('; ');
}
