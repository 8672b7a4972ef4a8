import { configure, screen } from '@testing-library/react';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import discovered, {
  capaPlugin as plugin,
  capaScaffolderFormFieldsModule,
  capaAccountTrustCard,
  capaClusterCard,
  capaIdentityChainCard,
  capaOverviewPage,
  capaTrustContent,
  capaWorkloadAccessContent,
} from './alpha';
import { capaApiRef } from './api';
import {
  accountEntity,
  clusterEntity,
  createFakeCapaApi,
  identityEntity,
} from './__testUtils__/fixtures';

// Lazy extensions and their data on a loaded two-core machine: findBy* waits up to 30 s (default 1 s).
configure({ asyncUtilTimeout: 30_000 });

/** Renders an extension's element in the new frontend system's test app, inside the entity when given. */
function renderExtension(
  element: JSX.Element,
  options: { api: ReturnType<typeof createFakeCapaApi>; entity?: Entity },
) {
  return renderInTestApp(
    options.entity ? (
      <EntityProvider entity={options.entity}>{element}</EntityProvider>
    ) : (
      element
    ),
    {
      apis: [[capaApiRef, options.api]],
      // The cards and the page link to catalog entities.
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

describe('capa plugin (new frontend system)', () => {
  it('gives feature discovery the plugin and the scaffolder form fields module from its default export', async () => {
    // Discovery (app.packages: all) imports only the default export of `.` and `./alpha`, and accepts loaders.
    expect(discovered.$$type).toBe('@backstage/FrontendFeatureLoader');
    const features = await (discovered as any).loader({ config: {} });
    expect(features).toEqual([plugin, capaScaffolderFormFieldsModule]);
    expect(capaScaffolderFormFieldsModule.pluginId).toBe('scaffolder');
  });

  it('is the capa plugin with its page, API, cards and Trust tab', () => {
    expect(plugin.pluginId).toBe('capa');
    const ids = [
      'api:capa',
      'page:capa',
      'entity-card:capa/account-trust',
      'entity-card:capa/cluster',
      'entity-card:capa/identity-chain',
      'entity-content:capa/trust',
      'entity-content:capa/workload-access',
    ];
    for (const id of ids) {
      expect(plugin.getExtension(id as any)).toBeDefined();
    }
  });

  it('shows each card only for its entities', () => {
    const filterOf = {
      account: createExtensionTester(capaAccountTrustCard).get(
        EntityCardBlueprint.dataRefs.filterFunction,
      )!,
      cluster: createExtensionTester(capaClusterCard).get(
        EntityCardBlueprint.dataRefs.filterFunction,
      )!,
      identity: createExtensionTester(capaIdentityChainCard).get(
        EntityCardBlueprint.dataRefs.filterFunction,
      )!,
    };
    const entities = [accountEntity, clusterEntity, identityEntity];
    expect(entities.map(filterOf.account)).toEqual([true, false, false]);
    expect(entities.map(filterOf.cluster)).toEqual([false, true, false]);
    expect(entities.map(filterOf.identity)).toEqual([false, false, true]);
  });

  it('renders the account card from its extension', async () => {
    const element = createExtensionTester(capaAccountTrustCard).reactElement();
    renderInTestApp(
      <EntityProvider entity={accountEntity}>{element}</EntityProvider>,
      { apis: [[capaApiRef, createFakeCapaApi()]] },
    );
    expect(await screen.findByText('Targeted by')).toBeInTheDocument();
  });

  // Each extension rendered through its blueprint (lazy loader, wrappers), as the app mounts it; what each shows
  // comes from the fake API's fixtures, as in the components' own tests.
  it('renders the cluster card from its extension', async () => {
    const api = createFakeCapaApi();
    renderExtension(createExtensionTester(capaClusterCard).reactElement(), {
      api,
      entity: clusterEntity,
    });
    expect(await screen.findByText('Provisioned')).toBeInTheDocument();
    expect(api.getCluster).toHaveBeenCalledWith({
      managementCluster: 'mgmt-eu',
      namespace: 'staging',
      name: 'web',
    });
  });

  it('renders the identity chain card from its extension', async () => {
    renderExtension(
      createExtensionTester(capaIdentityChainCard).reactElement(),
      { api: createFakeCapaApi(), entity: identityEntity },
    );
    expect(
      await screen.findByRole('list', { name: 'Identity chain' }),
    ).toBeInTheDocument();
  });

  it('renders the Trust tab from its extension', async () => {
    renderExtension(createExtensionTester(capaTrustContent).reactElement(), {
      api: createFakeCapaApi(),
      entity: accountEntity,
    });
    expect(await screen.findByText('Checks (6)')).toBeInTheDocument();
    expect(screen.getByLabelText('Verdict: Broken')).toBeInTheDocument();
  });

  it('renders the /capa page from its extension', async () => {
    renderExtension(createExtensionTester(capaOverviewPage).reactElement(), {
      api: createFakeCapaApi(),
    });
    expect(
      await screen.findByRole('region', { name: 'Workload clusters' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('region', { name: 'AWS accounts' }),
    ).toBeInTheDocument();
  });

  it('gives the Workload access tab the path workload-access, for EKS clusters only', () => {
    const tester = createExtensionTester(capaWorkloadAccessContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('workload-access');
  });

  it('gives the Trust tab the path trust', () => {
    const tester = createExtensionTester(capaTrustContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('trust');
  });
});
