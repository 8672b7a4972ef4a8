/* What every workload-access check reads: the cluster as AWS and the manifests describe it, and each account's IAM. */
import type { AccountIamEvidence } from '../types';

/** @internal */
export interface WorkloadCluster {
  accountId?: string;
  region?: string;
  eksClusterName?: string;
  /** `arn:<partition>:eks:<region>:<account>:cluster/<name>`: read live, or built from the manifests. */
  clusterArn?: string;
  oidcIssuer?: string;
  /** Where the issuer was read (`eks:DescribeCluster`, the workloadAccess file, AWSManagedControlPlane status). */
  oidcIssuerSource?: string;
  partition: string;
}

/** @internal */
export interface WorkloadContext {
  cluster: WorkloadCluster;
  /** IAM evidence of an account, live or static; `undefined`: nothing is known about its IAM. */
  account(accountId: string): AccountIamEvidence | undefined;
  /** Accounts the fleet knows (configuration, Organizations, identities), with their names. */
  knownAccounts: Map<string, string | undefined>;
}
