/*
 * Live workload access with the real SDK v3 EKSClient and IAMClient, signing real requests, against a local HTTP
 * test double of EKS (REST-JSON) and IAM (query) (__testUtils__/workloadAccessDouble.ts), then judged by the same
 * evaluator as the static file (capa-common's evaluateWorkloadAccess). Expectations follow AWS's documented
 * behaviour cited in capa-common/src/iam/workloadRequests.ts.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { evaluateWorkloadAccess } from '@capa-portal/plugin-capa-common';
import { DefaultAwsEvidenceGatherer } from '../AwsEvidenceGatherer';
import { createDefaultAwsClientFactory } from '../clients';
import {
  accessKeyOf,
  DoubleAccountIam,
  startWorkloadAccessDouble,
} from '../../__testUtils__/workloadAccessDouble';

const HUB = '777777777777';
const RETAIL = '888888888888';
const EXCHANGE = '101010101010';
const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789';
const CLUSTER_ARN = `arn:aws:eks:us-east-1:${HUB}:cluster/shared`;
const POD_ROLE = `arn:aws:iam::${HUB}:role/pod-identity`;
const TARGET = `arn:aws:iam::${RETAIL}:role/catalog-sync`;
const IRSA_ROLE = `arn:aws:iam::${EXCHANGE}:role/feed-publisher`;

const silent: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silent,
};

function fleet(
  over: Partial<Record<string, DoubleAccountIam>> = {},
): Record<string, DoubleAccountIam> {
  return {
    [HUB]: {
      clusters: {
        shared: {
          arn: CLUSTER_ARN,
          issuer: ISSUER,
          associations: [
            {
              namespace: 'retail',
              serviceAccount: 'catalog-sync',
              roleArn: POD_ROLE,
              targetRoleArn: TARGET,
              externalId: 'ext-123',
            },
            {
              namespace: 'tools',
              serviceAccount: 'gone',
              roleArn: `arn:aws:iam::${HUB}:role/deleted`,
            },
          ],
        },
      },
      roles: {
        'pod-identity': {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'pods.eks.amazonaws.com' },
              Action: ['sts:AssumeRole', 'sts:TagSession'],
            },
          ],
        },
      },
    },
    [RETAIL]: {
      roles: {
        'catalog-sync': {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: POD_ROLE },
              Action: ['sts:AssumeRole', 'sts:TagSession'],
              Condition: {
                StringEquals: {
                  'sts:ExternalId': 'ext-123',
                  'aws:PrincipalTag/kubernetes-namespace': 'retail',
                },
              },
            },
          ],
        },
      },
    },
    [EXCHANGE]: {
      oidcProviders: [],
      roles: {
        'feed-publisher':
          '{"Version": "2012-10-17", "Statement": [ {"Effect": "Allow",',
      },
    },
    ...over,
  } as Record<string, DoubleAccountIam>;
}

function gatherer(endpoint: string) {
  const config = new ConfigReader({
    aws: {
      accounts: [HUB, RETAIL, EXCHANGE].map(accountId => ({
        accountId,
        accessKeyId: accessKeyOf(accountId),
        secretAccessKey: `secret${accountId}FAKEFAKEFAKEFAKEFAKE`,
      })),
    },
  });
  return DefaultAwsEvidenceGatherer.fromConfig(config, {
    logger: silent,
    clientFactory: createDefaultAwsClientFactory({ endpoint }),
    retryBaseDelayMs: 1,
  });
}

const known = new Map<string, string | undefined>([
  [HUB, 'hub'],
  [RETAIL, 'retail'],
  [EXCHANGE, 'exchange'],
]);

describe('gatherWorkloadAccess with the real EKS and IAM clients against a local test double', () => {
  it('reads the issuer, every association (all pages, each described), the providers and the roles, each account with its own keys', async () => {
    const double = await startWorkloadAccessDouble(fleet());
    try {
      const live = await gatherer(double.endpoint).gatherWorkloadAccess({
        accountId: HUB,
        region: 'us-east-1',
        eksClusterName: 'shared',
        roleArns: [IRSA_ROLE],
      });
      expect(live?.cluster).toMatchObject({
        oidcIssuer: ISSUER,
        clusterArn: CLUSTER_ARN,
      });
      expect(live?.cluster?.podIdentityAssociations).toEqual([
        expect.objectContaining({
          namespace: 'retail',
          serviceAccount: 'catalog-sync',
          roleArn: POD_ROLE,
          targetRoleArn: TARGET,
          externalId: 'ext-123',
        }),
        expect.objectContaining({ namespace: 'tools', serviceAccount: 'gone' }),
      ]);
      const count = (action: string) =>
        double.calls.filter(c => c.action === action).length;
      expect(count('ListPodIdentityAssociations')).toBe(2); // one association per page
      expect(count('DescribePodIdentityAssociation')).toBe(2);
      expect(count('ListOpenIDConnectProviders')).toBe(3); // one per account of the roles
      expect(
        double.calls
          .filter(c => c.action === 'GetRole')
          .map(c => c.accountId)
          .sort(),
      ).toEqual([EXCHANGE, HUB, HUB, RETAIL]);
      expect(double.calls.every(c => c.accountId !== '')).toBe(true);

      const report = evaluateWorkloadAccess({
        cluster: {
          managementCluster: 'm',
          namespace: 'ns',
          name: 'shared',
          flavour: 'eks',
          accountId: HUB,
          region: 'us-east-1',
          eksClusterName: 'shared',
        },
        live: live!,
        snapshot: {
          clusters: {
            'm/ns/shared': {
              source: 'file',
              serviceAccounts: [
                {
                  namespace: 'exchange',
                  name: 'feed-publisher',
                  roleArn: IRSA_ROLE,
                },
              ],
            },
          },
          accounts: {},
          source: 'file',
        },
        knownAccounts: known,
        generatedAt: 'now',
      });
      expect(report.evidence).toEqual(['static', 'live']);
      const byRole = new Map(report.roles.map(r => [r.roleArn, r]));
      // The chained association: pods.eks trust, then the target trusting the association role with its external id.
      expect(byRole.get(TARGET)?.verdict).toBe('configured');
      // An association to a role IAM says does not exist.
      const gone = byRole.get(`arn:aws:iam::${HUB}:role/deleted`)!;
      expect(
        gone.checks.find(c => c.id === 'workload-role-exists')?.status,
      ).toBe('fail');
      // IRSA: the account has no provider for the issuer, and the trust policy is not JSON: checks, not a crash.
      const irsa = byRole.get(IRSA_ROLE)!;
      expect(
        irsa.checks.find(c => c.id === 'workload-oidc-provider')?.status,
      ).toBe('fail');
      expect(
        irsa.checks.find(c => c.id === 'workload-trust-policy')?.status,
      ).toBe('fail');
    } finally {
      await double.close();
    }
  });

  it('reports a cluster EKS does not know as a problem, and still reads IAM', async () => {
    const double = await startWorkloadAccessDouble(fleet());
    try {
      const live = await gatherer(double.endpoint).gatherWorkloadAccess({
        accountId: HUB,
        region: 'us-east-1',
        eksClusterName: 'missing',
        roleArns: [IRSA_ROLE],
      });
      expect(live?.cluster).toBeUndefined();
      expect(live?.problems.join('\n')).toMatch(
        /eks:DescribeCluster missing: .*No cluster found/,
      );
      expect(Object.keys(live?.accounts ?? {})).toEqual([EXCHANGE]);
    } finally {
      await double.close();
    }
  });
});
