/*
 * The workload-access report of one EKS cluster from the static file's evidence: each binding's checks and verdict.
 * Expected outcomes follow the AWS pages the checks cite (see iam/workloadRequests.golden.test.ts for the
 * evaluator's side): IRSA needs the issuer's provider in the role's account and a trust policy naming it with the
 * right `:sub`; Pod Identity needs pods.eks.amazonaws.com with sts:AssumeRole + sts:TagSession, and a target role
 * trusting the association role (with sts:TagSession for the transitive tags).
 */
import type { Check, CheckId } from '../types';
import {
  evaluateWorkloadAccess,
  WorkloadAccessInput,
} from './evaluateWorkloadAccess';
import { parseWorkloadAccess } from './parseWorkloadAccess';

const HUB = '777777777777';
const RETAIL = '888888888888';
const EXCHANGE = '101010101010';
const ISSUER =
  'https://oidc.eks.us-east-1.amazonaws.com/id/6F6D86945DC99E5F91941C07F8C68E10';
const HP = ISSUER.slice('https://'.length);
const CLUSTER_ARN = `arn:aws:eks:us-east-1:${HUB}:cluster/shared-ingress-use1`;
const POD_ROLE = `arn:aws:iam::${HUB}:role/shared-pod-identity`;
const TARGET = `arn:aws:iam::${RETAIL}:role/catalog-writer`;
const IRSA_ROLE = `arn:aws:iam::${EXCHANGE}:role/feed-writer`;

const podTrust = (actions: string[]) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: actions,
    },
  ],
});
const abacTrust = (actions: string[], namespace = 'retail') => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${HUB}:root` },
      Action: actions,
      Condition: {
        StringEquals: {
          'aws:PrincipalTag/kubernetes-service-account': 'catalog-sync',
          'aws:PrincipalTag/eks-cluster-arn': CLUSTER_ARN,
          'aws:PrincipalTag/kubernetes-namespace': namespace,
        },
      },
    },
  ],
});
const irsaTrust = (sub: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${EXCHANGE}:oidc-provider/${HP}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${HP}:sub`]: sub,
          [`${HP}:aud`]: 'sts.amazonaws.com',
        },
      },
    },
  ],
});

function doc(over: {
  podTrust?: unknown;
  targetTrust?: unknown;
  irsaTrust?: unknown;
  exchangeProviders?: string[];
  targetRoleArn?: string;
}) {
  return {
    clusters: [
      {
        managementCluster: 'mgmt-us',
        namespace: 'shared-services',
        name: 'shared-ingress-use1',
        oidcIssuer: ISSUER,
        serviceAccounts: [
          { namespace: 'exchange', name: 'feed-writer', roleArn: IRSA_ROLE },
        ],
        podIdentityAssociations: [
          {
            namespace: 'retail',
            serviceAccount: 'catalog-sync',
            roleArn: POD_ROLE,
            targetRoleArn: over.targetRoleArn ?? TARGET,
          },
        ],
      },
    ],
    accounts: [
      {
        accountId: HUB,
        roles: [
          {
            arn: POD_ROLE,
            trustPolicy:
              over.podTrust ?? podTrust(['sts:AssumeRole', 'sts:TagSession']),
          },
        ],
      },
      {
        accountId: RETAIL,
        roles: [
          {
            arn: TARGET,
            trustPolicy:
              over.targetTrust ??
              abacTrust(['sts:AssumeRole', 'sts:TagSession']),
          },
        ],
      },
      {
        accountId: EXCHANGE,
        openIDConnectProviders: over.exchangeProviders ?? [
          `arn:aws:iam::${EXCHANGE}:oidc-provider/${HP}`,
        ],
        roles: [
          {
            arn: IRSA_ROLE,
            trustPolicy:
              over.irsaTrust ??
              irsaTrust('system:serviceaccount:exchange:feed-writer'),
          },
        ],
      },
    ],
  };
}

const known = new Map<string, string | undefined>([
  [HUB, 'shared-services'],
  [RETAIL, 'retail-live-us'],
  [EXCHANGE, 'data-exchange'],
]);

function run(
  d: unknown,
  cluster: Partial<WorkloadAccessInput['cluster']> = {},
  knownAccounts = known,
) {
  const parsed = parseWorkloadAccess(d, 'workload-access.yaml');
  expect(parsed.problems).toEqual([]);
  return evaluateWorkloadAccess({
    cluster: {
      managementCluster: 'mgmt-us',
      namespace: 'shared-services',
      name: 'shared-ingress-use1',
      flavour: 'eks',
      accountId: HUB,
      region: 'us-east-1',
      eksClusterName: 'shared-ingress-use1',
      ...cluster,
    },
    snapshot: parsed.snapshot,
    knownAccounts,
    generatedAt: '2026-01-01T00:00:00Z',
  });
}
const statusOf = (checks: Check[], id: CheckId) =>
  checks.find(c => c.id === id)?.status;
const pod = (r: ReturnType<typeof run>) =>
  r.roles.find(x => x.mechanism === 'pod-identity')!;
const irsa = (r: ReturnType<typeof run>) =>
  r.roles.find(x => x.mechanism === 'irsa')!;

describe('evaluateWorkloadAccess', () => {
  it('passes a Pod Identity association chained into the guide ABAC trust, and IRSA with the provider and the right :sub', () => {
    const r = run(doc({}));
    expect(r.applicable).toBe(true);
    expect(r.clusterArn).toBe(CLUSTER_ARN);
    expect(pod(r)).toMatchObject({
      roleArn: TARGET,
      viaRoleArn: POD_ROLE,
      accountName: 'retail-live-us',
      verdict: 'configured',
    });
    expect(pod(r).checks.map(c => c.id)).toEqual([
      'workload-account-known',
      'workload-role-exists',
      'workload-trust-policy',
      'workload-pod-identity-trust',
      'workload-chain-trust',
    ]);
    expect(irsa(r)).toMatchObject({
      roleArn: IRSA_ROLE,
      verdict: 'configured',
    });
    expect(r.verdict).toBe('configured');
  });

  it('fails IRSA whose trust policy names another service account in :sub, with a fix naming the right one', () => {
    const r = run(
      doc({
        irsaTrust: irsaTrust('system:serviceaccount:exchange:feed-reader'),
      }),
    );
    const c = irsa(r).checks.find(x => x.id === 'workload-irsa-trust')!;
    expect(c.status).toBe('fail');
    expect(c.fix?.snippet).toContain(
      'system:serviceaccount:exchange:feed-writer',
    );
    expect(irsa(r).verdict).toBe('broken');
    expect(r.verdict).toBe('broken');
  });

  it('fails IRSA when the role account has no OIDC provider for the issuer (unknown issuer)', () => {
    const r = run(doc({ exchangeProviders: [] }));
    expect(statusOf(irsa(r).checks, 'workload-oidc-provider')).toBe('fail');
  });

  it('fails the chain when the target role trust lacks sts:TagSession for the transitive tags', () => {
    const r = run(doc({ targetTrust: abacTrust(['sts:AssumeRole']) }));
    expect(statusOf(pod(r).checks, 'workload-chain-trust')).toBe('fail');
  });

  it('fails the chain when the ABAC condition names another namespace', () => {
    const r = run(
      doc({
        targetTrust: abacTrust(
          ['sts:AssumeRole', 'sts:TagSession'],
          'payments',
        ),
      }),
    );
    const c = pod(r).checks.find(x => x.id === 'workload-chain-trust')!;
    expect(c.status).toBe('fail');
    expect(c.message).toContain('kubernetes-namespace');
  });

  it('fails the association role without pods.eks.amazonaws.com sts:TagSession', () => {
    const r = run(doc({ podTrust: podTrust(['sts:AssumeRole']) }));
    expect(statusOf(pod(r).checks, 'workload-pod-identity-trust')).toBe('fail');
  });

  it('reports a malformed trust policy as a check, never a throw', () => {
    for (const bad of [
      '{"Statement": [',
      {
        Statement: [
          { Effect: 'Maybe', Action: 'sts:AssumeRole', Principal: '*' },
        ],
      },
      42,
    ]) {
      const r = run(doc({ targetTrust: bad }));
      expect(statusOf(pod(r).checks, 'workload-trust-policy')).toBe('fail');
      expect(statusOf(pod(r).checks, 'workload-chain-trust')).toBe('skip');
    }
  });

  it('fails an association to a role the account does not have', () => {
    const r = run(
      doc({ targetRoleArn: `arn:aws:iam::${RETAIL}:role/deleted` }),
    );
    const c = pod(r).checks.find(x => x.id === 'workload-role-exists')!;
    expect(c.status).toBe('fail');
    expect(c.message).toContain('role/deleted does not exist');
  });

  it('warns about a role in an account the fleet does not know, and skips what it cannot see', () => {
    const r = run(
      doc({ targetRoleArn: 'arn:aws:iam::123456789012:role/elsewhere' }),
    );
    expect(statusOf(pod(r).checks, 'workload-account-known')).toBe('warn');
    expect(pod(r).verdict).toBe('degraded');
  });

  it('answers a non-EKS cluster with applicable false and a reason', () => {
    const r = run(doc({}), { flavour: 'kubeadm' });
    expect(r).toMatchObject({ applicable: false, roles: [] });
    expect(r.reason).toMatch(/not an EKS cluster/);
  });

  it('reads the issuer from AWSManagedControlPlane status.oidcProvider.arn when nothing else gives it', () => {
    const d = doc({});
    delete (d.clusters[0] as any).oidcIssuer;
    const parsed = parseWorkloadAccess(d, 'workload-access.yaml');
    const r = evaluateWorkloadAccess({
      cluster: {
        managementCluster: 'mgmt-us',
        namespace: 'shared-services',
        name: 'shared-ingress-use1',
        flavour: 'eks',
        accountId: HUB,
        region: 'us-east-1',
        eksClusterName: 'shared-ingress-use1',
      },
      manifestOidcProviderArn: `arn:aws:iam::${HUB}:oidc-provider/${HP}`,
      snapshot: parsed.snapshot,
      knownAccounts: known,
      generatedAt: 'now',
    });
    expect(r.oidcIssuer).toBe(ISSUER);
    expect(statusOf(irsa(r).checks, 'workload-irsa-trust')).toBe('pass');
  });
});

describe('parseWorkloadAccess', () => {
  it('names the file and field of bad entries and keeps the others', () => {
    const { snapshot, problems } = parseWorkloadAccess(
      {
        clusters: [
          {
            managementCluster: 'm',
            namespace: 'n',
            name: 'c',
            serviceAccounts: [
              { namespace: 'a', name: 'b', roleArn: 'not-an-arn' },
            ],
          },
        ],
        accounts: [
          { accountId: 123 },
          { accountId: RETAIL, roles: [{ arn: `arn:aws:iam::${HUB}:role/x` }] },
        ],
      },
      'wa.yaml',
    );
    expect(problems.map(p => p.message)).toEqual([
      'clusters[0].serviceAccounts[0].roleArn: must be an IAM role ARN, got "not-an-arn"',
      'accounts[0].accountId: must be a 12-digit string (quote it), got 123',
      `accounts[1].roles[0].arn: arn:aws:iam::${HUB}:role/x is not in account ${RETAIL}`,
    ]);
    expect(problems.every(p => p.source === 'wa.yaml')).toBe(true);
    expect(snapshot?.clusters['m/n/c'].serviceAccounts).toEqual([]);
    expect(Object.keys(snapshot!.accounts)).toEqual([RETAIL]);
  });

  it('refuses a document that is not a mapping with clusters or accounts', () => {
    expect(parseWorkloadAccess([1, 2], 'wa.yaml').problems[0].message).toMatch(
      /^\(root\)/,
    );
  });
});
