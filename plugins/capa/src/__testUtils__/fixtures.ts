import type { Entity } from '@backstage/catalog-model';
import type {
  AccountSummary,
  AccountTrustResponse,
  ClusterReport,
  ClusterSummary,
  IdentityChainResponse,
  IdentityReport,
  ManagementClusterStatus,
  OnboardingGapsResponse,
  TrustMapResponse,
} from '@capa-portal/plugin-capa-common';
import type { CapaApi } from '../api';

export const TRUST_POLICY_FIX = `{
  "Effect": "Allow",
  "Principal": { "AWS": "arn:aws:iam::111111111111:role/controllers.cluster-api-provider-aws.sigs.k8s.io" },
  "Action": "sts:AssumeRole"
}`;

export const stagingIdentity: IdentityReport = {
  managementCluster: 'mgmt-eu',
  kind: 'AWSClusterRoleIdentity',
  name: 'staging',
  accountId: '222222222222',
  roleArn:
    'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
  verdict: 'broken',
  checks: [
    { id: 'identity-exists', status: 'pass', message: 'All links exist.' },
    {
      id: 'target-trust',
      status: 'fail',
      message:
        'The trust policy of the target role does not allow the management principal.',
      evidence: [
        {
          source: 'iam/staging.yaml',
          line: 12,
          detail: 'trustStatements allow only ec2.amazonaws.com',
        },
      ],
      fix: {
        summary:
          'Add a trust statement for the management controllers role to clusterAPIControllers.trustStatements.',
        snippet: TRUST_POLICY_FIX,
        language: 'json',
      },
    },
    {
      id: 'session-duration',
      status: 'warn',
      message: 'durationSeconds 7200 exceeds the 3600 role-chaining limit.',
      evidence: [{ source: 'AWSClusterRoleIdentity/staging' }],
    },
  ],
  chain: [
    {
      kind: 'AWSClusterRoleIdentity',
      name: 'staging',
      roleArn:
        'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
      accountId: '222222222222',
      externalId: 'ext-123',
      durationSeconds: 7200,
      allowedNamespacesSummary: 'list: staging, web',
    },
    {
      kind: 'AWSClusterControllerIdentity',
      name: 'default',
      allowedNamespacesSummary: 'allow all',
    },
  ],
  usedBy: [{ namespace: 'staging', name: 'web' }],
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
};

export const webCluster: ClusterReport = {
  managementCluster: 'mgmt-eu',
  namespace: 'staging',
  name: 'web',
  accountId: '222222222222',
  identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
  verdict: 'broken',
  checks: [
    {
      id: 'namespace-allowed',
      status: 'pass',
      message: 'Namespace staging is in the list.',
    },
    {
      id: 'target-trust',
      status: 'fail',
      message:
        'The trust policy of the target role does not allow the management principal.',
      evidence: [{ source: 'iam/staging.yaml', line: 12 }],
    },
  ],
  chain: stagingIdentity.chain,
  flavour: 'eks',
  phase: 'Provisioned',
  region: 'eu-west-1',
  kubernetesVersion: 'v1.31.2',
  conditions: [
    { type: 'Available', status: 'True' },
    {
      type: 'ControlPlaneReady',
      status: 'False',
      reason: 'WaitingForControlPlane',
      severity: 'Error',
      message: 'control plane is not ready',
    },
  ],
  apiVersions: ['cluster.x-k8s.io/v1beta2'],
};

export const stagingTrust: AccountTrustResponse = {
  account: {
    accountId: '222222222222',
    name: 'staging',
    tier: 'staging',
    verdict: 'broken',
    checks: [
      {
        id: 'account-known',
        status: 'pass',
        message: 'Listed in config.',
      },
    ],
    reachability: {
      verdict: 'broken',
      chains: [
        {
          managementCluster: 'mgmt-eu',
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
          verdict: 'broken',
          failing: ['target-trust'],
          warning: ['session-duration'],
          clusterCount: 1,
        },
      ],
    },
    clusterProblems: [],
    clusterProblemCount: 0,
    sources: ['identity', 'config'],
    managementClusters: [],
    clusters: [
      {
        managementCluster: 'mgmt-eu',
        namespace: 'staging',
        name: 'web',
        verdict: 'broken',
      },
    ],
    identities: [
      {
        managementCluster: 'mgmt-eu',
        kind: 'AWSClusterRoleIdentity',
        name: 'staging',
        verdict: 'broken',
      },
    ],
  },
  clusters: [webCluster],
  identities: [stagingIdentity],
  generatedAt: new Date().toISOString(),
  live: false,
  stale: false,
};

export const stagingTrustVerified: AccountTrustResponse = {
  ...stagingTrust,
  account: {
    ...stagingTrust.account,
    verdict: 'trusted',
    checks: [
      {
        id: 'live-assume',
        status: 'pass',
        message:
          'Assumed the chain live: GetCallerIdentity returned 222222222222.',
      },
    ],
  },
  clusters: [],
  identities: [],
  live: true,
};

export const identityChain: IdentityChainResponse = {
  identity: stagingIdentity,
  chain: stagingIdentity.chain,
  controllerPrincipalArn:
    'arn:aws:iam::111111111111:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
  controllerAccountId: '111111111111',
};

export const managementClusters: ManagementClusterStatus[] = [
  {
    name: 'mgmt-eu',
    accountId: '111111111111',
    controllerPrincipalArn:
      'arn:aws:iam::111111111111:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
    clusterCount: 3,
    identityCount: 2,
    source: { type: 'manifests', target: 'clusters/mgmt-eu' },
    reachable: true,
    stale: false,
    lastSync: new Date().toISOString(),
    objectCount: 12,
    problemCount: 0,
  },
  {
    name: 'mgmt-us',
    accountId: '333333333333',
    controllerPrincipalArn:
      'arn:aws:iam::333333333333:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
    clusterCount: 1,
    identityCount: 1,
    source: { type: 'kubernetes', target: 'https://mgmt-us.example.com' },
    reachable: false,
    stale: true,
    lastSync: new Date(Date.now() - 3600_000).toISOString(),
    error: 'connect ECONNREFUSED',
    objectCount: 4,
    problemCount: 0,
  },
];

export const accounts: AccountSummary[] = [
  {
    accountId: '222222222222',
    name: 'staging',
    tier: 'staging',
    verdict: 'broken',
    reachability: {
      verdict: 'broken',
      chains: [
        {
          managementCluster: 'mgmt-eu',
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
          verdict: 'broken',
          failing: ['target-trust'],
          warning: ['session-duration'],
          clusterCount: 2,
        },
      ],
    },
    clusterProblemCount: 0,
    sources: ['identity', 'config'],
    managementClusters: [],
    clusterCount: 2,
    identityCount: 1,
    failing: ['target-trust'],
    warning: ['session-duration'],
  },
  {
    accountId: '444444444444',
    name: 'production',
    tier: 'production',
    verdict: 'trusted',
    reachability: {
      verdict: 'trusted',
      chains: [
        {
          managementCluster: 'mgmt-eu',
          kind: 'AWSClusterRoleIdentity',
          name: 'production',
          verdict: 'trusted',
          failing: [],
          warning: [],
          clusterCount: 2,
        },
      ],
    },
    // One of its clusters is in a namespace the identity does not admit.
    clusterProblemCount: 1,
    sources: ['identity', 'config'],
    managementClusters: [],
    clusterCount: 2,
    identityCount: 1,
    failing: ['namespace-allowed'],
    warning: [],
  },
];

function summary(
  c: Partial<ClusterSummary> & Pick<ClusterSummary, 'name'>,
): ClusterSummary {
  return {
    managementCluster: 'mgmt-eu',
    namespace: 'staging',
    accountId: '222222222222',
    identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
    verdict: 'broken',
    flavour: 'eks',
    phase: 'Provisioned',
    apiVersions: [],
    failing: [],
    warning: [],
    ...c,
  };
}

export const clusterSummaries: ClusterSummary[] = [
  summary({ name: 'web', failing: ['target-trust'] }),
  summary({ name: 'api', failing: ['target-trust'], phase: 'Provisioning' }),
  summary({
    name: 'shop',
    namespace: 'prod',
    accountId: '444444444444',
    verdict: 'trusted',
    identityRef: { kind: 'AWSClusterRoleIdentity', name: 'prod' },
  }),
  summary({
    name: 'batch',
    namespace: 'prod',
    managementCluster: 'mgmt-us',
    accountId: '444444444444',
    verdict: 'trusted',
    flavour: 'kubeadm',
  }),
];

export const onboardingGaps: OnboardingGapsResponse = {
  accountsWithoutIdentity: [
    {
      accountId: '151515151515',
      name: 'Payments Sandbox',
      email: 'aws+payments-sandbox@example.com',
      status: 'ACTIVE',
      ouPath: 'Root/Workloads/Sandbox',
      tags: { team: 'payments' },
      sources: ['organizations'],
    },
    {
      accountId: '171717171717',
      name: 'security-audit',
      status: 'ACTIVE',
      ouPath: 'Root/Security',
      tags: { team: 'security' },
      sources: ['organizations'],
    },
  ],
  identitiesToUnknownAccounts: [
    {
      managementCluster: 'mgmt-eu',
      kind: 'AWSClusterRoleIdentity',
      name: 'sandbox-2023-identity',
      accountId: '141414141414',
      accountName: 'sandbox-2023',
      accountStatus: 'SUSPENDED',
      reason: 'inactive',
      message: 'account 141414141414 is SUSPENDED in AWS Organizations',
      verdict: 'broken',
      clusterCount: 0,
    },
  ],
  organization: { source: 'aws-organization.yaml', accountCount: 15 },
  filters: {
    ouPaths: ['Root/Security', 'Root/Suspended', 'Root/Workloads/Sandbox'],
    tags: ['team=payments', 'team=security'],
  },
  generatedAt: '2024-01-01T00:00:00Z',
};

export const trustMapData: TrustMapResponse = {
  managementClusters: [
    { name: 'mgmt-eu', accountId: '111111111111', stale: false },
    { name: 'mgmt-us', accountId: '999999999999', stale: true },
  ],
  identities: [
    {
      managementCluster: 'mgmt-eu',
      kind: 'AWSClusterRoleIdentity',
      name: 'staging',
      accountId: '222222222222',
      verdict: 'configured',
      failing: [],
      warning: [],
      clusterCount: 2,
    },
    {
      managementCluster: 'mgmt-eu',
      kind: 'AWSClusterRoleIdentity',
      name: 'ml-sandbox',
      accountId: '444444444444',
      verdict: 'broken',
      failing: ['target-trust'],
      warning: [],
      clusterCount: 1,
    },
    {
      managementCluster: 'mgmt-eu',
      kind: 'AWSClusterRoleIdentity',
      name: 'dev',
      accountId: '121212121212',
      verdict: 'broken',
      failing: ['namespace-allowed'],
      warning: [],
      clusterCount: 2,
    },
    {
      managementCluster: 'mgmt-us',
      kind: 'AWSClusterStaticIdentity',
      name: 'keys',
      verdict: 'degraded',
      failing: [],
      warning: ['static-credentials'],
      clusterCount: 1,
    },
  ],
  accounts: [
    { accountId: '222222222222', name: 'staging', verdict: 'configured' },
    { accountId: '444444444444', name: 'ml-sandbox', verdict: 'broken' },
    { accountId: '121212121212', name: 'dev', verdict: 'broken' },
  ],
  generatedAt: '2024-01-01T00:00:00Z',
};

/** A CapaApi over the fixtures; `getClusters` filters and pages like the backend does. */
export function createFakeCapaApi(
  overrides: Partial<CapaApi> = {},
): jest.Mocked<CapaApi> {
  const api: CapaApi = {
    getManagementClusters: async () => ({ items: managementClusters }),
    getAccounts: async () => ({
      items: accounts,
      generatedAt: new Date().toISOString(),
    }),
    getAccountTrust: async () => stagingTrust,
    getClusterWorkloadAccess: async () => {
      throw new Error('no workload access in these fixtures');
    },
    verifyAccountTrust: async () => stagingTrustVerified,
    getClusters: async (query = {}) => {
      const q = query.q?.toLocaleLowerCase('en-US');
      const items = clusterSummaries.filter(
        c =>
          (!query.managementCluster ||
            c.managementCluster === query.managementCluster) &&
          (!query.accountId || c.accountId === query.accountId) &&
          (!query.namespace || c.namespace === query.namespace) &&
          (!query.verdict || c.verdict === query.verdict) &&
          (!query.phase || c.phase === query.phase) &&
          (!q ||
            [c.name, c.namespace, c.accountId ?? ''].some(s =>
              s.toLocaleLowerCase('en-US').includes(q),
            )),
      );
      const offset = query.offset ?? 0;
      const limit = query.limit ?? items.length;
      return {
        items: items.slice(offset, offset + limit),
        totalCount: items.length,
      };
    },
    getCluster: async () => webCluster,
    getIdentityChain: async () => identityChain,
    getOnboardingGaps: async () => onboardingGaps,
    getTrustMap: async () => trustMapData,
    ...overrides,
  };
  for (const key of Object.keys(api) as Array<keyof CapaApi>) {
    api[key] = jest.fn(api[key] as (...args: any[]) => any) as any;
  }
  return api as jest.Mocked<CapaApi>;
}

export const accountEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'aws-222222222222',
    title: 'staging',
    annotations: { 'amazonaws.com/account-id': '222222222222' },
  },
  spec: { type: 'cloud-account', owner: 'platform' },
};

export const clusterEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'mgmt-eu-staging-web',
    annotations: {
      'amazonaws.com/account-id': '222222222222',
      'capa-portal.io/management-cluster': 'mgmt-eu',
      'capa-portal.io/namespace': 'staging',
      'capa-portal.io/name': 'web',
      'capa-portal.io/identity-ref': 'AWSClusterRoleIdentity/staging',
    },
  },
  spec: { type: 'kubernetes-cluster', owner: 'platform' },
};

export const identityEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'mgmt-eu-staging',
    annotations: {
      'amazonaws.com/account-id': '222222222222',
      'capa-portal.io/management-cluster': 'mgmt-eu',
      'capa-portal.io/name': 'staging',
      'capa-portal.io/identity-kind': 'AWSClusterRoleIdentity',
    },
  },
  spec: { type: 'aws-cluster-identity', owner: 'platform' },
};
