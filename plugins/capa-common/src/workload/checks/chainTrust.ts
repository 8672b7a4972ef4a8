/*
 * workload-chain-trust: the target role in the workload account trusts the association role's session (role
 * chaining). EKS's targetRoleArn (pod-id-assign-target-role.html) and the guide's own chaining both call
 * sts:AssumeRole as the association role, carrying EKS Pod Identity's session tags, which are transitive
 * (pod-id-abac.html, "Cross-account tags"): they are `aws:PrincipalTag/*` of the request, so the guide's ABAC trust
 * policy (`aws:PrincipalTag/kubernetes-service-account`, `eks-cluster-arn`, `kubernetes-namespace`) is evaluated
 * with the association's namespace and service account and the cluster's ARN. Passing tags needs `sts:TagSession`
 * in the target's trust policy (IAM User Guide, id_session-tags.html#id_session-tags_permissions-required), unless
 * the association disables session tags. With targetRoleArn, EKS sends the association's externalId as
 * `sts:ExternalId`.
 */
import { parseArn } from '../../iam/arn';
import { chainedRoleRequest } from '../../iam/workloadRequests';
import type { Check, PolicyDocument } from '../../types';
import { check } from '../../trust/checks/check';
import { worstStatus } from '../../trust/verdict';
import type {
  PodIdentityAssociationEvidence,
  WorkloadRoleEvidence,
} from '../types';
import { podIdentitySession, type WorkloadContext } from './context';
import { askTrustPolicy } from './policyCheck';

function fixFor(ctx: WorkloadContext, a: PodIdentityAssociationEvidence) {
  const condition: Record<string, string> = {
    'aws:PrincipalTag/kubernetes-service-account': a.serviceAccount,
    'aws:PrincipalTag/kubernetes-namespace': a.namespace,
  };
  if (ctx.cluster.clusterArn)
    condition['aws:PrincipalTag/eks-cluster-arn'] = ctx.cluster.clusterArn;
  if (a.externalId) condition['sts:ExternalId'] = a.externalId;
  return {
    summary: `Trust the association role ${a.roleArn} in the target role, with sts:TagSession for EKS Pod Identity's transitive session tags and the guide's ABAC conditions on them.`,
    snippet: JSON.stringify(
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: a.roleArn },
            Action: a.disableSessionTags
              ? 'sts:AssumeRole'
              : ['sts:AssumeRole', 'sts:TagSession'],
            ...(a.disableSessionTags && !a.externalId
              ? {}
              : {
                  Condition: {
                    StringEquals: a.disableSessionTags
                      ? { 'sts:ExternalId': a.externalId }
                      : condition,
                  },
                }),
          },
        ],
      },
      null,
      2,
    ),
    language: 'json' as const,
  };
}

export function workloadChainTrustCheck(
  ctx: WorkloadContext,
  association: PodIdentityAssociationEvidence & { targetRoleArn: string },
  role: WorkloadRoleEvidence | undefined,
  doc: PolicyDocument | undefined,
): Check {
  if (!role || !doc)
    return check('workload-chain-trust', {
      status: 'skip',
      message: `no readable trust policy for ${association.targetRoleArn}`,
    });
  const { tags, actions } = podIdentitySession(ctx, association);
  const partition = parseArn(role.arn)?.partition;
  const parts = actions.map(action =>
    askTrustPolicy(
      doc,
      role.source,
      {
        ...chainedRoleRequest({
          action,
          sourceRoleArn: association.roleArn,
          tags,
          externalId: association.externalId,
        }),
        partition,
      },
      `a session of ${association.roleArn} (${association.namespace}/${association.serviceAccount}) to call ${action}`,
    ),
  );
  const status = worstStatus(parts.map(p => p.status));
  return check('workload-chain-trust', {
    status,
    message: `the trust policy of ${association.targetRoleArn} ${parts
      .map(p => p.message)
      .join('; ')}`,
    evidence: parts.flatMap(p => p.evidence ?? []),
    ...(status === 'pass' ? {} : { fix: fixFor(ctx, association) }),
  });
}
