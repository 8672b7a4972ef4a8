import { screen, within } from '@testing-library/react';
import { ClusterCard } from './ClusterCard';
import { renderCapa } from '../../__testUtils__/render';
import {
  clusterEntity,
  createFakeCapaApi,
  webCluster,
} from '../../__testUtils__/fixtures';

describe('ClusterCard', () => {
  it('shows phase, flavour, version, region, account, identity chain, management cluster and conditions', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<ClusterCard />, { api, entity: clusterEntity });

    expect(await screen.findByText('Provisioned')).toBeInTheDocument();
    expect(api.getCluster).toHaveBeenCalledWith({
      managementCluster: 'mgmt-eu',
      namespace: 'staging',
      name: 'web',
    });
    expect(screen.getByText('Broken')).toBeInTheDocument();
    expect(screen.getByText('EKS')).toBeInTheDocument();
    expect(screen.getByText('v1.31.2')).toBeInTheDocument();
    expect(screen.getByText('eu-west-1')).toBeInTheDocument();
    expect(screen.getByText('222222222222')).toBeInTheDocument();
    expect(screen.getByText('mgmt-eu')).toBeInTheDocument();
    expect(
      screen.getByText(
        'AWSClusterControllerIdentity/default → AWSClusterRoleIdentity/staging',
      ),
    ).toBeInTheDocument();

    const conditions = screen.getByRole('table', { name: 'Conditions' });
    expect(within(conditions).getByText('Available')).toBeInTheDocument();
    expect(
      within(conditions).getByText('ControlPlaneReady'),
    ).toBeInTheDocument();
    expect(
      within(conditions).getByText('control plane is not ready'),
    ).toBeInTheDocument();
  });

  it('says why a broken cluster is broken in one line (the failing check), linking to the Trust tab', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<ClusterCard />, { api, entity: clusterEntity });
    const line = await screen.findByLabelText('Why broken');
    const failing = webCluster.checks.find(c => c.status === 'fail')!;
    expect(line).toHaveTextContent(`${failing.id}: ${failing.message}`);
    expect(
      within(line).getByRole('link', { name: 'See the Trust tab' }),
    ).toHaveAttribute(
      'href',
      `/catalog/default/resource/${clusterEntity.metadata.name}/trust`,
    );
  });

  it("shows CAPA's own conditions and flags a disagreement and a stale condition", async () => {
    const api = createFakeCapaApi();
    api.getCluster.mockResolvedValueOnce({
      ...webCluster,
      capaConditions: {
        object: {
          apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
          kind: 'AWSManagedControlPlane',
          namespace: 'staging',
          name: 'web-control-plane',
        },
        generation: 3,
        observedGeneration: 2,
        conditions: [
          {
            type: 'PrincipalUsageAllowed',
            status: 'True',
            source: 'status.conditions',
            stale: 'observedGeneration 2 is behind generation 3',
          },
        ],
        agreement: 'capa-allows-we-broken',
        disagreement:
          'CAPA says PrincipalUsageAllowed=True, but our checks find the chain broken (target-trust)',
        stale: true,
      },
    });
    await renderCapa(<ClusterCard />, { api, entity: clusterEntity });
    const section = await screen.findByRole('region', {
      name: 'CAPA conditions',
    });
    expect(
      within(section).getByText('CAPA and capa-portal disagree'),
    ).toBeInTheDocument();
    expect(
      within(section).getByText(/our checks find the chain broken/),
    ).toBeInTheDocument();
    expect(
      within(section).getByText(/Stale: PrincipalUsageAllowed=True/),
    ).toBeInTheDocument();
    const table = within(section).getByRole('table', {
      name: 'CAPA conditions',
    });
    expect(
      within(table).getByText('PrincipalUsageAllowed'),
    ).toBeInTheDocument();
  });

  it('offers Retry when the backend fails', async () => {
    const api = createFakeCapaApi();
    api.getCluster.mockRejectedValueOnce(new Error('boom'));
    await renderCapa(<ClusterCard />, { api, entity: clusterEntity });
    expect(
      await screen.findByRole('button', { name: 'Retry' }),
    ).toBeInTheDocument();
  });
});
