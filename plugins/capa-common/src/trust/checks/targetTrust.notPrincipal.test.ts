/*
 * target-trust with NotPrincipal in the target role's trust policy. Expected values from AWS's documentation
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html):
 * "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported", and "You cannot
 * use the NotPrincipal element in an IAM identity-based policy nor in an IAM role trust policy". AWS recommends
 * "the aws:PrincipalArn context key with ARN condition operators instead".
 */
import type { Check, FleetReport, PolicyStatement } from '../../types';
import { evaluateFleet } from '../engine';
import {
  awsCluster,
  controllerIdentity,
  controllersArn,
  fleet,
  MGMT,
  roleIdentity,
  STAGING,
} from '../../__testUtils__/fixtures';

const NOW = { now: new Date('2024-01-01T00:00:00Z') };
const OTHER = '444455556666';

/** A fleet whose staging role trusts only through `statements` (read live with iam:GetRole). */
function withTrustPolicy(statements: PolicyStatement[]): FleetReport {
  const roleArn = controllersArn(STAGING);
  return evaluateFleet(
    fleet([
      controllerIdentity(),
      roleIdentity('staging', roleArn),
      ...awsCluster('staging', 'web', {
        kind: 'AWSClusterRoleIdentity',
        name: 'staging',
      }),
    ]),
    {
      targetRoles: {
        [roleArn]: {
          status: 'found',
          checkedAt: '2024-01-01T00:00:00Z',
          trustPolicy: { Version: '2012-10-17', Statement: statements },
        },
      },
    },
    NOW,
  );
}
const targetTrust = (r: FleetReport): Check =>
  r.clusters[0].checks.find(c => c.id === 'target-trust')!;

describe('target-trust: NotPrincipal in a role trust policy', () => {
  it('fails an Allow with NotPrincipal: "everyone except" is not what AWS does, it lets nobody in', () => {
    const r = withTrustPolicy([
      {
        Sid: 'EveryoneButOther',
        Effect: 'Allow',
        NotPrincipal: { AWS: `arn:aws:iam::${OTHER}:root` },
        Action: 'sts:AssumeRole',
      },
    ]);
    const c = targetTrust(r);
    expect(c.status).toBe('fail');
    expect(c.message).toContain('statement 0 (EveryoneButOther)');
    expect(c.message).toContain('NotPrincipal with Effect Allow');
    expect(c.evidence?.[0].value).toMatchObject({ Sid: 'EveryoneButOther' });
    expect(c.fix?.summary).toContain('Replace statement 0 (EveryoneButOther)');
    expect(c.fix?.snippet).toContain(controllersArn(MGMT));
    expect(r.clusters[0].verdict).toBe('broken');
  });

  it('passes when another statement names the principal, and says the NotPrincipal statement is not allowed there', () => {
    const c = targetTrust(
      withTrustPolicy([
        {
          Effect: 'Allow',
          NotPrincipal: { AWS: `arn:aws:iam::${OTHER}:root` },
          Action: 'sts:AssumeRole',
        },
        {
          Effect: 'Allow',
          Principal: { AWS: controllersArn(MGMT) },
          Action: 'sts:AssumeRole',
        },
      ]),
    );
    expect(c.status).toBe('pass');
    expect(c.message).toContain(
      'statement 0 uses NotPrincipal, which a role trust policy cannot use',
    );
  });

  it('warns on a Deny with NotPrincipal that does not name the principal: AWS documents no meaning for it there', () => {
    const c = targetTrust(
      withTrustPolicy([
        {
          Effect: 'Allow',
          Principal: { AWS: MGMT },
          Action: 'sts:AssumeRole',
        },
        {
          Sid: 'OnlyOther',
          Effect: 'Deny',
          NotPrincipal: { AWS: `arn:aws:iam::${OTHER}:root` },
          Action: 'sts:AssumeRole',
        },
      ]),
    );
    expect(c.status).toBe('warn');
    expect(c.message).toContain('NotPrincipal cannot be used');
    expect(c.evidence?.[0].detail).toContain('NotPrincipal');
    expect(c.fix?.summary).toContain('statement 1 (OnlyOther)');
    expect(JSON.parse(c.fix?.snippet ?? '{}')).toMatchObject({
      Effect: 'Deny',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': expect.any(Array) } },
    });
  });

  it('passes a Deny with NotPrincipal naming the principal (no reading denies it), with the note', () => {
    const c = targetTrust(
      withTrustPolicy([
        {
          Effect: 'Allow',
          Principal: { AWS: MGMT },
          Action: 'sts:AssumeRole',
        },
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: controllersArn(MGMT) },
          Action: 'sts:AssumeRole',
        },
      ]),
    );
    expect(c.status).toBe('pass');
    expect(c.message).toContain('statement 1 uses NotPrincipal');
  });
});
