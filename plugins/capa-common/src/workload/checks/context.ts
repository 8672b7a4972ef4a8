/* What every workload-access check reads: the cluster as AWS and the manifests describe it, and each account's IAM. */
import { podIdentityTags } from '../../iam/workloadRequests';
import type {
  AccountIamEvidence,
  PodIdentityAssociationEvidence,
} from '../types';

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

/**
 * The session of an EKS Pod Identity association: the tags EKS attaches to it (none when the association disables
 * session tags) and the STS actions a trust policy must allow for it (`sts:TagSession` only when tags are passed).
 * @internal
 */
export function podIdentitySession(
  ctx: WorkloadContext,
  association: PodIdentityAssociationEvidence,
) {
  const tags = association.disableSessionTags
    ? null
    : podIdentityTags({
        clusterArn: ctx.cluster.clusterArn,
        clusterName: ctx.cluster.eksClusterName,
        namespace: association.namespace,
        serviceAccount: association.serviceAccount,
      });
  const actions: Array<'sts:AssumeRole' | 'sts:TagSession'> =
    tags === null ? ['sts:AssumeRole'] : ['sts:AssumeRole', 'sts:TagSession'];
  return { tags, actions };
}
