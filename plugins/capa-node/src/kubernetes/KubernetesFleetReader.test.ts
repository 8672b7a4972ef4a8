import fs from 'fs';
import os from 'os';
import path from 'path';
import { stringify as stringifyYaml } from 'yaml';
import { smallCapaFleet, TestKubernetesApiServer } from '../testing';
import {
  DEFAULT_KUBERNETES_PAGE_SIZE,
  ManagementClusterConnection,
} from './connection';
import { KubernetesRequestError } from './errors';
import { KubernetesFleetReader } from './KubernetesFleetReader';
import { MANAGEMENT_CLUSTER_KINDS, resourceName } from './kinds';

const AWSCLUSTERS = 'awsclusters.infrastructure.cluster.x-k8s.io';

describe('KubernetesFleetReader against the test API server', () => {
  let server: TestKubernetesApiServer;

  beforeEach(async () => {
    server = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
  });

  afterEach(async () => {
    await server.stop();
  });

  function reader(extra: Partial<ManagementClusterConnection> = {}) {
    return KubernetesFleetReader.create({
      name: 'mgmt-eu',
      connection: {
        ...server.connection(),
        pageSize: 2,
        timeoutMs: 3000,
        ...extra,
      } as ManagementClusterConnection,
    });
  }

  const key = (o: {
    kind: string;
    metadata: { namespace?: string; name: string };
  }) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

  it('reads a fleet over several pages with one paginated LIST per kind and no GETs', async () => {
    const fleet = smallCapaFleet();
    const result = await reader().read();

    expect(result.problems).toEqual([]);
    expect(result.objects.map(o => key(o.object)).sort()).toEqual(
      fleet.map(key).sort(),
    );
    for (const { object, location } of result.objects) {
      expect(location).toEqual({ source: 'kubernetes://mgmt-eu' });
      // items came without apiVersion/kind: filled from the list's group/version/kind
      const original = fleet.find(o => key(o) === key(object))!;
      expect(object.apiVersion).toBe(original.apiVersion);
      expect(object.kind).toBe(original.kind);
      expect(object.metadata.uid).toEqual(expect.any(String));
    }
    const awsCluster = result.objects.find(
      o =>
        o.object.kind === 'AWSCluster' &&
        o.object.metadata.name === 'web' &&
        o.object.metadata.namespace === 'staging',
    )!;
    expect(awsCluster.object.spec.identityRef).toEqual({
      kind: 'AWSClusterRoleIdentity',
      name: 'staging',
    });

    const lists = server.requests({ verb: 'list' });
    expect(server.requests({ verb: 'get' })).toEqual([]);
    expect(server.requests({ verb: 'discovery' })).toEqual([]);
    expect(server.requests().length).toBe(lists.length);
    // one paginated list per kind: one list request without a continue token per kind
    const firstPages = lists.filter(r => !r.query.continue);
    expect(firstPages.map(r => r.resource).sort()).toEqual(
      MANAGEMENT_CLUSTER_KINDS.map(resourceName).sort(),
    );
    // every request is a cluster-wide list carrying limit
    for (const r of lists) {
      expect(r.query.limit).toBe('2');
      expect(r.path).not.toContain('/namespaces/');
    }
    // pages per kind: ceil(n / 2), at least 1
    for (const type of MANAGEMENT_CLUSTER_KINDS) {
      const n = fleet.filter(o => o.kind === type.kind).length;
      expect(lists.filter(r => r.resource === resourceName(type)).length).toBe(
        Math.max(1, Math.ceil(n / 2)),
      );
    }
    expect(lists.length).toBeGreaterThan(MANAGEMENT_CLUSTER_KINDS.length);
    expect(result.listCalls).toBe(lists.length);
  });

  it('sends a whole read over one kept-alive connection, and leaves none open after it', async () => {
    const before = server.connectionsAccepted();
    const result = await KubernetesFleetReader.create({
      name: 'mgmt',
      connection: { ...server.connection(), pageSize: 1 },
    }).read();
    // One LIST per page of every kind, sent one after the other: Node's keep-alive agent reuses the free
    // socket for each next request (node:http Agent, `keepAlive`), so one TCP connection carries them all.
    expect(result.listCalls).toBeGreaterThan(MANAGEMENT_CLUSTER_KINDS.length);
    expect(server.connectionsAccepted() - before).toBe(1);
    // The reader closes its idle connection when the read is done; the server sees the close a few turns of
    // the event loop later.
    for (let i = 0; i < 100 && server.openConnections() > 0; i++)
      await new Promise(r => setImmediate(r));
    expect(server.openConnections()).toBe(0);
  });

  it('names the missing verb and resource on 403', async () => {
    server.failNext({
      resource: 'awsclusterroleidentities.infrastructure.cluster.x-k8s.io',
      status: 403,
    });
    const error = await reader()
      .read()
      .catch(e => e);
    expect(error).toBeInstanceOf(KubernetesRequestError);
    expect(error.reason).toBe('forbidden');
    expect(error.message).toContain(
      'management cluster "mgmt-eu" denied list on awsclusterroleidentities.infrastructure.cluster.x-k8s.io (cluster-wide): grant verb "list"',
    );
    expect(error.message).toContain(
      'in API group "infrastructure.cluster.x-k8s.io"',
    );
    expect(error.message).toContain(
      'cannot list resource "awsclusterroleidentities"',
    );
  });

  it('names the core group for namespaces on 403', async () => {
    server.failNext({ resource: 'namespaces', status: 403 });
    await expect(reader().read()).rejects.toThrow(
      /denied list on namespaces \(cluster-wide\): grant verb "list" on resource "namespaces" in API group "" \(core\)/,
    );
  });

  it('reads a kind whose CRD is not installed as empty, with a warning', async () => {
    server.unserve('rosacontrolplanes.controlplane.cluster.x-k8s.io');
    const result = await reader().read();
    expect(
      result.objects.filter(o => o.object.kind === 'ROSAControlPlane'),
    ).toEqual([]);
    expect(result.objects).toHaveLength(smallCapaFleet().length - 1);
    expect(result.problems).toEqual([
      expect.objectContaining({
        source: 'kubernetes://mgmt-eu',
        severity: 'warning',
        message: expect.stringContaining(
          'rosacontrolplanes.controlplane.cluster.x-k8s.io is not served',
        ),
      }),
    ]);
    expect(
      result.kinds.find(
        k => k.resource === 'rosacontrolplanes.controlplane.cluster.x-k8s.io',
      ),
    ).toEqual({
      resource: 'rosacontrolplanes.controlplane.cluster.x-k8s.io',
      items: 0,
      problems: 1,
      pages: 0,
      restarts: 0,
    });
  });

  it('falls back to CAPI v1beta1 when v1beta2 is not served', async () => {
    server.unserve('clusters.cluster.x-k8s.io', 'v1beta2');
    const result = await reader().read();
    const clusters = result.objects.filter(o => o.object.kind === 'Cluster');
    expect(clusters).toHaveLength(5);
    expect(new Set(clusters.map(c => c.object.apiVersion))).toEqual(
      new Set(['cluster.x-k8s.io/v1beta1']),
    );
    expect(result.problems).toEqual([]);
    expect(
      result.kinds.find(k => k.resource === 'clusters.cluster.x-k8s.io')
        ?.version,
    ).toBe('v1beta1');
  });

  it('restarts a list whose continue token expired (410) and still returns everything', async () => {
    server.failNext({
      resource: AWSCLUSTERS,
      pathIncludes: 'continue=',
      status: 410,
    });
    const result = await reader().read();
    expect(result.objects).toHaveLength(smallCapaFleet().length);
    expect(
      result.objects.filter(o => o.object.kind === 'AWSCluster'),
    ).toHaveLength(3);
    expect(result.kinds.find(k => k.resource === AWSCLUSTERS)?.restarts).toBe(
      1,
    );
    const awsLists = server.requests({ resource: AWSCLUSTERS });
    expect(awsLists.map(r => r.status)).toEqual([200, 410, 200, 200]);
  });

  it('gives up after 3 restarts', async () => {
    server.failNext({
      resource: AWSCLUSTERS,
      pathIncludes: 'continue=',
      status: 410,
      times: 10,
    });
    await expect(reader().read()).rejects.toThrow(
      /expired \(410 Gone\) 4 times in a row; gave up after 3 restarts/,
    );
  });

  it('throws on 500: the whole read fails', async () => {
    server.failNext({ resource: AWSCLUSTERS, status: 500 });
    await expect(reader().read()).rejects.toThrow(
      /management cluster "mgmt-eu": list awsclusters.infrastructure.cluster.x-k8s.io\/v1beta2 failed \(HTTP 500\): Internal error occurred/,
    );
  });

  it('throws on 401 without echoing the token', async () => {
    const r = KubernetesFleetReader.create({
      name: 'mgmt-eu',
      connection: {
        url: server.url,
        serviceAccountToken: 'super-secret-token-value',
        skipTLSVerify: true,
      },
    });
    const error = await r.read().catch(e => e);
    expect(error.message).toMatch(
      /rejected the credentials \(401 Unauthorized\)/,
    );
    expect(error.message).not.toContain('super-secret-token-value');
    expect(JSON.stringify(error)).not.toContain('super-secret-token-value');
  });

  it('bounds every request with timeoutMs', async () => {
    server.delay({
      resource: 'awsclustertemplates.infrastructure.cluster.x-k8s.io',
      ms: 10_000,
    });
    // The server holds the request for 10 s, longer than this test's own 5 s bound: only the reader's 300 ms
    // timeout can end the read, and its message says so.
    await expect(reader({ timeoutMs: 300 }).read()).rejects.toThrow(
      /list awsclustertemplates.infrastructure.cluster.x-k8s.io\/v1beta2 timed out \(no answer within 300 ms\)/,
    );
  });

  it('throws with a clear message on a response that is not JSON', async () => {
    server.garbage({ resource: AWSCLUSTERS });
    await expect(reader().read()).rejects.toThrow(
      /list awsclusters.infrastructure.cluster.x-k8s.io\/v1beta2 returned an invalid response: the response is not valid JSON/,
    );
  });

  it('throws when the server goes down mid-pagination, never returning a partial read', async () => {
    server.failAfterPages({ pathIncludes: '/awsclusters', pages: 1 });
    const error = await reader()
      .read()
      .catch(e => e);
    expect(error).toBeInstanceOf(KubernetesRequestError);
    expect(error.reason).toBe('unreachable');
    expect(error.message).toMatch(
      /management cluster "mgmt-eu" is unreachable during list awsclusters/,
    );
    expect(
      server.requests({ resource: AWSCLUSTERS }).map(r => r.status),
    ).toEqual([200]);
  });

  it('throws when the server is down', async () => {
    server.down();
    await expect(reader().read()).rejects.toThrow(/unreachable.*ECONNREFUSED/);
    await server.up();
    await expect(reader().read()).resolves.toEqual(
      expect.objectContaining({ problems: [] }),
    );
  });

  it('skips malformed items with a problem', async () => {
    server.addObjects([
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSCluster',
        metadata: {
          name: 'broken',
          namespace: 'staging',
          labels: 'not-a-map' as any,
        },
        spec: {},
      },
    ]);
    const result = await reader().read();
    expect(result.objects).toHaveLength(smallCapaFleet().length);
    expect(result.problems).toEqual([
      {
        source: 'kubernetes://mgmt-eu',
        object: 'AWSCluster/staging/broken',
        message: 'skipped: metadata.labels is not a map',
        severity: 'error',
      },
    ]);
  });

  describe('connections', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capa-kubeconfig-'));
    });
    afterEach(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('reads through a kubeconfig file and a named context', async () => {
      const file = path.join(dir, 'kubeconfig');
      fs.writeFileSync(
        file,
        stringifyYaml({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [
            { name: 'elsewhere', cluster: { server: 'http://127.0.0.1:1' } },
            {
              name: 'mgmt',
              cluster: { server: server.url, 'insecure-skip-tls-verify': true },
            },
          ],
          users: [
            { name: 'nobody', user: { token: 'wrong' } },
            { name: 'portal', user: { token: server.token } },
          ],
          contexts: [
            {
              name: 'other',
              context: { cluster: 'elsewhere', user: 'nobody' },
            },
            { name: 'mgmt-eu', context: { cluster: 'mgmt', user: 'portal' } },
          ],
          'current-context': 'other',
        }),
      );
      const result = await KubernetesFleetReader.create({
        name: 'mgmt-eu',
        connection: { kubeconfigPath: file, context: 'mgmt-eu', pageSize: 3 },
      }).read();
      expect(result.objects).toHaveLength(smallCapaFleet().length);

      await expect(
        KubernetesFleetReader.create({
          name: 'x',
          connection: { kubeconfigPath: file, context: 'nope' },
        }).read(),
      ).rejects.toThrow(/has no context "nope" \(available: other, mgmt-eu\)/);
    });

    it('reads through the server helper kubeconfig YAML', async () => {
      const file = path.join(dir, 'kubeconfig');
      fs.writeFileSync(file, server.kubeConfigYaml({ contextName: 'test' }));
      const result = await KubernetesFleetReader.create({
        name: 'm',
        connection: { kubeconfigPath: file },
      }).read();
      expect(result.objects).toHaveLength(smallCapaFleet().length);
      expect(server.requests({ verb: 'list' })[0].query.limit).toBe(
        String(DEFAULT_KUBERNETES_PAGE_SIZE),
      );
    });

    it('reads through url + service account token', async () => {
      const result = await KubernetesFleetReader.create({
        name: 'mgmt-eu',
        connection: {
          url: server.url,
          serviceAccountToken: server.token,
          skipTLSVerify: true,
        },
      }).read();
      expect(result.objects).toHaveLength(smallCapaFleet().length);
      expect(result.listCalls).toBe(MANAGEMENT_CLUSTER_KINDS.length);
    });
  });
});
