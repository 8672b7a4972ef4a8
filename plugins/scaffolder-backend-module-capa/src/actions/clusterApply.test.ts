import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { CrdSchemaRegistry } from '@capa-portal/plugin-capa-node';
import { TestKubernetesApiServer } from '@capa-portal/plugin-capa-node/testing';
import { liveMgmtEu, webInStagingManifests } from '../__testUtils__/actions';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaClusterApplyAction } from './clusterApply';

const registry = CrdSchemaRegistry.fromDirectory();
const ns = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
});

function manifests(
  overrides: Record<string, unknown> = {},
): Promise<KubeObject[]> {
  return webInStagingManifests({
    nodePools: [
      { name: 'general', instanceType: 'm6i.large', minSize: 1, maxSize: 3 },
    ],
    ...overrides,
  });
}

/** Objects as a comparable list: Kind/namespace/name. */
function refs(server: TestKubernetesApiServer): string[] {
  return server
    .objects()
    .map(
      o =>
        `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${
          o.metadata.name
        }`,
    );
}

describe('capa:cluster:apply', () => {
  let server: TestKubernetesApiServer;
  const api = fakeFleetApi();

  beforeEach(async () => {
    server = await TestKubernetesApiServer.start({
      validate: o => registry.validate(o),
    });
  });
  afterEach(() => server.stop());

  function action(connection = true) {
    return createCapaClusterApplyAction({
      api,
      registry,
      getManagementClusters: async () => [
        connection
          ? liveMgmtEu(server)
          : {
              cluster: { name: 'mgmt-eu', accountId: '111111111111' },
              source: {
                name: 'mgmt-eu',
                type: 'manifests',
                target: 'clusters/mgmt-eu',
                read: jest.fn(),
              },
            },
      ],
    });
  }

  async function run(input: Record<string, unknown>, connection = true) {
    const ctx = createMockActionContext({ input: input as any });
    await action(connection).handler(ctx as any);
    return ctx;
  }

  it('creates the Namespace, dry-runs every object, then applies in dependency order', async () => {
    const ctx = await run({
      managementCluster: 'mgmt-eu',
      manifests: await manifests(),
    });
    const patches = server.requests().filter(r => r.verb === 'apply');
    const dry = patches.filter(r => r.query.dryRun === 'All');
    const real = patches.filter(r => r.query.dryRun === undefined);
    expect(dry).toHaveLength(5);
    expect(real.map(r => r.resource)).toEqual([
      'namespaces',
      'awsmanagedclusters.infrastructure.cluster.x-k8s.io',
      'awsmanagedcontrolplanes.controlplane.cluster.x-k8s.io',
      'clusters.cluster.x-k8s.io',
      'awsmanagedmachinepools.infrastructure.cluster.x-k8s.io',
      'machinepools.cluster.x-k8s.io',
    ]);
    // every dry run happened before the first real apply of a cluster object
    const order = patches.map(r => {
      if (r.query.dryRun) return 'dry';
      return r.resource === 'namespaces' ? 'ns' : 'real';
    });
    expect(order.lastIndexOf('dry')).toBeLessThan(order.indexOf('real'));
    expect(refs(server)).toEqual(
      expect.arrayContaining([
        'Namespace/staging',
        'Cluster/staging/web',
        'MachinePool/staging/web-general',
      ]),
    );
    expect(ctx.output).toHaveBeenCalledWith('namespaceCreated', true);
    expect(ctx.output).toHaveBeenCalledWith(
      'catalogEntityRef',
      'resource:default/web.staging.mgmt-eu',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'message',
      expect.stringContaining("after the capa entity provider's next refresh"),
    );
    const cluster = server.getObject(
      'cluster.x-k8s.io/v1beta2',
      'Cluster',
      'web',
      'staging',
    )!;
    expect(cluster.metadata.annotations).toBeUndefined();
  });

  it('a failing dry run writes nothing (existing namespace)', async () => {
    server.addObjects([ns('staging')]);
    const before = server.objects();
    server.failNext({
      method: 'PATCH',
      resource: 'machinepools.cluster.x-k8s.io',
      pathIncludes: 'dryRun=All',
      status: 422,
      message: 'spec.replicas: Invalid value',
    });
    const error = await run({
      managementCluster: 'mgmt-eu',
      manifests: await manifests(),
    }).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      'dry run on mgmt-eu failed, nothing was applied',
    );
    expect(error.message).toContain('MachinePool/staging/web-general');
    expect(server.objects()).toEqual(before);
    expect(
      server.requests().filter(r => r.verb === 'apply' && !r.query.dryRun),
    ).toEqual([]);
  });

  it('a failing dry run removes the Namespace it created, leaving the cluster as it was', async () => {
    const before = server.objects();
    server.failNext({
      method: 'PATCH',
      resource: 'clusters.cluster.x-k8s.io',
      pathIncludes: 'dryRun=All',
      status: 500,
    });
    const error = await run({
      managementCluster: 'mgmt-eu',
      manifests: await manifests(),
    }).catch(e => e);
    expect(error.message).toContain(
      'Rolled back what this run created: Namespace/staging',
    );
    expect(server.objects()).toEqual(before);
  });

  it('a failure mid-way deletes what this run created, in reverse order, and leaves pre-existing objects', async () => {
    const existing: KubeObject = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSManagedCluster',
      metadata: { name: 'web', namespace: 'staging' },
      spec: {},
    };
    server.addObjects([ns('staging'), existing]);
    // Fail the real apply (not the dry run) of the last object: the dry-run request carries dryRun=All first.
    server.failNext({
      method: 'PATCH',
      resource: 'machinepools.cluster.x-k8s.io',
      pathIncludes: '?fieldManager=',
      status: 500,
      message: 'etcd timeout',
    });
    const error = await run({
      managementCluster: 'mgmt-eu',
      manifests: await manifests(),
    }).catch(e => e);
    expect(error.message).toContain('apply on mgmt-eu failed');
    expect(error.message).toContain('etcd timeout');
    expect(error.message).toContain(
      'Rolled back what this run created: AWSManagedMachinePool/staging/web-general, Cluster/staging/web, AWSManagedControlPlane/staging/web-control-plane',
    );
    expect(refs(server).sort()).toEqual([
      'AWSManagedCluster/staging/web',
      'Namespace/staging',
    ]);
    const deletes = server
      .requests()
      .filter(r => r.verb === 'delete')
      .map(r => r.resource);
    expect(deletes).toEqual([
      'awsmanagedmachinepools.infrastructure.cluster.x-k8s.io',
      'clusters.cluster.x-k8s.io',
      'awsmanagedcontrolplanes.controlplane.cluster.x-k8s.io',
    ]);
  });

  it('applies a generated identity before the cluster objects', async () => {
    const identityManifest = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSClusterRoleIdentity',
      metadata: { name: 'team-a-222222222222' },
      spec: {
        allowedNamespaces: { list: ['team-a'] },
        roleARN:
          'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
        sourceIdentityRef: {
          kind: 'AWSClusterControllerIdentity',
          name: 'default',
        },
      },
    };
    const ctx = await run({
      managementCluster: 'mgmt-eu',
      manifests: await manifests({
        namespace: 'team-a',
        identityRef: {
          kind: 'AWSClusterRoleIdentity',
          name: 'team-a-222222222222',
        },
        identityManifest,
      }),
    });
    const real = server
      .requests()
      .filter(r => r.verb === 'apply' && !r.query.dryRun)
      .map(r => r.resource);
    expect(real.slice(0, 2)).toEqual([
      'namespaces',
      'awsclusterroleidentities.infrastructure.cluster.x-k8s.io',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('verdict', 'configured');
  });

  it.each([
    [
      'dev-identity in a namespace its selector refuses',
      'dev-experiments',
      'dev-identity',
      /namespace-allowed fail/,
    ],
    [
      'ml-sandbox-identity, whose target trust is broken',
      'ml-sandbox',
      'ml-sandbox-identity',
      /target-trust fail/,
    ],
    [
      'an identity that does not exist',
      'staging',
      'nope',
      /identity-exists fail/,
    ],
  ])(
    'refuses %s, before talking to the cluster',
    async (_, namespace, identity, why) => {
      const error = await run({
        managementCluster: 'mgmt-eu',
        manifests: await manifests({
          namespace,
          identityRef: { kind: 'AWSClusterRoleIdentity', name: identity },
        }),
      }).catch(e => e);
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain('is broken');
      expect(error.message).toMatch(why);
      expect(server.requests()).toEqual([]);
    },
  );

  it('refuses a GitOps (manifests) management cluster: it has no connection to apply to', async () => {
    const error = await run(
      { managementCluster: 'mgmt-eu', manifests: await manifests() },
      false,
    ).catch(e => e);
    expect(error.message).toContain(
      'deliver the manifests with a pull request instead',
    );
  });

  it('re-validates the manifests: unknown kinds, several namespaces and schema errors are rejected', async () => {
    const m = await manifests();
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x', namespace: 'staging' },
    };
    await expect(
      run({ managementCluster: 'mgmt-eu', manifests: [...m, secret] }),
    ).rejects.toThrow(/"Secret" is not applied by this action/);
    const moved = m.map((o, i) =>
      i === 0 ? { ...o, metadata: { ...o.metadata, namespace: 'live' } } : o,
    );
    await expect(
      run({ managementCluster: 'mgmt-eu', manifests: moved }),
    ).rejects.toThrow(/several namespaces/);
    const bad = m.map(o =>
      o.kind === 'AWSManagedControlPlane'
        ? {
            ...o,
            spec: { ...o.spec, identityRef: { kind: 'Nope', name: 'x' } },
          }
        : o,
    );
    await expect(
      run({ managementCluster: 'mgmt-eu', manifests: bad }),
    ).rejects.toThrow(/spec.identityRef.kind/);
    expect(server.requests()).toEqual([]);
  });

  it('in a scaffolder dry run it checks and plans but sends nothing', async () => {
    const ctx = createMockActionContext({
      input: {
        managementCluster: 'mgmt-eu',
        manifests: (await manifests()) as any,
      },
    });
    await action().handler({ ...ctx, isDryRun: true } as any);
    expect(server.requests()).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith(
      'message',
      expect.stringContaining('dry run: would apply'),
    );
  });
});
