/*
 * Helpers of the credential scan (credentials.test.ts): a root logger that records every line with its meta, an
 * AWS test double that refuses every call while echoing the request's credentials, and the scanner itself.
 */
import {
  coreServices,
  createServiceFactory,
  LoggerService,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What counts as a credential beyond the known values: AWS access key ids (long-term `AKIA`, temporary `ASIA`:
 * 20 characters, IAM User Guide, "Understanding unique ID prefixes") and PEM private keys.
 */
const CREDENTIAL_SHAPES = [
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/g,
];

/** The known secrets (as given and base64-encoded) and credential-shaped strings found in a text. */
export function credentialsIn(text: string, known: string[]): string[] {
  const found = new Set<string>();
  for (const secret of known) {
    if (text.includes(secret)) found.add(secret);
    const encoded = Buffer.from(secret).toString('base64');
    if (text.includes(encoded)) found.add(`base64(${secret})`);
  }
  for (const shape of CREDENTIAL_SHAPES)
    for (const match of text.matchAll(shape)) found.add(match[0]);
  return [...found].sort();
}

function metaText(meta: unknown): string {
  if (meta === undefined) return '';
  return JSON.stringify(meta, (_k, v) =>
    v instanceof Error
      ? { ...v, name: v.name, message: v.message, stack: v.stack }
      : v,
  );
}

/** A root logger service recording every line of every plugin and child logger, debug included, with meta. */
export class RecordingRootLogger {
  readonly lines: string[] = [];
  readonly factory = createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => this.make({}) as RootLoggerService,
  });

  private make(fields: Record<string, unknown>): LoggerService {
    const log =
      (level: string) =>
      (message: string, meta?: Error | Record<string, unknown>) =>
        void this.lines.push(
          `${level} ${message} ${metaText(fields)} ${metaText(meta)}`,
        );
    return {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: meta => this.make({ ...fields, ...meta }),
    };
  }
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A test double of every AWS endpoint capa calls (STS, IAM, Organizations, EKS) that refuses each request in
 * its protocol's error shape: query protocol XML for STS and IAM, awsJson1_1 for Organizations
 * (`X-Amz-Target`), restJson1 for EKS (`/clusters/...`). The message echoes request material, as S3's
 * `SignatureDoesNotMatch` does with its canonical request: the Authorization header (which names the access key
 * id) and the `X-Amz-Security-Token`. So any error text the backend passes on carries credentials.
 */
export class AwsRefusingDouble {
  readonly #server: http.Server;
  readonly #keyIds = new Set<string>();
  readonly #echoed: string[] = [];

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(): Promise<AwsRefusingDouble> {
    const double: AwsRefusingDouble = new AwsRefusingDouble(
      http.createServer((req, res) => double.#answer(req, res)),
    );
    await new Promise<void>(resolve =>
      double.#server.listen(0, '127.0.0.1', resolve),
    );
    return double;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The access key ids that signed the requests received. */
  keyIdsSeen(): string[] {
    return [...this.#keyIds];
  }

  /** Every refusal message sent. */
  echoed(): string {
    return this.#echoed.join('\n');
  }

  #answer(req: http.IncomingMessage, res: http.ServerResponse) {
    req.resume();
    req.on('end', () => {
      const authorization = String(req.headers.authorization ?? '');
      const keyId = /Credential=([A-Z0-9]+)\//.exec(authorization)?.[1];
      if (keyId) this.#keyIds.add(keyId);
      const message = `The request signature we calculated does not match the signature you provided. Authorization: ${authorization} X-Amz-Security-Token: ${
        req.headers['x-amz-security-token'] ?? ''
      }`;
      this.#echoed.push(message);
      if (req.headers['x-amz-target']) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({ __type: 'AccessDeniedException', Message: message }),
        );
      } else if (req.url?.startsWith('/clusters')) {
        res.writeHead(403, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'AccessDeniedException',
        });
        res.end(JSON.stringify({ message }));
      } else {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>${escapeXml(
            message,
          )}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        );
      }
    });
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>(resolve => this.#server.close(() => resolve()));
  }
}
