import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AccountTrustCard } from './AccountTrustCard';
import { renderCapa } from '../../__testUtils__/render';
import {
  accountEntity,
  createFakeCapaApi,
  stagingIdentity,
  stagingTrust,
} from '../../__testUtils__/fixtures';

describe('AccountTrustCard', () => {
  it('shows the verdict in words, who targets the account, and the failing checks with evidence and fix', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<AccountTrustCard />, { api, entity: accountEntity });

    expect(
      (await screen.findAllByLabelText('Verdict: Broken'))[0],
    ).toHaveTextContent('Broken');
    expect(api.getAccountTrust).toHaveBeenCalledWith('222222222222');

    const targeted = screen.getByRole('region', { name: 'Targeted by' });
    expect(within(targeted).getByText('mgmt-eu')).toBeInTheDocument();
    expect(
      within(targeted).getByText('AWSClusterRoleIdentity/staging'),
    ).toBeInTheDocument();

    const failing = screen.getByTestId('capa-check-target-trust');
    expect(within(failing).getByText('Fail')).toBeInTheDocument();
    expect(
      within(failing).getByText(/iam\/staging.yaml:12/),
    ).toBeInTheDocument();
    expect(
      within(failing).getByText(/Add a trust statement/),
    ).toBeInTheDocument();
    expect(within(failing).getByTestId('capa-fix-snippet')).toHaveTextContent(
      'sts:AssumeRole',
    );
    // Reported by the identity and the cluster, merged into one finding.
    expect(
      within(failing).getByText(/mgmt-eu: AWSClusterRoleIdentity\/staging/),
    ).toBeInTheDocument();

    expect(
      screen.getByTestId('capa-check-session-duration'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('capa-check-account-known')).toBeNull();
  });

  it('shows reachability as the verdict and the clusters with problems of their own apart, linking to them', async () => {
    // The demo's dev account: CAPA reaches it through dev-identity; experiments-dev's namespace is not admitted.
    const api = createFakeCapaApi({
      getAccountTrust: async () => ({
        ...stagingTrust,
        account: {
          ...stagingTrust.account,
          verdict: 'configured',
          reachability: {
            verdict: 'configured',
            chains: [
              {
                managementCluster: 'mgmt-eu',
                kind: 'AWSClusterRoleIdentity',
                name: 'staging',
                verdict: 'configured',
                failing: [],
                warning: [],
                clusterCount: 2,
              },
            ],
          },
          clusterProblems: [
            {
              managementCluster: 'mgmt-eu',
              namespace: 'dev-experiments',
              name: 'experiments-dev',
              identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
              verdict: 'broken',
              checks: [
                {
                  id: 'namespace-allowed',
                  status: 'fail',
                  message:
                    'AWSClusterRoleIdentity/staging does not allow namespace dev-experiments',
                },
              ],
            },
          ],
          clusterProblemCount: 1,
        },
        // The identity's own verdict covers its users' namespaces: broken, while its chain reaches the account.
        identities: [{ ...stagingIdentity, verdict: 'broken', checks: [] }],
        clusters: [],
      }),
    });
    await renderCapa(<AccountTrustCard />, { api, entity: accountEntity });

    expect(
      (await screen.findAllByLabelText('Verdict: Configured'))[0],
    ).toBeInTheDocument();
    expect(
      screen.getByTestId('capa-account-cluster-problems'),
    ).toHaveTextContent('with 1 cluster problem');
    const targeted = screen.getByRole('region', { name: 'Targeted by' });
    expect(
      within(targeted).getByLabelText('Verdict: Configured'),
    ).toBeInTheDocument();

    const problems = screen.getByRole('region', { name: 'Cluster problems' });
    expect(
      within(problems).getByText('Cluster problems (1)'),
    ).toBeInTheDocument();
    // docs/contracts.md §3: a workload cluster's entity is `<name>.<namespace>.<management cluster>`.
    expect(
      within(problems).getByRole('link', {
        name: 'mgmt-eu: dev-experiments/experiments-dev',
      }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/resource/experiments-dev.dev-experiments.mgmt-eu',
    );
    expect(
      within(problems).getByText('namespace-allowed fail'),
    ).toBeInTheDocument();
    expect(
      within(problems).getByLabelText('Verdict: Broken'),
    ).toBeInTheDocument();
  });

  it('shows a readable error with Retry when the backend is down, and recovers', async () => {
    const api = createFakeCapaApi();
    api.getAccountTrust.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await renderCapa(<AccountTrustCard />, { api, entity: accountEntity });

    expect(await screen.findByText(/could not be reached/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(screen.getByTestId('capa-check-target-trust')).toBeInTheDocument(),
    );
    expect(api.getAccountTrust).toHaveBeenCalledTimes(2);
  });

  it('says when every check passes', async () => {
    const api = createFakeCapaApi({
      getAccountTrust: async () => ({
        ...stagingTrust,
        account: { ...stagingTrust.account, verdict: 'configured' },
        identities: [],
        clusters: [],
      }),
    });
    await renderCapa(<AccountTrustCard />, { api, entity: accountEntity });
    expect(await screen.findByText(/Every check passes/)).toBeInTheDocument();
    expect(screen.getByText('Configured')).toBeInTheDocument();
  });
});
