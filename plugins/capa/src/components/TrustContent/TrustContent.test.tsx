import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { usePermission } from '@backstage/plugin-permission-react';
import { capaTrustVerifyPermission } from '@capa-portal/plugin-capa-common';
import { TrustContent } from './TrustContent';
import { renderCapa } from '../../__testUtils__/render';
import {
  accountEntity,
  clusterEntity,
  createFakeCapaApi,
  identityEntity,
  stagingTrustVerified,
} from '../../__testUtils__/fixtures';

// usePermission caches decisions in a module-wide SWR cache across tests; decide per test instead.
jest.mock('@backstage/plugin-permission-react', () => ({
  ...jest.requireActual('@backstage/plugin-permission-react'),
  usePermission: jest.fn(),
}));
const usePermissionMock = usePermission as jest.MockedFunction<
  typeof usePermission
>;

function allowVerify(allowed: boolean) {
  usePermissionMock.mockReturnValue({ loading: false, allowed });
}

describe('TrustContent', () => {
  beforeEach(() => allowVerify(false));

  it('lists every check with status, id, message, evidence and fix', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<TrustContent />, { api, entity: accountEntity });

    expect(await screen.findByText(/Checks \(/)).toBeInTheDocument();
    // account-known (pass) + 3 identity checks + 2 cluster checks
    expect(screen.getByText('Checks (6)')).toBeInTheDocument();
    expect(screen.getAllByText('target-trust')).toHaveLength(2);
    expect(screen.getByText('account-known')).toBeInTheDocument();
    expect(screen.getAllByText(/iam\/staging.yaml:12/).length).toBeGreaterThan(
      0,
    );
    expect(screen.getByText(/Add a trust statement/)).toBeInTheDocument();
    expect(screen.getByLabelText('Verdict: Broken')).toBeInTheDocument();
  });

  it('hides Verify now without the capa.trust.verify permission', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<TrustContent />, {
      api,
      entity: accountEntity,
    });
    expect(await screen.findByText('Checks (6)')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Verify now' }),
    ).not.toBeInTheDocument();
    expect(usePermissionMock).toHaveBeenCalledWith({
      permission: capaTrustVerifyPermission,
      resourceRef: 'account:222222222222',
    });
  });

  it('verifies the account live with the permission and shows the new report', async () => {
    allowVerify(true);
    const api = createFakeCapaApi();
    await renderCapa(<TrustContent />, {
      api,
      entity: accountEntity,
    });
    const button = await screen.findByRole(
      'button',
      { name: 'Verify now' },
      { timeout: 5000 },
    );
    await userEvent.click(button);
    await waitFor(() =>
      expect(api.verifyAccountTrust).toHaveBeenCalledWith('222222222222'),
    );
    expect(
      await screen.findByLabelText('Verdict: Trusted'),
    ).toBeInTheDocument();
    expect(screen.getByText('live-assume')).toBeInTheDocument();
  });

  it('says what a verification could not do', async () => {
    allowVerify(true);
    const api = createFakeCapaApi({
      verifyAccountTrust: async () => ({
        ...stagingTrustVerified,
        notices: [
          'AWS refused the credentials configured for account 111111111111 (ExpiredTokenException: expired): the checks that need them keep their last evidence.',
        ],
      }),
    });
    await renderCapa(<TrustContent />, { api, entity: clusterEntity });
    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Verify now' },
        { timeout: 5000 },
      ),
    );
    expect(
      await screen.findByText('Live verification was incomplete'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /AWS refused the credentials configured for account 111111111111/,
      ),
    ).toBeInTheDocument();
  });

  it('verifies the account of a cluster and reloads the cluster', async () => {
    allowVerify(true);
    const api = createFakeCapaApi();
    await renderCapa(<TrustContent />, {
      api,
      entity: clusterEntity,
    });
    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Verify now' },
        { timeout: 5000 },
      ),
    );
    await waitFor(() => expect(api.getCluster).toHaveBeenCalledTimes(2));
    expect(api.verifyAccountTrust).toHaveBeenCalledWith('222222222222');
  });

  it('shows the checks of an identity', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<TrustContent />, { api, entity: identityEntity });
    expect(await screen.findByText('Checks (3)')).toBeInTheDocument();
    expect(screen.getByText('session-duration')).toBeInTheDocument();
  });

  it('shows a readable error with Retry', async () => {
    const api = createFakeCapaApi();
    api.getAccountTrust.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await renderCapa(<TrustContent />, { api, entity: accountEntity });
    expect(await screen.findByText(/could not be reached/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Checks (6)')).toBeInTheDocument();
  });
});
