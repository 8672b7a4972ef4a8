/*
 * workload-pod-identity-trust: the association role trusts EKS Pod Identity: the service principal
 * `pods.eks.amazonaws.com` may call `sts:AssumeRole` and `sts:TagSession` (EKS User Guide, pod-id-role.html: "the
 * trust policy ... allows the pods.eks.amazonaws.com service principal ... sts:AssumeRole and sts:TagSession").
 * TagSession is needed unless the association disables session tags. The role must be in the cluster's account:
 * "EKS Pod Identities can only be used to directly grant access to a role in the same account as the EKS cluster"
 * (the multi-account EKS guide).
 */
import { accountOfArn, parseArn } from '../../iam/arn';
import {
  POD_IDENTITY_SERVICE,
  podIdentityServiceRequest,
} from '../../iam/workloadRequests';
import type { Check, PolicyDocument } from '../../types';
import { check } from '../../trust/checks/check';
import { worstStatus } from '../../trust/verdict';
import type {
  PodIdentityAssociationEvidence,
  WorkloadRoleEvidence,
} from '../types';
import { podIdentitySession, type WorkloadContext } from './context';
import { askTrustPolicy } from './policyCheck';

const FIX = {
  summary: `Let EKS Pod Identity assume the association role: trust the service principal ${POD_IDENTITY_SERVICE} with sts:AssumeRole and sts:TagSession (EKS User Guide, pod-id-role.html).`,
  snippet: JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: POD_IDENTITY_SERVICE },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    },
    null,
    2,
  ),
  language: 'json' as const,
};

export function workloadPodIdentityTrustCheck(
  ctx: WorkloadContext,
  association: PodIdentityAssociationEvidence,
  role: WorkloadRoleEvidence | undefined,
  doc: PolicyDocument | undefined,
): Check {
  const roleAccount = accountOfArn(association.roleArn);
  if (ctx.cluster.accountId && roleAccount !== ctx.cluster.accountId)
    return check('workload-pod-identity-trust', {
      status: 'fail',
      message: `the association role ${association.roleArn} is in account ${roleAccount}, not the cluster's ${ctx.cluster.accountId}: EKS Pod Identity assumes roles in the cluster's account only`,
      fix: {
        summary:
          "Create the association role in the cluster's account and reach the other account with targetRoleArn (role chaining).",
      },
    });
  if (!role || !doc)
    return check('workload-pod-identity-trust', {
      status: 'skip',
      message: `no readable trust policy for ${association.roleArn}`,
    });
  const { tags, actions } = podIdentitySession(ctx, association);
  const partition = parseArn(role.arn)?.partition;
  const parts = actions.map(action =>
    askTrustPolicy(
      doc,
      role.source,
      podIdentityServiceRequest({
        action,
        tags,
        clusterAccountId: ctx.cluster.accountId,
        clusterArn: ctx.cluster.clusterArn,
        partition,
      }),
      `${POD_IDENTITY_SERVICE} to call ${action}`,
    ),
  );
  const status = worstStatus(parts.map(p => p.status));
  return check('workload-pod-identity-trust', {
    status,
    message: `the trust policy of ${association.roleArn} ${parts
      .map(p => p.message)
      .join('; ')}`,
    evidence: parts.flatMap(p => p.evidence ?? []),
    ...(status === 'pass' ? {} : { fix: FIX }),
  });
}
