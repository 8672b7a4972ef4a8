import { screen, within } from '@testing-library/react';
import { ClusterCard } from './ClusterCard';
import { renderCapa } from '../../__testUtils__/render';
import { clusterEntity, createFakeCapaApi } from '../../__testUtils__/fixtures';

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

  it('offers Retry when the backend fails', async () => {
    const api = createFakeCapaApi();
    api.getCluster.mockRejectedValueOnce(new Error('boom'));
    await renderCapa(<ClusterCard />, { api, entity: clusterEntity });
    expect(
      await screen.findByRole('button', { name: 'Retry' }),
    ).toBeInTheDocument();
  });
});
