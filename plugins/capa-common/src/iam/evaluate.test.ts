import type { PolicyStatement } from '../types';
import { evaluatePolicy, PolicyRequest } from './evaluate';
import { arnLike, globMatch, parseRoleArn } from './arn';

const MGMT_ROLE =
  'arn:aws:iam::111111111111:role/controllers.cluster-api-provider-aws.sigs.k8s.io';
const TARGET =
  'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io';
const principal = {
  type: 'AWS' as const,
  arn: MGMT_ROLE,
  accountId: '111111111111',
};
const trustReq = (context: PolicyRequest['context'] = {}): PolicyRequest => ({
  principal,
  action: 'sts:AssumeRole',
  context,
});
const allow = (extra: Partial<PolicyStatement>): PolicyStatement => ({
  Effect: 'Allow',
  Action: 'sts:AssumeRole',
  ...extra,
});

type Case = [string, PolicyStatement[], PolicyRequest, string];

describe('evaluatePolicy: trust policies', () => {
  const cases: Case[] = [
    [
      'Principal role ARN matches the role',
      [allow({ Principal: { AWS: MGMT_ROLE } })],
      trustReq(),
      'allowed',
    ],
    [
      'Principal as a list of ARNs',
      [
        allow({
          Principal: { AWS: ['arn:aws:iam::999999999999:role/x', MGMT_ROLE] },
        }),
      ],
      trustReq(),
      'allowed',
    ],
    [
      'Principal account id matches any principal of the account',
      [allow({ Principal: { AWS: '111111111111' } })],
      trustReq(),
      'allowed',
    ],
    [
      'Principal account root matches any principal of the account',
      [allow({ Principal: { AWS: 'arn:aws:iam::111111111111:root' } })],
      trustReq(),
      'allowed',
    ],
    [
      'Principal "*" matches everyone',
      [allow({ Principal: '*' })],
      trustReq(),
      'allowed',
    ],
    [
      'Principal {AWS: "*"} matches everyone',
      [allow({ Principal: { AWS: '*' } })],
      trustReq(),
      'allowed',
    ],
    [
      'another account root does not match',
      [allow({ Principal: { AWS: 'arn:aws:iam::999999999999:root' } })],
      trustReq(),
      'implicitDeny',
    ],
    [
      'another role does not match',
      [allow({ Principal: { AWS: 'arn:aws:iam::111111111111:role/other' } })],
      trustReq(),
      'implicitDeny',
    ],
    [
      'a service principal does not match a role',
      [allow({ Principal: { Service: 'ec2.amazonaws.com' } })],
      trustReq(),
      'implicitDeny',
    ],
    [
      'a role unique id (deleted and recreated role) does not match',
      [allow({ Principal: { AWS: 'AROAEXAMPLEID' } })],
      trustReq(),
      'implicitDeny',
    ],
    [
      'explicit Deny wins over Allow',
      [
        allow({ Principal: { AWS: MGMT_ROLE } }),
        { Effect: 'Deny', Principal: '*', Action: 'sts:*' },
      ],
      trustReq(),
      'explicitDeny',
    ],
    [
      'Deny with NotPrincipal excluding the caller does not apply',
      [
        allow({ Principal: { AWS: MGMT_ROLE } }),
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: MGMT_ROLE },
          Action: 'sts:AssumeRole',
        },
      ],
      trustReq(),
      'allowed',
    ],
    [
      'Action wildcard sts:* matches',
      [allow({ Principal: { AWS: MGMT_ROLE }, Action: 'sts:*' })],
      trustReq(),
      'allowed',
    ],
    [
      'Action is case-insensitive',
      [allow({ Principal: { AWS: MGMT_ROLE }, Action: 'STS:assumerole' })],
      trustReq(),
      'allowed',
    ],
    [
      'sts:TagSession alone does not allow AssumeRole',
      [allow({ Principal: { AWS: MGMT_ROLE }, Action: 'sts:TagSession' })],
      trustReq(),
      'implicitDeny',
    ],
    [
      'NotAction excluding AssumeRole does not allow it',
      [
        {
          Effect: 'Allow',
          Principal: { AWS: MGMT_ROLE },
          NotAction: 'sts:AssumeRole',
        },
      ],
      trustReq(),
      'implicitDeny',
    ],
    ['an empty policy denies implicitly', [], trustReq(), 'implicitDeny'],
    // conditions
    [
      'StringEquals sts:ExternalId match',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringEquals: { 'sts:ExternalId': 'abc' } },
        }),
      ],
      trustReq({ 'sts:ExternalId': 'abc' }),
      'allowed',
    ],
    [
      'StringEquals sts:ExternalId mismatch',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringEquals: { 'sts:ExternalId': 'abc' } },
        }),
      ],
      trustReq({ 'sts:ExternalId': 'xyz' }),
      'implicitDeny',
    ],
    [
      'StringEquals sts:ExternalId with no external id sent',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringEquals: { 'sts:ExternalId': 'abc' } },
        }),
      ],
      trustReq({ 'sts:ExternalId': null }),
      'implicitDeny',
    ],
    [
      'StringEqualsIfExists passes when the key is absent',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringEqualsIfExists: { 'sts:ExternalId': 'abc' } },
        }),
      ],
      trustReq({ 'sts:ExternalId': null }),
      'allowed',
    ],
    [
      'StringNotEquals passes when the key is absent',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringNotEquals: { 'sts:ExternalId': 'abc' } },
        }),
      ],
      trustReq({ 'sts:ExternalId': null }),
      'allowed',
    ],
    [
      'StringNotEquals fails on the listed value',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringNotEquals: { 'sts:ExternalId': 'abc' } },
        }),
      ],
      trustReq({ 'sts:ExternalId': 'abc' }),
      'implicitDeny',
    ],
    [
      'StringLike with wildcard',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringLike: { 'sts:ExternalId': 'team-*' } },
        }),
      ],
      trustReq({ 'sts:ExternalId': 'team-a' }),
      'allowed',
    ],
    [
      'condition values are ORed',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringEquals: { 'sts:ExternalId': ['a', 'b'] } },
        }),
      ],
      trustReq({ 'sts:ExternalId': 'b' }),
      'allowed',
    ],
    [
      'condition keys are case-insensitive',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringEquals: { 'STS:EXTERNALID': 'abc' } },
        }),
      ],
      trustReq({ 'sts:externalid': 'abc' }),
      'allowed',
    ],
    [
      'ArnEquals aws:PrincipalArn',
      [
        allow({
          Principal: { AWS: '111111111111' },
          Condition: { ArnEquals: { 'aws:PrincipalArn': MGMT_ROLE } },
        }),
      ],
      trustReq({ 'aws:PrincipalArn': MGMT_ROLE }),
      'allowed',
    ],
    [
      'ArnLike aws:PrincipalArn with a wildcard role name',
      [
        allow({
          Principal: { AWS: '111111111111' },
          Condition: {
            ArnLike: {
              'aws:PrincipalArn':
                'arn:aws:iam::111111111111:role/controllers.*',
            },
          },
        }),
      ],
      trustReq({ 'aws:PrincipalArn': MGMT_ROLE }),
      'allowed',
    ],
    [
      'ArnLike aws:PrincipalArn mismatch',
      [
        allow({
          Principal: { AWS: '111111111111' },
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/ci-*',
            },
          },
        }),
      ],
      trustReq({ 'aws:PrincipalArn': MGMT_ROLE }),
      'implicitDeny',
    ],
    [
      'ArnLike wildcards do not cross ARN components',
      [
        allow({
          Principal: '*',
          Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*' } },
        }),
      ],
      trustReq({ 'aws:PrincipalArn': MGMT_ROLE }),
      'implicitDeny',
    ],
    [
      'ABAC: aws:PrincipalTag/* all present',
      [
        allow({
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Condition: {
            StringEquals: {
              'aws:PrincipalTag/kubernetes-namespace': 'capa-system',
              'aws:PrincipalTag/eks-cluster-arn':
                'arn:aws:eks:eu-west-1:111111111111:cluster/mgmt',
            },
          },
        }),
      ],
      trustReq({
        'aws:PrincipalTag/kubernetes-namespace': 'capa-system',
        'aws:PrincipalTag/eks-cluster-arn':
          'arn:aws:eks:eu-west-1:111111111111:cluster/mgmt',
      }),
      'allowed',
    ],
    [
      'ABAC: one aws:PrincipalTag/* wrong',
      [
        allow({
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Condition: {
            StringEquals: {
              'aws:PrincipalTag/kubernetes-namespace': 'capa-system',
              'aws:PrincipalTag/kubernetes-service-account': 'capa',
            },
          },
        }),
      ],
      trustReq({
        'aws:PrincipalTag/kubernetes-namespace': 'capa-system',
        'aws:PrincipalTag/kubernetes-service-account': 'other',
      }),
      'implicitDeny',
    ],
    [
      'ABAC: unknown principal tags are unknown, never a guessed pass',
      [
        allow({
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Condition: { StringEquals: { 'aws:PrincipalTag/team': 'a' } },
        }),
      ],
      trustReq({}),
      'unknown',
    ],
    [
      'aws:SourceAccount known absent fails StringEquals',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        }),
      ],
      trustReq({ 'aws:SourceAccount': null }),
      'implicitDeny',
    ],
    [
      'aws:SourceAccount matches when present',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        }),
      ],
      trustReq({ 'aws:SourceAccount': '111111111111' }),
      'allowed',
    ],
    [
      'an unknown operator is unknown',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: {
            DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
          },
        }),
      ],
      trustReq({ 'aws:CurrentTime': '2024-01-01T00:00:00Z' }),
      'unknown',
    ],
    [
      'an unknown key is unknown',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-123' } },
        }),
      ],
      trustReq({}),
      'unknown',
    ],
    [
      'a policy variable is unknown',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { StringEquals: { 'sts:ExternalId': '${aws:username}' } },
        }),
      ],
      trustReq({ 'sts:ExternalId': 'x' }),
      'unknown',
    ],
    [
      'a Deny that may apply makes the result unknown',
      [
        allow({ Principal: { AWS: MGMT_ROLE } }),
        {
          Effect: 'Deny',
          Principal: '*',
          Action: '*',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } },
        },
      ],
      trustReq({}),
      'unknown',
    ],
    [
      'a Deny whose condition is known false does not apply',
      [
        allow({ Principal: { AWS: MGMT_ROLE } }),
        {
          Effect: 'Deny',
          Principal: '*',
          Action: '*',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
      ],
      trustReq({ 'aws:MultiFactorAuthPresent': 'false' }),
      'allowed',
    ],
    [
      'Null condition true on an absent key',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { Null: { 'sts:ExternalId': 'true' } },
        }),
      ],
      trustReq({ 'sts:ExternalId': null }),
      'allowed',
    ],
    [
      'ForAnyValue:StringLike on a multi-valued key',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: {
            'ForAnyValue:StringLike': { 'aws:PrincipalTag/groups': 'admin*' },
          },
        }),
      ],
      trustReq({ 'aws:PrincipalTag/groups': ['dev', 'admins'] }),
      'allowed',
    ],
    [
      'ForAllValues:StringEquals with an absent key is true',
      [
        allow({
          Principal: { AWS: MGMT_ROLE },
          Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } },
        }),
      ],
      trustReq({ 'aws:TagKeys': null }),
      'allowed',
    ],
    [
      'an invalid Effect never allows',
      [{ Effect: 'allow', Principal: '*', Action: '*' }],
      trustReq(),
      'implicitDeny',
    ],
  ];
  it.each(cases)('%s', (_n, statements, request, decision) => {
    expect(evaluatePolicy(statements, request).decision).toBe(decision);
  });
});

describe('evaluatePolicy: identity policies', () => {
  const req = (resource: string): PolicyRequest => ({
    action: 'sts:AssumeRole',
    resource,
    context: {},
  });
  const cases: Case[] = [
    [
      'clusterawsadm allowAssumeRole pattern covers the default controllers role in any account',
      [
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole'],
          Resource: [
            'arn:*:iam::*:role/*.cluster-api-provider-aws.sigs.k8s.io',
          ],
        },
      ],
      req(TARGET),
      'allowed',
    ],
    [
      'the pattern does not cover a custom role name',
      [
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole'],
          Resource: [
            'arn:*:iam::*:role/*.cluster-api-provider-aws.sigs.k8s.io',
          ],
        },
      ],
      req('arn:aws:iam::222222222222:role/capa-target'),
      'implicitDeny',
    ],
    [
      'Resource "*" covers everything',
      [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      req(TARGET),
      'allowed',
    ],
    [
      'an exact ARN',
      [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: TARGET }],
      req(TARGET),
      'allowed',
    ],
    [
      'another account',
      [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: 'arn:aws:iam::333333333333:role/*',
        },
      ],
      req(TARGET),
      'implicitDeny',
    ],
    [
      'NotResource excluding the target',
      [{ Effect: 'Allow', Action: 'sts:AssumeRole', NotResource: TARGET }],
      req(TARGET),
      'implicitDeny',
    ],
    [
      'NotResource not excluding the target',
      [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          NotResource: 'arn:aws:iam::*:role/admin',
        },
      ],
      req(TARGET),
      'allowed',
    ],
    [
      'explicit Deny on the resource wins',
      [
        { Effect: 'Allow', Action: 'sts:*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: 'sts:AssumeRole',
          Resource: 'arn:aws:iam::222222222222:role/*',
        },
      ],
      req(TARGET),
      'explicitDeny',
    ],
    [
      'an identity statement without Resource does not allow',
      [{ Effect: 'Allow', Action: 'sts:AssumeRole' }],
      req(TARGET),
      'implicitDeny',
    ],
  ];
  it.each(cases)('%s', (_n, statements, request, decision) => {
    expect(evaluatePolicy(statements, request).decision).toBe(decision);
  });

  it('accepts a whole document with a single statement object', () => {
    expect(
      evaluatePolicy(
        {
          Version: '2012-10-17',
          Statement: {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: '*',
          },
        },
        req(TARGET),
      ).decision,
    ).toBe('allowed');
  });
  it('never throws on garbage', () => {
    for (const junk of [
      null,
      undefined,
      1,
      'x',
      [null, 1, 'a'],
      { Statement: 'x' },
      { Statement: [{ Effect: 'Allow', Action: 5, Condition: 'x' }] },
    ]) {
      expect(() => evaluatePolicy(junk as any, req(TARGET))).not.toThrow();
    }
  });
  it('reports the statements that decided', () => {
    const r = evaluatePolicy(
      [{ Sid: 'x', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
      req(TARGET),
    );
    expect(r.allowedBy[0].statement.Sid).toBe('x');
    expect(r.reason).toContain('statement 0 (x)');
  });
});

describe('ARN helpers', () => {
  it.each([
    ['arn:aws:iam::1:role/*', 'arn:aws:iam::1:role/a/b', true],
    ['a?c', 'abc', true],
    ['a?c', 'abbc', false],
    ['a.c', 'abc', false],
  ])('globMatch(%s, %s) = %s', (p, v, r) => expect(globMatch(p, v)).toBe(r));
  it('arnLike matches component-wise', () => {
    expect(
      arnLike('arn:aws:iam::*:role/x', 'arn:aws:iam::123456789012:role/x'),
    ).toBe(true);
    expect(
      arnLike(
        'arn:*:iam::*:role/*',
        'arn:aws-us-gov:iam::123456789012:role/a/b',
      ),
    ).toBe(true);
  });
  it('parseRoleArn reads paths', () => {
    expect(parseRoleArn('arn:aws:iam::123456789012:role/team/x/name')).toEqual({
      partition: 'aws',
      accountId: '123456789012',
      path: '/team/x/',
      name: 'name',
    });
    expect(parseRoleArn('arn:aws:iam::123456789012:user/x')).toBeUndefined();
  });
});

describe('evaluatePolicy: a statement that cannot be read', () => {
  it('is unknown on its own and never hides a definite Deny of another statement', () => {
    const unreadable = Object.create(null);
    unreadable.Effect = 'Allow';
    Object.defineProperty(unreadable, 'Action', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const result = evaluatePolicy(
      {
        Statement: [
          unreadable,
          { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' },
        ],
      },
      {
        principal: {
          arn: 'arn:aws:iam::111111111111:role/x',
          accountId: '111111111111',
        },
        action: 'sts:AssumeRole',
        context: {},
      } as any,
    );
    expect(result.decision).toBe('explicitDeny');
    expect(result.statements[0]).toMatchObject({ result: 'unknown' });
  });
});
