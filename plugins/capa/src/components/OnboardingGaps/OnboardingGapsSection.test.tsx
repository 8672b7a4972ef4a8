import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OnboardingGapsSection } from './OnboardingGapsSection';
import { templateAccountName } from './onboardingLink';
import { renderCapa } from '../../__testUtils__/render';
import { createFakeCapaApi } from '../../__testUtils__/fixtures';

describe('OnboardingGapsSection', () => {
  it('lists the accounts not onboarded, each with a link to the onboarding template prefilled with it', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<OnboardingGapsSection />, { api });
    const table = within(
      await screen.findByRole('region', { name: 'Accounts not onboarded' }),
    );
    expect(table.getByText('Payments Sandbox')).toBeInTheDocument();
    expect(table.getByText('Root/Workloads/Sandbox')).toBeInTheDocument();
    expect(table.getByText('team=payments')).toBeInTheDocument();
    const onboard = table.getByRole('link', {
      name: 'Onboard Payments Sandbox',
    });
    // The scaffolder's template page (the external route is unbound here: its usual path) with ?formData=.
    const url = new URL(onboard.getAttribute('href')!, 'http://localhost');
    expect(url.pathname).toBe(
      '/create/templates/default/capa-onboard-aws-account',
    );
    expect(JSON.parse(url.searchParams.get('formData')!)).toEqual({
      accountId: '151515151515',
      accountName: 'payments-sandbox',
    });
    expect(
      screen.getByText(
        /Reconciled with AWS Organizations \(15 accounts, from aws-organization.yaml\)/,
      ),
    ).toBeInTheDocument();
  });

  it('lists the identities to suspended accounts with a link to the identity', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<OnboardingGapsSection />, { api });
    const table = within(
      await screen.findByRole('region', {
        name: 'Identities to unknown or suspended accounts',
      }),
    );
    expect(
      table.getByRole('link', { name: /sandbox-2023-identity/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/resource/mgmt-eu.role.sandbox-2023-identity',
    );
    expect(table.getByText('SUSPENDED in Organizations')).toBeInTheDocument();
  });

  it('asks the backend again with the OU chosen', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<OnboardingGapsSection />, { api });
    await screen.findByRole('region', { name: 'Accounts not onboarded' });
    await userEvent.click(
      screen
        .getAllByRole('button')
        .find(b => b.textContent?.includes('All OUs'))!,
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'Root/Security' }),
    );
    await waitFor(() =>
      expect(api.getOnboardingGaps).toHaveBeenLastCalledWith({
        ou: 'Root/Security',
      }),
    );
  });

  it('says when there is no Organizations evidence', async () => {
    const api = createFakeCapaApi({
      getOnboardingGaps: async () => ({
        accountsWithoutIdentity: [],
        identitiesToUnknownAccounts: [],
        organization: { accountCount: 0 },
        filters: { ouPaths: [], tags: [] },
        generatedAt: '2024-01-01T00:00:00Z',
      }),
    });
    await renderCapa(<OnboardingGapsSection />, { api });
    expect(
      await screen.findByText(/No AWS Organizations evidence/),
    ).toBeInTheDocument();
    expect(screen.getByText('Every account is onboarded.')).toBeInTheDocument();
  });
});

describe('templateAccountName', () => {
  it.each([
    ['Payments Sandbox', 'payments-sandbox'],
    ['team_ml--prod', 'team-ml-prod'],
    ['x'.repeat(60), 'x'.repeat(50)],
  ])(
    '%j -> %j (the template pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, 50 at most)',
    (name, expected) => {
      expect(templateAccountName(name)).toBe(expected);
      expect(expected).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    },
  );
  it.each([['  '], ['---'], [undefined]])(
    '%j -> nothing usable: the user types one',
    name => {
      expect(templateAccountName(name)).toBeUndefined();
    },
  );
});
