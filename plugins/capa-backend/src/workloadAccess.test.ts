/*
 * GET /clusters/{mc}/{ns}/{name}/workload-access through the real capa plugin on the demo fleet. Expected values
 * come from examples/demo-fleet/workload-access.yaml: shared-ingress-use1 (mgmt-us, account 777777777777) reaches
 * retail-live-us through EKS Pod Identity chained into retail-catalog-sync, whose trust policy is the guide's ABAC
 * example (configured), and data-exchange through IRSA with a trust policy naming the service account in another
 * namespace (broken: workload-irsa-trust). The permission cases follow the route's rules (router.ts).
 */
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { WorkloadAccessReport } from '@capa-portal/plugin-capa-common';
import path from 'node:path';
import request from 'supertest';
import {
  capaConditions,
  createCapaConditionalDecision,
} from './permissions/rules';
import {
  capaPermission,
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
const ROUTE =
  '/api/capa/clusters/mgmt-us/shared-services/shared-ingress-use1/workload-access';
const RETAIL_ROLE = 'arn:aws:iam::888888888888:role/retail-catalog-sync';
const EXCHANGE_ROLE = 'arn:aws:iam::101010101010:role/exchange-feed-publisher';

const get = (server: any, route: string, user: string) =>
  request(server).get(route).set('Authorization', header(user));

describe('GET /clusters/{mc}/{ns}/{name}/workload-access', () => {
  it("answers the demo's centralized EKS cluster: one chained Pod Identity role configured, one IRSA role broken", async () => {
    const { server } = await startTenancyBackend(ownerPolicy, {
      fleetFile: FLEET,
    });
    const res = await get(server, ROUTE, PLATFORM_USER);
    expect(res.status).toBe(200);
    const body = res.body as WorkloadAccessReport & { hiddenRoleCount: number };
    expect(body).toMatchObject({
      applicable: true,
      accountId: '777777777777',
      clusterArn:
        'arn:aws:eks:us-east-1:777777777777:cluster/shared-ingress-use1',
      oidcIssuer:
        'https://oidc.eks.us-east-1.amazonaws.com/id/6F6D86945DC99E5F91941C07F8C68E10',
      verdict: 'broken',
      evidence: ['static'],
      hiddenRoleCount: 0,
    });
    const byRole = new Map(body.roles.map(r => [r.roleArn, r]));
    expect(byRole.get(RETAIL_ROLE)).toMatchObject({
      mechanism: 'pod-identity',
      serviceAccount: { namespace: 'retail', name: 'catalog-sync' },
      viaRoleArn: 'arn:aws:iam::777777777777:role/shared-ingress-pod-identity',
      accountName: 'retail-live-us',
      verdict: 'configured',
    });
    const irsa = byRole.get(EXCHANGE_ROLE)!;
    expect(irsa).toMatchObject({
      mechanism: 'irsa',
      accountName: 'data-exchange',
      verdict: 'broken',
    });
    const failing = irsa.checks.filter(c => c.status === 'fail');
    expect(failing.map(c => c.id)).toEqual(['workload-irsa-trust']);
    expect(failing[0].fix?.snippet).toContain(
      'system:serviceaccount:exchange:feed-publisher',
    );
    expect(
      irsa.checks.find(c => c.id === 'workload-oidc-provider')?.status,
    ).toBe('pass');
  });

  it('answers a kubeadm cluster with applicable false and a reason, and an unknown cluster with 404', async () => {
    const { server } = await startTenancyBackend(ownerPolicy, {
      fleetFile: FLEET,
    });
    const clusters = await get(
      server,
      '/api/capa/clusters?limit=500',
      PLATFORM_USER,
    );
    const kubeadm = clusters.body.items.find(
      (c: any) => c.flavour === 'kubeadm',
    );
    const res = await get(
      server,
      `/api/capa/clusters/${kubeadm.managementCluster}/${kubeadm.namespace}/${kubeadm.name}/workload-access`,
      PLATFORM_USER,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ applicable: false, roles: [] });
    expect(res.body.reason).toMatch(/not an EKS cluster/);
    expect(
      (
        await get(
          server,
          '/api/capa/clusters/mgmt-us/nowhere/nothing/workload-access',
          PLATFORM_USER,
        )
      ).status,
    ).toBe(404);
  });

  it('is 404 for a caller who may not read the cluster, as the cluster route is', async () => {
    const { server } = await startTenancyBackend(ownerPolicy, {
      fleetFile: FLEET,
    });
    const res = await get(server, ROUTE, ML_USER);
    expect(res.status).toBe(404);
    expect(
      (
        await get(
          server,
          '/api/capa/clusters/mgmt-us/shared-services/shared-ingress-use1',
          ML_USER,
        )
      ).status,
    ).toBe(404);
  });

  it('leaves out roles in accounts the caller may not read (capa.account.read) and counts them', async () => {
    // capa's permissions only for the cluster's account and retail-live-us; the catalog hides nothing.
    const policy: TestPolicy = permission => {
      const capa = capaPermission(permission.name);
      if (capa)
        return createCapaConditionalDecision(
          capa,
          capaConditions.inAccount({
            accountIds: ['777777777777', '888888888888'],
          }),
        );
      return { result: AuthorizeResult.ALLOW };
    };
    const { server } = await startTenancyBackend(policy, { fleetFile: FLEET });
    const res = await get(server, ROUTE, 'user:default/retail-engineer');
    expect(res.status).toBe(200);
    expect(res.body.roles.map((r: any) => r.roleArn)).toEqual([RETAIL_ROLE]);
    expect(res.body.hiddenRoleCount).toBe(1);
  });
});
