import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { CrdSchemaRegistry } from '@capa-portal/plugin-capa-node';
import { TestKubernetesApiServer } from '@capa-portal/plugin-capa-node/testing';
import {
  exampleCases,
  liveMgmtEu,
  webInStagingManifests,
} from '../__testUtils__/actions';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaClusterApplyAction } from './clusterApply';
import { examples } from './clusterApply.examples';

describe('capa:cluster:apply examples', () => {
  let server: TestKubernetesApiServer;
  const registry = CrdSchemaRegistry.fromDirectory();

  beforeEach(async () => {
    server = await TestKubernetesApiServer.start({
      validate: o => registry.validate(o),
    });
  });
  afterEach(() => server.stop());

  it.each(exampleCases(examples))('runs: %s', async (_, input) => {
    // What the scaffolder's templating resolves the expressions to.
    input.managementCluster = 'mgmt-eu';
    input.manifests = await webInStagingManifests();
    const action = createCapaClusterApplyAction({
      api: fakeFleetApi(),
      getManagementClusters: async () => [liveMgmtEu(server)],
      registry,
    });
    const ctx = createMockActionContext({ input });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('namespaceCreated', true);
    expect(server.objects().map(o => o.kind)).toContain('Cluster');
  });
});
