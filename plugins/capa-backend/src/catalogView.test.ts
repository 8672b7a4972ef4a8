/*
 * GET /api/capa/catalog-view/accounts and /catalog-view/management-clusters/{name}: the parts of the fleet the
 * catalog module builds its entities from (issue #17: delta mutations without downloading the whole report).
 * Expected values come from the whole report (`GET /report`), the other route: each part holds exactly its
 * scope's accounts, identities and clusters with the same values, and none of the checks. Each part's weak ETag
 * answers 304 (RFC 9110 §13.1.2) and changes only when that part does.
 */
import type {
  CatalogFleetView,
  FleetReport,
} from '@capa-portal/plugin-capa-common';
import request from 'supertest';
import {
  capaClientFor,
  startCapaBackend,
  twoServersPerTest,
} from './__testUtils__/backend';
import { userHeader } from './__testUtils__/harness';

jest.setTimeout(60_000);

const CLUSTER_FIELDS = [
  'managementCluster',
  'namespace',
  'name',
  'accountId',
  'identityRef',
  'verdict',
  'flavour',
  'phase',
  'region',
  'kubernetesVersion',
  'apiServer',
  'apiServerCaData',
  'eksClusterName',
  'owner',
  'system',
];
const LINK_FIELDS = ['kind', 'name', 'missing', 'roleArn', 'externalId'];

/** An object with only the named fields that are set (what JSON carries). */
function pick(object: any, fields: string[]) {
  return Object.fromEntries(
    fields.filter(f => object[f] !== undefined).map(f => [f, object[f]]),
  );
}

describe('GET /catalog-view', () => {
  const servers = twoServersPerTest();

  const get = (server: any, path: string, etag?: string) => {
    const r = request(server)
      .get(`/api/capa${path}`)
      .set('Authorization', userHeader());
    return etag ? r.set('If-None-Match', etag) : r;
  };

  it("holds one management cluster's identities and clusters as the report has them, without checks", async () => {
    const { server, probe } = await startCapaBackend({ servers });
    await probe.refresh('mgmt-a', 'mgmt-b');
    const report = (await get(server, '/report')).body as FleetReport & {
      sources: any[];
    };
    const res = await get(server, '/catalog-view/management-clusters/mgmt-a');
    expect(res.status).toBe(200);
    const view = res.body as CatalogFleetView;
    expect(view.generatedAt).toBe(report.generatedAt);
    expect(view.sources).toEqual(
      report.sources.filter(s => s.name === 'mgmt-a'),
    );
    expect(view.accounts).toEqual([]);
    const mine = report.clusters.filter(c => c.managementCluster === 'mgmt-a');
    expect(mine.length).toBeGreaterThan(0);
    expect(view.clusters).toEqual(
      mine.map(c => ({
        ...pick(c, CLUSTER_FIELDS),
        chain: c.chain.map(l => pick(l, LINK_FIELDS)),
      })),
    );
    expect(view.identities.map(i => `${i.kind}/${i.name}`)).toEqual(
      report.identities
        .filter(i => i.managementCluster === 'mgmt-a')
        .map(i => `${i.kind}/${i.name}`),
    );
    expect(JSON.stringify(view)).not.toContain('"checks"');

    const accounts = (await get(server, '/catalog-view/accounts'))
      .body as CatalogFleetView;
    expect(accounts.accounts).toEqual(
      report.accounts.map(x =>
        pick(x, [
          'accountId',
          'name',
          'tier',
          'owner',
          'email',
          'status',
          'verdict',
        ]),
      ),
    );
    expect([accounts.sources, accounts.clusters, accounts.identities]).toEqual([
      [],
      [],
      [],
    ]);
  });

  it("answers 304 to each part's tag, and a new tag only for the part that changed or started failing", async () => {
    const { server, probe } = await startCapaBackend({ servers });
    await probe.refresh('mgmt-a', 'mgmt-b');
    const tagOf = async (path: string) => {
      const res = await get(server, path);
      expect(res.status).toBe(200);
      expect(res.headers.etag).toMatch(/^W\/"/);
      return res.headers.etag as string;
    };
    const tagA = await tagOf('/catalog-view/management-clusters/mgmt-a');
    const tagB = await tagOf('/catalog-view/management-clusters/mgmt-b');
    const tagAccounts = await tagOf('/catalog-view/accounts');
    const again = await get(
      server,
      '/catalog-view/management-clusters/mgmt-a',
      tagA,
    );
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');

    // A new cluster in mgmt-b: mgmt-b's part changes; mgmt-a's and the accounts' do not.
    servers.b.addObjects([
      {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: 'web-2', namespace: 'staging' },
        spec: {
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'AWSCluster',
            name: 'web-2',
          },
        },
      },
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSCluster',
        metadata: { name: 'web-2', namespace: 'staging' },
        spec: {
          region: 'eu-west-1',
          identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
        },
      },
    ]);
    await probe.refresh('mgmt-b');
    const changedB = await get(
      server,
      '/catalog-view/management-clusters/mgmt-b',
      tagB,
    );
    expect(changedB.status).toBe(200);
    expect(
      (changedB.body as CatalogFleetView).clusters.map(c => c.name),
    ).toContain('web-2');
    expect(
      (await get(server, '/catalog-view/management-clusters/mgmt-a', tagA))
        .status,
    ).toBe(304);
    expect(
      (await get(server, '/catalog-view/accounts', tagAccounts)).status,
    ).toBe(304);

    // mgmt-a starts failing: its part says so under a new tag (its last good data kept).
    servers.a.down('refuse');
    await probe.refresh('mgmt-a');
    const failing = await get(
      server,
      '/catalog-view/management-clusters/mgmt-a',
      tagA,
    );
    expect(failing.status).toBe(200);
    const view = failing.body as CatalogFleetView;
    expect(view.sources.map(s => [s.name, s.stale])).toEqual([
      ['mgmt-a', true],
    ]);
    expect(view.clusters.length).toBeGreaterThan(0);
  });

  it('answers 404 for a management cluster not in the configuration', async () => {
    const { server, probe } = await startCapaBackend({ servers });
    await probe.refresh('mgmt-a', 'mgmt-b');
    const res = await get(server, '/catalog-view/management-clusters/mgmt-x');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('No management cluster mgmt-x');
  });

  it("answers CapaBackendClient's conditional request over Node's fetch with a 304", async () => {
    const { server, probe } = await startCapaBackend({ servers });
    await probe.refresh('mgmt-a', 'mgmt-b');
    const client = capaClientFor(server);
    const scope = { type: 'management-cluster' as const, name: 'mgmt-b' };
    const first = await client.catalogView(scope);
    expect(first.view?.sources.map(s => s.name)).toEqual(['mgmt-b']);
    expect(first.etag).toMatch(/^W\/"/);
    expect(await client.catalogView(scope, first.etag)).toEqual({
      etag: first.etag,
    });
    const accounts = await client.catalogView({ type: 'accounts' });
    expect(accounts.view?.accounts.length).toBeGreaterThan(0);
  });
});
