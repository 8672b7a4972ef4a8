import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CapaOverviewPage } from './CapaOverviewPage';
import { renderCapa } from '../../__testUtils__/render';
import { createFakeCapaApi } from '../../__testUtils__/fixtures';

function clustersTable() {
  const section = screen.getByRole('region', { name: 'Workload clusters' });
  return within(section);
}

async function choose(current: string, option: string) {
  const trigger = clustersTable()
    .getAllByRole('button')
    .find(b => b.textContent?.includes(current));
  await userEvent.click(trigger!);
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('CapaOverviewPage', () => {
  it('shows management clusters with their health', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<CapaOverviewPage />, { api });
    const section = await screen.findByRole('region', {
      name: 'Management clusters',
    });
    expect(within(section).getByText('mgmt-eu')).toBeInTheDocument();
    expect(within(section).getByText('Reachable')).toBeInTheDocument();
    expect(
      within(section).getByText(/Stale: serving the read of/),
    ).toBeInTheDocument();
    expect(
      within(section).getByText('connect ECONNREFUSED'),
    ).toBeInTheDocument();
  });

  it('counts accounts per verdict and filters them by verdict', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<CapaOverviewPage />, { api });
    const section = await screen.findByRole('region', { name: 'AWS accounts' });
    const link = (name: string) =>
      within(section).queryByRole('link', { name });
    expect(link('production')).toHaveAttribute(
      'href',
      '/catalog/default/resource/aws-444444444444',
    );
    expect(link('staging')).toBeInTheDocument();

    await userEvent.click(
      within(section).getByRole('button', { name: /Broken · 1/ }),
    );
    await waitFor(() => expect(link('production')).not.toBeInTheDocument());
    expect(link('staging')).toBeInTheDocument();
    expect(
      within(section).getByText('Showing 1 of 2 accounts'),
    ).toBeInTheDocument();
  });

  it("shows each account's reachability with its cluster-problem count apart, linking to the account", async () => {
    const api = createFakeCapaApi();
    await renderCapa(<CapaOverviewPage />, { api });
    const section = await screen.findByRole('region', { name: 'AWS accounts' });
    await within(section).findByRole('link', { name: 'production' });
    expect(
      within(section).getByRole('columnheader', { name: 'Reachability' }),
    ).toBeInTheDocument();
    // production is trusted with one cluster problem; staging has none.
    const row = (name: string) =>
      within(section).getByRole('link', { name }).closest('tr')!;
    expect(
      within(row('production')).getByLabelText('Verdict: Trusted'),
    ).toBeInTheDocument();
    expect(
      within(row('production')).getByRole('link', {
        name: 'with 1 cluster problem',
      }),
    ).toHaveAttribute('href', '/catalog/default/resource/aws-444444444444');
    expect(within(row('staging')).getByText('none')).toBeInTheDocument();
  });

  it('narrows the clusters table with the filters, asking the backend', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<CapaOverviewPage />, { api });
    await screen.findByRole('region', { name: 'Workload clusters' });
    expect(await clustersTable().findByText('staging/web')).toBeInTheDocument();
    expect(clustersTable().getByText('prod/shop')).toBeInTheDocument();
    expect(api.getClusters).toHaveBeenLastCalledWith(
      expect.objectContaining({ limit: 50, offset: 0 }),
    );

    await choose('All verdicts', 'Trusted');
    await waitFor(() =>
      expect(
        clustersTable().queryByText('staging/web'),
      ).not.toBeInTheDocument(),
    );
    expect(clustersTable().getByText('prod/shop')).toBeInTheDocument();
    expect(api.getClusters).toHaveBeenLastCalledWith(
      expect.objectContaining({ verdict: 'trusted' }),
    );

    await choose('All management clusters', 'mgmt-us');
    await waitFor(() =>
      expect(clustersTable().queryByText('prod/shop')).not.toBeInTheDocument(),
    );
    expect(clustersTable().getByText('prod/batch')).toBeInTheDocument();
    expect(api.getClusters).toHaveBeenLastCalledWith(
      expect.objectContaining({
        verdict: 'trusted',
        managementCluster: 'mgmt-us',
      }),
    );
  });

  it('searches clusters with the search box', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<CapaOverviewPage />, { api });
    expect(await clustersTable().findByText('staging/web')).toBeInTheDocument();
    await userEvent.type(
      clustersTable().getByRole('searchbox', { name: /Search/ }),
      'shop',
    );
    await waitFor(() =>
      expect(api.getClusters).toHaveBeenLastCalledWith(
        expect.objectContaining({ q: 'shop' }),
      ),
    );
    await waitFor(() =>
      expect(
        clustersTable().queryByText('staging/web'),
      ).not.toBeInTheDocument(),
    );
    expect(clustersTable().getByText('prod/shop')).toBeInTheDocument();
  });

  it('shows a readable error with Retry when the backend is down', async () => {
    const api = createFakeCapaApi();
    api.getManagementClusters.mockRejectedValueOnce(
      new TypeError('Failed to fetch'),
    );
    await renderCapa(<CapaOverviewPage />, { api });
    expect(await screen.findByText(/could not be reached/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('region', { name: 'Management clusters' }),
    ).toBeInTheDocument();
  });

  it('shows an empty state without management clusters', async () => {
    const api = createFakeCapaApi({
      getManagementClusters: async () => ({ items: [] }),
    });
    await renderCapa(<CapaOverviewPage />, { api });
    expect(
      await screen.findByText('No management clusters'),
    ).toBeInTheDocument();
  });
});
