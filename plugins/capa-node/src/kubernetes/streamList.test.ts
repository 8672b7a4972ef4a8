import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { classifyFailure } from './errors';
import { makeKubernetesClients } from './connection';
import { streamList } from './streamList';

/**
 * streamList against a plain Node HTTP server that misbehaves in the middle of a body, which the test API
 * server (whole responses only) cannot do.
 */
describe('streamList', () => {
  let server: http.Server;
  let base: string;
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;

  beforeEach(async () => {
    server = http.createServer((req, res) => handler(req, res));
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });

  const clients = (timeoutMs = 2000) =>
    makeKubernetesClients({
      url: base,
      serviceAccountToken: 'test-token',
      skipTLSVerify: true,
      timeoutMs,
    });

  async function list(timeoutMs?: number) {
    const items: unknown[] = [];
    const skeleton = await streamList(
      clients(timeoutMs),
      new URL(`${base}/apis/x/v1/things?limit=2`),
      item => items.push(item),
    );
    return { items, skeleton };
  }

  async function failure(timeoutMs = 2000) {
    try {
      await list(timeoutMs);
    } catch (e) {
      return classifyFailure(e, timeoutMs);
    }
    throw new Error('expected the list to fail');
  }

  const body = JSON.stringify({
    kind: 'List',
    metadata: { continue: 'abc' },
    items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }],
  });

  it('sends the credentials and streams the items, gzip or not', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    handler = (req, res) => {
      seen.push(req.headers);
      if (seen.length === 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      } else {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        res.end(gzipSync(body));
      }
    };
    for (let i = 0; i < 2; i++) {
      await expect(list()).resolves.toEqual({
        items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }],
        skeleton: { kind: 'List', metadata: { continue: 'abc' }, items: [] },
      });
    }
    expect(seen[0].authorization).toBe('Bearer test-token');
    expect(seen[0]['accept-encoding']).toBe('gzip');
  });

  it('reports a Status answer as client-node does (code and the server message)', async () => {
    handler = (_, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          status: 'Failure',
          message: 'things is forbidden: cannot list',
          code: 403,
        }),
      );
    };
    expect(await failure()).toMatchObject({
      reason: 'forbidden',
      statusCode: 403,
      detail: 'things is forbidden: cannot list',
    });
  });

  it('times out on a body that stalls halfway, and says timeout', async () => {
    handler = (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(body.slice(0, 40));
    };
    // The body never completes, so only the 300 ms timeout can end the read; the reason says it did.
    expect(await failure(300)).toMatchObject({ reason: 'timeout' });
  });

  it('fails on a connection reset halfway through the body', async () => {
    handler = (_, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': body.length,
      });
      res.write(body.slice(0, 40), () => res.socket?.destroy());
    };
    expect(await failure()).toMatchObject({ reason: 'unreachable' });
  });

  it('fails on a body that ends early (no length, connection closed)', async () => {
    handler = (_, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        connection: 'close',
      });
      res.end(body.slice(0, 40));
    };
    expect(await failure()).toMatchObject({ reason: 'invalid-response' });
  });

  it('fails on a corrupt gzip body', async () => {
    handler = (_, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync(body).subarray(0, 20));
    };
    expect(await failure()).toMatchObject({
      reason: 'invalid-response',
      detail: expect.stringContaining('could not be decoded'),
    });
  });

  it('decodes deflate and br too, and refuses an encoding it cannot read', async () => {
    let encoding = 'deflate';
    handler = (_, res) => {
      res.writeHead(200, { 'content-encoding': encoding });
      if (encoding === 'deflate') res.end(deflateSync(body));
      else if (encoding === 'br') res.end(brotliCompressSync(body));
      else res.end(body);
    };
    await expect(list()).resolves.toMatchObject({
      skeleton: { metadata: { continue: 'abc' } },
    });
    encoding = 'br';
    expect((await list()).items).toHaveLength(2);
    encoding = 'X-GZIP'; // names are case-insensitive; x-gzip is gzip
    handler = (_, res) => {
      res.writeHead(200, { 'content-encoding': encoding });
      res.end(gzipSync(body));
    };
    expect((await list()).items).toHaveLength(2);
    encoding = 'zstd';
    expect(await failure()).toMatchObject({
      reason: 'invalid-response',
      detail: expect.stringContaining('"zstd"'),
    });
  });

  it('keeps the status of an error answer whose body is cut short', async () => {
    handler = (_, res) => {
      res.writeHead(503, { 'content-length': 1000 });
      res.write('{"kind":"Status"', () => res.socket?.destroy());
    };
    expect(await failure()).toMatchObject({
      reason: 'server-error',
      statusCode: 503,
    });
  });

  it('fails on an unreachable server', async () => {
    await new Promise(resolve => {
      server.closeAllConnections();
      server.close(resolve);
    });
    server = http.createServer();
    server.listen(0);
    expect(await failure()).toMatchObject({ reason: 'unreachable' });
  });
});
