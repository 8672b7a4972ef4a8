/*
 * Golden cases for the IAM evaluator: role trust policies and the outcome AWS documents for them, each case
 * citing the page it comes from. The expected decisions are AWS's, not this evaluator's: a case that fails here
 * is a difference from AWS to fix (or to report as a documented limitation), never an expectation to update.
 *
 * Pages (AWS IAM User Guide):
 * - PRINCIPAL:  reference_policies_elements_principal.html (account, role, role-session and "*" principals)
 * - EVAL:       reference_policies_evaluation-logic.html ("an explicit deny in any policy overrides any allow")
 * - EXTERNAL:   id_roles_common-scenarios_third-party.html (the sts:ExternalId trust policy example)
 * - KEYS:       reference_policies_condition-keys.html (aws:PrincipalTag, aws:PrincipalArn)
 * - CONDITION:  reference_policies_elements_condition.html (key names case-insensitive; values ORed)
 * - OPERATORS:  reference_policies_elements_condition_operators.html (StringEquals is case-sensitive)
 * - ACTION:     reference_policies_elements_action.html (action prefix and name are case-insensitive)
 * - NOTPRINCIPAL: reference_policies_elements_notprincipal.html ("NotPrincipal must be used with "Effect":"Deny".
 *   Using it with "Effect":"Allow" is not supported"; "You cannot use the NotPrincipal element in an IAM
 *   identity-based policy nor in an IAM role trust policy")
 * - PARTITIONS: id_roles_providers_outbound_cross_partition.html ("AWS partitions are hard isolation boundaries
 *   with independent instances of AWS Identity and Access Management (IAM), so a credential issued in one partition
 *   isn't valid in another. As a result, direct role assumption with the AssumeRole API doesn't work across
 *   partition boundaries")
 */
import type { PolicyStatement } from '../types';
import { evaluatePolicy, PolicyDecision, PolicyRequest } from './evaluate';

const PAGES: Record<string, string> = {
  PRINCIPAL: 'reference_policies_elements_principal.html',
  EVAL: 'reference_policies_evaluation-logic.html',
  EXTERNAL: 'id_roles_common-scenarios_third-party.html',
  KEYS: 'reference_policies_condition-keys.html',
  CONDITION: 'reference_policies_elements_condition.html',
  OPERATORS: 'reference_policies_elements_condition_operators.html',
  ACTION: 'reference_policies_elements_action.html',
  NOTPRINCIPAL: 'reference_policies_elements_notprincipal.html',
  PARTITIONS: 'id_roles_providers_outbound_cross_partition.html',
};
/** `PRINCIPAL#principal-roles` -> the page's URL with its anchor. */
const cite = (source: string) => {
  const [page, anchor] = source.split('#');
  return `https://docs.aws.amazon.com/IAM/latest/UserGuide/${PAGES[page]}${
    anchor ? `#${anchor}` : ''
  }`;
};
const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/controllers`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/ci-runner`;
/** The caller: a session of `role` (what a CAPA controller on IRSA, or a chained identity, presents to STS). */
const session = (
  role = ROLE,
  name = 'capa-session',
  context: PolicyRequest['context'] = {},
): PolicyRequest => ({
  principal: {
    type: 'AWS',
    arn: role,
    sessionArn: role
      .replace(':iam::', ':sts::')
      .replace(':role/', ':assumed-role/')
      .concat(`/${name}`),
    accountId: role.split(':')[4],
  },
  action: 'sts:AssumeRole',
  context,
});
const trust = (extra: Partial<PolicyStatement>): PolicyStatement => ({
  Effect: 'Allow',
  Action: 'sts:AssumeRole',
  ...extra,
});

type Golden = [
  source: string,
  what: string,
  policy: PolicyStatement[],
  request: PolicyRequest,
  decision: PolicyDecision,
];

const EXAMPLE_CORP_ID = 'Unique ID Assigned by Example Corp';

// prettier-ignore
const goldens: Golden[] = [
  ['PRINCIPAL#principal-accounts', 'the account root principal delegates to every principal of the account, a role session included',
    [trust({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })], session(), 'allowed'],
  ['PRINCIPAL#principal-accounts', 'a bare account id is the same as its root ARN',
    [trust({ Principal: { AWS: ACCOUNT } })], session(), 'allowed'],
  ['PRINCIPAL#principal-accounts', "another account's root does not admit this account's sessions",
    [trust({ Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` } })], session(), 'implicitDeny'],
  ['PRINCIPAL#principal-roles', 'a role ARN admits the sessions of that role',
    [trust({ Principal: { AWS: ROLE } })], session(), 'allowed'],
  ['PRINCIPAL#principal-roles', 'a role ARN does not admit another role of the same account',
    [trust({ Principal: { AWS: ROLE } })], session(OTHER_ROLE), 'implicitDeny'],
  ['PRINCIPAL#principal-role-session', 'a role-session ARN admits that session',
    [trust({ Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/controllers/capa-session` } })], session(), 'allowed'],
  ['PRINCIPAL#principal-role-session', 'a role-session ARN does not admit another session of the role',
    [trust({ Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/controllers/capa-session` } })], session(ROLE, 'other-session'), 'implicitDeny'],
  ['PRINCIPAL#principal-anonymous', '"AWS": "*" admits every AWS principal',
    [trust({ Principal: { AWS: '*' } })], session(), 'allowed'],
  ['EXTERNAL', 'the documented ExternalId trust policy admits the caller that sends the id',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { StringEquals: { 'sts:ExternalId': EXAMPLE_CORP_ID } } })],
    session(ROLE, 'capa-session', { 'sts:ExternalId': EXAMPLE_CORP_ID }), 'allowed'],
  ['EXTERNAL', 'and refuses a caller that sends no external id',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { StringEquals: { 'sts:ExternalId': EXAMPLE_CORP_ID } } })],
    session(ROLE, 'capa-session', { 'sts:ExternalId': null }), 'implicitDeny'],
  ['EXTERNAL', 'and refuses a caller that sends another id',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { StringEquals: { 'sts:ExternalId': EXAMPLE_CORP_ID } } })],
    session(ROLE, 'capa-session', { 'sts:ExternalId': 'Unique ID Assigned by Another Corp' }), 'implicitDeny'],
  ['OPERATORS#Conditions_String', 'StringEquals compares case-sensitively',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { StringEquals: { 'sts:ExternalId': 'capa-abc' } } })],
    session(ROLE, 'capa-session', { 'sts:ExternalId': 'CAPA-ABC' }), 'implicitDeny'],
  ['CONDITION#AccessPolicyLanguage_ConditionKeys', 'condition key names are case-insensitive',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { StringEquals: { 'STS:externalid': 'capa-abc' } } })],
    session(ROLE, 'capa-session', { 'sts:ExternalId': 'capa-abc' }), 'allowed'],
  ['CONDITION#reference_policies_multiple-conditions-eval', 'several values of one key are ORed',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { StringEquals: { 'sts:ExternalId': ['capa-a', 'capa-b'] } } })],
    session(ROLE, 'capa-session', { 'sts:ExternalId': 'capa-b' }), 'allowed'],
  ['KEYS#condition-keys-principaltag', 'aws:PrincipalTag matches the tag of the calling role session',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } } })],
    session(ROLE, 'capa-session', { 'aws:PrincipalTag/team': 'platform' }), 'allowed'],
  ['KEYS#condition-keys-principaltag', 'a different tag value does not match',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } } })],
    session(ROLE, 'capa-session', { 'aws:PrincipalTag/team': 'data' }), 'implicitDeny'],
  ['KEYS#condition-keys-principaltag', 'a caller without the tag does not match',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'platform' } } })],
    session(ROLE, 'capa-session', { 'aws:PrincipalTag/team': null }), 'implicitDeny'],
  ['KEYS#condition-keys-principalarn', 'for a role session aws:PrincipalArn is the role ARN, so ArnLike on it narrows an account principal',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/control*` } } })],
    session(ROLE, 'capa-session', { 'aws:PrincipalArn': ROLE }), 'allowed'],
  ['KEYS#condition-keys-principalarn', 'and leaves out the roles the pattern does not match',
    [trust({ Principal: { AWS: ACCOUNT }, Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/control*` } } })],
    session(OTHER_ROLE, 'capa-session', { 'aws:PrincipalArn': OTHER_ROLE }), 'implicitDeny'],
  ['EVAL#policy-eval-denyallow', 'an explicit Deny of one role overrides the account-wide Allow',
    [trust({ Principal: { AWS: ACCOUNT } }), { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { AWS: ROLE } }],
    session(), 'explicitDeny'],
  ['EVAL#policy-eval-denyallow', 'while the other roles of the account stay allowed',
    [trust({ Principal: { AWS: ACCOUNT } }), { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { AWS: ROLE } }],
    session(OTHER_ROLE), 'allowed'],
  ['EVAL#policy-eval-basics', 'nothing that allows is an implicit deny',
    [trust({ Principal: { AWS: ROLE }, Action: 'sts:AssumeRoleWithWebIdentity' })], session(), 'implicitDeny'],
  ['ACTION', 'action names are case-insensitive',
    [trust({ Principal: { AWS: ROLE }, Action: 'STS:assumerole' })], session(), 'allowed'],
  ['ACTION', 'a wildcard action covers sts:AssumeRole',
    [trust({ Principal: { AWS: ROLE }, Action: 'sts:*' })], session(), 'allowed'],
  ['NOTPRINCIPAL', 'NotPrincipal with Allow is not supported: it lets nobody in, the caller it does not name included',
    [trust({ NotPrincipal: { AWS: OTHER_ROLE } })], session(), 'implicitDeny'],
  ['NOTPRINCIPAL', 'NotPrincipal with Allow lets nobody in beside a statement that does',
    [trust({ NotPrincipal: { AWS: OTHER_ROLE } }), trust({ Principal: { AWS: ROLE } })], session(), 'allowed'],
  ['NOTPRINCIPAL', 'a Deny with NotPrincipal has no documented meaning in a trust policy: whether it denies a caller it does not name is unknown',
    [trust({ Principal: { AWS: ACCOUNT } }), { Effect: 'Deny', Action: 'sts:AssumeRole', NotPrincipal: { AWS: OTHER_ROLE } }],
    session(), 'unknown'],
  ['NOTPRINCIPAL', 'while every reading of it spares the caller it names',
    [trust({ Principal: { AWS: ACCOUNT } }), { Effect: 'Deny', Action: 'sts:AssumeRole', NotPrincipal: { AWS: ROLE } }],
    session(), 'allowed'],
  ['PARTITIONS', 'the root of the same account id in another partition is another account',
    [trust({ Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:root` } })], session(), 'implicitDeny'],
  ['PARTITIONS', 'a role ARN of another partition does not name the role of the same name',
    [trust({ Principal: { AWS: ROLE.replace('arn:aws:', 'arn:aws-us-gov:') } })], session(), 'implicitDeny'],
  ['PARTITIONS', "a bare account id names the account in the partition of the policy's role",
    [trust({ Principal: { AWS: ACCOUNT } })], { ...session(), partition: 'aws' }, 'allowed'],
  ['PARTITIONS', "so a role in aws-cn naming the id does not admit that id's aws account",
    [trust({ Principal: { AWS: ACCOUNT } })], { ...session(), partition: 'aws-cn' }, 'implicitDeny'],
  ['PARTITIONS', 'and nothing admits a caller of another partition, "AWS": "*" included',
    [trust({ Principal: { AWS: '*' } })], { ...session(), partition: 'aws-eusc' }, 'implicitDeny'],
  ['PARTITIONS', 'a caller of the same partition is let in as usual (aws-us-gov)',
    [trust({ Principal: { AWS: `arn:aws-us-gov:iam::${ACCOUNT}:root` } })],
    { ...session(ROLE.replace('arn:aws:', 'arn:aws-us-gov:')), partition: 'aws-us-gov' }, 'allowed'],
];

describe('evaluatePolicy: golden cases from AWS documentation (trust policies, role-session callers)', () => {
  it.each(
    goldens.map(([source, ...rest]) => [cite(source), ...rest] as Golden),
  )('%s: %s', (_source, _what, policy, request, decision) => {
    expect(evaluatePolicy(policy, request).decision).toBe(decision);
  });

  // AWS: "You cannot use a wildcard to match part of a principal name or ARN" (PRINCIPAL#principal-anonymous);
  // IAM refuses to save such a trust policy, so it can never let anyone in.
  it(`${cite(
    'PRINCIPAL#principal-anonymous',
  )}: a partial wildcard in a principal ARN never allows`, () => {
    const result = evaluatePolicy(
      [trust({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/control*` } })],
      session(),
    );
    expect(result.decision).not.toBe('allowed');
  });
});
