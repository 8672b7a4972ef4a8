/*
 * The account verdict is reachability; the clusters' own problems are listed beside it (reachability.ts).
 * Expected values come from CAPA's pkg/cloud/scope/session.go: `buildProvidersForRef` checks allowedNamespaces of
 * every identity with the namespace of the cluster being reconciled (a refusal marks PrincipalUsageAllowed=False
 * on that cluster only), and the sts:AssumeRole chain is the same for every cluster naming the identity.
 */
import type { AccountReport, FleetInput, LiveEvidence } from '../types';
import { evaluateFleet } from './engine';
import {
  awsCluster,
  controllerIdentity,
  controllersArn,
  fleet,
  LIVE,
  managementIamConfig,
  MGMT,
  namespace,
  roleIdentity,
  STAGING,
  staticIdentity,
  targetIamConfig,
} from '../__testUtils__/fixtures';

const NOW = { now: new Date('2024-01-01T00:00:00Z') };
const account = (
  input: FleetInput,
  accountId = STAGING,
  live?: LiveEvidence,
): AccountReport => {
  const a = evaluateFleet(input, live, NOW).accounts.find(
    x => x.accountId === accountId,
  );
  if (!a) throw new Error(`no account ${accountId}`);
  return a;
};
const ref = (name: string, kind = 'AWSClusterRoleIdentity') => ({
  kind,
  name,
});
const staging = (extra: Record<string, unknown> = {}) =>
  roleIdentity('staging', controllersArn(STAGING), {
    allowedNamespaces: { list: ['staging'] },
    ...extra,
  });

describe('account reachability and cluster problems', () => {
  it('a cluster in a namespace the identity does not admit is a cluster problem; the account stays reachable', () => {
    const a = account(
      fleet([
        controllerIdentity(),
        staging(),
        ...awsCluster('staging', 'ok', ref('staging')),
        ...awsCluster('prod', 'denied', ref('staging')),
      ]),
    );
    expect(a.verdict).toBe('configured');
    expect(a.reachability).toEqual({
      verdict: 'configured',
      chains: [
        {
          managementCluster: 'mgmt-eu',
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
          verdict: 'configured',
          failing: [],
          warning: [],
          clusterCount: 2,
        },
      ],
    });
    expect(a.clusterProblemCount).toBe(1);
    expect(a.clusterProblems).toEqual([
      expect.objectContaining({
        managementCluster: 'mgmt-eu',
        namespace: 'prod',
        name: 'denied',
        identityRef: ref('staging'),
        verdict: 'broken',
        checks: [
          expect.objectContaining({ id: 'namespace-allowed', status: 'fail' }),
        ],
      }),
    ]);
    // The cluster keeps its own verdict: CAPA refuses it.
    expect(a.clusters.find(c => c.name === 'denied')!.verdict).toBe('broken');
  });

  it('a label selector decides with the Namespace labels, per cluster (CAPA rule 5)', () => {
    const dev = roleIdentity('dev', controllersArn(STAGING), {
      allowedNamespaces: {
        selector: { matchLabels: { 'capa-portal.io/environment': 'dev' } },
      },
    });
    const a = account(
      fleet([
        controllerIdentity(),
        dev,
        namespace('dev-payments', { 'capa-portal.io/environment': 'dev' }),
        namespace('dev-experiments', {
          'capa-portal.io/environment': 'experiments',
        }),
        ...awsCluster('dev-payments', 'payments', ref('dev')),
        ...awsCluster('dev-experiments', 'experiments', ref('dev')),
      ]),
    );
    expect(a.verdict).toBe('configured');
    expect(a.clusterProblems.map(p => `${p.namespace}/${p.name}`)).toEqual([
      'dev-experiments/experiments',
    ]);
  });

  it('a trust policy that refuses the management principal breaks reachability, not the clusters as problems of their own', () => {
    const a = account(
      fleet(
        [
          controllerIdentity(),
          staging(),
          ...awsCluster('staging', 'web', ref('staging')),
        ],
        {
          accounts: [
            {
              accountId: STAGING,
              iamConfiguration: targetIamConfig(controllersArn(LIVE)),
            },
          ],
        },
      ),
    );
    expect(a.verdict).toBe('broken');
    expect(a.reachability.chains[0]).toMatchObject({
      name: 'staging',
      verdict: 'broken',
      failing: ['target-trust'],
    });
    expect(a.clusterProblems).toEqual([]);
    expect(a.clusterProblemCount).toBe(0);
  });

  it('a missing source identity breaks the chain (CAPA Gets every identity of the chain): reachability', () => {
    const orphan = roleIdentity('orphan', controllersArn(STAGING), {
      sourceIdentityRef: ref('gone'),
    });
    const a = account(
      fleet([
        controllerIdentity(),
        orphan,
        ...awsCluster('staging', 'web', ref('orphan')),
      ]),
    );
    expect(a.verdict).toBe('broken');
    expect(a.reachability.chains[0].failing).toContain('identity-exists');
    expect(a.clusterProblems).toEqual([]);
  });

  it('static credentials are how the chain authenticates: reachability degraded, no cluster problem', () => {
    const keys = staticIdentity('keys');
    keys.metadata.annotations = { 'amazonaws.com/account-id': STAGING };
    const a = account(
      fleet(
        [
          ...awsCluster('dev', 'x', ref('keys', 'AWSClusterStaticIdentity')),
        ].concat(keys),
      ),
    );
    expect(a.verdict).toBe('degraded');
    expect(a.reachability.chains[0].warning).toEqual(['static-credentials']);
    expect(a.clusterProblems).toEqual([]);
  });

  it("api-version: the cluster's own unserved manifests are its problem; an unserved identity manifest is the chain's", () => {
    const clusterOld = account(
      fleet([
        controllerIdentity(),
        staging(),
        ...awsCluster(
          'staging',
          'old',
          ref('staging'),
          'infrastructure.cluster.x-k8s.io/v1alpha4',
        ),
      ]),
    );
    expect(clusterOld.verdict).toBe('configured');
    expect(clusterOld.clusterProblems[0].checks).toEqual([
      expect.objectContaining({ id: 'api-version', status: 'warn' }),
    ]);

    const identityOld = account(
      fleet([
        controllerIdentity(),
        roleIdentity(
          'staging',
          controllersArn(STAGING),
          { allowedNamespaces: { list: ['staging'] } },
          'infrastructure.cluster.x-k8s.io/v1alpha3',
        ),
        ...awsCluster('staging', 'web', ref('staging')),
      ]),
    );
    expect(identityOld.verdict).toBe('degraded');
    expect(identityOld.reachability.chains[0].warning).toEqual(['api-version']);
    expect(identityOld.clusterProblems).toEqual([]);
  });

  it('a CAPI Operator provider selecting a cluster runs CAPA with static keys: a chain of its own, degraded, not a cluster problem', () => {
    // One InfrastructureProvider per account with static credentials and a watch-filter (docs/contracts.md §1):
    // for the clusters it selects, CAPA's credentials are that provider's keys, not the controller role.
    const provider = {
      apiVersion: 'operator.cluster.x-k8s.io/v1alpha2',
      kind: 'InfrastructureProvider',
      metadata: { name: 'aws-staging', namespace: 'capa-staging' },
      spec: {
        configSecret: { name: 'staging-creds' },
        manager: { additionalArgs: { 'watch-filter': 'env=staging' } },
      },
    };
    const web = awsCluster('staging', 'web', ref('staging'));
    web[0].metadata.labels = { 'cluster.x-k8s.io/watch-filter': 'env=staging' };
    const a = account(
      fleet([controllerIdentity(), staging(), provider as never, ...web]),
    );
    expect(a.reachability.chains).toEqual([
      expect.objectContaining({
        name: 'staging',
        verdict: 'configured',
        clusterCount: 0,
      }),
      expect.objectContaining({
        name: 'staging',
        via: 'capa-staging/aws-staging',
        verdict: 'degraded',
        warning: ['static-credentials'],
        clusterCount: 1,
      }),
    ]);
    expect(a.verdict).toBe('degraded');
    expect(a.clusterProblems).toEqual([]);
  });

  it('the worst chain decides: a broken identity into the account breaks it beside a working one', () => {
    const broken = roleIdentity('other', controllersArn(STAGING, 'x-'), {
      allowedNamespaces: {},
    });
    const a = account(
      fleet([
        controllerIdentity(),
        staging(),
        broken,
        ...awsCluster('staging', 'web', ref('staging')),
      ]),
    );
    expect(
      a.reachability.chains.map(c => `${c.name}:${c.verdict}`).sort(),
    ).toEqual(['other:broken', 'staging:configured']);
    expect(a.verdict).toBe('broken');
  });

  it('a suspended account (Organizations) is unreachable whatever its chains say', () => {
    const a = account(
      fleet([
        controllerIdentity(),
        staging(),
        ...awsCluster('staging', 'web', ref('staging')),
      ]),
      STAGING,
      { organizationAccounts: [{ accountId: STAGING, status: 'SUSPENDED' }] },
    );
    expect(a.verdict).toBe('broken');
    expect(a.clusterProblems).toEqual([]);
  });

  it("CAPA's auto-created controller identity (no object in the input) is judged from the clusters that name it", () => {
    const a = account(
      fleet([...awsCluster('platform', 'tools')], {
        accounts: [
          { accountId: MGMT, iamConfiguration: managementIamConfig() },
        ],
      }),
      MGMT,
    );
    expect(a.reachability.chains).toEqual([
      expect.objectContaining({
        kind: 'AWSClusterControllerIdentity',
        name: 'default',
        // identity-exists warns: AutoControllerIdentityCreator creates it.
        warning: ['identity-exists'],
        clusterCount: 1,
      }),
    ]);
    expect(a.clusterProblems).toEqual([]);
  });

  it('an account nothing reaches is unknown, with no cluster problems', () => {
    const a = account(
      fleet([controllerIdentity()], {
        accounts: [{ accountId: LIVE, name: 'live' }],
      }),
      LIVE,
    );
    expect(a.reachability).toEqual({ verdict: 'unknown', chains: [] });
    expect(a.verdict).toBe('unknown');
    expect(a.clusterProblemCount).toBe(0);
  });
});
