/*
 * Workload access across accounts (docs/contracts.md §4.1): which IAM roles, in which accounts, the service
 * accounts of an EKS workload cluster can assume, through IRSA or EKS Pod Identity (with role chaining), following
 * AWS's multi-account EKS guide. The evidence is what four AWS calls answer (eks:DescribeCluster,
 * eks:ListPodIdentityAssociations + DescribePodIdentityAssociation, iam:ListOpenIDConnectProviders, iam:GetRole),
 * read live or written down in the fleet's `workloadAccess` file; the same evaluator judges both.
 */
import type { Check, Verdict } from '../types';

/**
 * An IRSA binding: a ServiceAccount annotated `eks.amazonaws.com/role-arn` (EKS User Guide,
 * associate-service-account-role.html).
 *
 * @public
 */
export interface IrsaServiceAccount {
  namespace: string;
  name: string;
  roleArn: string;
}

/**
 * An EKS Pod Identity association (eks:DescribePodIdentityAssociation).
 *
 * @public
 */
export interface PodIdentityAssociationEvidence {
  namespace: string;
  serviceAccount: string;
  /** The association role, in the cluster's account. */
  roleArn: string;
  /** Since June 2025: a role EKS assumes with the association role's session (role chaining done by EKS). */
  targetRoleArn?: string;
  /** The id EKS sends as `sts:ExternalId` when it assumes `targetRoleArn`. */
  externalId?: string;
  /** True: EKS Pod Identity attaches none of its six session tags. */
  disableSessionTags?: boolean;
  associationId?: string;
}

/**
 * What AWS says about one EKS cluster.
 *
 * @public
 */
export interface WorkloadClusterEvidence {
  /** `identity.oidc.issuer` of eks:DescribeCluster, e.g. `https://oidc.eks.us-east-1.amazonaws.com/id/ABC`. */
  oidcIssuer?: string;
  /** The cluster's ARN (eks:DescribeCluster `arn`): the `eks-cluster-arn` session tag. */
  clusterArn?: string;
  serviceAccounts?: IrsaServiceAccount[];
  /** `undefined`: not known; `[]`: the cluster has none. */
  podIdentityAssociations?: PodIdentityAssociationEvidence[];
  /** Where it was read: the file, or `eks:DescribeCluster` when live. */
  source: string;
}

/**
 * One IAM role as iam:GetRole returns it, or why it could not be read.
 *
 * @public
 */
export interface WorkloadRoleEvidence {
  arn: string;
  status: 'found' | 'not-found' | 'access-denied' | 'error';
  /** The trust policy as given: a document, or the JSON text (malformed ones are reported, never thrown). */
  trustPolicy?: unknown;
  /** Why the trust policy AWS returned could not be read (e.g. not JSON): reported by workload-trust-policy. */
  trustPolicyProblem?: string;
  message?: string;
  source: string;
}

/**
 * IAM of one account: its OIDC providers and roles.
 *
 * @public
 */
export interface AccountIamEvidence {
  accountId: string;
  /** iam:ListOpenIDConnectProviders ARNs. `undefined`: not known. */
  openIDConnectProviders?: string[];
  /** Roles by ARN. A role missing from a `complete` account does not exist. */
  roles: Record<string, WorkloadRoleEvidence>;
  /** True when `roles` lists every role of the account the evidence names (a file, or GetRole answers). */
  complete: boolean;
  source: string;
}

/**
 * The static workload-access evidence (fleet.yaml's `workloadAccess` file), parsed.
 *
 * @public
 */
export interface WorkloadAccessSnapshot {
  /** Keyed `<managementCluster>/<namespace>/<name>`. */
  clusters: Record<string, WorkloadClusterEvidence>;
  accounts: Record<string, AccountIamEvidence>;
  source: string;
}

/**
 * Live workload-access evidence, gathered by capa-node's AWS adapters.
 *
 * @public
 */
export interface LiveWorkloadEvidence {
  cluster?: WorkloadClusterEvidence;
  accounts: Record<string, AccountIamEvidence>;
  /** Calls that could not be made, with AWS's message (shown, not judged). */
  problems: string[];
  checkedAt: string;
}

/**
 * One role a service account of the cluster can (or is configured to) assume, with its checks.
 *
 * @public
 */
export interface WorkloadRoleAccess {
  mechanism: 'irsa' | 'pod-identity';
  serviceAccount: { namespace: string; name: string };
  /** The role the workload ends up with (the target role when chained). */
  roleArn: string;
  accountId?: string;
  accountName?: string;
  /** Pod Identity: the association role the chain starts from, when `roleArn` is reached by chaining. */
  viaRoleArn?: string;
  verdict: Verdict;
  checks: Check[];
}

/**
 * The answer of `GET /clusters/{mc}/{ns}/{name}/workload-access`.
 *
 * @public
 */
export interface WorkloadAccessReport {
  managementCluster: string;
  namespace: string;
  name: string;
  /** False for a cluster that is not EKS: `reason` says why and `roles` is empty. */
  applicable: boolean;
  reason?: string;
  accountId?: string;
  region?: string;
  eksClusterName?: string;
  clusterArn?: string;
  oidcIssuer?: string;
  /** Worst verdict of the roles; `unknown` with none. */
  verdict: Verdict;
  roles: WorkloadRoleAccess[];
  /** Where the evidence came from: the static file, live AWS answers, or both. */
  evidence: Array<'static' | 'live' | 'manifest'>;
  problems: string[];
  generatedAt: string;
}
