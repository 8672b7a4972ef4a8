/*
 * Scale-out suite, watched management clusters (issue #17 part 3): replicas of the capa backend (test backends in
 * one process, each with its own scheduler, database pool and HTTP server) on one PostgreSQL started by
 * scripts/services.mjs, watching two test Kubernetes API servers (`kubernetes.watch`). Leases are short here
 * (ttl 4 s, renewed every 1 s). Proven, with the watches counted at the API servers all along (a sampler keeps the
 * most watches ever open on each; one replica's set is one watch per kind):
 * - one replica watches each management cluster; a change reaches every replica's API;
 * - a leader cut off from the database mid-watch (as when its process dies: it can neither renew nor release) lets
 *   its watches go, and another replica takes them over once the lease expired; a change made after the cut, which
 *   the old leader saw but could not store, is in the store afterwards (nothing lost), in exactly one new
 *   generation, and the old leader's late write of it is refused when it comes back (nothing duplicated);
 * - a leader that stops hands over at once (it releases its leases), a change made during the hand-over is
 *   stored, and a management cluster that did not change gets no new generation from the hand-over.
 */
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { MANAGEMENT_CLUSTER_KINDS } from '@capa-portal/plugin-capa-node';
import {
  smallCapaFleet,
  TestKubernetesApiServer,
} from '@capa-portal/plugin-capa-node/testing';
import knexFactory, { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { liveFleetConfig, newCluster } from './__testUtils__/fleet';
import {
  captureLogs,
  clusterKeys,
  eventually,
  managementClusters,
  recordUnhandledRejections,
} from './__testUtils__/harness';
import { startTcpProxy, TcpProxy } from './__testUtils__/tcpProxy';
import { capaPlugin } from './plugin';

const PG_URL = process.env.CAPA_TEST_PG_URL;
const REQUIRED = process.env.CAPA_TEST_REQUIRE_SERVICES === '1';
/** One replica's watches on one management cluster: one per kind (the test servers serve every kind). */
const ONE_SET = MANAGEMENT_CLUSTER_KINDS.length;

if (!PG_URL) {
  // eslint-disable-next-line no-console
  console.warn(
    `SCALE-OUT WATCH SUITE SKIPPED (replicas on PostgreSQL): ${
      process.env.CAPA_TEST_SERVICES_SKIPPED ??
      'CAPA_TEST_PG_URL is not set (run through ./portal test or node scripts/services.mjs -- <jest command>)'
    }`,
  );
}

const describeWithServices = PG_URL || REQUIRED ? describe : describe.skip;

interface Replica {
  name: string;
  server: any;
  stop: () => Promise<void>;
  logs: ReturnType<typeof captureLogs>;
  /** The watch lease holder id this replica logged when it took a lease. */
  holder: () => string | undefined;
  watches: (managementCluster: string) => boolean;
}

describeWithServices(
  'scale-out: one watcher per management cluster across replicas',
  () => {
    jest.setTimeout(120_000);
    const rejections = recordUnhandledRejections();
    const prefix = `capa_watch_${randomBytes(4).toString('hex')}_`;
    const replicas: Replica[] = [];
    let a: TestKubernetesApiServer;
    let b: TestKubernetesApiServer;
    let proxy: TcpProxy;
    let db: Knex;
    let sampler: NodeJS.Timeout;
    const most = { a: 0, b: 0 };

    async function startReplica(name: string, viaProxy = false) {
      if (!PG_URL) throw new Error('CAPA_TEST_PG_URL is required');
      const url = new URL(PG_URL);
      if (viaProxy) url.port = String(proxy.port);
      const logs = captureLogs();
      const backend = await startTestBackend({
        features: [
          capaPlugin,
          logs.factory,
          schedulerServiceFactory,
          mockServices.database.factory(),
          mockServices.rootConfig.factory({
            data: liveFleetConfig({
              servers: { a, b },
              watch: true,
              refresh: {
                // Often, so that every replica runs the refresh tasks (global: one replica per period) during
                // the tests: a replica that does not hold the watch must open nothing when it runs them.
                frequency: { seconds: 2 },
                timeout: { minutes: 1 },
                watchLease: { ttl: { seconds: 4 }, renewEvery: { seconds: 1 } },
              },
              extra: {
                backend: {
                  database: { client: 'pg', connection: url.href, prefix },
                },
              },
            }),
          }),
        ],
      });
      const said = (pattern: RegExp) => logs.lines.filter(l => pattern.test(l));
      const replica: Replica = {
        name,
        server: backend.server,
        stop: () => backend.stop(),
        logs,
        holder: () =>
          said(/watch lease holder /)[0]?.match(
            /watch lease holder ([^)\s]+)/,
          )?.[1],
        watches: managementCluster => {
          const took = said(
            new RegExp(
              `this replica watches management cluster "${managementCluster}"`,
            ),
          ).length;
          const left = said(
            new RegExp(
              `this replica stops watching management cluster "${managementCluster}"`,
            ),
          ).length;
          return took > left;
        },
      };
      replicas.push(replica);
      await eventually(
        `${name} serves both management clusters`,
        () => managementClusters(replica.server).catch(() => []),
        items => items.length === 2 && items.every(m => m.lastSync),
        { tries: 300 },
      );
      return replica;
    }

    const holders = async () =>
      new Map(
        (
          await db('capa_watch_leases').select('management_cluster', 'holder')
        ).map(r => [r.management_cluster, r.holder]),
      );
    const generation = async (managementCluster: string) =>
      Number(
        (
          await db('capa_source_snapshots')
            .where({ source: managementCluster })
            .first('generation')
        )?.generation ?? 0,
      );
    const watching = (server: TestKubernetesApiServer, count: number) =>
      eventually(
        `${count} watches open`,
        async () => server.openWatches(),
        n => n === count,
        { tries: 400 },
      );

    beforeAll(async () => {
      if (!PG_URL)
        throw new Error(
          'CAPA_TEST_REQUIRE_SERVICES=1 but PostgreSQL is not available: the scale-out suite must run in CI',
        );
      rejections.install();
      a = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
      b = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
      const { hostname, port } = new URL(PG_URL);
      proxy = await startTcpProxy({ host: hostname, port: Number(port) });
      // The plugin's own database (Backstage's pg manager: `<prefix><pluginId>`), read as the replicas write it.
      const url = new URL(PG_URL);
      url.pathname = `/${prefix}capa`;
      db = knexFactory({ client: 'pg', connection: url.href });
      sampler = setInterval(() => {
        most.a = Math.max(most.a, a.openWatches());
        most.b = Math.max(most.b, b.openWatches());
      }, 10);
    });

    afterAll(async () => {
      clearInterval(sampler);
      proxy?.heal();
      for (const r of replicas) await r.stop().catch(() => undefined);
      await db?.destroy();
      await proxy?.close();
      await a?.stop();
      await b?.stop();
      rejections.uninstall();
    });

    /** Never two replicas' watches on one management cluster, at any moment so far. */
    function oneWatcherAllAlong() {
      expect(most).toEqual({ a: ONE_SET, b: ONE_SET });
    }

    it('lets one replica watch each management cluster, and shows a change on every replica', async () => {
      const first = await startReplica('first', true);
      await watching(a, ONE_SET);
      await watching(b, ONE_SET);
      const second = await startReplica('second');
      expect(await holders()).toEqual(
        new Map([
          ['mgmt-a', first.holder()],
          ['mgmt-b', first.holder()],
        ]),
      );
      expect(first.watches('mgmt-a') && first.watches('mgmt-b')).toBe(true);
      await eventually(
        'the second replica ran a refresh task',
        async () => second.logs.lines,
        lines =>
          lines.some(l =>
            /"mgmt-[ab]" is watched by another replica: nothing to read here/.test(
              l,
            ),
          ),
        { tries: 600 },
      );
      expect(second.holder()).toBeUndefined();

      const before = await generation('mgmt-a');
      a.addObjects(newCluster('fresh'));
      for (const replica of [first, second]) {
        await eventually(
          `the new cluster on the ${replica.name} replica`,
          () => clusterKeys(replica.server),
          keys => keys.includes('mgmt-a/staging/fresh'),
        );
      }
      // The Cluster and its AWSCluster arrive in one burst of events: one new generation.
      expect(await generation('mgmt-a')).toBe(before + 1);
      // The second replica never took a lease, so it never opened a watch (the sampler counts them all).
      expect(second.holder()).toBeUndefined();
      expect(rejections.seen).toEqual([]);
      oneWatcherAllAlong();
    });

    it('hands the watch over when the leader is cut off mid-watch: nothing lost, nothing duplicated', async () => {
      const [first, second] = replicas;
      const before = {
        a: await generation('mgmt-a'),
        b: await generation('mgmt-b'),
      };
      // The first replica loses its database (it cannot renew or release); its watches still run, and see a
      // change it can no longer store.
      proxy.cut();
      a.addObjects(newCluster('after-the-cut'));
      await eventually(
        'the second replica holds both leases',
        holders,
        h =>
          h.get('mgmt-a') === second.holder() &&
          h.get('mgmt-b') === second.holder() &&
          second.holder() !== undefined,
        { tries: 400 },
      );
      expect(first.watches('mgmt-a')).toBe(false);
      await watching(a, ONE_SET);
      await watching(b, ONE_SET);
      await eventually(
        'the change made after the cut, on the second replica',
        () => clusterKeys(second.server),
        keys => keys.includes('mgmt-a/staging/after-the-cut'),
      );
      expect(await generation('mgmt-a')).toBe(before.a + 1);
      // mgmt-b did not change: the new leader's full read of it stored no new generation.
      expect(await generation('mgmt-b')).toBe(before.b);

      // The first replica comes back. Its write of the change either failed with its connection or was held up
      // and is refused now (the lease is the second replica's); it does not take the watch back, and it serves
      // what the second stored.
      proxy.heal();
      await eventually(
        "the first replica's write of the change failed or was refused",
        async () => first.logs.lines,
        lines =>
          lines.some(l =>
            /a write of management cluster "mgmt-a" was refused|reading management cluster "mgmt-a" failed/.test(
              l,
            ),
          ),
        { tries: 400 },
      );
      await eventually(
        'the change on the first replica',
        () => clusterKeys(first.server).catch((): string[] => []),
        keys => keys.includes('mgmt-a/staging/after-the-cut'),
        { tries: 300 },
      );
      expect(await generation('mgmt-a')).toBe(before.a + 1);
      expect(first.watches('mgmt-a') || first.watches('mgmt-b')).toBe(false);
      await first.stop();
      oneWatcherAllAlong();
    });

    it('hands the watch over at once when the leader stops, keeping a change made meanwhile', async () => {
      const second = replicas[1];
      const third = await startReplica('third');
      const before = {
        a: await generation('mgmt-a'),
        b: await generation('mgmt-b'),
      };
      await second.stop();
      a.removeObjects(newCluster('after-the-cut'));
      await eventually(
        'the third replica holds both leases',
        holders,
        h =>
          third.holder() !== undefined &&
          h.get('mgmt-a') === third.holder() &&
          h.get('mgmt-b') === third.holder(),
        { tries: 400 },
      );
      await watching(a, ONE_SET);
      await watching(b, ONE_SET);
      await eventually(
        'the deleted cluster gone on the third replica',
        () => clusterKeys(third.server),
        keys => !keys.includes('mgmt-a/staging/after-the-cut'),
      );
      expect(await clusterKeys(third.server)).toContain('mgmt-a/staging/fresh');
      expect(await generation('mgmt-a')).toBe(before.a + 1);
      expect(await generation('mgmt-b')).toBe(before.b);
      expect(rejections.seen).toEqual([]);
      oneWatcherAllAlong();
    });
  },
);
