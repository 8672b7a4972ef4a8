/*
 * Tenancy (issue #13): two users on the demo fleet through the real capa plugin. The platform engineer's policy
 * allows everything; the ML engineer's gives conditional decisions (capa's IS_OWNER with their claims) and the
 * catalog shows them only ml-team's entities. What ml-team owns comes from examples/demo-fleet: the ml-sandbox
 * account 444444444444 (fleet.yaml), the clusters ml-training-sandbox and experiments-dev (owner annotations).
 */
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  type AccountsResponse,
  type ClustersResponse,
  type CatalogFleetView,
  type FleetReport,
  type ManagementClustersResponse,
} from '@capa-portal/plugin-capa-common';
import path from 'node:path';
import request from 'supertest';
import {
  capaConditions,
  createCapaConditionalDecision,
} from './permissions/rules';
import {
  capaPermission,
  CATALOG_CONDITIONAL,
  header,
  ML_USER,
  ownerPolicy,
  PLATFORM_USER,
  startTenancyBackend,
  TestPolicy,
} from './__testUtils__/tenancy';

jest.setTimeout(60_000);

const FLEET = path.resolve(
  __dirname,
  '../../../examples/demo-fleet/fleet.yaml',
);
const ML_ACCOUNT = '444444444444';
const STAGING_ACCOUNT = '222222222222';

const startCapa = (
  policy: TestPolicy,
  catalogVisible?: Record<string, string[]>,
) => startTenancyBackend(policy, { fleetFile: FLEET, catalogVisible });

const get = (server: any, route: string, user: string) =>
  request(server).get(`/api/capa${route}`).set('Authorization', header(user));
const post = (server: any, route: string, user: string) =>
  request(server).post(`/api/capa${route}`).set('Authorization', header(user));
const invoke = (server: any, action: string, input: object, user: string) =>
  request(server)
    .post(`/api/capa/.backstage/actions/v1/actions/capa:${action}/invoke`)
    .set('Authorization', header(user))
    .send(input);

describe('tenancy: capa.account.read per account and cluster', () => {
  it('lists only what each user may read, and counts only that', async () => {
    const { server, catalog } = await startCapa(ownerPolicy);

    const all = (await get(server, '/accounts', PLATFORM_USER))
      .body as AccountsResponse;
    // examples/demo-fleet/fleet.yaml lists 11 accounts; mgmt-eu's sandbox-2023-identity targets a 12th
    // (141414141414, suspended in the demo's aws-organization.yaml).
    expect(all.items).toHaveLength(12);
    const ml = (await get(server, '/accounts', ML_USER))
      .body as AccountsResponse;
    expect(ml.items.map(a => a.accountId)).toEqual([ML_ACCOUNT]);
    expect(ml.items[0]).toMatchObject({
      clusterCount: 1,
      allowed: { verify: true, createCluster: true },
    });

    const allClusters = (await get(server, '/clusters', PLATFORM_USER))
      .body as ClustersResponse;
    expect(allClusters.totalCount).toBe(15);
    const mlClusters = (await get(server, '/clusters?limit=1', ML_USER))
      .body as ClustersResponse;
    expect(mlClusters.totalCount).toBe(2);
    expect(mlClusters.items).toHaveLength(1);
    const both = (await get(server, '/clusters', ML_USER))
      .body as ClustersResponse;
    expect(
      both.items
        .map(c => `${c.managementCluster}/${c.namespace}/${c.name}`)
        .sort(),
    ).toEqual([
      'mgmt-eu/dev-experiments/experiments-dev',
      'mgmt-eu/ml-sandbox/ml-training-sandbox',
    ]);
    const searched = (await get(server, '/clusters?q=payments', ML_USER))
      .body as ClustersResponse;
    expect(searched).toEqual({ items: [], totalCount: 0 });

    const mgmt = (await get(server, '/management-clusters', ML_USER))
      .body as ManagementClustersResponse;
    expect(mgmt.items.map(m => [m.name, m.clusterCount])).toEqual([
      ['mgmt-eu', 2],
    ]);

    const report = (await get(server, '/report', ML_USER)).body as FleetReport;
    expect(report.accounts.map(a => a.accountId)).toEqual([ML_ACCOUNT]);
    expect(report.clusters).toHaveLength(2);
    const identities = report.identities.map(i => i.name);
    // ml-sandbox-identity targets the ML account; dev-identity is the one experiments-dev uses.
    expect(identities).toEqual(
      expect.arrayContaining(['ml-sandbox-identity', 'dev-identity']),
    );
    expect(identities).not.toContain('staging-identity');
    expect(report.problems).toEqual([]);

    // The catalog's parts of the fleet hold the same: the ML account alone, mgmt-eu's two readable clusters.
    const accountsView = (await get(server, '/catalog-view/accounts', ML_USER))
      .body as CatalogFleetView;
    expect(accountsView.accounts.map(a => a.accountId)).toEqual([ML_ACCOUNT]);
    const mgmtView = (
      await get(server, '/catalog-view/management-clusters/mgmt-eu', ML_USER)
    ).body as CatalogFleetView;
    expect(
      mgmtView.clusters.map(c => `${c.namespace}/${c.name}`).sort(),
    ).toEqual(report.clusters.map(c => `${c.namespace}/${c.name}`).sort());
    expect(mgmtView.identities.map(i => i.name)).not.toContain(
      'staging-identity',
    );

    // The platform engineer's decisions are ALLOW: the catalog is never asked for them.
    expect(catalog.calls.filter(c => c.user === PLATFORM_USER)).toEqual([]);
  });

  it("refuses another team's account, cluster and identity with 404, exactly as one that does not exist", async () => {
    const { server } = await startCapa(ownerPolicy);
    const hidden = await get(
      server,
      `/accounts/${STAGING_ACCOUNT}/trust`,
      ML_USER,
    );
    const missing = await get(server, '/accounts/000000000001/trust', ML_USER);
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(hidden.body.error.message).toBe(
      missing.body.error.message.replace('000000000001', STAGING_ACCOUNT),
    );
    expect(
      (await get(server, `/accounts/${STAGING_ACCOUNT}/trust`, PLATFORM_USER))
        .status,
    ).toBe(200);

    const own = await get(server, `/accounts/${ML_ACCOUNT}/trust`, ML_USER);
    expect(own.status).toBe(200);
    expect(own.body.clusters.map((c: any) => c.name)).toEqual([
      'ml-training-sandbox',
    ]);

    expect(
      (
        await get(
          server,
          '/clusters/mgmt-eu/dev-experiments/experiments-dev',
          ML_USER,
        )
      ).status,
    ).toBe(200);
    const otherCluster = await get(
      server,
      '/clusters/mgmt-eu/staging/checkout-staging',
      ML_USER,
    );
    const noCluster = await get(
      server,
      '/clusters/mgmt-eu/staging/nope',
      ML_USER,
    );
    expect(otherCluster.status).toBe(404);
    expect(otherCluster.body.error.message).toBe(
      noCluster.body.error.message.replace('nope', 'checkout-staging'),
    );

    // dev-identity: experiments-dev uses it; staging-identity: nothing of ml-team's touches it.
    expect(
      (await get(server, '/identities/mgmt-eu/dev-identity/chain', ML_USER))
        .status,
    ).toBe(200);
    expect(
      (await get(server, '/identities/mgmt-eu/staging-identity/chain', ML_USER))
        .status,
    ).toBe(404);
    expect(
      (
        await get(
          server,
          '/identities/mgmt-eu/staging-identity/chain',
          PLATFORM_USER,
        )
      ).status,
    ).toBe(200);
  });

  it('checks capa.trust.verify per account: 404 for an unreadable account, 403 for a readable one the policy does not let verify', async () => {
    // Verify only in sandbox accounts; read what the groups own.
    const policy: TestPolicy = (permission, claims) =>
      permission.name === 'capa.trust.verify' &&
      !claims.includes('group:default/platform-team')
        ? createCapaConditionalDecision(capaPermission(permission.name)!, {
            allOf: [
              capaConditions.isOwner({ claims }),
              capaConditions.hasTier({ tiers: ['production'] }),
            ],
          })
        : ownerPolicy(permission, claims);
    const { server } = await startCapa(policy);
    const notMine = await post(
      server,
      `/accounts/${STAGING_ACCOUNT}/trust/verify`,
      ML_USER,
    );
    expect(notMine.status).toBe(404);
    const sandbox = await post(
      server,
      `/accounts/${ML_ACCOUNT}/trust/verify`,
      ML_USER,
    );
    expect(sandbox.status).toBe(403);
    expect(sandbox.body.error.message).toContain('capa.trust.verify');
    const accounts = (await get(server, '/accounts', ML_USER))
      .body as AccountsResponse;
    expect(accounts.items[0].allowed).toEqual({
      verify: false,
      createCluster: true,
    });

    const { server: owners } = await startCapa(ownerPolicy);
    const verified = await post(
      owners,
      `/accounts/${ML_ACCOUNT}/trust/verify`,
      ML_USER,
    );
    expect(verified.status).toBe(200);
    expect(verified.body.account.accountId).toBe(ML_ACCOUNT);
    expect(verified.body.clusters.map((c: any) => c.name)).toEqual([
      'ml-training-sandbox',
    ]);
  });

  it('applies tier and management-cluster conditions', async () => {
    const byTier: TestPolicy = (permission, claims) =>
      permission.name === 'capa.account.read' &&
      !claims.includes('group:default/platform-team')
        ? createCapaConditionalDecision(capaPermission(permission.name)!, {
            anyOf: [
              capaConditions.hasTier({ tiers: ['sandbox'] }),
              capaConditions.inManagementCluster({
                managementClusters: ['mgmt-us'],
              }),
            ],
          })
        : { result: AuthorizeResult.ALLOW };
    const { server, catalog } = await startCapa(byTier);
    const accounts = (await get(server, '/accounts', ML_USER))
      .body as AccountsResponse;
    // fleet.yaml: ml-sandbox is the only sandbox tier; mgmt-us manages retail, analytics, data-exchange and
    // shared-services clusters, and runs in 999999999999.
    expect(accounts.items.map(a => a.name).sort()).toEqual(
      [
        'analytics-dkp',
        'data-exchange',
        'ml-sandbox',
        'platform-mgmt-us',
        'retail-live-us',
        'shared-services',
      ].sort(),
    );
    const clusters = (await get(server, '/clusters', ML_USER))
      .body as ClustersResponse;
    expect(new Set(clusters.items.map(c => c.managementCluster))).toEqual(
      new Set(['mgmt-us', 'mgmt-eu']),
    );
    expect(
      clusters.items
        .filter(c => c.managementCluster === 'mgmt-eu')
        .map(c => c.name),
    ).toEqual(['ml-training-sandbox']);
    // The catalog allows everything here (ALLOW), so it is never asked.
    expect(catalog.calls).toEqual([]);
  });

  it('lets the catalog policy protect capa: an entity the catalog hides is not served, even when capa allows it', async () => {
    const capaAllows: TestPolicy = permission =>
      permission.name === 'catalog.entity.read'
        ? CATALOG_CONDITIONAL
        : { result: AuthorizeResult.ALLOW };
    const { server, catalog, permissions } = await startCapa(capaAllows);
    const accounts = (await get(server, '/accounts', ML_USER))
      .body as AccountsResponse;
    expect(accounts.items.map(a => a.accountId)).toEqual([ML_ACCOUNT]);
    expect(
      (await get(server, `/accounts/${STAGING_ACCOUNT}/trust`, ML_USER)).status,
    ).toBe(404);

    // Cost per API call: one permission request (all the route's permissions in one batch) and one catalog
    // request, a list for list routes and a batch of refs for single-resource routes.
    expect(permissions.calls).toEqual([
      [
        'capa.account.read',
        'capa.trust.verify',
        'capa.cluster.create',
        'catalog.entity.read',
      ],
      ['capa.account.read', 'catalog.entity.read'],
    ]);
    expect(catalog.calls.map(c => c.method)).toEqual([
      'getEntities',
      'getEntitiesByRefs',
    ]);
    expect(catalog.calls[1].refs).toEqual([
      'resource:default/aws-222222222222',
      'resource:default/checkout-staging.staging.mgmt-eu',
      'resource:default/payments-staging-euw1.staging.mgmt-eu',
    ]);
  });

  it("narrows an account's cluster problems and its chains' cluster counts to the clusters the caller may read", async () => {
    // The catalog shows this user the dev account and payments-dev, not experiments-dev (dev's cluster problem).
    const capaAllows: TestPolicy = permission =>
      permission.name === 'catalog.entity.read'
        ? CATALOG_CONDITIONAL
        : { result: AuthorizeResult.ALLOW };
    const { server } = await startCapa(capaAllows, {
      [ML_USER]: [
        'resource:default/aws-121212121212',
        'resource:default/payments-dev.dev-payments.mgmt-eu',
      ],
    });
    const mine = (await get(server, '/accounts', ML_USER))
      .body as AccountsResponse;
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({
      name: 'dev',
      verdict: 'configured',
      clusterProblemCount: 0,
      reachability: {
        chains: [
          expect.objectContaining({ name: 'dev-identity', clusterCount: 1 }),
        ],
      },
    });
    // Unfiltered, dev has 1 cluster problem and dev-identity 2 clusters (plugin.test.ts).
    const trust = await get(server, '/accounts/121212121212/trust', ML_USER);
    expect(trust.status).toBe(200);
    expect(trust.body.account.clusterProblems).toEqual([]);
  });

  it('answers 403 naming capa.account.read on every route when the policy denies it outright', async () => {
    const { server } = await startCapa(() => ({
      result: AuthorizeResult.DENY,
    }));
    for (const route of [
      '/accounts',
      '/clusters',
      '/report',
      '/catalog-view/accounts',
      '/catalog-view/management-clusters/mgmt-eu',
      '/management-clusters',
      `/accounts/${ML_ACCOUNT}/trust`,
      '/clusters/mgmt-eu/ml-sandbox/ml-training-sandbox',
      '/identities/mgmt-eu/ml-sandbox-identity/chain',
    ]) {
      const res = await get(server, route, ML_USER);
      expect({
        route,
        status: res.status,
        message: res.body.error?.message,
      }).toEqual({
        route,
        status: 403,
        message: 'Permission capa.account.read is required',
      });
    }
  });
});

describe('tenancy: the MCP actions agree with the routes', () => {
  it('get-aws-account-trust serves readable accounts and treats others as not in the fleet', async () => {
    const { server } = await startCapa(ownerPolicy);
    const own = await invoke(
      server,
      'get-aws-account-trust',
      { accountId: ML_ACCOUNT },
      ML_USER,
    );
    expect(own.status).toBe(200);
    expect(own.body.output.clusters.map((c: any) => c.name)).toEqual([
      'ml-training-sandbox',
    ]);
    const other = await invoke(
      server,
      'get-aws-account-trust',
      { accountId: STAGING_ACCOUNT },
      ML_USER,
    );
    const none = await invoke(
      server,
      'get-aws-account-trust',
      { accountId: '000000000001' },
      ML_USER,
    );
    expect(other.status).toBe(404);
    expect(none.status).toBe(404);
    expect(other.body.error.message).toBe(
      none.body.error.message.replace('000000000001', STAGING_ACCOUNT),
    );
    expect(
      (
        await invoke(
          server,
          'get-aws-account-trust',
          { accountId: STAGING_ACCOUNT },
          PLATFORM_USER,
        )
      ).status,
    ).toBe(200);
  });

  it('list-capa-clusters lists and counts only readable clusters', async () => {
    const { server } = await startCapa(ownerPolicy);
    const ml = await invoke(server, 'list-capa-clusters', {}, ML_USER);
    expect(ml.status).toBe(200);
    expect(ml.body.output.totalCount).toBe(2);
    expect(ml.body.output.clusters.map((c: any) => c.name).sort()).toEqual([
      'experiments-dev',
      'ml-training-sandbox',
    ]);
    const platform = await invoke(
      server,
      'list-capa-clusters',
      {},
      PLATFORM_USER,
    );
    expect(platform.body.output.totalCount).toBe(15);

    const { server: denied } = await startCapa(() => ({
      result: AuthorizeResult.DENY,
    }));
    const res = await invoke(denied, 'list-capa-clusters', {}, ML_USER);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('capa.account.read');
  });
});
