import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TrustMapResponse } from '@capa-portal/plugin-capa-common';
import { FleetTrustMap, FleetTrustMapView } from './FleetTrustMap';
import { renderCapa } from '../../__testUtils__/render';
import { createFakeCapaApi } from '../../__testUtils__/fixtures';

const edgeEl = (container: HTMLElement, id: string) =>
  container.querySelector(`[data-edge="${id}"]`);

describe('FleetTrustMap', () => {
  it('links every node to its entity and marks the broken link', async () => {
    const api = createFakeCapaApi();
    const { container } = await renderCapa(<FleetTrustMap />, { api });
    const map = within(
      await screen.findByRole('group', { name: 'Fleet trust map' }),
    );
    expect(
      map.getByRole('link', { name: /^Management cluster mgmt-eu/ }),
    ).toHaveAttribute('href', '/catalog/default/resource/mgmt-eu');
    expect(
      map.getByRole('link', { name: /^Identity ml-sandbox .*Broken/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/resource/mgmt-eu.role.ml-sandbox',
    );
    expect(
      map.getByRole('link', { name: /^Account ml-sandbox/ }),
    ).toHaveAttribute('href', '/catalog/default/resource/aws-444444444444');
    // ml-sandbox's target-trust fails: its identity -> account edge is broken (dashed), mgmt-eu's edge held.
    const broken = edgeEl(
      container,
      'i:mgmt-eu/AWSClusterRoleIdentity/ml-sandbox>a:444444444444',
    );
    expect(broken).toHaveAttribute('data-verdict', 'broken');
    expect(broken).toHaveAttribute('stroke-dasharray', '8 5');
    expect(
      edgeEl(
        container,
        'm:mgmt-eu>i:mgmt-eu/AWSClusterRoleIdentity/ml-sandbox',
      ),
    ).toHaveAttribute('data-verdict', 'configured');
    expect(broken?.querySelector('title')?.textContent).toBe(
      'ml-sandbox reaches ml-sandbox: broken (target-trust)',
    );
    // The stale management cluster says so.
    expect(
      map.getByRole('link', { name: /^Management cluster mgmt-us \(stale\)/ }),
    ).toBeInTheDocument();
  });

  it('filters by verdict and finds by name', async () => {
    const api = createFakeCapaApi();
    await renderCapa(<FleetTrustMap />, { api });
    const mapRegion = await screen.findByRole('group', {
      name: 'Fleet trust map',
    });
    await userEvent.click(screen.getByRole('button', { name: /Broken · 2/ }));
    expect(
      within(mapRegion).queryByRole('link', { name: /^Identity staging/ }),
    ).toBeNull();
    expect(
      within(mapRegion).getByRole('link', { name: /^Identity dev/ }),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Broken · 2/ }));
    await userEvent.type(
      screen.getByRole('searchbox', { name: /Find/ }),
      'staging',
    );
    const map = within(screen.getByRole('group', { name: 'Fleet trust map' }));
    expect(
      map.getAllByRole('link').map(l => l.getAttribute('aria-label')),
    ).toEqual([
      'Management cluster mgmt-eu',
      'Identity staging (role · 2 clusters): Configured',
      'Account staging (222222222222): Configured',
    ]);
  });
});

describe('FleetTrustMapView at 1,000 accounts', () => {
  const data: TrustMapResponse = {
    managementClusters: [
      { name: 'mgmt-big', accountId: '900000000000', stale: false },
    ],
    identities: Array.from({ length: 1000 }, (_, n) => ({
      managementCluster: 'mgmt-big',
      kind: 'AWSClusterRoleIdentity',
      name: `acct-${n}`,
      accountId: String(100000000000 + n),
      verdict: n < 3 ? ('broken' as const) : ('configured' as const),
      failing: n < 3 ? ['target-trust' as const] : [],
      warning: [],
      clusterCount: 1,
    })),
    accounts: Array.from({ length: 1000 }, (_, n) => ({
      accountId: String(100000000000 + n),
      verdict: n < 3 ? ('broken' as const) : ('configured' as const),
    })),
    generatedAt: '2024-01-01T00:00:00Z',
  };

  it('draws the 997 healthy identities as one group, the broken ones one by one, and expands on click', async () => {
    const { container } = await renderCapa(<FleetTrustMapView data={data} />, {
      api: createFakeCapaApi(),
    });
    const nodes = () => container.querySelectorAll('[data-node]').length;
    // mgmt-big, 3 broken identities and their 3 accounts, one group and its account group.
    expect(nodes()).toBe(1 + 3 + 3 + 1 + 1);
    const group = screen.getByRole('button', {
      name: '997 configured identities (mgmt-big): Configured, expand',
    });
    fireEvent.click(group);
    // Expanded: at most 200 identities drawn, and a node saying how many more.
    expect(screen.getAllByText('797 more')[0]).toBeInTheDocument();
    expect(nodes()).toBe(1 + 3 + 200 + 1 + 3 + 200);
    await userEvent.click(
      screen.getByRole('button', { name: 'Collapse groups' }),
    );
    expect(nodes()).toBe(9);
  });

  it('zooms with the buttons', async () => {
    await renderCapa(<FleetTrustMapView data={data} />, {
      api: createFakeCapaApi(),
    });
    const svg = screen.getByRole('group', { name: 'Fleet trust map' });
    const width = Number(svg.getAttribute('width'));
    await userEvent.click(screen.getByRole('button', { name: 'Zoom in' }));
    expect(Number(svg.getAttribute('width'))).toBeCloseTo(width * 1.25);
    expect(screen.getByText('125%')).toBeInTheDocument();
  });
});
