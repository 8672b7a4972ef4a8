import fc from 'fast-check';
import type {
  Check,
  CheckId,
  ClusterReport,
  FleetInput,
  FleetReport,
  LiveEvidence,
} from '../types';
import { parseManifests } from '../manifests/parseManifests';
import { eksClusterKey } from '../types';
import { evaluateFleet, planEvidence } from './engine';
import {
  awsCluster,
  controllerIdentity,
  controllersArn,
  controlPlaneArn,
  eksCluster,
  fleet,
  LIVE,
  located,
  managementIamConfig,
  MGMT,
  namespace,
  roleIdentity,
  STAGING,
  staticIdentity,
  SUFFIX,
  targetIamConfig,
} from '../__testUtils__/fixtures';

const NOW = { now: new Date('2024-01-01T00:00:00Z') };
const run = (input: FleetInput, live?: LiveEvidence): FleetReport =>
  evaluateFleet(input, live, NOW);
const cluster = (r: FleetReport, name: string): ClusterReport => {
  const c = r.clusters.find(x => x.name === name);
  if (!c) throw new Error(`no cluster ${name}: ${r.clusters.map(x => x.name)}`);
  return c;
};
const chk = (c: { checks: Check[] }, id: CheckId): Check => {
  const found = c.checks.find(x => x.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};
const STAGING_ROLE = controllersArn(STAGING);
const staging = (extra: Record<string, unknown> = {}) =>
  roleIdentity('staging', STAGING_ROLE, {
    allowedNamespaces: { list: ['staging'] },
    ...extra,
  });
const base = () => [
  controllerIdentity(),
  staging(),
  ...awsCluster('staging', 'web', {
    kind: 'AWSClusterRoleIdentity',
    name: 'staging',
  }),
];

describe('evaluateFleet: the happy path (CAPA multi-account guide)', () => {
  const r = run(fleet(base()));
  const web = cluster(r, 'web');
  it('is configured: every check passes and live-assume is skipped', () => {
    expect(web.verdict).toBe('configured');
    for (const c of web.checks)
      expect(c.id === 'live-assume' ? 'skip' : 'pass').toBe(c.status);
  });
  it('reports all twelve checks, with evidence', () => {
    expect(web.checks.map(c => c.id).sort()).toEqual(
      [...new Set(web.checks.map(c => c.id))].sort(),
    );
    expect(web.checks).toHaveLength(12);
    expect(chk(web, 'target-trust').evidence?.[0].source).toContain(
      'trustStatements[0]',
    );
    expect(chk(web, 'namespace-allowed').evidence?.[0]).toMatchObject({
      source: 'AWSClusterRoleIdentity/staging',
      line: 11,
    });
  });
  it('fills the docs/contracts.md §6 fields', () => {
    expect(web).toMatchObject({
      managementCluster: 'mgmt-eu',
      namespace: 'staging',
      name: 'web',
      accountId: STAGING,
      identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
      flavour: 'kubeadm',
      phase: 'Provisioned',
      region: 'eu-west-1',
    });
    expect(web.chain.map(l => `${l.kind}/${l.name}`)).toEqual([
      'AWSClusterRoleIdentity/staging',
      'AWSClusterControllerIdentity/default',
    ]);
  });
  it('aggregates the account and identities', () => {
    expect(r.accounts.find(a => a.accountId === STAGING)).toMatchObject({
      name: 'staging',
      verdict: 'configured',
      sources: ['config', 'identity'],
    });
    expect(r.identities.find(i => i.name === 'staging')).toMatchObject({
      verdict: 'configured',
      accountId: STAGING,
      usedBy: [{ namespace: 'staging', name: 'web' }],
    });
  });
  it('becomes trusted when live-assume returns the role account', () => {
    const plan = planEvidence(fleet(base()));
    const key = plan.chains.find(c => c.hops.length === 1)!.key;
    const live = run(fleet(base()), {
      assumeResults: {
        [key]: { status: 'ok', accountId: STAGING, checkedAt: 'now' },
      },
    });
    expect(cluster(live, 'web').verdict).toBe('trusted');
    expect(live.accounts.find(a => a.accountId === STAGING)!.verdict).toBe(
      'trusted',
    );
  });
  it('is broken when GetCallerIdentity returns another account', () => {
    const key = planEvidence(fleet(base())).chains.find(
      c => c.hops.length === 1,
    )!.key;
    const live = run(fleet(base()), {
      assumeResults: {
        [key]: { status: 'ok', accountId: LIVE, checkedAt: 'now' },
      },
    });
    expect(chk(cluster(live, 'web'), 'live-assume').status).toBe('fail');
  });
});

type Scenario = [
  string,
  () => FleetInput,
  Partial<Record<CheckId, string>>,
  string,
  LiveEvidence?,
];

const scenarios: Scenario[] = [
  [
    'identityRef omitted defaults to AWSClusterControllerIdentity/default (controller credentials, no AssumeRole)',
    () => fleet([controllerIdentity(), ...awsCluster('dev', 'plain')]),
    {
      'identity-exists': 'pass',
      'source-permission': 'pass',
      'target-trust': 'pass',
    },
    'configured',
  ],
  [
    'a missing controller identity referenced directly is auto-created by CAPA (warn)',
    () => fleet([...awsCluster('dev', 'plain')]),
    { 'identity-exists': 'warn', 'namespace-allowed': 'pass' },
    'degraded',
  ],
  [
    'a missing role identity fails identity-exists',
    () =>
      fleet([
        controllerIdentity(),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'nope',
        }),
      ]),
    { 'identity-exists': 'fail', 'chain-valid': 'skip' },
    'broken',
  ],
  [
    'a missing source identity fails identity-exists',
    () =>
      fleet([
        roleIdentity('staging', STAGING_ROLE, {
          sourceIdentityRef: { kind: 'AWSClusterRoleIdentity', name: 'gone' },
        }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'identity-exists': 'fail' },
    'broken',
  ],
  [
    'a role identity without sourceIdentityRef fails chain-valid (webhook)',
    () =>
      fleet([
        controllerIdentity(),
        roleIdentity('staging', STAGING_ROLE, { sourceIdentityRef: undefined }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'chain-valid': 'fail' },
    'broken',
  ],
  [
    'a cycle is reported, never looped',
    () =>
      fleet([
        roleIdentity('a', STAGING_ROLE, {
          sourceIdentityRef: { kind: 'AWSClusterRoleIdentity', name: 'b' },
        }),
        roleIdentity('b', STAGING_ROLE, {
          sourceIdentityRef: { kind: 'AWSClusterRoleIdentity', name: 'a' },
        }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'a',
        }),
      ]),
    { 'chain-valid': 'fail', 'live-assume': 'skip' },
    'broken',
  ],
  [
    'a self-cycle is reported',
    () =>
      fleet([
        roleIdentity('a', STAGING_ROLE, {
          sourceIdentityRef: { kind: 'AWSClusterRoleIdentity', name: 'a' },
        }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'a',
        }),
      ]),
    { 'chain-valid': 'fail' },
    'broken',
  ],
  [
    'an unknown identity kind fails',
    () =>
      fleet([
        controllerIdentity(),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterMagicIdentity',
          name: 'x',
        }),
      ]),
    { 'identity-exists': 'fail', 'chain-valid': 'fail' },
    'broken',
  ],
  [
    'the controller identity must be named default',
    () =>
      fleet([
        controllerIdentity({ allowedNamespaces: {} }, 'main'),
        ...awsCluster('dev', 'x', {
          kind: 'AWSClusterControllerIdentity',
          name: 'main',
        }),
      ]),
    { 'controller-identity-name': 'fail' },
    'broken',
  ],
  [
    'namespace not in the role identity list fails',
    () =>
      fleet([
        controllerIdentity(),
        staging(),
        ...awsCluster('prod', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'namespace-allowed': 'fail' },
    'broken',
  ],
  [
    'the source identity allowedNamespaces is checked too',
    () =>
      fleet([
        controllerIdentity({ allowedNamespaces: { list: ['other'] } }),
        staging(),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'namespace-allowed': 'fail' },
    'broken',
  ],
  [
    'a controller identity without allowedNamespaces denies chained clusters',
    () =>
      fleet([
        controllerIdentity({}),
        staging(),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'namespace-allowed': 'fail' },
    'broken',
  ],
  [
    'a selector without the Namespace object warns (unknown)',
    () =>
      fleet([
        controllerIdentity(),
        roleIdentity('staging', STAGING_ROLE, {
          allowedNamespaces: { selector: { matchLabels: { env: 'staging' } } },
        }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'namespace-allowed': 'warn' },
    'degraded',
  ],
  [
    'a selector with a matching Namespace object passes',
    () =>
      fleet([
        namespace('staging', { env: 'staging' }),
        controllerIdentity(),
        roleIdentity('staging', STAGING_ROLE, {
          allowedNamespaces: { selector: { matchLabels: { env: 'staging' } } },
        }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'namespace-allowed': 'pass' },
    'configured',
  ],
  [
    'no trust statement for the management principal fails target-trust',
    () =>
      fleet(base(), {
        accounts: [
          {
            accountId: STAGING,
            iamConfiguration: targetIamConfig(
              'arn:aws:iam::999999999999:role/other',
            ),
          },
        ],
      }),
    { 'target-trust': 'fail', 'external-id': 'skip' },
    'broken',
  ],
  [
    'a trust statement for the management account root passes',
    () =>
      fleet(base(), {
        accounts: [
          {
            accountId: STAGING,
            iamConfiguration: targetIamConfig(`arn:aws:iam::${MGMT}:root`),
          },
        ],
      }),
    { 'target-trust': 'pass' },
    'configured',
  ],
  [
    'no target iamConfiguration: target-trust skipped -> unknown',
    () => fleet(base(), { accounts: [{ accountId: STAGING }] }),
    {
      'target-trust': 'skip',
      'source-permission': 'pass',
      'external-id': 'skip',
    },
    'unknown',
  ],
  [
    'no management iamConfiguration: source-permission skipped -> unknown',
    () => fleet(base(), { mgmtIam: null }),
    { 'source-permission': 'skip', 'target-trust': 'pass' },
    'unknown',
  ],
  [
    'the management role lacks sts:AssumeRole: source-permission fails with an extraStatements fix',
    () => fleet(base(), { mgmtIam: { spec: {} } }),
    { 'source-permission': 'fail' },
    'broken',
  ],
  [
    'allowAssumeRole covers the default role name pattern',
    () => fleet(base(), { mgmtIam: { spec: { allowAssumeRole: true } } }),
    { 'source-permission': 'pass' },
    'configured',
  ],
  [
    'allowAssumeRole with a namePrefix does not cover unprefixed target roles',
    () =>
      fleet(base(), {
        mgmtIam: { spec: { allowAssumeRole: true, namePrefix: 'acme-' } },
      }),
    { 'source-permission': 'fail' },
    'broken',
  ],
  [
    'ExternalId required and matching passes',
    () =>
      fleet(
        [
          controllerIdentity(),
          staging({ externalID: 'ext-1' }),
          ...awsCluster('staging', 'web', {
            kind: 'AWSClusterRoleIdentity',
            name: 'staging',
          }),
        ],
        {
          accounts: [
            {
              accountId: STAGING,
              iamConfiguration: targetIamConfig(controllersArn(MGMT), {
                Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } },
              }),
            },
          ],
        },
      ),
    { 'external-id': 'pass', 'target-trust': 'pass' },
    'configured',
  ],
  [
    'ExternalId mismatch fails external-id and target-trust',
    () =>
      fleet(
        [
          controllerIdentity(),
          staging({ externalID: 'wrong' }),
          ...awsCluster('staging', 'web', {
            kind: 'AWSClusterRoleIdentity',
            name: 'staging',
          }),
        ],
        {
          accounts: [
            {
              accountId: STAGING,
              iamConfiguration: targetIamConfig(controllersArn(MGMT), {
                Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } },
              }),
            },
          ],
        },
      ),
    { 'external-id': 'fail', 'target-trust': 'fail' },
    'broken',
  ],
  [
    'ExternalId required but the identity sends none fails',
    () =>
      fleet(base(), {
        accounts: [
          {
            accountId: STAGING,
            iamConfiguration: targetIamConfig(controllersArn(MGMT), {
              Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } },
            }),
          },
        ],
      }),
    { 'external-id': 'fail' },
    'broken',
  ],
  [
    'an externalID the trust policy does not require passes',
    () =>
      fleet([
        controllerIdentity(),
        staging({ externalID: 'extra' }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'external-id': 'pass' },
    'configured',
  ],
  [
    'durationSeconds 7200 on a role clusterawsadm created passes CAPA’s rules (the 3600 s MaxSessionDuration it was created with is noted, not guessed into the verdict)',
    () =>
      fleet([
        controllerIdentity(),
        staging({ durationSeconds: 7200 }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'session-duration': 'pass' },
    'configured',
  ],
  [
    'durationSeconds 7200 passes when the role allows it and the source is not a role session',
    () =>
      fleet([
        controllerIdentity(),
        staging({ durationSeconds: 7200 }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'session-duration': 'pass' },
    'configured',
    {
      targetRoles: {
        [STAGING_ROLE]: {
          status: 'found',
          maxSessionDuration: 43200,
          checkedAt: 'now',
          trustPolicy: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: controllersArn(MGMT) },
                Action: 'sts:AssumeRole',
              },
            ],
          },
        },
      },
    },
  ],
  [
    'durationSeconds 7200 fails when IAM GetRole says the role allows at most 3600 s',
    () =>
      fleet([
        controllerIdentity(),
        staging({ durationSeconds: 7200 }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'session-duration': 'fail' },
    'broken',
    {
      targetRoles: {
        [STAGING_ROLE]: {
          status: 'found',
          maxSessionDuration: 3600,
          checkedAt: 'now',
          trustPolicy: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: controllersArn(MGMT) },
                Action: 'sts:AssumeRole',
              },
            ],
          },
        },
      },
    },
  ],
  [
    'durationSeconds 7200 fails when the controllers run on IRSA / Pod Identity (role chaining)',
    () =>
      fleet(
        [
          controllerIdentity(),
          staging({ durationSeconds: 7200 }),
          ...awsCluster('staging', 'web', {
            kind: 'AWSClusterRoleIdentity',
            name: 'staging',
          }),
        ],
        { mgmt: { controllerUsesRoleSession: true } },
      ),
    { 'session-duration': 'fail' },
    'broken',
    {
      targetRoles: {
        [STAGING_ROLE]: {
          status: 'found',
          maxSessionDuration: 43200,
          checkedAt: 'now',
          trustPolicy: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: controllersArn(MGMT) },
                Action: 'sts:AssumeRole',
              },
            ],
          },
        },
      },
    },
  ],
  [
    'durationSeconds below 900 fails',
    () =>
      fleet([
        controllerIdentity(),
        staging({ durationSeconds: 60 }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'session-duration': 'fail' },
    'broken',
  ],
  [
    'a sessionName STS rejects as RoleSessionName fails chain-valid',
    () =>
      fleet([
        controllerIdentity(),
        staging({ sessionName: 'capa session' }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'chain-valid': 'fail' },
    'broken',
  ],
  [
    'a valid sessionName passes chain-valid',
    () =>
      fleet([
        controllerIdentity(),
        staging({ sessionName: 'capa-mgmt-eu@example.com' }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'chain-valid': 'pass' },
    'configured',
  ],
  [
    'policyARNs is flagged as ignored',
    () =>
      fleet([
        controllerIdentity(),
        staging({ policyARNs: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'chain-valid': 'warn' },
    'degraded',
  ],
  [
    'a static identity warns and the account is unknown',
    () =>
      fleet([
        staticIdentity('keys'),
        ...awsCluster('dev', 'x', {
          kind: 'AWSClusterStaticIdentity',
          name: 'keys',
        }),
      ]),
    { 'static-credentials': 'warn', 'account-known': 'skip' },
    'degraded',
  ],
  [
    'v1alpha3 manifests warn on api-version',
    () =>
      fleet([
        controllerIdentity(
          { allowedNamespaces: {} },
          'default',
          'infrastructure.cluster.x-k8s.io/v1alpha3',
        ),
        roleIdentity(
          'staging',
          STAGING_ROLE,
          { allowedNamespaces: {} },
          'infrastructure.cluster.x-k8s.io/v1alpha3',
        ),
        ...awsCluster(
          'staging',
          'web',
          { kind: 'AWSClusterRoleIdentity', name: 'staging' },
          'infrastructure.cluster.x-k8s.io/v1alpha3',
        ),
      ]),
    { 'api-version': 'warn' },
    'degraded',
  ],
  [
    'CAPA v1beta1 warns on api-version',
    () =>
      fleet([
        controllerIdentity(),
        roleIdentity(
          'staging',
          STAGING_ROLE,
          {},
          'infrastructure.cluster.x-k8s.io/v1beta1',
        ),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    { 'api-version': 'warn' },
    'degraded',
  ],
  [
    'an account neither in config nor Organizations warns',
    () =>
      fleet([
        controllerIdentity(),
        roleIdentity('x', controllersArn(LIVE)),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'x',
        }),
      ]),
    { 'account-known': 'warn', 'target-trust': 'skip' },
    'degraded',
  ],
  [
    'a SUSPENDED account fails account-known',
    () => fleet(base()),
    { 'account-known': 'fail' },
    'broken',
    { organizationAccounts: [{ accountId: STAGING, status: 'SUSPENDED' }] },
  ],
  [
    'live GetRole not-found fails target-trust',
    () => fleet(base()),
    { 'target-trust': 'fail' },
    'broken',
    {
      targetRoles: {
        [STAGING_ROLE]: { status: 'not-found', checkedAt: 'now' },
      },
    },
  ],
  [
    'a live simulation decides source-permission',
    () => fleet(base(), { mgmtIam: null }),
    { 'source-permission': 'pass' },
    'configured',
    {
      simulations: {
        [`${controllersArn(MGMT)} -> ${STAGING_ROLE}`]: {
          decision: 'allowed',
          checkedAt: 'now',
        },
      },
    },
  ],
  [
    'a live implicitDeny simulation fails source-permission',
    () => fleet(base()),
    { 'source-permission': 'fail' },
    'broken',
    {
      simulations: {
        [`${controllersArn(MGMT)} -> ${STAGING_ROLE}`]: {
          decision: 'implicitDeny',
          checkedAt: 'now',
        },
      },
    },
  ],
  [
    'a live denied AssumeRole fails live-assume',
    () => fleet(base()),
    { 'live-assume': 'fail' },
    'broken',
    { assumeResults: {} },
  ],
];

describe('evaluateFleet: checks and verdicts', () => {
  it.each(scenarios)('%s', (...args) => {
    const [, input, expected, verdict, live] = args as Scenario;
    let liveEv = live;
    if (live?.assumeResults && Object.keys(live.assumeResults).length === 0) {
      const key = planEvidence(input()).chains.find(
        c => c.hops.length === 1,
      )!.key;
      liveEv = {
        assumeResults: {
          [key]: {
            status: 'denied',
            failedHop: 0,
            message: 'AccessDenied',
            checkedAt: 'now',
          },
        },
      };
    }
    const r = run(input(), liveEv);
    const c = r.clusters[0];
    for (const [id, status] of Object.entries(expected)) {
      expect({
        id,
        status: chk(c, id as CheckId).status,
        message: chk(c, id as CheckId).message,
      }).toMatchObject({ id, status });
    }
    expect(c.verdict).toBe(verdict);
    expect(
      c.checks
        .filter(x => x.status === 'fail')
        .every(x => x.message.length > 0),
    ).toBe(true);
  });
});

describe('DKP guide: control-plane role as the management principal', () => {
  const dkpTarget = (principal: string) => ({
    spec: {
      controlPlane: {
        trustStatements: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole'],
            Principal: { AWS: [principal] },
          },
        ],
      },
    },
  });
  const objects = () => [
    controllerIdentity(),
    roleIdentity(
      'cross-account-role',
      controlPlaneArn(STAGING),
      { allowedNamespaces: {} },
      'infrastructure.cluster.x-k8s.io/v1beta2',
    ),
    ...awsCluster('default', 'dkp', {
      kind: 'AWSClusterRoleIdentity',
      name: 'cross-account-role',
    }),
  ];
  it('controlPlane.extraStatements count when the control-plane role is the principal', () => {
    const r = run(
      fleet(objects(), {
        mgmt: { controllerPrincipalArn: controlPlaneArn(MGMT) },
        mgmtIam: {
          spec: {
            controlPlane: {
              extraStatements: [
                {
                  Effect: 'Allow',
                  Action: 'sts:AssumeRole',
                  Resource: [controlPlaneArn(STAGING)],
                },
              ],
            },
          },
        },
        accounts: [
          {
            accountId: STAGING,
            iamConfiguration: dkpTarget(controlPlaneArn(MGMT)),
          },
        ],
      }),
    );
    expect(chk(r.clusters[0], 'source-permission').status).toBe('pass');
    expect(chk(r.clusters[0], 'target-trust').status).toBe('pass');
    expect(r.clusters[0].verdict).toBe('configured');
  });
  it('clusterAPIControllers.extraStatements do not count for the control-plane role', () => {
    const r = run(
      fleet(objects(), {
        mgmt: { controllerPrincipalArn: controlPlaneArn(MGMT) },
        mgmtIam: {
          spec: {
            clusterAPIControllers: {
              extraStatements: [
                { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ['*'] },
              ],
            },
          },
        },
        accounts: [
          {
            accountId: STAGING,
            iamConfiguration: dkpTarget(controlPlaneArn(MGMT)),
          },
        ],
      }),
    );
    const sp = chk(r.clusters[0], 'source-permission');
    expect(sp.status).toBe('fail');
    expect(sp.fix?.snippet).toContain('controlPlane:');
  });
  it('trusting the controllers role does not help when the control-plane role assumes', () => {
    const r = run(
      fleet(objects(), {
        mgmt: { controllerPrincipalArn: controlPlaneArn(MGMT) },
        mgmtIam: { spec: { allowAssumeRole: true } },
        accounts: [
          {
            accountId: STAGING,
            iamConfiguration: dkpTarget(controllersArn(MGMT)),
          },
        ],
      }),
    );
    expect(chk(r.clusters[0], 'source-permission').status).toBe('pass'); // controllers policy is attached to control-plane
    const tt = chk(r.clusters[0], 'target-trust');
    expect(tt.status).toBe('fail');
    expect(tt.fix?.snippet).toContain(controlPlaneArn(MGMT));
  });
});

describe('ABAC trust conditions (aws:PrincipalTag/*)', () => {
  const abac = (values: Record<string, string>) => ({
    spec: {
      clusterAPIControllers: {
        trustStatements: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole'],
            Principal: { AWS: [`arn:aws:iam::${MGMT}:root`] },
            Condition: { StringEquals: values },
          },
        ],
      },
    },
  });
  const cond = {
    'aws:PrincipalTag/kubernetes-namespace': 'capa-system',
    'aws:PrincipalTag/kubernetes-service-account': 'capa-controller-manager',
  };
  it.each([
    [
      'matching principal tags pass',
      {
        'kubernetes-namespace': 'capa-system',
        'kubernetes-service-account': 'capa-controller-manager',
      },
      'pass',
    ],
    [
      'a wrong principal tag fails',
      {
        'kubernetes-namespace': 'capa-system',
        'kubernetes-service-account': 'other',
      },
      'fail',
    ],
    [
      'a missing principal tag fails',
      { 'kubernetes-namespace': 'capa-system' },
      'fail',
    ],
    ['unknown principal tags warn (never a guessed pass)', undefined, 'warn'],
  ])('%s', (_n, tags, status) => {
    const r = run(
      fleet(base(), {
        mgmt: {
          controllerUsesRoleSession: true,
          ...(tags ? { principalTags: tags } : {}),
        },
        accounts: [{ accountId: STAGING, iamConfiguration: abac(cond) }],
      }),
    );
    expect(chk(r.clusters[0], 'target-trust').status).toBe(status);
  });
});

describe('chains of depth 3+', () => {
  const A = controllersArn(STAGING);
  const B = `arn:aws:iam::${LIVE}:role/hop-b`;
  const objs = (duration?: number) => [
    controllerIdentity(),
    roleIdentity('hop-a', A),
    roleIdentity('hop-b', B, {
      sourceIdentityRef: { kind: 'AWSClusterRoleIdentity', name: 'hop-a' },
    }),
    roleIdentity('hop-c', controllersArn(LIVE), {
      sourceIdentityRef: { kind: 'AWSClusterRoleIdentity', name: 'hop-b' },
      ...(duration ? { durationSeconds: duration } : {}),
    }),
    ...awsCluster('prod', 'deep', {
      kind: 'AWSClusterRoleIdentity',
      name: 'hop-c',
    }),
  ];
  it('resolves the whole chain and plans hops root-first with CAPA parameters', () => {
    const input = fleet(objs());
    const r = run(input);
    expect(r.clusters[0].chain.map(l => l.name)).toEqual([
      'hop-c',
      'hop-b',
      'hop-a',
      'default',
    ]);
    expect(r.clusters[0].accountId).toBe(LIVE);
    const plan = planEvidence(input);
    const deep = plan.chains.find(c => c.hops.length === 3)!;
    expect(deep.hops.map(h => h.roleArn)).toEqual([A, B, controllersArn(LIVE)]);
    expect(deep.hops[0]).toMatchObject({
      durationSeconds: 900,
      sessionNameDefaulted: true,
    });
    expect(deep.hops[0].externalId).toBeUndefined();
    expect(deep.expectedAccountId).toBe(LIVE);
    expect(plan.simulations.map(s => s.key)).toEqual(
      expect.arrayContaining([
        `${controllersArn(MGMT)} -> ${A}`,
        `${A} -> ${B}`,
        `${B} -> ${controllersArn(LIVE)}`,
      ]),
    );
  });
  it('a chained hop over 3600 s fails the role-chaining limit', () => {
    const r = run(fleet(objs(7200)));
    const sd = chk(r.clusters[0], 'session-duration');
    expect(sd.status).toBe('fail');
    expect(sd.message).toContain('role-chaining');
  });
  it('a later hop needs the earlier role in the trust policy, not the management role', () => {
    const r = run(
      fleet(objs(), {
        accounts: [
          { accountId: STAGING, iamConfiguration: targetIamConfig() },
          {
            accountId: LIVE,
            iamConfiguration: targetIamConfig(controllersArn(MGMT)),
          },
        ],
      }),
    );
    const tt = chk(r.clusters[0], 'target-trust');
    expect(tt.status).toBe('fail'); // hop-c's role trusts the management role, but hop-b assumes it
    expect(tt.message).toContain('hop-b');
  });
});

describe('EKS and ClusterClass', () => {
  it('reads identityRef from AWSManagedControlPlane (CAPI v1beta2 refs)', () => {
    const r = run(
      fleet([
        controllerIdentity(),
        staging(),
        ...eksCluster('staging', 'eks', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    );
    expect(r.clusters[0]).toMatchObject({
      name: 'eks',
      flavour: 'eks',
      kubernetesVersion: '1.31',
      identityRef: { name: 'staging' },
      verdict: 'configured',
    });
    expect(r.clusters[0].conditions[0]).toMatchObject({
      type: 'Available',
      status: 'True',
    });
  });
  it('reads identityRef from an AWSClusterTemplate of the ClusterClass', () => {
    const objs = [
      controllerIdentity(),
      staging(),
      {
        apiVersion: 'cluster.x-k8s.io/v1beta1',
        kind: 'ClusterClass',
        metadata: { name: 'aws', namespace: 'staging' },
        spec: {
          infrastructure: {
            ref: {
              apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
              kind: 'AWSClusterTemplate',
              name: 'aws',
            },
          },
        },
      },
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterTemplate',
        metadata: { name: 'aws', namespace: 'staging' },
        spec: {
          template: {
            spec: {
              identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
            },
          },
        },
      },
      {
        apiVersion: 'cluster.x-k8s.io/v1beta1',
        kind: 'Cluster',
        metadata: { name: 'cc', namespace: 'staging' },
        spec: { topology: { class: 'aws', version: 'v1.30.0' } },
      },
    ];
    const r = run(fleet(objs as any));
    expect(r.clusters[0]).toMatchObject({
      name: 'cc',
      identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
      kubernetesVersion: 'v1.30.0',
    });
  });
});

describe('CAPI Operator InfrastructureProvider', () => {
  it('is recognised: a problem warning and static-credentials warn on the clusters it reconciles', () => {
    const provider = {
      apiVersion: 'operator.cluster.x-k8s.io/v1alpha2',
      kind: 'InfrastructureProvider',
      metadata: { name: 'aws-staging', namespace: 'capa-staging' },
      spec: {
        configSecret: { name: 'staging-creds' },
        manager: { additionalArgs: { 'watch-filter': 'env=staging' } },
      },
    };
    const objs = [
      controllerIdentity(),
      provider,
      ...awsCluster('staging', 'web'),
    ];
    (objs[1] as any).metadata.labels = {
      'cluster.x-k8s.io/watch-filter': 'env=staging',
    };
    (objs[2] as any).metadata.labels = {
      'cluster.x-k8s.io/watch-filter': 'env=staging',
    };
    const r = run(fleet(objs as any));
    expect(r.problems.some(p => p.message.includes('static credentials'))).toBe(
      true,
    );
    expect(chk(r.clusters[0], 'static-credentials').status).toBe('warn');
  });
});

describe('accounts', () => {
  it('judge reachability (not the clusters), list every cluster and include account-known', () => {
    const objs = [
      controllerIdentity(),
      staging(),
      ...awsCluster('staging', 'ok', {
        kind: 'AWSClusterRoleIdentity',
        name: 'staging',
      }),
      ...awsCluster('prod', 'denied', {
        kind: 'AWSClusterRoleIdentity',
        name: 'staging',
      }),
    ];
    const r = run(fleet(objs));
    const a = r.accounts.find(x => x.accountId === STAGING)!;
    // CAPA refuses `denied` (namespace prod is not in the list) but still reaches the account for `ok`.
    expect(a.verdict).toBe('configured');
    expect(a.clusterProblems.map(p => p.name)).toEqual(['denied']);
    expect(a.clusters.map(c => `${c.name}:${c.verdict}`).sort()).toEqual([
      'denied:broken',
      'ok:configured',
    ]);
    expect(a.checks.map(c => c.id)).toContain('account-known');
  });
  it('an account nothing targets is unknown', () => {
    const r = run(
      fleet([controllerIdentity()], {
        accounts: [{ accountId: LIVE, name: 'live' }],
      }),
    );
    expect(r.accounts.find(a => a.accountId === LIVE)!.verdict).toBe('unknown');
  });
  it('identity namespace-allowed fails when a using cluster is denied', () => {
    const r = run(
      fleet([
        controllerIdentity(),
        staging(),
        ...awsCluster('prod', 'x', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
    );
    expect(
      chk(r.identities.find(i => i.name === 'staging')!, 'namespace-allowed')
        .status,
    ).toBe('fail');
  });
});

describe('accounts and static identities', () => {
  it('list the static identities whose access keys belong to them, with their verdict', () => {
    const keys = staticIdentity('keys');
    keys.metadata.annotations = { 'amazonaws.com/account-id': STAGING };
    const r = run(
      fleet([
        keys,
        ...awsCluster('dev', 'x', {
          kind: 'AWSClusterStaticIdentity',
          name: 'keys',
        }),
      ]),
    );
    const account = r.accounts.find(a => a.accountId === STAGING)!;
    expect(account.identities).toEqual([
      expect.objectContaining({
        kind: 'AWSClusterStaticIdentity',
        name: 'keys',
        verdict: 'degraded',
      }),
    ]);
    expect(account.clusters.map(c => c.name)).toEqual(['x']);
    expect(account.verdict).toBe('degraded');
  });
});

describe('malformed input', () => {
  it('becomes input problems, never throws', () => {
    const objs = [
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterRoleIdentity',
        metadata: {},
        spec: {},
      },
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterRoleIdentity',
        metadata: { name: 'bad' },
        spec: 'nope',
      },
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterRoleIdentity',
        metadata: { name: 'bad2' },
        spec: { roleARN: 5 },
      },
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSCluster',
        metadata: { name: 'c', namespace: 'n' },
        spec: { identityRef: 'x' },
      },
      ...awsCluster('n', 'uses-bad', {
        kind: 'AWSClusterRoleIdentity',
        name: 'bad',
      }),
    ];
    const r = run(fleet(objs as any));
    expect(
      r.problems.filter(p => p.severity === 'error').length,
    ).toBeGreaterThanOrEqual(4);
    const c = cluster(r, 'uses-bad');
    expect(chk(c, 'identity-exists').message).toContain('malformed');
  });
  it('calls an identity whose spec is a list malformed (read from YAML), not missing, with one problem', () => {
    const yaml = [
      'apiVersion: infrastructure.cluster.x-k8s.io/v1beta2',
      'kind: AWSClusterRoleIdentity',
      'metadata: {name: listed}',
      'spec:',
      '  - roleARN: arn:aws:iam::222222222222:role/x',
    ].join('\n');
    const parsed = parseManifests(yaml, 'identities.yaml');
    expect(parsed.problems).toEqual([]);
    const r = run(
      fleet([
        controllerIdentity(),
        ...parsed.objects.map(o => o.object),
        ...awsCluster('n', 'uses-listed', {
          kind: 'AWSClusterRoleIdentity',
          name: 'listed',
        }),
      ] as any),
    );
    const exists = chk(cluster(r, 'uses-listed'), 'identity-exists');
    expect(exists.status).toBe('fail');
    expect(exists.message).toContain(
      'AWSClusterRoleIdentity/listed is malformed',
    );
    expect(
      r.problems.filter(p => p.message.includes('spec must be an object')),
    ).toHaveLength(1);
  });
  it('the engine never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (a, b) => {
        const r = evaluateFleet(a as any, b as any);
        expect(Array.isArray(r.clusters)).toBe(true);
        planEvidence(a as any);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ object: fc.anything(), location: fc.anything() }),
          { maxLength: 5 },
        ),
        objects => {
          const r = evaluateFleet({
            managementClusters: [
              { name: 'm', accountId: MGMT, objects: objects as any },
            ],
            accounts: [],
          });
          expect(r).toBeDefined();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('EKS clusters: endpoint and CA read live', () => {
  const input = () =>
    fleet([
      controllerIdentity(),
      staging(),
      ...eksCluster('staging', 'eks', {
        kind: 'AWSClusterRoleIdentity',
        name: 'staging',
      }),
      ...awsCluster('staging', 'web', {
        kind: 'AWSClusterRoleIdentity',
        name: 'staging',
      }),
    ]);

  it('plans one eks:DescribeCluster per EKS cluster, on the chain that reaches its account', () => {
    const p = planEvidence(input());
    const chain = p.chains.find(c => c.hops.length === 1)!;
    // CAPA's default EKS name: <namespace>_<AWSManagedControlPlane name>.
    expect(p.eksClusters).toEqual([
      {
        key: eksClusterKey(chain.key, 'eu-west-1', 'staging_eks-cp'),
        chainKey: chain.key,
        region: 'eu-west-1',
        name: 'staging_eks-cp',
      },
    ]);
  });

  it('gives the cluster report the CA (and the endpoint when the object has none)', () => {
    const [lookup] = planEvidence(input()).eksClusters!;
    const r = run(input(), {
      eksClusters: {
        [lookup.key]: {
          status: 'found',
          endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
          certificateAuthorityData: 'Q0E=',
          checkedAt: '2024-01-01T00:00:00Z',
        },
      },
    });
    expect(cluster(r, 'eks')).toMatchObject({
      apiServer: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      apiServerCaData: 'Q0E=',
    });
    expect(cluster(r, 'web').apiServerCaData).toBeUndefined();
    // Without a lookup (or a failed one) nothing is invented.
    expect(cluster(run(input()), 'eks').apiServerCaData).toBeUndefined();
  });
});

describe('planEvidence', () => {
  it('lists distinct role ARNs, simulations and chains with a stable key', () => {
    const input = fleet([
      controllerIdentity(),
      staging({
        externalID: 'ext',
        sessionName: 'capa',
        durationSeconds: 1800,
      }),
      ...awsCluster('staging', 'a', {
        kind: 'AWSClusterRoleIdentity',
        name: 'staging',
      }),
      ...awsCluster('staging', 'b', {
        kind: 'AWSClusterRoleIdentity',
        name: 'staging',
      }),
    ]);
    const p1 = planEvidence(input);
    const p2 = planEvidence(input);
    expect(p1).toEqual(p2);
    expect(p1.roleArns).toEqual([STAGING_ROLE]);
    const hop = p1.chains.find(c => c.hops.length === 1)!;
    expect(hop.hops[0]).toMatchObject({
      roleArn: STAGING_ROLE,
      externalId: 'ext',
      sessionName: 'capa',
      durationSeconds: 1800,
    });
    expect(hop.hops[0].sessionNameDefaulted).toBeUndefined();
    expect(hop.key).not.toContain('ext'.padEnd(4, '!'));
    expect(p1.chains.filter(c => c.hops.length === 1)).toHaveLength(1);
  });
  it('uses the clusterawsadm prefix/suffix for the default management principal', () => {
    const input = fleet(base(), {
      mgmtIam: managementIamConfig({ namePrefix: 'acme-' }),
    });
    expect(planEvidence(input).simulations[0].principalArn).toBe(
      `arn:aws:iam::${MGMT}:role/acme-controllers${SUFFIX}`,
    );
  });
});

describe('located evidence', () => {
  it('points at the file and line of the object', () => {
    const input: FleetInput = {
      managementClusters: [
        {
          name: 'm',
          accountId: MGMT,
          objects: located(
            [
              controllerIdentity(),
              ...awsCluster('dev', 'x', {
                kind: 'AWSClusterRoleIdentity',
                name: 'missing',
              }),
            ],
            'clusters/a.yaml',
          ),
        },
      ],
      accounts: [],
    };
    const r = run(input);
    expect(r.clusters[0].location).toEqual({
      source: 'clusters/a.yaml',
      line: 11,
    });
  });
});

// DESIGN §"Exact CAPA semantics": durationSeconds is 900..43200 (STS AssumeRole's DurationSeconds range, CAPA's
// webhook bounds), and more than 3600 fails when the source is itself a role session (STS limits role chaining
// to one hour). Each limit is tested on both sides; no evidence from IAM, so only these rules decide.
describe('evaluateFleet: session-duration boundaries', () => {
  const withDuration = (durationSeconds: number, chained: boolean) =>
    fleet(
      [
        controllerIdentity(),
        staging({ durationSeconds }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ],
      chained ? { mgmt: { controllerUsesRoleSession: true } } : undefined,
    );
  it.each([
    [899, false, 'fail'],
    [900, false, 'pass'],
    [3600, false, 'pass'],
    [3601, false, 'pass'],
    [43200, false, 'pass'],
    [43201, false, 'fail'],
    [899, true, 'fail'],
    [900, true, 'pass'],
    [3600, true, 'pass'],
    [3601, true, 'fail'],
    [43200, true, 'fail'],
  ] as const)(
    'durationSeconds %i (controllers on a role session: %s) -> %s',
    (seconds, chained, status) => {
      const c = chk(
        run(withDuration(seconds, chained)).clusters[0],
        'session-duration',
      );
      expect(c.status).toBe(status);
    },
  );
});
