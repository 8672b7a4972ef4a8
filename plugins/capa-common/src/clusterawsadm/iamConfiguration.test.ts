import { evaluatePolicy } from '../iam/evaluate';
import {
  defaultControllerPrincipal,
  parseIamConfiguration,
  roleForArn,
} from './iamConfiguration';

const S = '.cluster-api-provider-aws.sigs.k8s.io';
const canAssume = (statements: any, resource: string) =>
  evaluatePolicy(statements, {
    action: 'sts:AssumeRole',
    resource,
    context: {},
  }).decision;

describe('parseIamConfiguration (clusterawsadm bootstrap template)', () => {
  it('names the three roles <namePrefix><name><nameSuffix> with the default suffix', () => {
    const c = parseIamConfiguration({ spec: {} });
    expect(c.roles.controllers.name).toBe(`controllers${S}`);
    expect(c.roles['control-plane'].name).toBe(`control-plane${S}`);
    expect(c.roles.nodes.name).toBe(`nodes${S}`);
  });

  it('applies namePrefix and a custom nameSuffix (which replaces the default suffix, as NewManagedName does)', () => {
    const c = parseIamConfiguration({
      spec: { namePrefix: 'acme-', nameSuffix: '.custom-suffix.com' },
    });
    expect(c.roles.controllers.name).toBe('acme-controllers.custom-suffix.com');
    expect(c.allowedEC2InstanceProfiles).toEqual([
      'arn:*:iam::*:role/acme-*.custom-suffix.com',
    ]);
  });

  it('an explicit empty nameSuffix means no suffix', () => {
    expect(
      parseIamConfiguration({ spec: { nameSuffix: '' } }).roles.controllers
        .name,
    ).toBe('controllers');
  });

  type Case = [
    string,
    Record<string, unknown>,
    'controllers' | 'control-plane' | 'nodes',
    string,
    string,
  ];
  const TARGET_DEFAULT = `arn:aws:iam::222222222222:role/controllers${S}`;
  const TARGET_CUSTOM = 'arn:aws:iam::222222222222:role/capa-target';
  const cases: Case[] = [
    [
      'allowAssumeRole covers <namePrefix>*<nameSuffix> for the controllers role',
      { allowAssumeRole: true },
      'controllers',
      TARGET_DEFAULT,
      'allowed',
    ],
    [
      'without allowAssumeRole the controllers role may not assume',
      {},
      'controllers',
      TARGET_DEFAULT,
      'implicitDeny',
    ],
    [
      'allowAssumeRole does not cover a custom role name',
      { allowAssumeRole: true },
      'controllers',
      TARGET_CUSTOM,
      'implicitDeny',
    ],
    [
      'allowAssumeRole with a namePrefix only covers prefixed roles',
      { allowAssumeRole: true, namePrefix: 'acme-' },
      'controllers',
      TARGET_DEFAULT,
      'implicitDeny',
    ],
    [
      'allowedEC2InstanceProfiles replace the default pattern',
      {
        allowAssumeRole: true,
        clusterAPIControllers: { allowedEC2InstanceProfiles: ['capa-*'] },
      },
      'controllers',
      TARGET_CUSTOM,
      'allowed',
    ],
    [
      'the controllers policy (allowAssumeRole) is attached to the control-plane role too',
      { allowAssumeRole: true },
      'control-plane',
      TARGET_DEFAULT,
      'allowed',
    ],
    [
      'disableClusterAPIControllerPolicyAttachment removes it from the control-plane role',
      {
        allowAssumeRole: true,
        controlPlane: { disableClusterAPIControllerPolicyAttachment: true },
      },
      'control-plane',
      TARGET_DEFAULT,
      'implicitDeny',
    ],
    [
      'clusterAPIControllers.extraStatements belong to the controllers role',
      {
        clusterAPIControllers: {
          extraStatements: [
            {
              Effect: 'Allow',
              Action: ['sts:AssumeRole'],
              Resource: [TARGET_CUSTOM],
            },
          ],
        },
      },
      'controllers',
      TARGET_CUSTOM,
      'allowed',
    ],
    [
      'clusterAPIControllers.extraStatements do not reach the control-plane role',
      {
        clusterAPIControllers: {
          extraStatements: [
            {
              Effect: 'Allow',
              Action: ['sts:AssumeRole'],
              Resource: [TARGET_CUSTOM],
            },
          ],
        },
      },
      'control-plane',
      TARGET_CUSTOM,
      'implicitDeny',
    ],
    [
      'controlPlane.extraStatements belong to the control-plane role (DKP)',
      {
        controlPlane: {
          extraStatements: [
            {
              Effect: 'Allow',
              Action: ['sts:AssumeRole'],
              Resource: [TARGET_CUSTOM],
            },
          ],
        },
      },
      'control-plane',
      TARGET_CUSTOM,
      'allowed',
    ],
    [
      'controlPlane.extraStatements do not reach the controllers role',
      {
        controlPlane: {
          extraStatements: [
            {
              Effect: 'Allow',
              Action: ['sts:AssumeRole'],
              Resource: [TARGET_CUSTOM],
            },
          ],
        },
      },
      'controllers',
      TARGET_CUSTOM,
      'implicitDeny',
    ],
    [
      'the nodes role never gets the controllers policy',
      { allowAssumeRole: true },
      'nodes',
      TARGET_DEFAULT,
      'implicitDeny',
    ],
    [
      'lower-case statement keys are dropped by clusterawsadm (case-sensitive decoding)',
      {
        clusterAPIControllers: {
          extraStatements: [
            { effect: 'Allow', action: ['sts:AssumeRole'], resource: ['*'] },
          ],
        },
      },
      'controllers',
      TARGET_CUSTOM,
      'implicitDeny',
    ],
  ];
  it.each(cases)('%s', (_n, spec, role, target, decision) => {
    const c = parseIamConfiguration(
      {
        apiVersion: 'bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'AWSIAMConfiguration',
        spec,
      },
      'iam.yaml',
    );
    expect(canAssume(c.roles[role].permissionStatements, target)).toBe(
      decision,
    );
  });

  it('renders the trust policies: controllers trusts ec2 and (EKS on) pods.eks with TagSession, plus trustStatements', () => {
    const c = parseIamConfiguration({
      spec: {
        clusterAPIControllers: {
          trustStatements: [
            {
              Effect: 'Allow',
              Action: ['sts:AssumeRole'],
              Principal: { AWS: ['arn:aws:iam::111111111111:role/x'] },
            },
          ],
        },
      },
    });
    expect(c.roles.controllers.trustStatements[0].statement).toEqual({
      Effect: 'Allow',
      Principal: { Service: ['ec2.amazonaws.com', 'pods.eks.amazonaws.com'] },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    });
    expect(c.roles.controllers.trustStatements).toHaveLength(2);
    expect(c.roles['control-plane'].trustStatements).toHaveLength(1);
    const noEks = parseIamConfiguration({ spec: { eks: { disable: true } } });
    expect(
      noEks.roles.controllers.trustStatements[0].statement.Principal,
    ).toEqual({ Service: ['ec2.amazonaws.com'] });
  });

  it('controlPlane.trustStatements and nodes.trustStatements extend their own roles only', () => {
    const stmt = {
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Principal: { AWS: ['arn:aws:iam::111111111111:role/x'] },
    };
    const c = parseIamConfiguration({
      spec: {
        controlPlane: { trustStatements: [stmt] },
        nodes: { trustStatements: [stmt] },
      },
    });
    expect(c.roles['control-plane'].trustStatements).toHaveLength(2);
    expect(c.roles.nodes.trustStatements).toHaveLength(2);
    expect(c.roles.controllers.trustStatements).toHaveLength(1);
  });

  it('the bootstrap user gets the controllers policy and its own extraStatements', () => {
    const c = parseIamConfiguration({
      spec: { allowAssumeRole: true, bootstrapUser: { enable: true } },
    });
    expect(c.bootstrapUser?.name).toBe(
      'bootstrapper.cluster-api-provider-aws.sigs.k8s.io',
    );
    expect(
      canAssume(
        c.bootstrapUser!.permissionStatements,
        `arn:aws:iam::222222222222:role/controllers${S}`,
      ),
    ).toBe('allowed');
  });

  it('finds the role an ARN names, and the default management principal', () => {
    const c = parseIamConfiguration({ spec: { namePrefix: 'p-' } });
    expect(
      roleForArn(
        c,
        'arn:aws:iam::1:role/p-control-plane.cluster-api-provider-aws.sigs.k8s.io',
      )?.key,
    ).toBe('control-plane');
    expect(
      roleForArn(c, `arn:aws:iam::1:role/control-plane${S}`),
    ).toBeUndefined();
    expect(defaultControllerPrincipal(c, '111111111111')).toBe(
      `arn:aws:iam::111111111111:role/p-controllers${S}`,
    );
    expect(defaultControllerPrincipal(undefined, '111111111111')).toBe(
      `arn:aws:iam::111111111111:role/controllers${S}`,
    );
  });

  it('reports bad shapes as problems and never throws', () => {
    for (const junk of [
      null,
      5,
      'x',
      [],
      { spec: 'x' },
      { spec: { clusterAPIControllers: { extraStatements: 'x' } } },
      {
        spec: {
          clusterAPIControllers: {
            extraStatements: [{ Effect: 'Maybe', Action: 'x' }],
          },
        },
      },
    ]) {
      expect(() => parseIamConfiguration(junk)).not.toThrow();
    }
    expect(
      parseIamConfiguration({
        spec: { clusterAPIControllers: { disabled: false } },
      }).problems[0].message,
    ).toContain('disable');
  });
});
