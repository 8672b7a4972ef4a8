/*
 * capa.cluster.create, capa.account.onboard and capa.account.read (issue #13): the actions ask the permission
 * policy for the user who runs the template, with the resource ref of the target account, and refuse before
 * anything is written to the workspace, sent to the management cluster, or read from the account's trust data.
 */
import {
  createMockDirectory,
  mockCredentials,
} from '@backstage/backend-test-utils';
import type { PermissionsService } from '@backstage/backend-plugin-api';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { CrdSchemaRegistry } from '@capa-portal/plugin-capa-node';
import { TestKubernetesApiServer } from '@capa-portal/plugin-capa-node/testing';
import {
  liveMgmtEu,
  WEB_IN_STAGING,
  webInStagingManifests,
} from '../__testUtils__/actions';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaAccountBootstrapAction } from './accountBootstrap';
import { createCapaClusterApplyAction } from './clusterApply';
import { createCapaClusterRenderAction } from './clusterRender';
import { createCapaIdentityResolveAction } from './identityResolve';
import { createCapaTrustVerifyAction } from './trustVerify';

const registry = CrdSchemaRegistry.fromDirectory();
const ML_USER = 'user:default/ml-engineer';

/** A permissions double: allows the listed resource refs, denies the rest, and records every request. */
function permissionsAllowing(refs: string[]) {
  const requests: Array<{
    permission: string;
    resourceRef?: string;
    user?: string;
  }> = [];
  const service: PermissionsService = {
    async authorize(queries, options) {
      return queries.map(q => {
        const resourceRef = (q as { resourceRef?: string }).resourceRef;
        requests.push({
          permission: q.permission.name,
          resourceRef,
          user: (options.credentials.principal as any).userEntityRef,
        });
        return {
          result:
            resourceRef && refs.includes(resourceRef)
              ? ('ALLOW' as any)
              : ('DENY' as any),
        };
      });
    },
    async authorizeConditional() {
      throw new Error('the actions ask with a resource ref');
    },
  };
  return { service, requests };
}

/** A mock action context run by the ML engineer (createMockActionContext's initiator is user:default/mock). */
function mlContext(options: Parameters<typeof createMockActionContext>[0]) {
  const ctx = createMockActionContext(options);
  ctx.getInitiatorCredentials = async () => mockCredentials.user(ML_USER);
  return ctx;
}

// WEB_IN_STAGING's identity, staging-identity, assumes a role in 222222222222.
const STAGING_ON_EU = 'account:222222222222@mgmt-eu';

describe('capa:cluster:apply checks capa.cluster.create', () => {
  let server: TestKubernetesApiServer;
  beforeEach(async () => {
    server = await TestKubernetesApiServer.start({
      validate: o => registry.validate(o),
    });
  });
  afterEach(() => server.stop());

  async function run(allowed: string[]) {
    const permissions = permissionsAllowing(allowed);
    const action = createCapaClusterApplyAction({
      api: fakeFleetApi(),
      registry,
      permissions: permissions.service,
      getManagementClusters: async () => [liveMgmtEu(server)],
    });
    const manifests = await webInStagingManifests();
    const ctx = mlContext({
      input: { managementCluster: 'mgmt-eu', manifests } as any,
    });
    const result = action.handler(ctx as any);
    return { result, permissions };
  }

  it('refuses before sending anything to the management cluster', async () => {
    const { result, permissions } = await run([]);
    await expect(result).rejects.toThrow(
      `permission capa.cluster.create on ${STAGING_ON_EU}`,
    );
    expect(permissions.requests).toEqual([
      {
        permission: 'capa.cluster.create',
        resourceRef: STAGING_ON_EU,
        user: ML_USER,
      },
    ]);
    expect(server.requests()).toEqual([]);
    expect(server.objects()).toEqual([]);
  });

  it('applies when the policy allows the account', async () => {
    const { result } = await run([STAGING_ON_EU]);
    await result;
    expect(
      server.requests().filter(r => r.verb === 'apply').length,
    ).toBeGreaterThan(0);
  });
});

describe('capa:cluster:render checks capa.cluster.create before writing the file', () => {
  const input = {
    ...WEB_IN_STAGING,
    outputPath: 'clusters/mgmt-eu/staging/web.yaml',
  };

  it('writes nothing when the policy refuses the account', async () => {
    const workspace = createMockDirectory();
    const permissions = permissionsAllowing([]);
    const ctx = mlContext({
      input: {
        ...input,
        accountId: '222222222222',
        managementCluster: 'mgmt-eu',
      } as any,
      workspacePath: workspace.path,
    });
    await expect(
      createCapaClusterRenderAction({
        registry,
        permissions: permissions.service,
      }).handler(ctx as any),
    ).rejects.toThrow('permission capa.cluster.create');
    expect(workspace.content()).toEqual({});
    expect(permissions.requests.map(r => r.resourceRef)).toEqual([
      STAGING_ON_EU,
    ]);
  });

  it('writes the file when allowed, and asks nothing when no account is named (render only)', async () => {
    const workspace = createMockDirectory();
    const permissions = permissionsAllowing([STAGING_ON_EU]);
    const action = createCapaClusterRenderAction({
      registry,
      permissions: permissions.service,
    });
    await action.handler(
      mlContext({
        input: {
          ...input,
          accountId: '222222222222',
          managementCluster: 'mgmt-eu',
        } as any,
        workspacePath: workspace.path,
      }) as any,
    );
    expect(Object.keys(workspace.content()!)).toEqual(['clusters']);
    await action.handler(
      mlContext({
        input: { ...input, writeFiles: false } as any,
      }) as any,
    );
    expect(permissions.requests).toHaveLength(1);
  });
});

describe('capa:account:bootstrap checks capa.account.onboard', () => {
  it('refuses before generating or writing anything', async () => {
    const workspace = createMockDirectory();
    const permissions = permissionsAllowing([]);
    const ctx = mlContext({
      input: {
        accountId: '123456789012',
        managementCluster: 'mgmt-eu',
        allowedNamespaces: ['a'],
        writeFiles: true,
      },
      workspacePath: workspace.path,
    });
    const output = jest.spyOn(ctx, 'output');
    await expect(
      createCapaAccountBootstrapAction({
        api: fakeFleetApi(),
        permissions: permissions.service,
      }).handler(ctx as any),
    ).rejects.toThrow(
      'permission capa.account.onboard on account:123456789012@mgmt-eu',
    );
    expect(workspace.content()).toEqual({});
    expect(output).not.toHaveBeenCalled();
  });

  it('onboards when allowed', async () => {
    const workspace = createMockDirectory();
    const permissions = permissionsAllowing(['account:123456789012@mgmt-eu']);
    await createCapaAccountBootstrapAction({
      api: fakeFleetApi(),
      permissions: permissions.service,
    }).handler(
      mlContext({
        input: {
          accountId: '123456789012',
          managementCluster: 'mgmt-eu',
          allowedNamespaces: ['a'],
          writeFiles: true,
        },
        workspacePath: workspace.path,
      }) as any,
    );
    expect(Object.keys(workspace.content()!)).toEqual(['accounts']);
  });
});

describe('capa:identity:resolve checks capa.account.read', () => {
  // examples/demo-fleet: staging-identity on mgmt-eu admits namespace staging of 222222222222.
  const input = {
    managementCluster: 'mgmt-eu',
    accountId: '222222222222',
    namespace: 'staging',
  };

  it("refuses another team's account before reading the report, and outputs nothing", async () => {
    const api = fakeFleetApi();
    const permissions = permissionsAllowing([]);
    const ctx = mlContext({ input });
    const output = jest.spyOn(ctx, 'output');
    await expect(
      createCapaIdentityResolveAction({
        api,
        permissions: permissions.service,
      }).handler(ctx as any),
    ).rejects.toThrow('permission capa.account.read on account:222222222222');
    expect(permissions.requests).toEqual([
      {
        permission: 'capa.account.read',
        resourceRef: 'account:222222222222',
        user: ML_USER,
      },
    ]);
    expect(api.fleetReport).not.toHaveBeenCalled();
    expect(output).not.toHaveBeenCalled();
  });

  it('resolves in an account the user may read', async () => {
    const ctx = mlContext({ input });
    await createCapaIdentityResolveAction({
      api: fakeFleetApi(),
      permissions: permissionsAllowing(['account:222222222222']).service,
    }).handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('identityRef', {
      kind: 'AWSClusterRoleIdentity',
      name: 'staging-identity',
    });
  });
});

describe('capa:trust:verify in a dry run checks capa.account.read before reading the last report', () => {
  it("refuses another team's account", async () => {
    const api = fakeFleetApi();
    const permissions = permissionsAllowing([]);
    // createMockActionContext takes no isDryRun: set it as the scaffolder's dry run does.
    const ctx = Object.assign(
      mlContext({ input: { accountId: '222222222222' } }),
      {
        isDryRun: true,
      },
    );
    await expect(
      createCapaTrustVerifyAction({
        api,
        permissions: permissions.service,
      }).handler(ctx as any),
    ).rejects.toThrow('permission capa.account.read on account:222222222222');
    expect(api.accountTrust).not.toHaveBeenCalled();
    expect(api.verifyAccount).not.toHaveBeenCalled();
  });

  it('reads the report of a readable account', async () => {
    const api = fakeFleetApi();
    // createMockActionContext takes no isDryRun: set it as the scaffolder's dry run does.
    const ctx = Object.assign(
      mlContext({ input: { accountId: '444444444444' } }),
      {
        isDryRun: true,
      },
    );
    await createCapaTrustVerifyAction({
      api,
      permissions: permissionsAllowing(['account:444444444444']).service,
    }).handler(ctx as any);
    expect(api.accountTrust).toHaveBeenCalledWith('444444444444');
    expect(ctx.output).toHaveBeenCalledWith('verdict', 'broken');
  });
});
