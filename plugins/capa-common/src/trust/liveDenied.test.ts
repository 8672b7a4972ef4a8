/*
 * Static evidence says yes, STS says no. The fleet is the CAPA multi-account guide's happy path: the target
 * role's trust policy names the management controllers role and the management account's IAM configuration
 * allows sts:AssumeRole on it, so `target-trust` and `source-permission` pass on static evidence. Live
 * verification then records STS refusing the AssumeRole (as it does when, for instance, an SCP or a permissions
 * boundary denies it: neither is visible in the static files).
 *
 * Expected values from docs/contracts.md §4: `live-assume` fails when the chain could not be assumed for real;
 * a verdict is `broken` when any check fails; an account's verdict aggregates the clusters that target it.
 */
import type { Check, CheckId, FleetInput } from '../types';
import { evaluateFleet, planEvidence } from './engine';
import {
  awsCluster,
  controllerIdentity,
  controllersArn,
  fleet,
  MGMT,
  roleIdentity,
  STAGING,
} from '../__testUtils__/fixtures';

const STAGING_ROLE = controllersArn(STAGING);
// The shape of STS's AccessDenied for AssumeRole (AWS STS API reference, AssumeRole, Errors; IAM User Guide,
// "Troubleshoot IAM roles": "User: ... is not authorized to perform: sts:AssumeRole on resource: ...").
const STS_MESSAGE = `User: arn:aws:sts::${MGMT}:assumed-role/controllers.cluster-api-provider-aws.sigs.k8s.io/capa is not authorized to perform: sts:AssumeRole on resource: ${STAGING_ROLE}`;

const input = (): FleetInput =>
  fleet([
    controllerIdentity(),
    roleIdentity('staging', STAGING_ROLE, {
      allowedNamespaces: { list: ['staging'] },
    }),
    ...awsCluster('staging', 'web', {
      kind: 'AWSClusterRoleIdentity',
      name: 'staging',
    }),
  ]);

const status = (checks: Check[], id: CheckId) =>
  checks.find(c => c.id === id)?.status;

describe('live evidence: static checks pass and STS denies the AssumeRole', () => {
  const plan = planEvidence(input());
  const chain = plan.chains.find(c =>
    c.hops.some(h => h.roleArn === STAGING_ROLE),
  );

  it('plans one chain through the staging role', () => {
    expect(chain).toBeDefined();
    expect(chain!.hops.map(h => h.roleArn)).toEqual([STAGING_ROLE]);
  });

  const withoutLive = evaluateFleet(input(), undefined, {
    now: new Date('2024-01-01T00:00:00Z'),
  });
  const denied = evaluateFleet(
    input(),
    {
      assumeResults: {
        [chain!.key]: {
          status: 'denied',
          failedHop: 0,
          message: STS_MESSAGE,
          checkedAt: '2024-01-01T00:00:00Z',
        },
      },
    },
    { now: new Date('2024-01-01T00:00:00Z') },
  );
  const web = denied.clusters.find(c => c.name === 'web')!;

  it('passes target-trust and source-permission on static evidence, with and without the live result', () => {
    for (const report of [withoutLive, denied]) {
      const checks = report.clusters.find(c => c.name === 'web')!.checks;
      expect(status(checks, 'target-trust')).toBe('pass');
      expect(status(checks, 'source-permission')).toBe('pass');
    }
    // Without live evidence, live-assume is skipped and nothing fails.
    const checks = withoutLive.clusters.find(c => c.name === 'web')!.checks;
    expect(status(checks, 'live-assume')).toBe('skip');
    expect(checks.filter(c => c.status === 'fail')).toEqual([]);
  });

  it('fails live-assume with STS’s message, naming the role', () => {
    const live = web.checks.find(c => c.id === 'live-assume')!;
    expect(live.status).toBe('fail');
    expect(live.message).toContain(STS_MESSAGE);
    expect(live.message).toContain(STAGING_ROLE);
    expect(web.checks.filter(c => c.status === 'fail').map(c => c.id)).toEqual([
      'live-assume',
    ]);
  });

  it('makes the cluster and its account broken', () => {
    expect(web.verdict).toBe('broken');
    expect(denied.accounts.find(a => a.accountId === STAGING)!.verdict).toBe(
      'broken',
    );
  });
});
