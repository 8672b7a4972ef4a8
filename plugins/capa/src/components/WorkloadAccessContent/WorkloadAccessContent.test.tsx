import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { WorkloadAccessResponse } from '@capa-portal/plugin-capa-common';
import { WorkloadAccessContent } from './WorkloadAccessContent';
import { renderCapa } from '../../__testUtils__/render';
import { clusterEntity, createFakeCapaApi } from '../../__testUtils__/fixtures';
import { isCapaEksClusterEntity } from '../../lib/entities';

const eksEntity = {
  ...clusterEntity,
  metadata: {
    ...clusterEntity.metadata,
    labels: { 'capa-portal.io/flavour': 'eks' },
  },
};

const report: WorkloadAccessResponse = {
  managementCluster: 'mgmt-eu',
  namespace: 'staging',
  name: 'web',
  applicable: true,
  eksClusterName: 'web',
  oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC',
  verdict: 'broken',
  evidence: ['static'],
  problems: [],
  generatedAt: '2026-01-01T00:00:00Z',
  hiddenRoleCount: 1,
  roles: [
    {
      mechanism: 'pod-identity',
      serviceAccount: { namespace: 'retail', name: 'catalog-sync' },
      roleArn: 'arn:aws:iam::888888888888:role/catalog-sync',
      viaRoleArn: 'arn:aws:iam::222222222222:role/pod-identity',
      accountId: '888888888888',
      accountName: 'retail',
      verdict: 'configured',
      checks: [
        { id: 'workload-chain-trust', status: 'pass', message: 'allows it' },
      ],
    },
    {
      mechanism: 'irsa',
      serviceAccount: { namespace: 'exchange', name: 'feed-publisher' },
      roleArn: 'arn:aws:iam::101010101010:role/feed-publisher',
      accountId: '101010101010',
      verdict: 'broken',
      checks: [
        {
          id: 'workload-irsa-trust',
          status: 'fail',
          message:
            'the trust policy does not allow system:serviceaccount:exchange:feed-publisher',
          fix: {
            summary:
              'Trust the cluster OIDC provider for this service account.',
          },
        },
      ],
    },
  ],
};

// The first render compiles the table and its lazy parts: slow on a loaded machine.
jest.setTimeout(30_000);

describe('WorkloadAccessContent', () => {
  it('lists service account, mechanism, role, account and verdict, with each role checks on expanding', async () => {
    const api = createFakeCapaApi({
      getClusterWorkloadAccess: async () => report,
    });
    await renderCapa(<WorkloadAccessContent />, { api, entity: eksEntity });
    expect(await screen.findByText('retail/catalog-sync')).toBeInTheDocument();
    expect(api.getClusterWorkloadAccess).toHaveBeenCalledWith(
      expect.objectContaining({
        managementCluster: 'mgmt-eu',
        namespace: 'staging',
        name: 'web',
      }),
    );
    expect(screen.getByText('EKS Pod Identity')).toBeInTheDocument();
    expect(screen.getByText('IRSA')).toBeInTheDocument();
    expect(
      screen.getByText(
        /chained from arn:aws:iam::222222222222:role\/pod-identity/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('retail (888888888888)')).toBeInTheDocument();
    expect(
      screen.getByText(/1 more in accounts you may not read/),
    ).toBeInTheDocument();
    expect(screen.queryByText('workload-irsa-trust')).not.toBeInTheDocument();
    const row = screen.getByText('exchange/feed-publisher').closest('tr')!;
    await userEvent.click(within(row).getAllByRole('button')[0]);
    expect(await screen.findByText('workload-irsa-trust')).toBeInTheDocument();
    expect(
      screen.getByText(/Trust the cluster OIDC provider/),
    ).toBeInTheDocument();
  });

  it('says why a cluster has nothing to judge', async () => {
    const api = createFakeCapaApi({
      getClusterWorkloadAccess: async () => ({
        ...report,
        applicable: false,
        reason: 'staging/web is not an EKS cluster',
        roles: [],
      }),
    });
    await renderCapa(<WorkloadAccessContent />, { api, entity: eksEntity });
    expect(
      await screen.findByText('staging/web is not an EKS cluster'),
    ).toBeInTheDocument();
  });

  it('is offered for EKS cluster entities only', () => {
    expect(isCapaEksClusterEntity(eksEntity)).toBe(true);
    expect(isCapaEksClusterEntity(clusterEntity)).toBe(false);
  });
});
