/*
 * The fleet the fault, security and scale-out suites serve: two live management clusters (two test Kubernetes API
 * servers) in app-config's inline `capa` block, and the AWS credentials of the management and target accounts.
 */
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import {
  smallCapaFleet,
  TestKubernetesApiServer,
} from '@capa-portal/plugin-capa-node/testing';
import { FAKE } from './harness';

export const MGMT_ACCOUNT = '111111111111';
export const MGMT_B_ACCOUNT = '999999999999';
export const STAGING_ACCOUNT = '222222222222';
export const PROD_ACCOUNT = '333333333333';
export const CONTROLLERS = (account: string) =>
  `arn:aws:iam::${account}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`;

export interface LiveFleetOptions {
  servers: { a: TestKubernetesApiServer; b: TestKubernetesApiServer };
  /** Per-request timeout of the Kubernetes reader (default 1 s, so a slow response fails fast). */
  timeoutMs?: number;
  /** LIST page size (default 2, so every kind is paginated and continue tokens are exercised). */
  pageSize?: number;
  /** Add the `aws` integration config (live verification on). */
  aws?: boolean;
  /** Extra management clusters (e.g. a manifests URL). */
  extraManagementClusters?: Array<Record<string, unknown>>;
  refresh?: Record<string, unknown>;
  /**
   * Keep the live sources current with watches (`kubernetes.watch`). Default false: the fault, security and
   * scale-out suites inject their faults into the LISTs of every refresh.
   */
  watch?: boolean;
  /** Extra top-level config (backend.database, backend.cache, ...). */
  extra?: Record<string, unknown>;
}

export function liveFleetConfig(options: LiveFleetOptions): any {
  const { a, b } = options.servers;
  const k8s = (server: TestKubernetesApiServer, extra = {}) => ({
    url: server.url,
    serviceAccountToken: server.token,
    skipTLSVerify: true,
    timeoutMs: options.timeoutMs ?? 1000,
    pageSize: options.pageSize ?? 2,
    watch: options.watch ?? false,
    ...extra,
  });
  return {
    ...options.extra,
    capa: {
      managementClusters: [
        {
          name: 'mgmt-a',
          accountId: MGMT_ACCOUNT,
          controllerPrincipalArn: CONTROLLERS(MGMT_ACCOUNT),
          // caData is never used over plain HTTP, but it is a secret the suites look for in every output.
          kubernetes: k8s(a, { caData: FAKE.caData }),
        },
        {
          name: 'mgmt-b',
          accountId: MGMT_B_ACCOUNT,
          controllerPrincipalArn: CONTROLLERS(MGMT_B_ACCOUNT),
          kubernetes: k8s(b),
        },
        ...(options.extraManagementClusters ?? []),
      ],
      accounts: [
        { accountId: MGMT_ACCOUNT, name: 'platform-mgmt', tier: 'management' },
        { accountId: STAGING_ACCOUNT, name: 'staging', tier: 'staging' },
        { accountId: PROD_ACCOUNT, name: 'prod', tier: 'production' },
      ],
      refresh: options.refresh ?? {
        frequency: { hours: 1 },
        timeout: { minutes: 1 },
      },
      // The scheduled whole-fleet verification stays out of the way: tests verify on demand.
      verification: {
        frequency: { hours: 6 },
        timeout: { minutes: 1 },
        initialDelay: { hours: 6 },
      },
    },
    ...(options.aws
      ? {
          aws: {
            mainAccount: {
              accessKeyId: FAKE.mainKeyId,
              secretAccessKey: FAKE.mainSecret,
            },
            accounts: [
              {
                accountId: MGMT_ACCOUNT,
                accessKeyId: FAKE.mgmtKeyId,
                secretAccessKey: FAKE.mgmtSecret,
              },
              {
                accountId: STAGING_ACCOUNT,
                accessKeyId: FAKE.targetKeyId,
                secretAccessKey: FAKE.targetSecret,
              },
            ],
          },
        }
      : {}),
  };
}

/** A new workload cluster in `staging`, the pair the engine reads (CAPI Cluster and its AWSCluster). */
export const newCluster = (name: string): KubeObject[] => {
  const [cluster, awsCluster] = [
    smallCapaFleet().find(
      o => o.kind === 'Cluster' && o.metadata.name === 'web',
    )!,
    smallCapaFleet().find(
      o => o.kind === 'AWSCluster' && o.metadata.name === 'web',
    )!,
  ];
  return [
    {
      ...cluster,
      metadata: { ...cluster.metadata, name },
      spec: {
        ...cluster.spec,
        infrastructureRef: { ...cluster.spec.infrastructureRef, name },
      },
    },
    { ...awsCluster, metadata: { ...awsCluster.metadata, name } },
  ];
};
