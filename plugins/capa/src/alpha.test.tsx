import { screen } from '@testing-library/react';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import discovered, {
  capaPlugin as plugin,
  capaScaffolderFormFieldsModule,
  capaAccountTrustCard,
  capaClusterCard,
  capaIdentityChainCard,
  capaTrustContent,
} from './alpha';
import { capaApiRef } from './api';
import {
  accountEntity,
  clusterEntity,
  createFakeCapaApi,
  identityEntity,
} from './__testUtils__/fixtures';

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

  it('gives the Trust tab the path trust', () => {
    const tester = createExtensionTester(capaTrustContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('trust');
  });
});
