/*
 * GET /onboarding-gaps and GET /trust-map through the real capa plugin on the demo fleet, for two users (see
 * __testUtils__/tenancy.ts). Expected values come from examples/demo-fleet: aws-organization.yaml lists three
 * ACTIVE accounts no identity targets (151515151515 payments-sandbox, 161616161616 search-staging,
 * 171717171717 security-audit) and 141414141414 sandbox-2023 as SUSPENDED, which mgmt-eu's
 * sandbox-2023-identity targets; ml-team owns account 444444444444 and the clusters ml-training-sandbox and
 * experiments-dev.
 */
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  OnboardingGapsResponse,
  TrustMapResponse,
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
const NOT_ONBOARDED = ['151515151515', '161616161616', '171717171717'];

const get = (server: any, route: string, user: string) =>
  request(server).get(`/api/capa${route}`).set('Authorization', header(user));

async function gaps(server: any, user: string, query = '') {
  const res = await get(server, `/onboarding-gaps${query}`, user);
  if (res.status !== 200)
    throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
  return res.body as OnboardingGapsResponse;
}

/** A query string as a client writes it (URLSearchParams encodes `/` and `=`, as the OpenAPI validator requires). */
const q = (...pairs: Array<[string, string]>) =>
  `?${new URLSearchParams(pairs).toString()}`;

const ids = (r: OnboardingGapsResponse) =>
  r.accountsWithoutIdentity.map(a => a.accountId).sort();

describe('GET /onboarding-gaps', () => {
  it('lists the accounts no identity targets and the identity to a suspended account', async () => {
    const { server } = await startTenancyBackend(ownerPolicy, {
      fleetFile: FLEET,
    });
    const body = await gaps(server, PLATFORM_USER);
    expect(ids(body)).toEqual(NOT_ONBOARDED);
    expect(
      body.accountsWithoutIdentity.find(a => a.accountId === '151515151515'),
    ).toEqual({
      accountId: '151515151515',
      name: 'payments-sandbox',
      email: 'aws+payments-sandbox@example.com',
      status: 'ACTIVE',
      ouPath: 'Root/Workloads/Sandbox',
      tags: { team: 'payments', env: 'sandbox' },
      sources: ['organizations'],
    });
    expect(body.identitiesToUnknownAccounts).toEqual([
      {
        managementCluster: 'mgmt-eu',
        kind: 'AWSClusterRoleIdentity',
        name: 'sandbox-2023-identity',
        roleArn:
          'arn:aws:iam::141414141414:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
        accountId: '141414141414',
        accountName: 'sandbox-2023',
        accountStatus: 'SUSPENDED',
        ouPath: 'Root/Suspended',
        reason: 'inactive',
        message: 'account 141414141414 is SUSPENDED in AWS Organizations',
        verdict: 'broken',
        clusterCount: 0,
      },
    ]);
    // 11 fleet accounts, the suspended one and the three not onboarded.
    expect(body.organization).toEqual({
      source: 'aws-organization.yaml',
      accountCount: 15,
    });
    expect(body.filters.ouPaths).toEqual([
      'Root/Security',
      'Root/Suspended',
      'Root/Workloads/Sandbox',
      'Root/Workloads/Staging',
    ]);
  });

  it('filters by OU (path or name) and by tags', async () => {
    const { server } = await startTenancyBackend(ownerPolicy, {
      fleetFile: FLEET,
    });
    const workloads = await gaps(
      server,
      PLATFORM_USER,
      q(['ou', 'Root/Workloads']),
    );
    expect(ids(workloads)).toEqual(['151515151515', '161616161616']);
    expect(workloads.identitiesToUnknownAccounts).toEqual([]); // Root/Suspended
    expect(
      ids(await gaps(server, PLATFORM_USER, q(['ou', 'sandbox']))),
    ).toEqual(['151515151515']);
    expect(
      (await gaps(server, PLATFORM_USER, q(['ou', 'Suspended'])))
        .identitiesToUnknownAccounts,
    ).toHaveLength(1);
    expect(
      ids(await gaps(server, PLATFORM_USER, q(['tag', 'team=payments']))),
    ).toEqual(['151515151515']);
    expect(ids(await gaps(server, PLATFORM_USER, q(['tag', 'team'])))).toEqual(
      NOT_ONBOARDED,
    );
    expect(
      ids(
        await gaps(
          server,
          PLATFORM_USER,
          q(['tag', 'team=payments'], ['tag', 'env=staging']),
        ),
      ),
    ).toEqual([]);
    expect(
      ids(
        await gaps(
          server,
          PLATFORM_USER,
          q(['tag', 'team=search'], ['tag', 'env=staging']),
        ),
      ),
    ).toEqual(['161616161616']);

    const bad = await get(
      server,
      `/onboarding-gaps${q(['tag', '=x'])}`,
      PLATFORM_USER,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/tag must be key or key=value/);
  });

  it('shows a restricted user no account without an owner and no identity they cannot read', async () => {
    const { server } = await startTenancyBackend(ownerPolicy, {
      fleetFile: FLEET,
    });
    const body = await gaps(server, ML_USER);
    expect(body.accountsWithoutIdentity).toEqual([]);
    expect(body.identitiesToUnknownAccounts).toEqual([]);
  });

  it('lets a condition that holds for an account without an owner show it, unless the catalog is conditional', async () => {
    // capa.account.read: the user's own resources, or account 151515151515 (IN_ACCOUNT holds for it, IS_OWNER can't).
    const withAccount =
      (catalog: 'allow' | 'conditional'): TestPolicy =>
      (permission, claims) => {
        if (claims.includes('group:default/platform-team'))
          return { result: AuthorizeResult.ALLOW };
        if (permission.name === 'capa.account.read')
          return createCapaConditionalDecision(
            capaPermission(permission.name)!,
            {
              anyOf: [
                capaConditions.isOwner({ claims }),
                capaConditions.inAccount({ accountIds: ['151515151515'] }),
              ],
            },
          );
        if (permission.name === 'catalog.entity.read')
          return catalog === 'allow'
            ? { result: AuthorizeResult.ALLOW }
            : CATALOG_CONDITIONAL;
        return { result: AuthorizeResult.ALLOW };
      };
    const open = await startTenancyBackend(withAccount('allow'), {
      fleetFile: FLEET,
    });
    expect(ids(await gaps(open.server, ML_USER))).toEqual(['151515151515']);
    // With a conditional catalog read, an account has to be an entity the catalog shows: these have none.
    const closed = await startTenancyBackend(withAccount('conditional'), {
      fleetFile: FLEET,
    });
    expect(ids(await gaps(closed.server, ML_USER))).toEqual([]);
  });

  it('refuses a caller capa.account.read is denied to', async () => {
    const { server } = await startTenancyBackend(
      () => ({ result: AuthorizeResult.DENY }),
      { fleetFile: FLEET },
    );
    const res = await get(server, '/onboarding-gaps', ML_USER);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/capa\.account\.read/);
  });
});

describe('GET /trust-map', () => {
  it('gives the platform team the whole fleet and ml-engineer only what ml-team can read', async () => {
    const { server } = await startTenancyBackend(ownerPolicy, {
      fleetFile: FLEET,
    });
    const all = (await get(server, '/trust-map', PLATFORM_USER))
      .body as TrustMapResponse;
    expect(all.managementClusters.map(m => m.name).sort()).toEqual([
      'mgmt-eu',
      'mgmt-us',
    ]);
    expect(all.managementClusters.every(m => m.stale === false)).toBe(true);
    // examples/demo-fleet/README.md: 12 identities, 12 accounts.
    expect(all.identities).toHaveLength(12);
    expect(all.accounts).toHaveLength(12);
    expect(
      all.identities.find(i => i.name === 'sandbox-2023-identity'),
    ).toMatchObject({
      managementCluster: 'mgmt-eu',
      accountId: '141414141414',
      verdict: 'broken',
      failing: ['account-known'],
      clusterCount: 0,
    });
    expect(
      all.identities.find(i => i.name === 'ml-sandbox-identity'),
    ).toMatchObject({ verdict: 'broken', failing: ['target-trust'] });
    expect(all.accounts.find(a => a.accountId === '141414141414')).toEqual({
      accountId: '141414141414',
      name: 'sandbox-2023',
      status: 'SUSPENDED',
      verdict: 'broken',
    });

    const ml = (await get(server, '/trust-map', ML_USER))
      .body as TrustMapResponse;
    expect(ml.accounts.map(a => a.accountId)).toEqual(['444444444444']);
    // The identity targeting their account and the one their cluster experiments-dev names (filterReport's rule).
    expect(ml.identities.map(i => i.name).sort()).toEqual([
      'dev-identity',
      'ml-sandbox-identity',
    ]);
    expect(ml.managementClusters.map(m => m.name)).toEqual(['mgmt-eu']);
  });
});
