import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { CrdSchemaRegistry } from '@capa-portal/plugin-capa-node';
import { demoFleetReport, fakeFleetApi } from '../__testUtils__/demoFleet';
import {
  createCapaIdentityResolveAction,
  resolveIdentity,
} from './identityResolve';

describe('capa:identity:resolve', () => {
  const api = fakeFleetApi();

  it('returns the role identity that admits the namespace, with its role ARN and verdict', async () => {
    const result = await resolveIdentity(api, {
      managementCluster: 'mgmt-eu',
      accountId: '222222222222',
      namespace: 'staging',
    });
    expect(result).toMatchObject({
      identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging-identity' },
      roleArn:
        'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
      verdict: 'configured',
      created: false,
    });
  });

  it('decides per namespace: dev-identity is fine for dev-payments although experiments-dev makes the identity broken', async () => {
    const result = await resolveIdentity(api, {
      managementCluster: 'mgmt-eu',
      accountId: '121212121212',
      namespace: 'dev-payments',
    });
    expect(result.identityRef).toEqual({
      kind: 'AWSClusterRoleIdentity',
      name: 'dev-identity',
    });
    expect(result.verdict).toBe('configured');
  });

  it('refuses a namespace the identity does not admit, naming each identity and why', async () => {
    const error = await resolveIdentity(api, {
      managementCluster: 'mgmt-eu',
      accountId: '121212121212',
      namespace: 'dev-experiments',
    }).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain('AWSClusterRoleIdentity/dev-identity');
    expect(error.message).toMatch(
      /does not match allowedNamespaces.selector|does not allow namespace dev-experiments/,
    );
    expect(error.message).toContain('createIfMissing');
  });

  it('refuses an identity whose trust is broken (ml-sandbox: target-trust fails)', async () => {
    const error = await resolveIdentity(api, {
      managementCluster: 'mgmt-eu',
      accountId: '444444444444',
      namespace: 'ml-sandbox',
    }).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain('target-trust fail');
  });

  it('says when no identity targets the account at all', async () => {
    const error = await resolveIdentity(api, {
      managementCluster: 'mgmt-eu',
      accountId: '123456789012',
      namespace: 'team-a',
    }).catch(e => e);
    expect(error.message).toContain(
      'no identity on mgmt-eu targets account 123456789012',
    );
  });

  it('names the configured management clusters when the name is unknown', async () => {
    const error = await resolveIdentity(api, {
      managementCluster: 'mgmt-xx',
      accountId: '222222222222',
      namespace: 'staging',
    }).catch(e => e);
    expect(error.message).toContain('known: mgmt-eu, mgmt-us');
  });

  it('generates an AWSClusterRoleIdentity like the existing one when createIfMissing is set, valid against the CRD', async () => {
    const result = await resolveIdentity(api, {
      managementCluster: 'mgmt-eu',
      accountId: '222222222222',
      namespace: 'staging-b',
      createIfMissing: true,
    });
    expect(result.created).toBe(true);
    expect(result.identityRef).toEqual({
      kind: 'AWSClusterRoleIdentity',
      name: 'staging-b-222222222222',
    });
    expect(result.identityManifest).toEqual({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSClusterRoleIdentity',
      metadata: { name: 'staging-b-222222222222' },
      spec: {
        allowedNamespaces: { list: ['staging-b'] },
        roleARN:
          'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
        sourceIdentityRef: {
          kind: 'AWSClusterControllerIdentity',
          name: 'default',
        },
      },
    });
    expect(result.verdict).toBe('configured');
    expect(
      CrdSchemaRegistry.fromDirectory().validate(result.identityManifest),
    ).toMatchObject({ ok: true });
    expect(result.identityYaml).toContain('kind: AWSClusterRoleIdentity');
  });

  /** The demo fleet with mgmt-eu's controllers in `partition` (as a GovCloud or China management cluster). */
  async function withMgmtEuIn(partition: string) {
    const report = await demoFleetReport();
    return fakeFleetApi({
      ...report,
      managementClusters: report.managementClusters.map(m =>
        m.name === 'mgmt-eu'
          ? {
              ...m,
              controllerPrincipalArn: m.controllerPrincipalArn.replace(
                /^arn:aws:/,
                `arn:${partition}:`,
              ),
            }
          : m,
      ),
    });
  }

  it('generates an identity for an account with none, using the naming convention and partition', async () => {
    const result = await resolveIdentity(await withMgmtEuIn('aws-us-gov'), {
      managementCluster: 'mgmt-eu',
      accountId: '123456789012',
      namespace: 'team-a',
      createIfMissing: true,
      namingConvention: 'control-plane',
      partition: 'aws-us-gov',
    });
    expect(result.roleArn).toBe(
      'arn:aws-us-gov:iam::123456789012:role/control-plane.cluster-api-provider-aws.sigs.k8s.io',
    );
    expect(result.verdict).toBe('unknown');
  });

  it("builds the new role ARN in the management principal's partition when none is given (AssumeRole never crosses one)", async () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_cross_partition.html
    const result = await resolveIdentity(await withMgmtEuIn('aws-cn'), {
      managementCluster: 'mgmt-eu',
      accountId: '123456789012',
      namespace: 'team-a',
      createIfMissing: true,
    });
    expect(result.roleArn).toBe(
      'arn:aws-cn:iam::123456789012:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
    );
  });

  it("refuses a partition other than the management principal's", async () => {
    const error = await resolveIdentity(api, {
      managementCluster: 'mgmt-eu',
      accountId: '123456789012',
      namespace: 'team-a',
      createIfMissing: true,
      partition: 'aws-us-gov',
    }).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      "partition aws-us-gov differs from the management principal's (aws)",
    );
  });

  it('outputs identityRef, verdict and the manifest from the action', async () => {
    const action = createCapaIdentityResolveAction({ api });
    const ctx = createMockActionContext({
      input: {
        managementCluster: 'mgmt-us',
        accountId: '888888888888',
        namespace: 'retail',
      },
    });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('identityRef', {
      kind: 'AWSClusterRoleIdentity',
      name: 'retail-live-us',
    });
    expect(ctx.output).toHaveBeenCalledWith('created', false);
  });
});
