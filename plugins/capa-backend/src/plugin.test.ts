import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  AccountsResponse,
  AccountTrustResponse,
  ClustersResponse,
  IdentityChainResponse,
} from '@capa-portal/plugin-capa-common';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { everyManagementClusterRead } from './__testUtils__/harness';
import { capaPlugin } from './plugin';

const DEMO_FLEET = path.resolve(__dirname, '../../../examples/demo-fleet');

/** A private copy of the demo fleet, so a test can break a source without touching the repo. */
function copyDemoFleet(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capa-backend-'));
  cpSync(DEMO_FLEET, dir, { recursive: true });
  return dir;
}

async function startCapa(options: {
  fleetDir: string;
  permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
}) {
  const { server } = await startTestBackend({
    features: [
      capaPlugin,
      mockServices.rootConfig.factory({
        data: {
          capa: { fleetFile: path.join(options.fleetDir, 'fleet.yaml') },
        },
      }),
      mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      }),
      // Requests without an Authorization header are anonymous, as in a real backend.
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
    ],
  });
  return server;
}

const user = mockCredentials.user.header();

describe('capa backend plugin', () => {
  let fleetDir: string;
  beforeEach(() => {
    fleetDir = copyDemoFleet();
  });
  afterEach(() => rmSync(fleetDir, { recursive: true, force: true }));

  it('refuses to start on a wrong capa.verification setting, naming it', async () => {
    await expect(
      startTestBackend({
        features: [
          capaPlugin,
          mockServices.rootConfig.factory({
            data: {
              capa: {
                fleetFile: path.join(fleetDir, 'fleet.yaml'),
                liveVerification: true,
                verification: { concurrency: 0 },
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow(
      /capa.verification.concurrency must be a whole number from 1 to 256, got 0/,
    );
  });

  it('answers 401 on every route without Backstage credentials', async () => {
    const server = await startCapa({ fleetDir });
    const routes: Array<['get' | 'post', string]> = [
      ['get', '/api/capa/management-clusters'],
      ['get', '/api/capa/accounts'],
      ['get', '/api/capa/accounts/222222222222/trust'],
      ['post', '/api/capa/accounts/222222222222/trust/verify'],
      ['get', '/api/capa/clusters'],
      ['get', '/api/capa/clusters/mgmt-eu/staging/checkout-staging'],
      ['get', '/api/capa/identities/mgmt-eu/staging-identity/chain'],
      ['get', '/api/capa/report'],
    ];
    for (const [method, route] of routes) {
      const res = await request(server)[method](route);
      expect({ route, status: res.status }).toEqual({ route, status: 401 });
    }
  });

  it('answers 403 when the permission policy denies capa.account.read and capa.trust.verify', async () => {
    const server = await startCapa({
      fleetDir,
      permission: AuthorizeResult.DENY,
    });
    const read = await request(server)
      .get('/api/capa/accounts')
      .set('Authorization', user);
    expect(read.status).toBe(403);
    expect(read.body.error.message).toContain('capa.account.read');
    const verify = await request(server)
      .post('/api/capa/accounts/222222222222/trust/verify')
      .set('Authorization', user);
    expect(verify.status).toBe(403);
    // Verifying needs capa.account.read on the account first; denied outright, that is what is named.
    expect(verify.body.error.message).toContain('capa.account.read');
  });

  it('serves the engine verdicts of the demo fleet', async () => {
    const server = await startCapa({ fleetDir });
    const clusters = await everyManagementClusterRead(server);
    expect(clusters.map(m => [m.name, m.reachable, m.stale])).toEqual([
      ['mgmt-eu', true, false],
      ['mgmt-us', true, false],
    ]);

    const accounts = (
      await request(server).get('/api/capa/accounts').set('Authorization', user)
    ).body as AccountsResponse;
    const verdicts = Object.fromEntries(
      accounts.items.map(a => [a.name, a.verdict]),
    );
    expect(verdicts).toMatchObject({
      staging: 'configured',
      live: 'configured',
      'ml-sandbox': 'broken',
      // CAPA reaches dev (dev-payments provisions); experiments-dev's namespace is its own problem.
      dev: 'configured',
      'analytics-dkp': 'degraded',
    });
    expect(
      accounts.items.find(a => a.name === 'ml-sandbox')!.failing,
    ).toContain('target-trust');
    const dev = accounts.items.find(a => a.name === 'dev')!;
    expect(dev.clusterProblemCount).toBe(1);
    expect(dev.reachability.chains.map(c => [c.name, c.verdict])).toEqual([
      ['dev-identity', 'configured'],
    ]);
    expect(dev.forNamespace).toBeUndefined();

    const trust = await request(server)
      .get('/api/capa/accounts/444444444444/trust')
      .set('Authorization', user);
    expect(trust.status).toBe(200);
    const body = trust.body as AccountTrustResponse;
    expect(body.account.verdict).toBe('broken');
    expect(body.clusters.map(c => c.name)).toContain('ml-training-sandbox');
    const failing = body.clusters[0].checks.find(c => c.id === 'target-trust');
    expect(failing).toMatchObject({ status: 'fail' });
    expect(body.live).toBe(false);
    expect(body.stale).toBe(false);
  });

  it('answers per namespace: dev is usable for dev-payments and refused for dev-experiments, with the reason', async () => {
    const server = await startCapa({ fleetDir });
    await everyManagementClusterRead(server);
    const ask = async (query: string) => {
      const res = await request(server)
        .get(`/api/capa/accounts?${query}`)
        .set('Authorization', user);
      expect(res.status).toBe(200);
      return (res.body as AccountsResponse).items.find(a => a.name === 'dev')!
        .forNamespace!;
    };
    // Namespace dev-payments is labelled capa-portal.io/environment=dev: dev-identity's selector matches it.
    const payments = await ask(
      'namespace=dev-payments&managementCluster=mgmt-eu',
    );
    expect(payments).toMatchObject({
      namespace: 'dev-payments',
      managementCluster: 'mgmt-eu',
      usable: true,
      identity: {
        kind: 'AWSClusterRoleIdentity',
        name: 'dev-identity',
        admits: 'yes',
        reachability: 'configured',
      },
    });
    // dev-experiments is labelled environment=experiments: the selector does not match (CAPA rule 5).
    const experiments = await ask('namespace=dev-experiments');
    expect(experiments.usable).toBe(false);
    expect(experiments.message).toContain(
      'no identity admits namespace dev-experiments for account 121212121212',
    );
    expect(experiments.message).toContain(
      'AWSClusterRoleIdentity/dev-identity',
    );
    // No identity of mgmt-us targets dev.
    expect(
      (await ask('namespace=dev-payments&managementCluster=mgmt-us')).usable,
    ).toBe(false);

    const bad = await request(server)
      .get('/api/capa/accounts?namespace=Not_A_Namespace')
      .set('Authorization', user);
    expect(bad.status).toBe(400);
    const orphan = await request(server)
      .get('/api/capa/accounts?managementCluster=mgmt-eu')
      .set('Authorization', user);
    expect(orphan.status).toBe(400);
    expect(orphan.body.error.message).toContain(
      'managementCluster needs namespace',
    );
  });

  it('rejects a malformed account id with 400 and an unknown one with 404', async () => {
    const server = await startCapa({ fleetDir });
    await everyManagementClusterRead(server);
    const bad = await request(server)
      .get('/api/capa/accounts/12345/trust')
      .set('Authorization', user);
    expect(bad.status).toBe(400);
    const unknown = await request(server)
      .get('/api/capa/accounts/000000000001/trust')
      .set('Authorization', user);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('000000000001');
  });

  it('filters and pages clusters, and serves one cluster and one identity chain', async () => {
    const server = await startCapa({ fleetDir });
    await everyManagementClusterRead(server);
    const all = (
      await request(server).get('/api/capa/clusters').set('Authorization', user)
    ).body as ClustersResponse;
    expect(all.totalCount).toBeGreaterThanOrEqual(10);

    const broken = (
      await request(server)
        .get('/api/capa/clusters?verdict=broken')
        .set('Authorization', user)
    ).body as ClustersResponse;
    expect(broken.items.length).toBeGreaterThan(0);
    expect(broken.items.every(c => c.verdict === 'broken')).toBe(true);

    const paged = (
      await request(server)
        .get('/api/capa/clusters?limit=2&offset=1')
        .set('Authorization', user)
    ).body as ClustersResponse;
    expect(paged.items).toHaveLength(2);
    expect(paged.totalCount).toBe(all.totalCount);

    const searched = (
      await request(server)
        .get('/api/capa/clusters?q=payments')
        .set('Authorization', user)
    ).body as ClustersResponse;
    expect(
      searched.items.every(
        c => c.name.includes('payments') || c.namespace.includes('payments'),
      ),
    ).toBe(true);

    const badVerdict = await request(server)
      .get('/api/capa/clusters?verdict=great')
      .set('Authorization', user);
    expect(badVerdict.status).toBe(400);

    const one = await request(server)
      .get('/api/capa/clusters/mgmt-eu/staging/checkout-staging')
      .set('Authorization', user);
    expect(one.status).toBe(200);
    expect(one.body.identityRef).toEqual({
      kind: 'AWSClusterRoleIdentity',
      name: 'staging-identity',
    });
    // CAPA's own conditions beside our verdict: the demo's experiments-dev AWSCluster carries
    // PrincipalUsageAllowed=False (PrincipalUsageUnauthorized), and our namespace-allowed check fails too.
    const refused = await request(server)
      .get('/api/capa/clusters/mgmt-eu/dev-experiments/experiments-dev')
      .set('Authorization', user);
    expect(refused.status).toBe(200);
    expect(refused.body.verdict).toBe('broken');
    expect(refused.body.capaConditions).toMatchObject({
      object: {
        kind: 'AWSCluster',
        namespace: 'dev-experiments',
        name: 'experiments-dev',
      },
      agreement: 'agree',
    });
    expect(
      refused.body.capaConditions.conditions.find(
        (c: any) => c.type === 'PrincipalUsageAllowed',
      ),
    ).toMatchObject({
      status: 'False',
      reason: 'PrincipalUsageUnauthorized',
      source: 'status.conditions',
    });
    const missing = await request(server)
      .get('/api/capa/clusters/mgmt-eu/staging/nope')
      .set('Authorization', user);
    expect(missing.status).toBe(404);

    const chain = (
      await request(server)
        .get('/api/capa/identities/mgmt-us/retail-live-us/chain')
        .set('Authorization', user)
    ).body as IdentityChainResponse;
    expect(chain.chain.map(l => l.kind)).toEqual([
      'AWSClusterRoleIdentity',
      'AWSClusterRoleIdentity',
      'AWSClusterControllerIdentity',
    ]);
    // The DKP naming: mgmt-us's controllers run as the control-plane role.
    expect(chain.controllerPrincipalArn).toBe(
      'arn:aws:iam::999999999999:role/control-plane.cluster-api-provider-aws.sigs.k8s.io',
    );
    expect(chain.controllerAccountId).toBe('999999999999');
  });
});
