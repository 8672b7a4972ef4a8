import http from 'node:http';
import https from 'node:https';
import { pipeline, Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ApiException } from '@kubernetes/client-node';
import type { KubernetesClients } from './connection';
import { ListBodyParser } from './ListBodyParser';

/** An error answer's body is read up to this size (a `Status` is a few hundred bytes). */
const MAX_ERROR_BODY = 64 * 1024;

function headersOf(res: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** An error answer's body, as much of it as arrived: the status code matters more than a complete body. */
async function readErrorBody(body: Readable): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      if (size < MAX_ERROR_BODY) parts.push(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch {
    // Cut short (reset, bad compression): keep what came.
  }
  return Buffer.concat(parts).subarray(0, MAX_ERROR_BODY).toString('utf8');
}

/** zlib's errors (`Z_DATA_ERROR`, `Z_BUF_ERROR`, ...) carry a string code like transport errors: they are data. */
function isDecodeError(e: unknown): e is Error {
  // No `instanceof Error`: zlib's errors may come from another realm (Jest's sandbox, for one).
  const code = (e as { code?: unknown })?.code;
  return (
    typeof code === 'string' &&
    (code.startsWith('Z_') || code.startsWith('ERR__'))
  );
}

/**
 * The response body, decoded. We ask for gzip only; deflate and br are decoded too, for a proxy that recompresses.
 * Any other encoding would feed the parser bytes it can't read: it is refused, naming the encoding.
 */
function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const done = () => {};
  switch (encoding) {
    case 'identity':
    case '':
      return res;
    case 'gzip':
    case 'x-gzip':
      return pipeline(res, createGunzip(), done);
    case 'deflate':
      return pipeline(res, createInflate(), done);
    case 'br':
      return pipeline(res, createBrotliDecompress(), done);
    default:
      res.resume();
      throw new SyntaxError(
        `the response is encoded as "${encoding}", which capa-portal cannot decode`,
      );
  }
}

/**
 * GETs a LIST URL of the management cluster and streams the body through a {@link ListBodyParser}: each
 * element of `items` goes to `onItem` as soon as it is complete. Resolves with the list without its items.
 *
 * Connection, TLS and credentials come from the client-node KubeConfig (`applyToHTTPSOptions`, as client-node's
 * `Watch` does), so every kind of connection the generated clients support works here too; the connection
 * itself is kept alive between requests (`clients.agents`). The whole exchange,
 * body included, is bounded by `clients.timeoutMs`. Responses are requested gzip-compressed, as client-node's
 * fetch requests them (API servers compress large LIST responses).
 *
 * Throws what the generated clients throw: an `ApiException` (code, the server's body) for a non-2xx answer,
 * the abort signal's `TimeoutError` on timeout, the transport's error (with its `code`) when the connection
 * fails, and a `SyntaxError` when the body is not a JSON list.
 */
export async function streamList(
  clients: KubernetesClients,
  url: URL,
  onItem: (item: unknown) => void,
): Promise<unknown> {
  const options: https.RequestOptions = {};
  await clients.kubeConfig.applyToHTTPSOptions(options);
  options.agent = clients.agents.agentFor(url, options, clients.proxied);
  const signal = AbortSignal.timeout(clients.timeoutMs);
  const transport = url.protocol === 'https:' ? https : http;
  let request: http.ClientRequest | undefined;
  try {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      request = transport.request(
        url,
        {
          ...options,
          method: 'GET',
          headers: {
            ...options.headers,
            Accept: 'application/json',
            'Accept-Encoding': 'gzip',
          },
          signal,
        },
        resolve,
      );
      // Stays attached: an error after the answer started (reset, abort) must not go unhandled.
      request.on('error', reject);
      request.end();
    });
    const body = decoded(res);
    const code = res.statusCode ?? 0;
    if (code < 200 || code > 299) {
      const text = await readErrorBody(body);
      throw new ApiException(
        code,
        `HTTP-Code: ${code}\nMessage: list ${url.pathname} failed`,
        text,
        headersOf(res),
      );
    }
    const parser = new ListBodyParser({ onItem });
    try {
      for await (const chunk of body) parser.write(chunk as Buffer);
    } catch (e) {
      if (isDecodeError(e))
        throw new SyntaxError(
          `the compressed response could not be decoded (${e.message})`,
        );
      throw e;
    }
    if (!res.complete)
      throw Object.assign(new Error('the response ended before its end'), {
        code: 'ECONNRESET',
      });
    return parser.end();
  } catch (e) {
    // A connection with an answer cut short or unread goes; a complete one stays open for the next request.
    request?.destroy();
    // Whatever the transport says after the deadline (a reset, a premature close), it was the timeout; an
    // answer the server did give (a status) stands.
    if (signal.aborted && !(e instanceof ApiException)) throw signal.reason;
    throw e;
  }
}
