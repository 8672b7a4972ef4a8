/*
 * Differential test: capa-common's IAM evaluator against an independent implementation,
 * @cloud-copilot/iam-simulate (AGPL-3.0, a dev dependency used only here), over generated role trust policies
 * and callers. The question is the one the trust engine asks in `target-trust`: may this principal call
 * sts:AssumeRole on the target role, given the role's trust policy?
 *
 * How the simulator is asked: the trust policy is the role's resource policy; the caller gets an identity
 * policy allowing sts:AssumeRole on `*`, so the trust policy alone decides (AWS requires both for a
 * cross-account call, and a role's trust policy must name the caller even within its own account); no SCPs or
 * RCPs. The request context carries what CAPA's AssumeRole carries (aws:PrincipalArn, aws:PrincipalAccount,
 * sts:ExternalId when an external id is sent) and our evaluator gets the same keys, with the absent ones
 * listed as absent, so neither side has to guess.
 *
 * Seeded and bounded (fixed seed, fixed number of runs): the same cases every run.
 */
import fc from 'fast-check';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyStatement } from '../types';
import { evaluatePolicy, type PolicyDecision } from './evaluate';

const MGMT = '111111111111';
const TARGET = '222222222222';
const OTHER = '333333333333';
const ROLE = 'controllers.cluster-api-provider-aws.sigs.k8s.io';
const TARGET_ROLE = `arn:aws:iam::${TARGET}:role/${ROLE}`;
const SEED = 20261205;
const RUNS = 400;

interface Caller {
  partition: string;
  accountId: string;
  name: string;
  arn: string;
}

const partitionArb = fc.constantFrom(
  'aws',
  'aws',
  'aws',
  'aws-cn',
  'aws-us-gov',
);
const accountArb = fc.constantFrom(MGMT, TARGET, OTHER);
const roleNameArb = fc.constantFrom(ROLE, 'capa-irsa', 'ci-deployer');

const callerArb: fc.Arbitrary<Caller> = fc
  .record({ partition: partitionArb, accountId: accountArb, name: roleNameArb })
  .map(c => ({
    ...c,
    arn: `arn:${c.partition}:iam::${c.accountId}:role/${c.name}`,
  }));

const principalValueArb = fc.oneof(
  callerArb.map(c => c.arn),
  fc
    .record({ p: partitionArb, a: accountArb })
    .map(({ p, a }) => `arn:${p}:iam::${a}:root`),
  accountArb,
  fc.constant('*'),
);

const principalArb = fc.oneof(
  { arbitrary: fc.constant<'*'>('*'), weight: 1 },
  {
    arbitrary: fc
      .array(principalValueArb, { minLength: 1, maxLength: 3 })
      .map(values => ({ AWS: values.length === 1 ? values[0] : values })),
    weight: 6,
  },
);

const actionArb = fc.constantFrom<string | string[]>(
  'sts:AssumeRole',
  'sts:*',
  '*',
  'sts:Assume*',
  'STS:assumerole',
  'sts:AssumeRoleWithWebIdentity',
  'sts:TagSession',
  ['sts:TagSession', 'sts:AssumeRole'],
);

const externalIdArb = fc.constantFrom('ext-1', 'ext-2');

const conditionArb = fc.oneof(
  fc.constant(undefined),
  externalIdArb.map(v => ({ StringEquals: { 'sts:ExternalId': v } })),
  externalIdArb.map(v => ({ StringNotEquals: { 'sts:ExternalId': v } })),
  externalIdArb.map(v => ({ StringEqualsIfExists: { 'sts:ExternalId': v } })),
  fc
    .constantFrom('true', 'false')
    .map(v => ({ Null: { 'sts:ExternalId': v } })),
  fc
    .constantFrom(
      `arn:aws:iam::*:role/${ROLE}`,
      'arn:aws:iam::*:role/capa-*',
      'arn:*:iam::*:role/*',
    )
    .map(v => ({ ArnLike: { 'aws:PrincipalArn': v } })),
  accountArb.map(v => ({ StringEquals: { 'aws:PrincipalAccount': v } })),
);

const statementArb: fc.Arbitrary<PolicyStatement> = fc
  .record({
    effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    principal: principalArb,
    action: actionArb,
    condition: conditionArb,
  })
  .map(
    ({ effect, principal, action, condition }) =>
      ({
        Effect: effect,
        Principal: principal,
        Action: action,
        ...(condition ? { Condition: condition } : {}),
      } as PolicyStatement),
  );

const caseArb = fc.record({
  statements: fc.array(statementArb, { minLength: 1, maxLength: 3 }),
  caller: callerArb,
  externalId: fc.option(externalIdArb, { nil: undefined }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function ours(c: Case): PolicyDecision {
  return evaluatePolicy(c.statements, {
    principal: {
      type: 'AWS',
      arn: c.caller.arn,
      accountId: c.caller.accountId,
    },
    action: 'sts:AssumeRole',
    context: {
      'sts:externalid': c.externalId ?? null,
      'aws:principalarn': c.caller.arn,
      'aws:principalaccount': c.caller.accountId,
    },
  }).decision;
}

const SIM_DECISION: Record<string, PolicyDecision> = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicitDeny',
  ImplicitlyDenied: 'implicitDeny',
};

async function simulated(c: Case): Promise<PolicyDecision | string> {
  const response = await runSimulation(
    {
      identityPolicies: [
        {
          name: 'caller',
          policy: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
            ],
          },
        },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: { Version: '2012-10-17', Statement: c.statements },
      request: {
        action: 'sts:AssumeRole',
        principal: c.caller.arn,
        resource: { resource: TARGET_ROLE, accountId: TARGET },
        contextVariables: {
          'aws:PrincipalArn': c.caller.arn,
          'aws:PrincipalAccount': c.caller.accountId,
          ...(c.externalId ? { 'sts:ExternalId': c.externalId } : {}),
        },
      },
    },
    {},
  );
  if (response.resultType === 'error')
    return `error: ${JSON.stringify(response.errors).slice(0, 300)}`;
  return SIM_DECISION[response.overallResult] ?? response.overallResult;
}

describe('IAM evaluator against @cloud-copilot/iam-simulate (differential, seeded)', () => {
  it(`agrees on ${RUNS} generated trust policies and callers (seed ${SEED})`, async () => {
    // No disagreement is expected: none was found at this seed (and a mutation of the evaluator, e.g.
    // StringNotEquals read as StringEquals, makes dozens appear).
    const disagreements: string[] = [];
    let allowed = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async c => {
        const mine = ours(c);
        const theirs = await simulated(c);
        if (mine === 'allowed') allowed++;
        if (mine === theirs) return;
        disagreements.push(
          `ours ${mine}, iam-simulate ${theirs}: caller ${
            c.caller.arn
          }, externalId ${
            c.externalId ?? '(none)'
          }, statements ${JSON.stringify(c.statements)}`,
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(disagreements).toEqual([]);
    // The generator must reach both answers, or agreement proves little.
    expect(allowed).toBeGreaterThan(RUNS / 10);
    expect(allowed).toBeLessThan(RUNS - RUNS / 10);
  });
});

/*
 * Where the oracle cannot help: iam-simulate agrees with our evaluator on two points where AWS's documentation
 * says otherwise, so the differential test above cannot catch them. These tests pin the oracle's behaviour
 * and ours, so a future iam-simulate that models them shows up here; issue #14 items 1 and 2 fix them (after
 * the trust/ restructure). Whoever fixes them in this evaluator will see the differential test above disagree
 * on exactly these shapes: explain them there (the oracle is wrong on them) and update these pins.
 */
describe('what the differential test cannot see (the oracle shares the gap)', () => {
  async function simulate(statement: PolicyStatement, caller: string) {
    const c: Case = {
      statements: [statement],
      caller: {
        partition: caller.split(':')[1],
        accountId: caller.split(':')[4],
        name: caller.split('/').pop()!,
        arn: caller,
      },
      externalId: undefined,
    };
    return { ours: ours(c), theirs: await simulated(c) };
  }

  it('partitions: both match an account-root principal by account id, across partitions', async () => {
    // AWS: account ids are per partition and sts:AssumeRole never crosses a partition
    // (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html, "AWS account principals").
    const r = await simulate(
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws-cn:iam::${MGMT}:root` },
        Action: 'sts:AssumeRole',
      },
      `arn:aws:iam::${MGMT}:role/${ROLE}`,
    );
    expect(r).toEqual({ ours: 'allowed', theirs: 'allowed' });
  });

  it('NotPrincipal with Allow: both apply "everyone except" semantics', async () => {
    // AWS: a role trust policy cannot use NotPrincipal, and NotPrincipal with Effect Allow is not supported
    // (reference_policies_elements_notprincipal.html).
    const r = await simulate(
      {
        Effect: 'Allow',
        NotPrincipal: { AWS: `arn:aws:iam::${OTHER}:root` },
        Action: 'sts:AssumeRole',
      } as PolicyStatement,
      `arn:aws:iam::${MGMT}:role/${ROLE}`,
    );
    expect(r).toEqual({ ours: 'allowed', theirs: 'allowed' });
  });
});
