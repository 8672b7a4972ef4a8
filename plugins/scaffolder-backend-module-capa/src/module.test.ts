import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import scaffolderModuleCapa from '.';

describe('scaffolderModuleCapa', () => {
  it('registers the five capa actions with the scaffolder', async () => {
    const addActions = jest.fn();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModuleCapa,
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
});
