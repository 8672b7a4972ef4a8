import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import scaffolderModuleCapa from '.';

// Stands in for @capa-portal/plugin-capa-backend (a module never imports it): a plugin with the id 'capa'.
const capaBackendStandIn = createBackendPlugin({
  pluginId: 'capa',
  register(env) {
    env.registerInit({ deps: {}, async init() {} });
  },
});

describe('scaffolderModuleCapa', () => {
  it('registers the five capa actions with the scaffolder', async () => {
    const addActions = jest.fn();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModuleCapa,
        capaBackendStandIn,
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });
    const ids = addActions.mock.calls.flat().map((a: { id: string }) => a.id);
    expect(ids.sort()).toEqual([
      'capa:account:bootstrap',
      'capa:cluster:apply',
      'capa:cluster:render',
      'capa:identity:resolve',
      'capa:trust:verify',
    ]);
    // every action carries JSON schemas (from zod) and documented examples
    for (const action of addActions.mock.calls.flat()) {
      expect(action.schema.input).toMatchObject({ type: 'object' });
      expect(action.schema.output).toMatchObject({ type: 'object' });
      expect(action.examples.length).toBeGreaterThan(0);
    }
  });

  it('refuses to start without the capa backend plugin, naming the package to add', async () => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [scaffolderActionsExtensionPoint, { addActions: jest.fn() }],
        ],
        features: [
          scaffolderModuleCapa,
          mockServices.rootConfig.factory({ data: {} }),
        ],
      }),
    ).rejects.toThrow(
      /needs capa-portal's backend plugin.*@capa-portal\/plugin-capa-backend/,
    );
  });

  it('starts without it when discovery sends capa to another backend', async () => {
    // As HostDiscovery does with discovery.endpoints naming 'capa' (a split deployment).
    const getBaseUrl = async (pluginId: string) =>
      pluginId === 'capa'
        ? 'http://capa-backend.internal:7007/api/capa'
        : `http://localhost:7007/api/${pluginId}`;
    const addActions = jest.fn();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModuleCapa,
        mockServices.rootConfig.factory({ data: {} }),
        mockServices.discovery.mock({ getBaseUrl }).factory,
      ],
    });
    expect(addActions).toHaveBeenCalled();
  });
});
