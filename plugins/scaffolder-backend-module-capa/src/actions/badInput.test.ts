/*
 * The bad-input matrix: every string input of capa:cluster:render, capa:identity:resolve and
 * capa:account:bootstrap against invalid names, ids, ARNs, regions, versions and YAML / shell / template
 * injection attempts. Every case must be rejected with an InputError that names the field, before anything
 * is written to the workspace (and, for the actions that read the fleet, before the backend is asked).
 */
import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaAccountBootstrapAction } from './accountBootstrap';
import { createCapaClusterRenderAction } from './clusterRender';
import { createCapaIdentityResolveAction } from './identityResolve';

const validRender = {
  name: 'web',
  namespace: 'staging',
  flavour: 'eks',
  region: 'eu-west-1',
  kubernetesVersion: 'v1.33',
  identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging-identity' },
  nodePools: [
    { name: 'general', instanceType: 'm6i.large', minSize: 1, maxSize: 3 },
  ],
  owner: 'group:default/payments-team',
  system: 'payments',
  tags: { team: 'payments' },
  sshKeyName: 'ops',
  outputPath: 'clusters/staging/web.yaml',
  writeFiles: true,
};
const validResolve = {
  managementCluster: 'mgmt-eu',
  accountId: '222222222222',
  namespace: 'staging',
  identityName: 'x-identity',
  createIfMissing: true,
};
const validBootstrap = {
  accountId: '123456789012',
  accountName: 'payments',
  managementPrincipalArn:
    'arn:aws:iam::111111111111:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
  externalId: 'capa-7f3a',
  principalTags: { team: 'platform' },
  allowedNamespaces: ['payments'],
  identityName: 'payments-identity',
  sessionName: 'capa',
  outputDir: 'accounts/payments',
  writeFiles: true,
};

/** Injection payloads every free string must refuse. */
const INJECTIONS: Array<[string, string]> = [
  ['newline', 'a\nb'],
  ['YAML document marker', 'a---b'],
  ['YAML document at line start', 'x\n---\nkind: Secret'],
  ['template expression', '{{ secrets.token }}'],
  ['scaffolder expression', '${{ parameters.x }}'],
  ['backtick', 'a`id`'],
  ['command substitution', 'a$(id)'],
  ['semicolon', 'a;rm -rf /'],
  ['pipe', 'a|b'],
  ['quote', 'a"b'],
  ['YAML flow indicator', '&anchor'],
];

type Case = [string, Record<string, unknown>, RegExp];

function set(
  base: Record<string, any>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(base));
  const parts = path.split('.');
  let cur = copy;
  for (const p of parts.slice(0, -1))
    cur = cur[/^\d+$/.test(p) ? Number(p) : p];
  cur[parts[parts.length - 1]] = value;
  return copy;
}

const fieldRe = (field: string) =>
  new RegExp(field.replace(/[.[\]]/g, m => `\\${m}`));

const renderCases: Case[] = [
  [
    'name: uppercase',
    set(validRender, 'name', 'Web'),
    /name: "Web" must be a DNS-1123 label/,
  ],
  [
    'name: underscore',
    set(validRender, 'name', 'my_cluster'),
    /name: .* DNS-1123/,
  ],
  ['name: leading dash', set(validRender, 'name', '-web'), /name: /],
  [
    'name: 64 characters',
    set(validRender, 'name', 'a'.repeat(64)),
    /name: .* at most 63/,
  ],
  [
    'name: too long with -control-plane',
    set(validRender, 'name', 'a'.repeat(55)),
    /name: a+-control-plane is 69 characters/,
  ],
  ['name: empty', set(validRender, 'name', ''), /name: is required/],
  [
    'namespace: dots',
    set(validRender, 'namespace', 'team.a'),
    /namespace: .* DNS-1123/,
  ],
  [
    'region: made up',
    set(validRender, 'region', 'eu-middle-9'),
    /region: .* not an AWS region/,
  ],
  ['region: upper case', set(validRender, 'region', 'EU-WEST-1'), /region: /],
  [
    'region: availability zone',
    set(validRender, 'region', 'eu-west-1a'),
    /region: /,
  ],
  [
    'kubernetesVersion: 2.0',
    set(validRender, 'kubernetesVersion', '2.0'),
    /kubernetesVersion: .* not a Kubernetes version/,
  ],
  [
    'kubernetesVersion: latest',
    set(validRender, 'kubernetesVersion', 'latest'),
    /kubernetesVersion: /,
  ],
  [
    'kubernetesVersion: suffix',
    set(validRender, 'kubernetesVersion', 'v1.33-eks'),
    /kubernetesVersion: /,
  ],
  [
    'flavour: unknown',
    set(validRender, 'flavour', 'rosa'),
    /flavour: "rosa" is not one of eks, kubeadm/,
  ],
  [
    'identityRef.kind: unknown',
    set(validRender, 'identityRef.kind', 'ServiceAccount'),
    /identityRef.kind: /,
  ],
  [
    'identityRef.name: invalid',
    set(validRender, 'identityRef.name', 'Bad Name'),
    /identityRef.name: /,
  ],
  [
    'identityRef: controller not default',
    set(validRender, 'identityRef', {
      kind: 'AWSClusterControllerIdentity',
      name: 'other',
    }),
    /always named default/,
  ],
  [
    'nodePools[0].instanceType: invalid',
    set(validRender, 'nodePools.0.instanceType', 'large'),
    /nodePools\[0\]\.instanceType: .* EC2 instance type/,
  ],
  [
    'nodePools[0].instanceType: upper case',
    set(validRender, 'nodePools.0.instanceType', 'M6I.LARGE'),
    /nodePools\[0\]\.instanceType/,
  ],
  [
    'nodePools[0].name: invalid',
    set(validRender, 'nodePools.0.name', 'Pool_A'),
    /nodePools\[0\]\.name/,
  ],
  [
    'nodePools[0]: min > max',
    set(validRender, 'nodePools.0.minSize', 9),
    /nodePools\[0\]\.minSize: 9 is greater than maxSize 3/,
  ],
  [
    'nodePools[0].minSize: negative',
    set(validRender, 'nodePools.0.minSize', -1),
    /nodePools\[0\]\.minSize: must be at least 0/,
  ],
  [
    'nodePools[0].maxSize: fraction',
    set(validRender, 'nodePools.0.maxSize', 2.5),
    /nodePools\[0\]\.maxSize: must be an integer/,
  ],
  [
    'nodePools: empty',
    set(validRender, 'nodePools', []),
    /nodePools: must list at least one node pool/,
  ],
  [
    'owner: not an entity ref',
    set(validRender, 'owner', 'group:default/'),
    /owner: /,
  ],
  ['system: spaces', set(validRender, 'system', 'my system'), /system: /],
  [
    'tags: reserved aws: key',
    set(validRender, 'tags', { 'aws:createdBy': 'x' }),
    /tags key: "aws:createdBy" uses the reserved aws: prefix/,
  ],
  [
    'tags: key too long',
    set(validRender, 'tags', { ['k'.repeat(129)]: 'x' }),
    /tags key: .* at most 128/,
  ],
  [
    'tags: value with characters AWS refuses',
    set(validRender, 'tags', { team: 'a#b' }),
    /tags\["team"\]: .* AWS tags do not allow/,
  ],
  [
    'outputPath: escapes the workspace',
    set(validRender, 'outputPath', '../../etc/passwd'),
    /outputPath: /,
  ],
  [
    'outputPath: absolute',
    set(validRender, 'outputPath', '/etc/passwd'),
    /outputPath: /,
  ],
  [
    'sshKeyName: shell',
    set(validRender, 'sshKeyName', 'key;reboot'),
    /sshKeyName: /,
  ],
  [
    'identityManifest: wrong kind',
    set(validRender, 'identityManifest', {
      kind: 'Secret',
      metadata: { name: 'x' },
    }),
    /identityManifest: must be the AWSClusterRoleIdentity/,
  ],
];
for (const field of [
  'name',
  'namespace',
  'region',
  'kubernetesVersion',
  'identityRef.name',
  'nodePools.0.name',
  'nodePools.0.instanceType',
  'owner',
  'system',
  'sshKeyName',
  'outputPath',
]) {
  for (const [what, payload] of INJECTIONS) {
    const label = field.replace(/\.(\d+)\./, '[$1].');
    renderCases.push([
      `${label}: ${what}`,
      set(validRender, field, payload),
      fieldRe(`${label}: `),
    ]);
  }
}
for (const [what, payload] of INJECTIONS) {
  renderCases.push([
    `tags value: ${what}`,
    set(validRender, 'tags', { team: payload }),
    /tags\["team"\]: /,
  ]);
  renderCases.push([
    `tags key: ${what}`,
    set(validRender, 'tags', { [payload]: 'x' }),
    /tags key: /,
  ]);
}

const resolveCases: Case[] = [
  [
    'accountId: 11 digits',
    set(validResolve, 'accountId', '22222222222'),
    /accountId: .* not an AWS account id/,
  ],
  [
    'accountId: letters',
    set(validResolve, 'accountId', '22222222222a'),
    /accountId: /,
  ],
  [
    'accountId: number',
    set(validResolve, 'accountId', 222222222222),
    /accountId: must be a string/,
  ],
  [
    'namespace: uppercase',
    set(validResolve, 'namespace', 'Staging'),
    /namespace: /,
  ],
  [
    'namespace: 64 characters',
    set(validResolve, 'namespace', 'n'.repeat(64)),
    /namespace: .* at most 63/,
  ],
  [
    'managementCluster: spaces',
    set(validResolve, 'managementCluster', 'mgmt eu'),
    /managementCluster: /,
  ],
  [
    'identityName: uppercase',
    set(validResolve, 'identityName', 'Staging'),
    /identityName: /,
  ],
  [
    'namingConvention: unknown',
    set(validResolve, 'namingConvention', 'nodes'),
    /namingConvention: "nodes" is not one of controllers, control-plane/,
  ],
  [
    'partition: unknown',
    set(validResolve, 'partition', 'aws-iso'),
    /partition: "aws-iso" is not one of aws, aws-cn, aws-us-gov/,
  ],
  [
    'createIfMissing: string',
    set(validResolve, 'createIfMissing', 'yes'),
    /createIfMissing: must be true or false/,
  ],
];
for (const field of [
  'managementCluster',
  'accountId',
  'namespace',
  'identityName',
]) {
  for (const [what, payload] of INJECTIONS)
    resolveCases.push([
      `${field}: ${what}`,
      set(validResolve, field, payload),
      fieldRe(`${field}: `),
    ]);
}

const bootstrapCases: Case[] = [
  [
    'accountId: 13 digits',
    set(validBootstrap, 'accountId', '1234567890123'),
    /accountId: /,
  ],
  [
    'managementPrincipalArn: partition aws-iso',
    set(
      validBootstrap,
      'managementPrincipalArn',
      'arn:aws-iso:iam::111111111111:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
    ),
    /partition "aws-iso" is not one of/,
  ],
  [
    'managementPrincipalArn: not IAM',
    set(validBootstrap, 'managementPrincipalArn', 'arn:aws:s3:::bucket'),
    /managementPrincipalArn: .* not an IAM role ARN/,
  ],
  [
    'managementPrincipalArn: user, not role',
    set(
      validBootstrap,
      'managementPrincipalArn',
      'arn:aws:iam::111111111111:user/admin',
    ),
    /not an IAM role ARN/,
  ],
  [
    'managementPrincipalArn: short account',
    set(validBootstrap, 'managementPrincipalArn', 'arn:aws:iam::1111:role/x'),
    /account "1111" of the ARN is not 12 digits/,
  ],
  [
    'managementPrincipalArn: region set',
    set(
      validBootstrap,
      'managementPrincipalArn',
      'arn:aws:iam:eu-west-1:111111111111:role/x',
    ),
    /IAM ARNs have no region/,
  ],
  [
    'managementPrincipalArn: role name with spaces',
    set(
      validBootstrap,
      'managementPrincipalArn',
      'arn:aws:iam::111111111111:role/my role',
    ),
    /managementPrincipalArn: /,
  ],
  [
    'partition: unknown',
    set(validBootstrap, 'partition', 'azure'),
    /partition: /,
  ],
  [
    'namingConvention: unknown',
    set(validBootstrap, 'namingConvention', 'nodes'),
    /namingConvention: /,
  ],
  [
    'externalId: too short',
    set(validBootstrap, 'externalId', 'x'),
    /externalId: /,
  ],
  [
    'externalId: spaces',
    set(validBootstrap, 'externalId', 'a b'),
    /externalId: /,
  ],
  [
    'principalTags: empty value',
    set(validBootstrap, 'principalTags', { team: '' }),
    /principalTags\["team"\]: must not be empty/,
  ],
  [
    'principalTags: aws: key',
    set(validBootstrap, 'principalTags', { 'aws:x': 'y' }),
    /reserved aws: prefix/,
  ],
  [
    'allowedNamespaces: empty',
    set(validBootstrap, 'allowedNamespaces', []),
    /allowedNamespaces: list at least one namespace/,
  ],
  [
    'allowedNamespaces[0]: uppercase',
    set(validBootstrap, 'allowedNamespaces', ['Payments']),
    /allowedNamespaces\[0\]: /,
  ],
  [
    'durationSeconds: too long',
    set(validBootstrap, 'durationSeconds', 50000),
    /durationSeconds: must be at most 43200/,
  ],
  [
    'accountName: uppercase',
    set(validBootstrap, 'accountName', 'Payments'),
    /accountName: /,
  ],
  [
    'outputDir: escapes the workspace',
    set(validBootstrap, 'outputDir', 'accounts/../../x'),
    /outputDir: /,
  ],
];
for (const field of [
  'accountId',
  'accountName',
  'managementPrincipalArn',
  'externalId',
  'identityName',
  'sessionName',
  'outputDir',
  'allowedNamespaces.0',
]) {
  const label = field.replace(/\.(\d+)$/, '[$1]');
  for (const [what, payload] of INJECTIONS)
    bootstrapCases.push([
      `${label}: ${what}`,
      set(validBootstrap, field, payload),
      fieldRe(`${label}: `),
    ]);
}
for (const [what, payload] of INJECTIONS) {
  bootstrapCases.push([
    `principalTags value: ${what}`,
    set(validBootstrap, 'principalTags', { team: payload }),
    /principalTags\["team"\]: /,
  ]);
}

describe('bad input matrix', () => {
  const workspace = createMockDirectory();
  beforeEach(() => workspace.clear());

  it('accepts the valid baselines (so each case fails for its own field only)', async () => {
    const api = fakeFleetApi();
    for (const [action, input] of [
      [createCapaClusterRenderAction(), validRender],
      [createCapaIdentityResolveAction({ api }), validResolve],
      [createCapaAccountBootstrapAction({ api }), validBootstrap],
    ] as const) {
      await action.handler(
        createMockActionContext({
          input: input as any,
          workspacePath: workspace.path,
        }) as any,
      );
    }
    expect(Object.keys(workspace.content()!).sort()).toEqual([
      'accounts',
      'clusters',
    ]);
  });

  describe.each([
    ['capa:cluster:render', () => createCapaClusterRenderAction(), renderCases],
    [
      'capa:identity:resolve',
      (api: any) => createCapaIdentityResolveAction({ api }),
      resolveCases,
    ],
    [
      'capa:account:bootstrap',
      (api: any) => createCapaAccountBootstrapAction({ api }),
      bootstrapCases,
    ],
  ] as const)('%s', (_, make, cases) => {
    it.each(cases)('rejects %s', async (__, input, message) => {
      const api = fakeFleetApi();
      const ctx = createMockActionContext({
        input: input as any,
        workspacePath: workspace.path,
      });
      const error = await make(api)
        .handler(ctx as any)
        .then(
          () => undefined,
          e => e,
        );
      expect(error).toBeDefined();
      expect(error.name).toBe('InputError');
      expect(error.message).toMatch(message);
      expect(workspace.content()).toEqual({});
      expect(ctx.output).not.toHaveBeenCalled();
      expect(api.fleetReport).not.toHaveBeenCalled();
    });
  });

  it('rejects a namespace the identity refuses (capa:identity:resolve) and writes nothing', async () => {
    const api = fakeFleetApi();
    const ctx = createMockActionContext({
      input: {
        managementCluster: 'mgmt-eu',
        accountId: '222222222222',
        namespace: 'live',
      },
      workspacePath: workspace.path,
    });
    await expect(
      createCapaIdentityResolveAction({ api }).handler(ctx as any),
    ).rejects.toThrow(
      /no identity on mgmt-eu admits namespace live for account 222222222222.*AWSClusterRoleIdentity\/staging-identity: .*namespace live is not in allowedNamespaces.list \[staging\]/,
    );
    expect(ctx.output).not.toHaveBeenCalled();
    expect(workspace.content()).toEqual({});
  });
});
