import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { describeWithKubeApiServer, uniqueName } from '../testing';
import { KubernetesRequestError } from './errors';
import { KubernetesFleetReader } from './KubernetesFleetReader';
import { MANAGEMENT_CLUSTER_KINDS } from './kinds';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta2';
const AWSCLUSTERS = 'awsclusters.infrastructure.cluster.x-k8s.io';
const CLUSTERS = 'clusters.cluster.x-k8s.io';

/** Every API group the reader lists from (core included), for RBAC rules. */
const READER_GROUPS = [...new Set(MANAGEMENT_CLUSTER_KINDS.map(k => k.group))];

describeWithKubeApiServer(
  'KubernetesFleetReader against a real kube-apiserver',
  kube => {
    const ns = uniqueName('reader');
    const names = Array.from({ length: 7 }, (_, i) => `web-${i}`);
    const objects: KubeObject[] = names.flatMap(name => [
      {
        apiVersion: INFRA,
        kind: 'AWSCluster',
        metadata: { name, namespace: ns },
        spec: {
          region: 'eu-west-1',
          identityRef: {
            kind: 'AWSClusterControllerIdentity',
            name: 'default',
          },
        },
      },
      {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name, namespace: ns },
        spec: {
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'AWSCluster',
            name,
          },
        },
      },
    ]);
    const reader = (token?: string) =>
      KubernetesFleetReader.create({
        name: 'mgmt-real',
        connection: kube().connection(token, { pageSize: 2 }),
      });
    const ours = (o: KubeObject) =>
      o.metadata.namespace === ns || o.metadata.name === ns;

    beforeAll(async () => {
      await kube().create([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        ...objects,
      ]);
    });

    it('kube-apiserver: a LIST paged 2 at a time is read in full through its continue tokens', async () => {
      const result = await reader().read();
      const read = result.objects.map(o => o.object).filter(ours);
      expect(
        read
          .map(
            o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`,
          )
          .sort(),
      ).toEqual(
        [
          `Namespace//${ns}`,
          ...objects.map(o => `${o.kind}/${ns}/${o.metadata.name}`),
        ].sort(),
      );
      // 7 of ours alone need 4 pages of 2: the reader followed the server's continue tokens to the end.
      const kinds = Object.fromEntries(result.kinds.map(k => [k.resource, k]));
      expect(kinds[AWSCLUSTERS].pages).toBeGreaterThanOrEqual(4);
      expect(kinds[AWSCLUSTERS].version).toBe('v1beta2');
      expect(kinds[CLUSTERS].version).toBe('v1beta2');
      expect(kinds[CLUSTERS].pages).toBeGreaterThanOrEqual(4);
      // The real server sends managedFields (server-side apply bookkeeping); the reader drops them.
      for (const o of read) {
        expect(o.metadata.uid).toEqual(expect.any(String));
        expect(o.metadata.resourceVersion).toEqual(expect.any(String));
        expect(o.metadata.managedFields).toBeUndefined();
      }
      const web3 = read.find(
        o => o.kind === 'AWSCluster' && o.metadata.name === 'web-3',
      )!;
      expect(web3.apiVersion).toBe(INFRA);
      expect(web3.spec.region).toBe('eu-west-1');
    });

    it('kube-apiserver: a kind whose CRD is not installed reads as empty, with a warning naming it', async () => {
      // The vendored CRDs (crds/) have no ROSAControlPlane and no CAPI Operator InfrastructureProvider.
      const result = await reader().read();
      const absent = [
        'rosacontrolplanes.controlplane.cluster.x-k8s.io',
        'infrastructureproviders.operator.cluster.x-k8s.io',
      ];
      for (const resource of absent) {
        expect(result.kinds.find(k => k.resource === resource)).toEqual({
          resource,
          items: 0,
          problems: 1,
          pages: 0,
          restarts: 0,
        });
        expect(result.problems).toContainEqual({
          source: 'kubernetes://mgmt-real',
          severity: 'warning',
          message: expect.stringContaining(`${resource} is not served`),
        });
      }
      expect(result.problems.filter(p => p.severity !== 'warning')).toEqual([]);
    });

    it('kube-apiserver: real RBAC answers 403 to a service account without list on one kind, and the error names the grant', async () => {
      // Everything the reader lists but awsclusters.
      const token = await kube().serviceAccountToken(ns, 'partial-reader', [
        { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
        {
          apiGroups: ['cluster.x-k8s.io'],
          resources: ['clusters'],
          verbs: ['list'],
        },
        {
          apiGroups: ['infrastructure.cluster.x-k8s.io'],
          resources: ['awsclustertemplates'],
          verbs: ['list'],
        },
      ]);
      const error = await reader(token)
        .read()
        .catch(e => e);
      expect(error).toBeInstanceOf(KubernetesRequestError);
      expect(error.reason).toBe('forbidden');
      expect(error.statusCode).toBe(403);
      expect(error.message).toContain(
        `denied list on ${AWSCLUSTERS} (all namespaces): grant verb "list" on resource "awsclusters" in API group "infrastructure.cluster.x-k8s.io"`,
      );
      // The server's own words (RBAC's message format), naming the service account.
      expect(error.message).toContain(
        `User "system:serviceaccount:${ns}:partial-reader" cannot list resource "awsclusters" in API group "infrastructure.cluster.x-k8s.io" at the cluster scope`,
      );
    });

    it("kube-apiserver: a service account granted list on the reader's groups reads the same objects as the admin", async () => {
      const token = await kube().serviceAccountToken(ns, 'fleet-reader', [
        { apiGroups: READER_GROUPS, resources: ['*'], verbs: ['list'] },
      ]);
      const asAdmin = (await reader().read()).objects
        .map(o => o.object)
        .filter(ours);
      const asReader = (await reader(token).read()).objects
        .map(o => o.object)
        .filter(ours);
      const key = (o: KubeObject) =>
        `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      expect(asReader.map(key).sort()).toEqual(asAdmin.map(key).sort());
      expect(asReader.length).toBe(objects.length + 1);
    });

    it('kube-apiserver: a token the server did not issue is refused with 401', async () => {
      const error = await reader('not-a-token')
        .read()
        .catch(e => e);
      expect(error).toBeInstanceOf(KubernetesRequestError);
      expect(error.reason).toBe('unauthorized');
      expect(error.statusCode).toBe(401);
    });
  },
);
