/*
 * The watcher's faults, on the Kubernetes API test double (its watch speaks the protocol the real-server suite,
 * KubernetesFleetWatcher.kubeApiServer.test.ts, exercises for the normal path): a resourceVersion the server no
 * longer keeps (410), a server that ends or drops every watch, bookmarks, and the equality of what the watcher
 * holds with what a fresh LIST reads.
 */
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { smallCapaFleet, TestKubernetesApiServer } from '../testing';
import { KubernetesFleetReader } from './KubernetesFleetReader';
import {
  KubernetesFleetWatcher,
  WATCH_FAILURES_BEFORE_STALE,
} from './KubernetesFleetWatcher';
import { MANAGEMENT_CLUSTER_KINDS } from './kinds';

const POLLS = 400;
const AWSCLUSTERS = 'awsclusters.infrastructure.cluster.x-k8s.io';

async function until(what: string, probe: () => Promise<boolean> | boolean) {
  for (let i = 0; i < POLLS; i++) {
    if (await probe()) return;
    await new Promise(r => setTimeout(r, 10));
  }
  throw new Error(`${what}: not seen after ${POLLS} polls`);
}

/** The longest failure streak a failed read names (the watches retry at once here, so it may pass the bound). */
const failuresIn = (error: Error) =>
  Math.max(
    ...[...error.message.matchAll(/failed (\d+) times in a row/g)].map(m =>
      Number(m[1]),
    ),
  );

const awsCluster = (name: string, region: string): KubeObject => ({
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
  kind: 'AWSCluster',
  metadata: { name, namespace: 'staging' },
  spec: {
    region,
    identityRef: { kind: 'AWSClusterControllerIdentity', name: 'default' },
  },
});

const keys = (objects: Array<{ object: KubeObject }>) =>
  objects.map(
    ({ object: o }) =>
      `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}@${
        o.metadata.resourceVersion
      }`,
  );

describe('KubernetesFleetWatcher against the test API server', () => {
  let server: TestKubernetesApiServer;
  let watcher: KubernetesFleetWatcher;

  beforeEach(async () => {
    server = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
    watcher = new KubernetesFleetWatcher({
      name: 'mgmt',
      connection: server.connection(),
      backoffMs: [0],
    });
    await watcher.read();
    await until('every watch open', () => server.openWatches() === 11);
  });

  afterEach(async () => {
    watcher.stop();
    await server.stop();
  });

  /** What a fresh LIST of the same server reads now. */
  const fresh = async () =>
    (
      await KubernetesFleetReader.create({
        name: 'mgmt',
        connection: server.connection(),
      }).read()
    ).objects;

  it('holds what a fresh LIST reads, object for object and in the same order, after creates, updates and deletes', async () => {
    expect(keys((await watcher.read()).objects)).toEqual(keys(await fresh()));
    server.addObjects([
      awsCluster('a', 'eu-west-1'),
      awsCluster('b', 'eu-west-2'),
    ]);
    server.addObjects([awsCluster('a', 'us-east-1')]);
    server.removeObjects([awsCluster('b', '')]);
    server.removeObjects(
      smallCapaFleet().filter(o => o.kind === 'AWSClusterStaticIdentity'),
    );
    // 2 adds, 1 update, 1 delete of ours, and the static identities the fixture has.
    const removed = smallCapaFleet().filter(
      o => o.kind === 'AWSClusterStaticIdentity',
    ).length;
    await until(
      'every event applied',
      () => watcher.stats.events === 4 + removed,
    );
    const watched = (await watcher.read()).objects;
    expect(keys(watched)).toEqual(keys(await fresh()));
    expect(
      watched.find(o => o.object.metadata.name === 'a')?.object.spec.region,
    ).toBe('us-east-1');
    // One LIST per kind at the start (the fixture fits a page of 500), nothing since.
    expect(watcher.stats.listCalls).toBe(MANAGEMENT_CLUSTER_KINDS.length);
  });

  it('lists a kind again when its resourceVersion has expired (410 Gone), losing and duplicating nothing', async () => {
    server.addObjects([awsCluster('while-away', 'eu-west-1')]);
    await until('the add seen', () => watcher.stats.events === 1);
    // Compaction, one more change, then every watch ends and resumes from its last resourceVersion.
    server.expireContinueTokens();
    server.addObjects([awsCluster('after-compaction', 'eu-west-3')]);
    server.endWatches();
    // awsclusters saw an event after the compaction: it resumes from there. Every other kind's last
    // resourceVersion is from before it: 410, and a LIST of that kind.
    const stale = MANAGEMENT_CLUSTER_KINDS.length - 1;
    await until(
      'every stale kind listed again',
      () => watcher.stats.relists === stale,
    );
    await until('every watch open again', () => server.openWatches() === 11);
    expect(keys((await watcher.read()).objects)).toEqual(keys(await fresh()));
    // The first read's LIST of every kind, then one LIST per stale kind after its 410.
    expect(watcher.stats.listCalls).toBe(
      MANAGEMENT_CLUSTER_KINDS.length + stale,
    );
    // awsclusters: the watcher's first LIST and fresh()'s, none after the compaction.
    expect(
      server.requests({ verb: 'list' }).filter(r => r.resource === AWSCLUSTERS),
    ).toHaveLength(2);
  });

  it('resumes from the resourceVersion of the last bookmark', async () => {
    server.addObjects([awsCluster('x', 'eu-west-1')]); // an event on awsclusters only
    await until('the add seen', () => watcher.stats.events === 1);
    const before = server.requests({ verb: 'watch' }).length;
    server.bookmark();
    server.endWatches();
    await until(
      'every watch open again',
      () => server.requests({ verb: 'watch' }).length === before + 11,
    );
    const resumed = server.requests({ verb: 'watch' }).slice(before);
    // Every kind, however quiet, resumes from the bookmark's resourceVersion (the newest), not its list's.
    const rvs = new Set(resumed.map(r => r.query.resourceVersion));
    expect(rvs.size).toBe(1);
    expect(Number([...rvs][0])).toBeGreaterThan(0);
    expect(resumed.every(r => r.query.allowWatchBookmarks === 'true')).toBe(
      true,
    );
    expect(watcher.stats.listCalls).toBe(MANAGEMENT_CLUSTER_KINDS.length);
  });

  it('fails reads while the server is down (the caller keeps its last good data), and catches up when it is back', async () => {
    server.down('refuse');
    await until('reads failing', () =>
      watcher.read().then(
        () => false,
        () => true,
      ),
    );
    const error = await watcher.read().catch(e => e);
    expect(failuresIn(error)).toBeGreaterThanOrEqual(
      WATCH_FAILURES_BEFORE_STALE,
    );
    // Changes made while no watch could see them arrive when the server is back.
    server.addObjects([awsCluster('during-outage', 'sa-east-1')]);
    await server.up();
    await until('reads working again', () =>
      watcher.read().then(
        () => true,
        () => false,
      ),
    );
    await until('the change made during the outage', async () =>
      (
        await watcher.read()
      ).objects.some(o => o.object.metadata.name === 'during-outage'),
    );
    expect(keys((await watcher.read()).objects)).toEqual(keys(await fresh()));
    expect(watcher.stats.listCalls).toBe(MANAGEMENT_CLUSTER_KINDS.length);
  });

  it('tells its owner when reads start failing and when they work again', async () => {
    let told = 0;
    const owned = new KubernetesFleetWatcher({
      name: 'mgmt',
      connection: server.connection(),
      backoffMs: [0],
      onChange: () => told++,
    });
    try {
      await owned.read();
      server.down('refuse');
      await until('told of the failure', () => told > 0);
      // Told when it happened: reads fail from then on, and nothing changed in the cluster.
      expect(
        failuresIn(await owned.read().catch(e => e)),
      ).toBeGreaterThanOrEqual(WATCH_FAILURES_BEFORE_STALE);
      const atFailure = told;
      await server.up();
      await until('told of the recovery', () => told > atFailure);
      await until('reads working again', () =>
        owned.read().then(
          () => true,
          () => false,
        ),
      );
      expect(owned.stats.events).toBe(0);
    } finally {
      owned.stop();
    }
  });

  it('stops every watch on stop()', async () => {
    watcher.stop();
    await until('no watch open', () => server.openWatches() === 0);
    const sent = server.requests({ verb: 'watch' }).length;
    server.addObjects([awsCluster('late', 'eu-west-1')]);
    await new Promise(r => setImmediate(r));
    expect(server.requests({ verb: 'watch' }).length).toBe(sent);
  });
});
