/*
 * workload-irsa-trust: the role's trust policy lets the service account's token in: `Federated` = the account's
 * OIDC provider for the cluster's issuer, `sts:AssumeRoleWithWebIdentity`, and the `<issuer>:sub` /
 * `<issuer>:aud` conditions satisfied by `system:serviceaccount:<namespace>:<name>` and `sts.amazonaws.com`
 * (EKS User Guide, associate-service-account-role.html, whose trust policy the fix reproduces).
 */
import { parseArn } from '../../iam/arn';
import {
  issuerHostPath,
  IRSA_AUDIENCE,
  serviceAccountSubject,
  webIdentityRequest,
} from '../../iam/workloadRequests';
import type { Check, PolicyDocument } from '../../types';
import { check } from '../../trust/checks/check';
import type { WorkloadRoleEvidence } from '../types';
import { askTrustPolicy } from './policyCheck';

export function irsaTrustPolicy(
  providerArn: string,
  issuer: string,
  namespace: string,
  serviceAccount: string,
) {
  const hp = issuerHostPath(issuer) ?? issuer;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${hp}:sub`]: serviceAccountSubject(namespace, serviceAccount),
            [`${hp}:aud`]: IRSA_AUDIENCE,
          },
        },
      },
    ],
  };
}

export function workloadIrsaTrustCheck(options: {
  role: WorkloadRoleEvidence;
  doc?: PolicyDocument;
  providerArn?: string;
  issuer?: string;
  namespace: string;
  serviceAccount: string;
}): Check {
  const { role, doc, providerArn, issuer, namespace, serviceAccount } = options;
  if (!doc || !providerArn || !issuer)
    return check('workload-irsa-trust', {
      status: 'skip',
      message: !doc
        ? 'no readable trust policy'
        : 'no OIDC issuer: the trust policy cannot be matched to the cluster',
    });
  const partition = parseArn(role.arn)?.partition;
  const p = askTrustPolicy(
    doc,
    role.source,
    webIdentityRequest({
      issuer,
      providerArn,
      namespace,
      serviceAccount,
      partition,
    }),
    `${serviceAccountSubject(
      namespace,
      serviceAccount,
    )} to call sts:AssumeRoleWithWebIdentity through ${providerArn}`,
  );
  return check('workload-irsa-trust', {
    ...p,
    message: `the trust policy of ${role.arn} ${p.message}`,
    ...(p.status === 'pass'
      ? {}
      : {
          fix: {
            summary: `Trust the cluster's OIDC provider in ${role.arn}'s account for this service account (EKS User Guide, associate-service-account-role.html).`,
            snippet: JSON.stringify(
              irsaTrustPolicy(providerArn, issuer, namespace, serviceAccount),
              null,
              2,
            ),
            language: 'json' as const,
          },
        }),
  });
}
