/*
 * The demo's permission policy in a real permission backend, with the real capa plugin on the demo fleet:
 * the policy's conditional decisions are applied by capa (its routes) and by the permission backend (decisions
 * asked with a resource ref, as the scaffolder and the frontend ask them, which make it call capa's
 * apply-conditions endpoint). What ml-team owns comes from examples/demo-fleet: account 444444444444 (fleet.yaml)
 * and the clusters whose capa-portal.io/owner annotation names it.
 */
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  accountEntityName,
  clusterEntityName,
  type AccountsResponse,
  type ClustersResponse,
} from '@capa-portal/plugin-capa-common';
import path from 'node:path';
import request from 'supertest';
import permissionPlugin from '@backstage/plugin-permission-backend';
import capaPlugin from '@capa-portal/plugin-capa-backend';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleCapa from '@capa-portal/plugin-catalog-backend-module-capa';
import policyModule from './permissionPolicy';

jest.setTimeout(60_000);

const GUEST = 'user:default/guest';
const ML = 'user:default/ml-engineer';
/** examples/org.yaml: guest is in platform-team, ml-engineer in ml-team. */
const CLAIMS: Record<string, string[]> = {
  [GUEST]: [GUEST, 'group:default/guests', 'group:default/platform-team'],
  [ML]: [ML, 'group:default/ml-team'],
};

const userInfo = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: any) {
      const ref = credentials.principal.userEntityRef as string;
      return { userEntityRef: ref, ownershipEntityRefs: CLAIMS[ref] ?? [ref] };
    },
  }),
});

/**
 * The mock HTTP auth service, except that a token a plugin obtained on behalf of a user authenticates as that
 * user with the plugin as actor, as Backstage's real auth service does (the mock drops the actor). The
 * permission backend accepts conditional requests and apply-conditions calls only from such credentials.
 */
const onBehalfOfHttpAuth = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory: ({ plugin }) => {
    const inner = mockServices.httpAuth({ pluginId: plugin.getId() });
    const prefix = 'Bearer mock-service-token:';
    return {
      async credentials(req: any, options?: any) {
        const header = req.headers.authorization;
        if (typeof header === 'string' && header.startsWith(prefix)) {
          const { sub, obo } = JSON.parse(header.slice(prefix.length));
          if (obo && (!options?.allow || options.allow.includes('user')))
            return mockCredentials.user(obo, { actor: { subject: sub } });
        }
        return inner.credentials(req, options);
      },
      issueUserCookie: (res: any, options?: any) =>
        inner.issueUserCookie(res, options),
    } as any;
  },
});

/** What the catalog shows ml-engineer once it applied the policy's catalog conditions (a test double). */
const mlEntities = [
  'aws-444444444444',
  'ml-training-sandbox.ml-sandbox.mgmt-eu',
  'experiments-dev.dev-experiments.mgmt-eu',
].map(name => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { namespace: 'default', name },
  spec: { type: 'cloud-account', owner: 'group:default/ml-team' },
}));

async function start() {
  const { server } = await startTestBackend({
    features: [
      permissionPlugin,
      policyModule,
      capaPlugin,
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          capa: {
            fleetFile: path.resolve(
              __dirname,
              '../../../examples/demo-fleet/fleet.yaml',
            ),
          },
        },
      }),
      userInfo,
      onBehalfOfHttpAuth,
      catalogServiceMock.factory({ entities: mlEntities }),
    ],
  });
  for (let i = 0; i < 100; i++) {
    const res = await request(server)
      .get('/api/capa/accounts')
      .set('Authorization', mockCredentials.user.header(GUEST));
    if (res.status === 200 && res.body.items.length > 0) break;
    await new Promise(r => setTimeout(r, 50));
  }
  return server;
}

/** Asks the permission backend, as the scaffolder and the frontend do: with a resource ref. */
async function authorize(
  server: any,
  user: string,
  items: Array<{ permission: string; resourceRef?: string }>,
) {
  const res = await request(server)
    .post('/api/permission/authorize')
    .set('Authorization', mockCredentials.user.header(user))
    .send({
      items: items.map((item, i) => ({
        id: String(i),
        permission: {
          type: 'resource',
          resourceType: 'capa-resource',
          name: item.permission,
          attributes: {},
        },
        resourceRef: item.resourceRef,
      })),
    });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return res.body.items.map((i: any) => i.result);
}

describe('the demo permission policy', () => {
  it('shows the platform team everything and ml-engineer only what ml-team owns', async () => {
    const server = await start();
    const all = await request(server)
      .get('/api/capa/accounts')
      .set('Authorization', mockCredentials.user.header(GUEST));
    if (all.status !== 200) throw new Error(JSON.stringify(all.body));
    // fleet.yaml's 11 accounts and 141414141414, the suspended account mgmt-eu's sandbox-2023-identity targets.
    expect((all.body as AccountsResponse).items).toHaveLength(12);

    const ml = await request(server)
      .get('/api/capa/accounts')
      .set('Authorization', mockCredentials.user.header(ML));
    expect(ml.status).toBe(200);
    expect(
      (ml.body as AccountsResponse).items.map(a => [a.accountId, a.allowed]),
    ).toEqual([['444444444444', { verify: true, createCluster: true }]]);

    const other = await request(server)
      .get('/api/capa/accounts/222222222222/trust')
      .set('Authorization', mockCredentials.user.header(ML));
    expect(other.status).toBe(404);
    const clusters = await request(server)
      .get('/api/capa/clusters')
      .set('Authorization', mockCredentials.user.header(ML));
    expect(clusters.body.totalCount).toBe(2);
  });

  it('decides create, verify and onboard per account through the permission backend', async () => {
    const server = await start();
    expect(
      await authorize(server, ML, [
        {
          permission: 'capa.cluster.create',
          resourceRef: 'account:444444444444@mgmt-eu',
        },
        {
          permission: 'capa.cluster.create',
          resourceRef: 'account:222222222222@mgmt-eu',
        },
        {
          permission: 'capa.trust.verify',
          resourceRef: 'account:444444444444',
        },
        {
          permission: 'capa.trust.verify',
          resourceRef: 'account:333333333333',
        },
        {
          permission: 'capa.account.onboard',
          resourceRef: 'account:123456789012',
        },
      ]),
    ).toEqual(['ALLOW', 'DENY', 'ALLOW', 'DENY', 'DENY']);
    expect(
      await authorize(server, GUEST, [
        {
          permission: 'capa.cluster.create',
          resourceRef: 'account:222222222222@mgmt-eu',
        },
        {
          permission: 'capa.account.onboard',
          resourceRef: 'account:123456789012',
        },
      ]),
    ).toEqual(['ALLOW', 'ALLOW']);
  });
});

/**
 * The real catalog with capa's entity provider, the real permission backend with the demo policy, and the capa
 * plugin: what the catalog shows each user of capa's accounts and workload clusters is what capa's routes serve
 * them (README, "One policy governs both"). Identities and management clusters are left out: capa serves an
 * identity also through a readable account or cluster that uses it, and a management cluster through the
 * clusters it runs, while the catalog shows their own entities by their owner.
 */
describe('the demo policy: the catalog and capa agree', () => {
  async function startWithCatalog() {
    const { server } = await startTestBackend({
      features: [
        permissionPlugin,
        policyModule,
        capaPlugin,
        catalogPlugin,
        catalogModuleCapa,
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            capa: {
              fleetFile: path.resolve(
                __dirname,
                '../../../examples/demo-fleet/fleet.yaml',
              ),
              catalog: {
                schedule: {
                  frequency: { seconds: 1 },
                  timeout: { seconds: 30 },
                },
              },
            },
          },
        }),
        userInfo,
        onBehalfOfHttpAuth,
      ],
    });
    return server;
  }

  /** Names of the capa accounts and workload clusters the catalog shows a user. */
  async function catalogNames(server: any, user: string) {
    const res = await request(server)
      .get(
        `/api/catalog/entities/by-query?filter=${encodeURIComponent(
          'kind=resource,spec.type=cloud-account',
        )}&filter=${encodeURIComponent(
          // Only workload clusters carry their namespace (buildEntities.ts).
          'kind=resource,metadata.annotations.capa-portal.io/namespace',
        )}&limit=1000`,
      )
      .set('Authorization', mockCredentials.user.header(user));
    expect(res.status).toBe(200);
    return (res.body.items as Array<{ metadata: { name: string } }>)
      .map(e => e.metadata.name)
      .sort();
  }

  /** The same names, from what capa's routes serve the user. */
  async function capaNames(server: any, user: string) {
    const get = (route: string) =>
      request(server)
        .get(`/api/capa${route}`)
        .set('Authorization', mockCredentials.user.header(user));
    const accounts = (await get('/accounts')).body as AccountsResponse;
    const clusters = (await get('/clusters?limit=1000'))
      .body as ClustersResponse;
    return [
      ...accounts.items.map(a => accountEntityName(a.accountId)),
      ...clusters.items.map(c => clusterEntityName(c)),
    ].sort();
  }

  it('for the platform team and for ml-engineer', async () => {
    const server = await startWithCatalog();
    // The provider runs every second; wait until the catalog shows the guest every account and cluster of
    // examples/demo-fleet (12 accounts: fleet.yaml's 11 and sandbox-2023, which mgmt-eu's sandbox-2023-identity
    // targets; 15 clusters).
    let all: string[] = [];
    for (let i = 0; i < 300 && all.length < 27; i++) {
      all = await catalogNames(server, GUEST);
      if (all.length < 27) await new Promise(r => setTimeout(r, 100));
    }
    expect(all).toHaveLength(27);
    expect(await capaNames(server, GUEST)).toEqual(all);

    const ml = await catalogNames(server, ML);
    expect(ml).toEqual(
      [
        'aws-444444444444',
        'experiments-dev.dev-experiments.mgmt-eu',
        'ml-training-sandbox.ml-sandbox.mgmt-eu',
      ].sort(),
    );
    expect(await capaNames(server, ML)).toEqual(ml);
  });
});
