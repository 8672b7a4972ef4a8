/*
 * Scale-out suite (issue #7 part 4): two replicas of the capa backend (two test backends in one process, each with
 * its own scheduler, database pool, cache client and HTTP server) on one PostgreSQL and one Redis, started by
 * scripts/services.mjs (CAPA_TEST_PG_URL, CAPA_TEST_REDIS_URL). Proven:
 * - each management cluster is read once per refresh period across both replicas (the scheduler's database
 *   locks on global tasks), counted at the test Kubernetes API servers;
 * - both replicas serve the same data from the shared database, whichever replica read it;
 * - a verification done by replica A (live AWS evidence, SDK mocked) is served from the shared cache by replica B
 *   (`live: true`) without B calling AWS, and the evidence is in Redis.
 */
import { GetRoleCommand } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
} from '@aws-sdk/client-sts';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { AccountTrustResponse } from '@capa-portal/plugin-capa-common';
import {
  smallCapaFleet,
  TestKubernetesApiServer,
} from '@capa-portal/plugin-capa-node/testing';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import request from 'supertest';
import {
  assumedControllersArn,
  controllersRole,
  hopCredentials,
  mockAwsClients,
} from './__testUtils__/aws';
import {
  captureLogs,
  eventually,
  managementClusters,
  recordUnhandledRejections,
  secretsIn,
  userHeader,
} from './__testUtils__/harness';
import { liveFleetConfig, STAGING_ACCOUNT } from './__testUtils__/fleet';
import { capaPlugin } from './plugin';

const PG_URL = process.env.CAPA_TEST_PG_URL;
const REDIS_URL = process.env.CAPA_TEST_REDIS_URL;
const REQUIRED = process.env.CAPA_TEST_REQUIRE_SERVICES === '1';
const PERIOD_S = 2;
const WINDOW_MS = 9_000;

if (!PG_URL || !REDIS_URL) {
  const why =
    process.env.CAPA_TEST_SERVICES_SKIPPED ??
    'CAPA_TEST_PG_URL / CAPA_TEST_REDIS_URL are not set (run through ./portal test or node scripts/services.mjs -- <jest command>)';
  // eslint-disable-next-line no-console
  console.warn(
    `${'!'.repeat(
      100,
    )}\nSCALE-OUT SUITE SKIPPED (two replicas on PostgreSQL + Redis): ${why}\n${'!'.repeat(
      100,
    )}`,
  );
}

/** Sends one Redis command (RESP) and returns the raw reply: enough to look at keys without a client library. */
function redisCommand(url: string, args: string[]): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(reply);
    }, 500);
    socket.on('data', d => {
      reply += d.toString('utf8');
    });
    socket.on('error', e => {
      clearTimeout(timer);
      reject(e);
    });
    socket.write(
      `*${args.length}\r\n${args
        .map(a => `$${Buffer.byteLength(a)}\r\n${a}\r\n`)
        .join('')}`,
    );
  });
}

// Without the services the suite is skipped (loudly, above), unless they are required (CI): then it fails.
const describeWithServices =
  (PG_URL && REDIS_URL) || REQUIRED ? describe : describe.skip;

describeWithServices(
  'scale-out: two replicas on one PostgreSQL and one Redis',
  () => {
    jest.setTimeout(90_000);
    const rejections = recordUnhandledRejections();
    const aws = mockAwsClients();
    const { sts, iam } = aws;
    let a: TestKubernetesApiServer;
    let b: TestKubernetesApiServer;
    const replicas: Array<{
      server: any;
      stop: () => Promise<void>;
      logs: ReturnType<typeof captureLogs>;
    }> = [];
    const prefix = `capa_scaleout_${randomBytes(4).toString('hex')}_`;

    async function startReplica() {
      const logs = captureLogs();
      const backend = await startTestBackend({
        features: [
          capaPlugin,
          logs.factory,
          // The real scheduler (database locks for global tasks), the real database and cache services.
          schedulerServiceFactory,
          mockServices.database.factory(),
          mockServices.cache.factory(),
          mockServices.rootConfig.factory({
            data: liveFleetConfig({
              servers: { a, b },
              aws: true,
              refresh: {
                frequency: { seconds: PERIOD_S },
                timeout: { seconds: 30 },
              },
              extra: {
                backend: {
                  database: {
                    client: 'pg',
                    connection: PG_URL,
                    prefix,
                  },
                  cache: {
                    store: 'redis',
                    connection: REDIS_URL,
                    redis: { client: { keyPrefixSeparator: ':' } },
                  },
                },
              },
            }),
          }),
        ],
      });
      const replica = {
        server: backend.server,
        stop: () => backend.stop(),
        logs,
      };
      replicas.push(replica);
      return replica;
    }

    /** Full reads of a source: one unpaginated-start LIST of namespaces per read. */
    const reads = (server: TestKubernetesApiServer) =>
      server
        .requests({ verb: 'list', pathIncludes: '/api/v1/namespaces' })
        .filter(r => !r.query.continue && r.status === 200).length;

    beforeAll(async () => {
      if (!PG_URL || !REDIS_URL) {
        throw new Error(
          'CAPA_TEST_REQUIRE_SERVICES=1 but PostgreSQL / Redis are not available: the scale-out suite must run in CI',
        );
      }
      rejections.install();
      aws.reset();
      a = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
      b = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
    });

    afterAll(async () => {
      for (const r of replicas) await r.stop().catch(() => undefined);
      aws.restore();
      await a?.stop();
      await b?.stop();
      rejections.uninstall();
    });

    it('refreshes each source once per period across both replicas, and both serve the same data', async () => {
      const first = await startReplica();
      const second = await startReplica();
      for (const replica of [first, second]) {
        await eventually(
          'both sources read',
          () => managementClusters(replica.server),
          items =>
            items.length === 2 && items.every(m => m.lastSync && !m.stale),
          { tries: 200 },
        );
      }
      a.clearRequests();
      b.clearRequests();
      const logLines = replicas.map(r => r.logs.lines.length);
      await new Promise(r => setTimeout(r, WINDOW_MS));
      const periods = WINDOW_MS / 1000 / PERIOD_S;
      const counts = { a: reads(a), b: reads(b) };
      // Each replica alone would read each source about `periods` times; two without locks, twice that.
      // With the scheduler's locks, at most one read per period (+1 for a run at each edge of the window).
      for (const n of Object.values(counts)) {
        expect(n).toBeGreaterThanOrEqual(Math.floor(periods) - 1);
        expect(n).toBeLessThanOrEqual(Math.ceil(periods) + 1);
      }
      // The reads counted at the servers are the replicas' refresh runs, wherever they ran. A run that has
      // reached the server and not finished is counted there and not logged yet, so compare when the two meet
      // (no run in flight); a read that is never logged keeps them apart and fails.
      const logged = () =>
        replicas.reduce(
          (n, r, i) =>
            n +
            r.logs.lines
              .slice(logLines[i])
              .filter(l =>
                /capa: read \d+ objects from management cluster "mgmt-a"/.test(
                  l,
                ),
              ).length,
          0,
        );
      await eventually(
        'every read of mgmt-a counted at the server is a logged refresh run',
        async () => ({ server: reads(a), logged: logged() }),
        c => c.server === c.logged && c.server >= counts.a,
        { tries: 400 },
      );

      // Both replicas serve the same data from the shared database.
      const [fromFirst, fromSecond] = await Promise.all(
        replicas.map(r =>
          request(r.server)
            .get('/api/capa/clusters?limit=1000')
            .set('Authorization', userHeader()),
        ),
      );
      expect(fromFirst.status).toBe(200);
      expect(fromFirst.body.totalCount).toBe(10);
      expect(fromSecond.body).toEqual(fromFirst.body);
      expect(rejections.seen).toEqual([]);
    });

    it("serves replica A's verification from the shared cache on replica B", async () => {
      const [first, second] = replicas;
      iam.on(GetRoleCommand).resolves(controllersRole(STAGING_ACCOUNT));
      sts.on(AssumeRoleCommand).resolves({ Credentials: hopCredentials() });
      sts.on(GetCallerIdentityCommand).resolves({
        Account: STAGING_ACCOUNT,
        Arn: assumedControllersArn(STAGING_ACCOUNT),
      });
      const trustOf = async (server: any) => {
        const res = await request(server)
          .get(`/api/capa/accounts/${STAGING_ACCOUNT}/trust`)
          .set('Authorization', userHeader());
        expect(res.status).toBe(200);
        return res.body as AccountTrustResponse;
      };
      expect((await trustOf(second.server)).live).toBe(false);

      const verified = await request(first.server)
        .post(`/api/capa/accounts/${STAGING_ACCOUNT}/trust/verify`)
        .set('Authorization', userHeader());
      expect(verified.status).toBe(200);
      expect(verified.body.live).toBe(true);
      const awsCalls = sts.calls().length + iam.calls().length;
      expect(awsCalls).toBeGreaterThan(0);

      // Each replica shares its state reads for a short while (TrustService's stateTtlMs, 250 ms): replica B sees
      // A's verification within that bound, not necessarily on its very next request.
      let onSecond = await trustOf(second.server);
      for (let i = 0; i < 20 && !onSecond.live; i++) {
        await new Promise(r => setTimeout(r, 100));
        onSecond = await trustOf(second.server);
      }
      expect(onSecond.live).toBe(true);
      // The same checks, from the same evidence, and replica B asked AWS nothing.
      const liveAssume = (body: AccountTrustResponse) =>
        body.clusters
          .filter(c => c.managementCluster === 'mgmt-a')
          .map(c => c.checks.find(x => x.id === 'live-assume'));
      expect(liveAssume(onSecond)).toEqual(liveAssume(verified.body));
      expect(liveAssume(onSecond).every(c => c?.status === 'pass')).toBe(true);
      expect(sts.calls().length + iam.calls().length).toBe(awsCalls);

      // The evidence is in Redis (Backstage's cache stores `<plugin>:<base64 of the key>`), without credentials.
      const keys = (await redisCommand(REDIS_URL!, ['KEYS', 'capa:*']))
        .split('\r\n')
        .filter(l => l.startsWith('capa:'));
      const decoded = keys.map(k =>
        Buffer.from(k.slice('capa:'.length), 'base64').toString('utf8'),
      );
      expect(decoded).toContain('capa:live-evidence:v1');
      const values = await Promise.all(
        keys.map(k => redisCommand(REDIS_URL!, ['GET', k])),
      );
      expect(values.join('\n')).toContain('assumeResults');
      expect(secretsIn(values.join('\n'))).toEqual([]);
      expect(rejections.seen).toEqual([]);
    });
  },
);
