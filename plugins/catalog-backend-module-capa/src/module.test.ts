import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { JsonObject } from '@backstage/types';
import path from 'node:path';
import { catalogModuleCapaEntityProvider } from './module';

const FLEET = path.resolve(
  __dirname,
  '../../../examples/demo-fleet/fleet.yaml',
);

async function start(catalog: JsonObject) {
  const addEntityProvider = jest.fn();
  await startTestBackend({
    extensionPoints: [
      [catalogProcessingExtensionPoint, { addEntityProvider } as any],
    ],
    features: [
      catalogModuleCapaEntityProvider,
      catalogServiceMock.factory(),
      mockServices.rootConfig.factory({
        data: { capa: { fleetFile: FLEET, catalog } },
      }),
      // the capa backend plugin runs in another deployment of this backend
      createServiceFactory({
        service: coreServices.discovery,
        deps: {},
        factory: () => ({
          getBaseUrl: async (pluginId: string) =>
            pluginId === 'capa'
              ? 'http://capa.internal/api/capa'
              : `http://localhost:7007/api/${pluginId}`,
          getExternalBaseUrl: async (pluginId: string) =>
            `http://localhost:7007/api/${pluginId}`,
        }),
      }),
    ],
  });
  return addEntityProvider.mock.calls.flatMap(([p]) => p);
}

describe('catalogModuleCapaEntityProvider', () => {
  it('adds one provider for the accounts and one per management cluster', async () => {
    const providers = await start({ accountEntities: 'attach' });
    expect(providers.map((p: any) => p.getProviderName())).toEqual([
      'capa-accounts',
      'capa-management-cluster:mgmt-eu',
      'capa-management-cluster:mgmt-us',
    ]);
  });

  it('refuses an unknown capa.catalog.accountEntities at start, naming the key', async () => {
    await expect(start({ accountEntities: 'merge' })).rejects.toThrow(
      'capa.catalog.accountEntities must be one of emit, attach, none, got "merge"',
    );
  });
});
