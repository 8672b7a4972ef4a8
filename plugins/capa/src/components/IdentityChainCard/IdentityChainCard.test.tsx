import { screen, within } from '@testing-library/react';
import { IdentityChainCard } from './IdentityChainCard';
import { renderCapa } from '../../__testUtils__/render';
import {
  createFakeCapaApi,
  identityEntity,
} from '../../__testUtils__/fixtures';

describe('IdentityChainCard', () => {
  it('draws the chain link by link from the root, with allowedNamespaces, role ARN, external id and duration', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<IdentityChainCard />, { api, entity: identityEntity });

    const chain = await screen.findByRole('list', { name: 'Identity chain' });
    expect(api.getIdentityChain).toHaveBeenCalledWith({
      managementCluster: 'mgmt-eu',
      name: 'staging',
    });
    const links = within(chain).getAllByRole('listitem');
    expect(links.map(l => l.getAttribute('aria-label'))).toEqual([
      'AWSClusterControllerIdentity/default',
      'AWSClusterRoleIdentity/staging',
    ]);
    expect(within(links[0]).getByText('allow all')).toBeInTheDocument();
    // The root shows whose credentials it is: the management cluster's controller principal.
    expect(within(links[0]).getByText('Runs as')).toBeInTheDocument();
    expect(
      within(links[0]).getByText(
        'arn:aws:iam::111111111111:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
      ),
    ).toBeInTheDocument();
    expect(within(links[1]).queryByText('Runs as')).not.toBeInTheDocument();
    const role = links[1];
    expect(within(role).getByText('list: staging, web')).toBeInTheDocument();
    expect(
      within(role).getByText(
        'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
      ),
    ).toBeInTheDocument();
    expect(within(role).getByText('ext-123')).toBeInTheDocument();
    expect(within(role).getByText('2 h (7200s)')).toBeInTheDocument();
    expect(screen.getByLabelText('Verdict: Broken')).toBeInTheDocument();
  });
});
