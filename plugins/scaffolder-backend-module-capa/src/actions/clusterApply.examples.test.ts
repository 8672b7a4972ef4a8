import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { CrdSchemaRegistry } from '@capa-portal/plugin-capa-node';
import yaml from 'yaml';
// capa-node does not export ./testing as a package subpath yet (see the module README).
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { TestKubernetesApiServer } from '@capa-portal/plugin-capa-node/testing';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaClusterApplyAction } from './clusterApply';
import { examples } from './clusterApply.examples';
import { renderCluster } from './clusterRender';

describe('capa:cluster:apply examples', () => {
  let server: TestKubernetesApiServer;
  const registry = CrdSchemaRegistry.fromDirectory();

  beforeEach(async () => {
    server = await TestKubernetesApiServer.start({
      validate: o => registry.validate(o),
    });
  });
  afterEach(() => server.stop());

  it.each(examples.map(e => [e.description, e] as const))(
    'runs: %s',
    async (_, example) => {
      const { manifests } = await renderCluster(
        {
          name: 'web',
          namespace: 'staging',
          region: 'eu-west-1',
          kubernetesVersion: 'v1.33',
          identityRef: {
            kind: 'AWSClusterRoleIdentity',
            name: 'staging-identity',
          },
          writeFiles: false,
        },
        {},
      );
      // What the scaffolder's templating resolves the expressions to.
      const input = yaml.parse(example.example).steps[0].input;
      input.managementCluster = 'mgmt-eu';
      input.manifests = manifests as KubeObject[];
      const action = createCapaClusterApplyAction({
        api: fakeFleetApi(),
        getManagementClusters: async () => [
          {
            cluster: { name: 'mgmt-eu', accountId: '111111111111' },
            source: {
              name: 'mgmt-eu',
              type: 'kubernetes',
              target: server.url,
              read: jest.fn(),
            },
            connection: server.connection(),
          },
        ],
        registry,
      });
      const ctx = createMockActionContext({ input });
      await action.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('namespaceCreated', true);
      expect(server.objects().map(o => o.kind)).toContain('Cluster');
    },
  );
});
