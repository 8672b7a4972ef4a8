import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { parseAllDocuments } from 'yaml';
import { describeWithKubeApiServer, uniqueName } from '../testing';
import { KubernetesFleetWatcher } from './KubernetesFleetWatcher';
import { MANAGEMENT_CLUSTER_KINDS } from './kinds';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta2';
const POLLS = 300;

/** Waits (at most POLLS turns of 50 ms) until `probe` holds. */
async function until(what: string, probe: () => Promise<boolean> | boolean) {
  for (let i = 0; i < POLLS; i++) {
    if (await probe()) return;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`${what}: not seen after ${POLLS} polls`);
}

describeWithKubeApiServer(
  'KubernetesFleetWatcher against a real kube-apiserver',
  kube => {
    const ns = uniqueName('watch');
    const awsCluster = (name: string, region: string): KubeObject => ({
      apiVersion: INFRA,
      kind: 'AWSCluster',
      metadata: { name, namespace: ns },
      spec: {
        region,
        identityRef: { kind: 'AWSClusterControllerIdentity', name: 'default' },
      },
    });
    const path = () =>
      kube().collectionPath(awsCluster('x', 'eu-west-1'), 'awsclusters');
    const regionOf = async (w: KubernetesFleetWatcher, name: string) =>
      (await w.read()).objects.find(
        o =>
          o.object.kind === 'AWSCluster' &&
          o.object.metadata.namespace === ns &&
          o.object.metadata.name === name,
      )?.object.spec.region;
    let watcher: KubernetesFleetWatcher | undefined;
    afterEach(() => watcher?.stop());

    beforeAll(async () => {
      await kube().create([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        awsCluster('before', 'eu-west-1'),
      ]);
    });

    it('kube-apiserver: lists once, then sees a create, an update and a delete through its watches without another LIST', async () => {
      let changes = 0;
      watcher = new KubernetesFleetWatcher({
        name: 'mgmt-watch',
        connection: kube().connection(undefined, { pageSize: 50 }),
        onChange: () => changes++,
      });
      const first = await watcher.read();
      expect(first.listCalls).toBeGreaterThanOrEqual(
        MANAGEMENT_CLUSTER_KINDS.length,
      );
      expect(await regionOf(watcher, 'before')).toBe('eu-west-1');
      // One watch per served kind: the vendored CRDs serve all but ROSAControlPlane and InfrastructureProvider.
      expect(watcher.stats.watchRequests).toBe(
        MANAGEMENT_CLUSTER_KINDS.length - 2,
      );
      const lists = watcher.stats.listCalls;

      await kube().create([awsCluster('after', 'us-east-1')]);
      await until('the created AWSCluster', async () =>
        Boolean(await regionOf(watcher!, 'after')),
      );
      const patched = await kube().request(
        'PATCH',
        `${path()}/before`,
        { spec: { region: 'ap-south-1' } },
        'application/merge-patch+json',
      );
      expect(patched.status).toBe(200);
      await until(
        'the updated region',
        async () => (await regionOf(watcher!, 'before')) === 'ap-south-1',
      );
      const deleted = await kube().request('DELETE', `${path()}/after`);
      expect(deleted.status).toBe(200);
      await until(
        'the deleted AWSCluster gone',
        async () => (await regionOf(watcher!, 'after')) === undefined,
      );

      expect(watcher.stats.listCalls).toBe(lists);
      expect((await watcher.read()).listCalls).toBe(0);
      expect(watcher.stats.events).toBeGreaterThanOrEqual(3);
      expect(changes).toBe(watcher.stats.events);
      // Watch events carry managedFields like LIST items do; the watcher drops them as the reader does.
      const before = (await watcher.read()).objects.find(
        o => o.object.metadata.name === 'before',
      )!;
      expect(before.object.metadata.managedFields).toBeUndefined();
      expect(before.location.source).toBe('kubernetes://mgmt-watch');
    });

    it('kube-apiserver: when the server ends a watch (timeoutSeconds) the watcher resumes from the last resourceVersion, without a LIST', async () => {
      watcher = new KubernetesFleetWatcher({
        name: 'mgmt-resume',
        connection: kube().connection(),
        kinds: MANAGEMENT_CLUSTER_KINDS.filter(k => k.kind === 'AWSCluster'),
        watchSeconds: 1,
      });
      await watcher.read();
      const lists = watcher.stats.listCalls;
      expect(lists).toBe(1);
      // The server closes each watch after about a second; wait for it to have done so twice.
      await until(
        'two resumed watches',
        () => watcher!.stats.watchRequests >= 3,
      );
      await kube().create([awsCluster('resumed', 'eu-north-1')]);
      await until(
        'the AWSCluster created after the resumes',
        async () => (await regionOf(watcher!, 'resumed')) === 'eu-north-1',
      );
      expect(watcher.stats.listCalls).toBe(lists);
      expect(watcher.stats.relists).toBe(0);
    });

    it('kube-apiserver: the ClusterRole of docs/kubernetes-rbac.md is all the watcher needs', async () => {
      const doc = readFileSync(
        resolve(__dirname, '../../../../docs/kubernetes-rbac.md'),
        'utf8',
      );
      const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(doc)![1];
      const role = parseAllDocuments(yamlBlock)
        .map(d => d.toJS())
        .find(o => o?.kind === 'ClusterRole');
      const token = await kube().serviceAccountToken(
        ns,
        'documented-reader',
        role.rules,
      );
      watcher = new KubernetesFleetWatcher({
        name: 'mgmt-documented',
        connection: kube().connection(token),
        backoffMs: [0],
      });
      await watcher.read();
      await kube().create([awsCluster('documented', 'eu-south-1')]);
      await until(
        'the AWSCluster created after the start',
        async () => (await regionOf(watcher!, 'documented')) === 'eu-south-1',
      );
      // Every served kind's watch is running: none has failed.
      expect(watcher.stats.watchRequests).toBe(
        MANAGEMENT_CLUSTER_KINDS.length - 2,
      );
    });

    it('kube-apiserver: a service account without "watch" makes reads fail after the retries, naming the verb to grant', async () => {
      const token = await kube().serviceAccountToken(ns, 'list-only', [
        {
          apiGroups: ['infrastructure.cluster.x-k8s.io'],
          resources: ['awsclusters'],
          verbs: ['list'],
        },
      ]);
      watcher = new KubernetesFleetWatcher({
        name: 'mgmt-nowatch',
        connection: kube().connection(token),
        kinds: MANAGEMENT_CLUSTER_KINDS.filter(k => k.kind === 'AWSCluster'),
        backoffMs: [0],
      });
      // The LIST is allowed: the first read answers from it.
      expect((await watcher.read()).objects.length).toBeGreaterThan(0);
      await until(
        'three refused watches',
        () => watcher!.stats.watchRequests >= 3,
      );
      await until('reads failing', () =>
        watcher!.read().then(
          () => false,
          () => true,
        ),
      );
      const error = await watcher.read().catch(e => e);
      expect(error.message).toContain(
        'grant verb "watch" on resource "awsclusters"',
      );
    });
  },
);
