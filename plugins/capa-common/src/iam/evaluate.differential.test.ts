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
 *
 * Where the simulator (0.1.173) differs from AWS's documentation, a disagreement is explained, not adapted to; each
 * explanation is checked by asking the simulator again about the policy AWS documents as equivalent:
 * - partitions: the simulator matches an account principal by account id alone (`principal/principal.js`,
 *   `principalStatement.accountId() === requestPrincipal.accountId()`) and lets a caller of another partition
 *   in. AWS: partitions are separate instances of IAM, "a credential issued in one partition isn't valid in
 *   another. As a result, direct role assumption with the AssumeRole API doesn't work across partition
 *   boundaries" (IAM User Guide, id_roles_providers_outbound_cross_partition.html). So a root ARN of another
 *   partition names an account the caller is not in, and a caller of another partition is never let in.
 * - NotPrincipal: the simulator applies "everyone except" with Allow and with Deny. AWS: "NotPrincipal must be
 *   used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported", and "You cannot use the
 *   NotPrincipal element in ... an IAM role trust policy" (reference_policies_elements_notprincipal.html). So an
 *   Allow with NotPrincipal grants nobody, and a Deny with NotPrincipal that does not name the caller has no
 *   documented meaning: our answer is `unknown` exactly when its two readings (ignored, or "everyone except")
 *   give different answers.
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

/** The target role's partition: the simulation's resource is TARGET_ROLE. */
const ROLE_PARTITION = 'aws';
const partitionArb = fc.constantFrom(
  'aws',
  'aws',
  'aws',
  'aws-cn',
  'aws-us-gov',
);
/** Callers mostly in the role's partition, so that most cases test more than the partition rule. */
const callerPartitionArb = fc.constantFrom(
  ...Array<string>(8).fill(ROLE_PARTITION),
  'aws-cn',
  'aws-us-gov',
);
const accountArb = fc.constantFrom(MGMT, TARGET, OTHER);
const roleNameArb = fc.constantFrom(ROLE, 'capa-irsa', 'ci-deployer');

const callerArb: fc.Arbitrary<Caller> = fc
  .record({
    partition: callerPartitionArb,
    accountId: accountArb,
    name: roleNameArb,
  })
  .map(c => ({
    ...c,
    arn: `arn:${c.partition}:iam::${c.accountId}:role/${c.name}`,
  }));

const principalValueArb = fc.oneof(
  fc
    .record({ p: partitionArb, a: accountArb, n: roleNameArb })
    .map(({ p, a, n }) => `arn:${p}:iam::${a}:role/${n}`),
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
    // One statement in eight uses NotPrincipal instead of Principal.
    not: fc.constantFrom(...Array<boolean>(7).fill(false), true),
    action: actionArb,
    condition: conditionArb,
  })
  .map(
    ({ effect, principal, not, action, condition }) =>
      ({
        Effect: effect,
        [not ? 'NotPrincipal' : 'Principal']: principal,
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
    partition: ROLE_PARTITION,
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

/** An account no generated principal is in. */
const NOBODY = '999999999999';

/** Every principal value of a Principal / NotPrincipal element, mapped. */
function mapPrincipals(
  spec: unknown,
  f: (value: string) => string,
): PolicyStatement['Principal'] {
  if (spec === '*' || !spec || typeof spec !== 'object')
    return spec as PolicyStatement['Principal'];
  return Object.fromEntries(
    Object.entries(spec as Record<string, string | string[]>).map(
      ([type, v]) => [type, Array.isArray(v) ? v.map(f) : f(v)],
    ),
  );
}

/**
 * The policy AWS documents as equivalent for this caller, in a shape the simulator reads as AWS does: a root ARN
 * of another partition becomes the root of an account nobody is in (it names another account), and an Allow with
 * NotPrincipal is dropped (it grants nobody).
 */
function awsEquivalent(c: Case): Case {
  const rootOfOtherPartition = (v: string) => {
    const m = /^arn:([^:]+):iam::(\d{12}):root$/.exec(v);
    return m && m[1] !== c.caller.partition
      ? `arn:${m[1]}:iam::${NOBODY}:root`
      : v;
  };
  const statements = c.statements
    .filter(st => !(st.NotPrincipal !== undefined && st.Effect !== 'Deny'))
    .map(st => {
      const out: PolicyStatement = { ...st };
      if (st.Principal !== undefined)
        out.Principal = mapPrincipals(st.Principal, rootOfOtherPartition);
      if (st.NotPrincipal !== undefined)
        out.NotPrincipal = mapPrincipals(
          st.NotPrincipal,
          rootOfOtherPartition,
        ) as PolicyStatement['NotPrincipal'];
      return out;
    });
  return { ...c, statements };
}

/** The two readings of a Deny with NotPrincipal: ignored, or a Deny of everyone but the principals it names. */
function notPrincipalReadings(c: Case): [ignored: Case, everyoneExcept: Case] {
  const isDenyNot = (st: PolicyStatement) =>
    st.NotPrincipal !== undefined && st.Effect === 'Deny';
  return [{ ...c, statements: c.statements.filter(st => !isDenyNot(st)) }, c];
}

/**
 * Why ours and the simulator disagree, when AWS's documentation says so; undefined when the disagreement is
 * not explained (a bug to fix on one side).
 */
async function explanation(
  c: Case,
  mine: PolicyDecision,
): Promise<string | undefined> {
  if (c.caller.partition !== ROLE_PARTITION) {
    // AssumeRole never crosses a partition: nothing lets the caller in.
    return mine === 'implicitDeny' ? 'caller in another partition' : undefined;
  }
  const equivalent = awsEquivalent(c);
  // The rewrite must not change what the policy means to us, or it explains nothing.
  if (ours(equivalent) !== mine) return undefined;
  const theirs = await simulated(equivalent);
  if (theirs === mine)
    return 'the simulator ignores partitions or NotPrincipal+Allow';
  const [ignored, everyoneExcept] = notPrincipalReadings(equivalent);
  const a = await simulated(ignored);
  const b = await simulated(everyoneExcept);
  return mine === 'unknown' && a !== b
    ? 'Deny with NotPrincipal: undocumented in a trust policy, and its readings differ'
    : undefined;
}

describe('IAM evaluator against @cloud-copilot/iam-simulate (differential, seeded)', () => {
  it(`agrees on ${RUNS} generated trust policies and callers (seed ${SEED}), or differs where AWS's documentation says the simulator is wrong`, async () => {
    // No unexplained disagreement is expected (and a mutation of the evaluator, e.g. StringNotEquals read as
    // StringEquals, makes dozens appear).
    const unexplained: string[] = [];
    const explained = new Map<string, number>();
    let allowed = 0;
    let agreed = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async c => {
        const mine = ours(c);
        const theirs = await simulated(c);
        if (mine === 'allowed') allowed++;
        if (mine === theirs) {
          agreed++;
          return;
        }
        const why = await explanation(c, mine);
        if (why) {
          explained.set(why, (explained.get(why) ?? 0) + 1);
          return;
        }
        unexplained.push(
          `ours ${mine}, iam-simulate ${theirs}: caller ${
            c.caller.arn
          }, externalId ${
            c.externalId ?? '(none)'
          }, statements ${JSON.stringify(c.statements)}`,
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(unexplained).toEqual([]);
    // The generator must reach both answers, and mostly cases where the two agree, or agreement proves little.
    expect(allowed).toBeGreaterThan(RUNS / 10);
    expect(allowed).toBeLessThan(RUNS - RUNS / 10);
    expect(agreed).toBeGreaterThan(RUNS * 0.7);
    // Each documented difference is exercised at this seed.
    expect([...explained.keys()].sort()).toEqual([
      'Deny with NotPrincipal: undocumented in a trust policy, and its readings differ',
      'caller in another partition',
      'the simulator ignores partitions or NotPrincipal+Allow',
    ]);
  });
});

/*
 * The documented differences, one case each, pinned on both sides: a future iam-simulate that models them shows up
 * here (then the explanations above can go).
 */
describe('where the oracle differs from AWS documentation', () => {
  async function both(statement: PolicyStatement, caller: string) {
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

  it('partitions: an account root of another partition is another account (id_roles_providers_outbound_cross_partition.html)', async () => {
    const r = await both(
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws-cn:iam::${MGMT}:root` },
        Action: 'sts:AssumeRole',
      },
      `arn:aws:iam::${MGMT}:role/${ROLE}`,
    );
    expect(r).toEqual({ ours: 'implicitDeny', theirs: 'allowed' });
  });

  it('partitions: a caller of another partition is not let in, even by "AWS": "*"', async () => {
    const r = await both(
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
      `arn:aws-us-gov:iam::${MGMT}:role/${ROLE}`,
    );
    expect(r).toEqual({ ours: 'implicitDeny', theirs: 'allowed' });
  });

  it('NotPrincipal with Allow grants nobody (reference_policies_elements_notprincipal.html)', async () => {
    const r = await both(
      {
        Effect: 'Allow',
        NotPrincipal: { AWS: `arn:aws:iam::${OTHER}:root` },
        Action: 'sts:AssumeRole',
      } as PolicyStatement,
      `arn:aws:iam::${MGMT}:role/${ROLE}`,
    );
    expect(r).toEqual({ ours: 'implicitDeny', theirs: 'allowed' });
  });

  it('Deny with NotPrincipal not naming the caller: undocumented in a trust policy, so unknown', async () => {
    const r = await both(
      {
        Effect: 'Deny',
        NotPrincipal: { AWS: `arn:aws:iam::${OTHER}:root` },
        Action: 'sts:AssumeRole',
      } as PolicyStatement,
      `arn:aws:iam::${MGMT}:role/${ROLE}`,
    );
    expect(r).toEqual({ ours: 'unknown', theirs: 'explicitDeny' });
  });
});
