import {
  ApiException,
  CustomObjectsApi,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { TestKubernetesApiServer, applyMerge } from './TestKubernetesApiServer';
import { smallCapaFleet } from './fleetFixture';

describe('TestKubernetesApiServer (test double)', () => {
  let server: TestKubernetesApiServer;

  beforeEach(async () => {
    server = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
  });

  afterEach(async () => {
    await server.stop();
  });

  const raw = (path: string, init?: RequestInit & { token?: string }) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${init?.token ?? server.token}`,
        ...(init?.headers ?? {}),
      },
    });

  it('checks the bearer token', async () => {
    const res = await raw('/api/v1/namespaces', { token: 'wrong' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(
      expect.objectContaining({
        kind: 'Status',
        reason: 'Unauthorized',
        code: 401,
      }),
    );
  });

  it('pages with limit/continue and expires continue tokens with 410 Expired', async () => {
    const api = server.kubeConfig().makeApiClient(CustomObjectsApi);
    const page1 = await api.listClusterCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      plural: 'clusters',
      limit: 2,
    });
    expect(page1.kind).toBe('ClusterList');
    expect(page1.items).toHaveLength(2);
    expect(page1.metadata.remainingItemCount).toBe(3);
    expect(page1.items[0].apiVersion).toBeUndefined();

    const page2 = await api.listClusterCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      plural: 'clusters',
      limit: 2,
      _continue: page1.metadata.continue,
    });
    expect(page2.items.map((i: any) => i.metadata.name)).not.toContain(
      page1.items[0].metadata.name,
    );

    server.expireContinueTokens();
    const error = await api
      .listClusterCustomObject({
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        plural: 'clusters',
        limit: 2,
        _continue: page2.metadata.continue,
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(ApiException);
    expect(error.code).toBe(410);
    expect(JSON.parse(error.body)).toEqual(
      expect.objectContaining({ reason: 'Expired', code: 410 }),
    );
  });

  it('lists one namespace, and serves v1beta1 of CAPI objects too', async () => {
    const res = await raw(
      '/apis/cluster.x-k8s.io/v1beta1/namespaces/staging/clusters',
    );
    const body = await res.json();
    expect(body.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    expect(body.items.map((i: any) => i.metadata.name).sort()).toEqual([
      'api',
      'web',
    ]);
    // CAPA serves v1beta2 only
    expect(
      (await raw('/apis/infrastructure.cluster.x-k8s.io/v1beta1/awsclusters'))
        .status,
    ).toBe(404);
  });

  it('serves discovery so KubernetesObjectApi finds plurals', async () => {
    const api = KubernetesObjectApi.makeApiClient(server.kubeConfig());
    const got = await api.read({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSClusterRoleIdentity',
      metadata: { name: 'staging' },
    });
    expect((got as any).spec.roleARN).toContain('222222222222');
    expect(server.requests({ verb: 'discovery' }).map(r => r.path)).toEqual([
      '/apis/infrastructure.cluster.x-k8s.io/v1beta2',
    ]);
    expect(
      server.requestCounts()[
        'GET /apis/infrastructure.cluster.x-k8s.io/v1beta2/awsclusterroleidentities/staging'
      ],
    ).toBe(1);
  });

  it('server-side applies YAML bodies, requires fieldManager, honours dryRun=All', async () => {
    const yamlBody = [
      'apiVersion: infrastructure.cluster.x-k8s.io/v1beta2',
      'kind: AWSCluster',
      'metadata:',
      '  name: new',
      '  namespace: staging',
      'spec:',
      '  region: eu-west-1',
    ].join('\n');
    const path =
      '/apis/infrastructure.cluster.x-k8s.io/v1beta2/namespaces/staging/awsclusters/new';
    const headers = { 'Content-Type': 'application/apply-patch+yaml' };
    expect(
      (await raw(path, { method: 'PATCH', headers, body: yamlBody })).status,
    ).toBe(400);
    const dry = await raw(`${path}?fieldManager=t&dryRun=All`, {
      method: 'PATCH',
      headers,
      body: yamlBody,
    });
    expect(dry.status).toBe(201);
    expect(
      server.getObject(
        'infrastructure.cluster.x-k8s.io/v1beta2',
        'AWSCluster',
        'new',
        'staging',
      ),
    ).toBeUndefined();
    const real = await raw(`${path}?fieldManager=t`, {
      method: 'PATCH',
      headers,
      body: yamlBody,
    });
    expect(real.status).toBe(201);
    const again = await raw(`${path}?fieldManager=t`, {
      method: 'PATCH',
      headers,
      body: `${yamlBody}\n  identityRef: {kind: AWSClusterRoleIdentity, name: staging}`,
    });
    expect(again.status).toBe(200);
    expect((await again.json()).spec).toEqual({
      region: 'eu-west-1',
      identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
    });
    // merge patches are not supported by this double
    expect(
      (
        await raw(`${path}?fieldManager=t`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/merge-patch+json' },
          body: '{}',
        })
      ).status,
    ).toBe(415);
  });

  it('injects faults', async () => {
    server.failNext({
      method: 'GET',
      pathIncludes: '/api/v1/namespaces',
      status: 503,
      times: 2,
    });
    expect((await raw('/api/v1/namespaces')).status).toBe(503);
    expect((await raw('/api/v1/namespaces')).status).toBe(503);
    expect((await raw('/api/v1/namespaces')).status).toBe(200);

    server.garbage({ pathIncludes: '/api/v1/namespaces' });
    await expect((await raw('/api/v1/namespaces')).json()).rejects.toThrow();

    server.down();
    await expect(raw('/api/v1/namespaces')).rejects.toThrow();
    await server.up();
    expect((await raw('/api/v1/namespaces')).status).toBe(200);

    server.down('reset');
    await expect(raw('/api/v1/namespaces')).rejects.toThrow();
    await server.up();
    expect((await raw('/api/v1/namespaces')).status).toBe(200);
    expect(
      server
        .requests({ pathIncludes: '/api/v1/namespaces' })
        .map(r => r.status),
    ).toEqual([503, 503, 200, 200, 200, 0, 200]);
  });

  it('merges as documented', () => {
    expect(
      applyMerge(
        { a: { b: 1, c: [1, 2] }, d: 1 },
        { a: { c: [3] }, d: null, e: 'x' },
      ),
    ).toEqual({
      a: { b: 1, c: [3] },
      e: 'x',
    });
  });
});
