import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AccountTrustCard } from './AccountTrustCard';
import { renderCapa } from '../../__testUtils__/render';
import {
  accountEntity,
  createFakeCapaApi,
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
