import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { FleetInput, KubeObject } from '@capa-portal/plugin-capa-common';
import { evaluateFleet, evaluatePolicy } from '@capa-portal/plugin-capa-common';
import { CrdSchemaRegistry } from '@capa-portal/plugin-capa-node';
import { parse } from 'yaml';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import {
  createCapaAccountBootstrapAction,
  generateBootstrap,
} from './accountBootstrap';

const MGMT = '111111111111';
const TARGET = '123456789012';
const PRINCIPAL = `arn:aws:iam::${MGMT}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`;

describe('capa:account:bootstrap', () => {
  const api = fakeFleetApi();

  it('writes a trust policy that admits the management principal with the right external id and tags, and refuses otherwise', async () => {
    const result = await generateBootstrap(api, {
      accountId: TARGET,
      managementCluster: 'mgmt-eu',
      externalId: 'capa-7f3a',
      principalTags: { team: 'platform' },
      allowedNamespaces: ['payments'],
    });
    expect(result.managementPrincipalArn).toBe(PRINCIPAL);
    expect(result.trustPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'CapaManagementAssumeRole',
          Effect: 'Allow',
          Principal: { AWS: [PRINCIPAL] },
          Action: ['sts:AssumeRole'],
          Condition: {
            StringEquals: {
              'sts:ExternalId': 'capa-7f3a',
              'aws:PrincipalTag/team': 'platform',
            },
          },
        },
      ],
    });
    const request = (externalId: string | null, team: string | null) => ({
      principal: { type: 'AWS' as const, arn: PRINCIPAL, accountId: MGMT },
      action: 'sts:AssumeRole',
      context: { 'sts:ExternalId': externalId, 'aws:PrincipalTag/team': team },
    });
    expect(
      evaluatePolicy(result.trustPolicy, request('capa-7f3a', 'platform'))
        .decision,
    ).toBe('allowed');
    expect(
      evaluatePolicy(result.trustPolicy, request('wrong', 'platform')).decision,
    ).toBe('implicitDeny');
    expect(
      evaluatePolicy(result.trustPolicy, request(null, 'platform')).decision,
    ).toBe('implicitDeny');
    expect(
      evaluatePolicy(result.trustPolicy, request('capa-7f3a', 'other'))
        .decision,
    ).toBe('implicitDeny');
    const stranger = {
      ...request('capa-7f3a', 'platform'),
      principal: {
        type: 'AWS' as const,
        arn: `arn:aws:iam::131313131313:role/controllers.cluster-api-provider-aws.sigs.k8s.io`,
        accountId: '131313131313',
      },
    };
    expect(evaluatePolicy(result.trustPolicy, stranger).decision).toBe(
      'implicitDeny',
    );
    // the management policy allows assuming exactly the target role
    expect(
      evaluatePolicy(result.managementPolicy, {
        action: 'sts:AssumeRole',
        resource: result.roleArn,
      }).decision,
    ).toBe('allowed');
  });

  it('produces clusterawsadm configs and an identity that the trust engine rates configured end to end', async () => {
    const result = await generateBootstrap(api, {
      accountId: TARGET,
      accountName: 'payments-live',
      managementCluster: 'mgmt-eu',
      externalId: 'capa-7f3a',
      allowedNamespaces: ['payments-live'],
    });
    expect(result.targetIamConfiguration).toEqual({
      apiVersion: 'bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'AWSIAMConfiguration',
      spec: {
        clusterAPIControllers: {
          trustStatements: [
            {
              Effect: 'Allow',
              Principal: { AWS: [PRINCIPAL] },
              Action: ['sts:AssumeRole'],
              Condition: { StringEquals: { 'sts:ExternalId': 'capa-7f3a' } },
            },
          ],
        },
      },
    });
    expect(
      (result.managementIamConfiguration as any).spec.clusterAPIControllers
        .extraStatements,
    ).toEqual([
      {
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: [
          `arn:aws:iam::${TARGET}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`,
        ],
      },
    ]);
    expect(result.identityManifest).toEqual({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSClusterRoleIdentity',
      metadata: { name: 'payments-live-identity' },
      spec: {
        allowedNamespaces: { list: ['payments-live'] },
        roleARN: `arn:aws:iam::${TARGET}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`,
        sourceIdentityRef: {
          kind: 'AWSClusterControllerIdentity',
          name: 'default',
        },
        externalID: 'capa-7f3a',
      },
    });
    expect(
      CrdSchemaRegistry.fromDirectory().validate(result.identityManifest),
    ).toMatchObject({ ok: true });

    // Feed the generated files (as YAML text, as a user would commit them) to the real trust engine.
    const file = (suffix: string) =>
      parse(result.files.find(f => f.path.endsWith(suffix))!.content);
    const controller: KubeObject = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSClusterControllerIdentity',
      metadata: { name: 'default' },
      spec: { allowedNamespaces: {} },
    };
    const input: FleetInput = {
      managementClusters: [
        {
          name: 'mgmt-eu',
          accountId: MGMT,
          controllerPrincipalArn: PRINCIPAL,
          iamConfiguration: file('/iam-management-change.yaml'),
          objects: [
            controller,
            parse(
              result.files.find(f => f.path.endsWith('/identity.yaml'))!
                .content,
            ),
          ].map((object, i) => ({
            object,
            location: { source: 'x.yaml', line: i },
          })),
        },
      ],
      accounts: [
        {
          accountId: TARGET,
          name: 'payments-live',
          iamConfiguration: file('/iam-target.yaml'),
        },
      ],
    };
    const report = evaluateFleet(input);
    const identity = report.identities.find(
      i => i.name === 'payments-live-identity',
    )!;
    expect(
      identity.checks.filter(c => c.status === 'fail' || c.status === 'warn'),
    ).toEqual([]);
    expect(identity.verdict).toBe('configured');
  });

  it('uses the DKP control-plane role and section, and the management change goes to controlPlane for a control-plane principal', async () => {
    const result = await generateBootstrap(api, {
      accountId: TARGET,
      managementCluster: 'mgmt-us',
      namingConvention: 'control-plane',
      allowedNamespaces: ['analytics'],
    });
    expect(result.roleArn).toBe(
      `arn:aws:iam::${TARGET}:role/control-plane.cluster-api-provider-aws.sigs.k8s.io`,
    );
    expect(Object.keys((result.targetIamConfiguration as any).spec)).toEqual([
      'controlPlane',
    ]);
    expect(
      Object.keys((result.managementIamConfiguration as any).spec),
    ).toEqual(['controlPlane']);
  });

  it('for an IRSA / Pod Identity principal it gives the inline policy only', async () => {
    const result = await generateBootstrap(undefined, {
      accountId: TARGET,
      managementPrincipalArn:
        'arn:aws-us-gov:iam::111111111111:role/capa-controller-pod-identity',
      allowedNamespaces: ['gov'],
    });
    expect(result.managementIamConfiguration).toBeUndefined();
    expect(result.roleArn).toBe(
      `arn:aws-us-gov:iam::${TARGET}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`,
    );
    expect((result.targetIamConfiguration as any).spec.partition).toBe(
      'aws-us-gov',
    );
    expect(result.notes.join(' ')).toContain('attach managementPolicy');
  });

  it('needs a management cluster or principal and at least one namespace', async () => {
    await expect(
      generateBootstrap(api, { accountId: TARGET, allowedNamespaces: [] }),
    ).rejects.toThrow(
      /managementCluster: give managementCluster.*allowedNamespaces: list at least one namespace/,
    );
  });

  it('writes the five files into the workspace only when asked', async () => {
    const workspace = createMockDirectory();
    const action = createCapaAccountBootstrapAction({ api });
    const ctx = createMockActionContext({
      input: {
        accountId: TARGET,
        managementCluster: 'mgmt-eu',
        allowedNamespaces: ['a'],
        writeFiles: true,
      },
      workspacePath: workspace.path,
    });
    await action.handler(ctx as any);
    expect(Object.keys(workspace.content()!)).toEqual(['accounts']);
    expect(
      Object.keys((workspace.content() as any).accounts[TARGET]).sort(),
    ).toEqual([
      'iam-management-change.yaml',
      'iam-target.yaml',
      'identity.yaml',
      'management-policy.json',
      'trust-policy.json',
    ]);
  });
});
