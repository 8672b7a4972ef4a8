/*
 * IRSA's two preconditions (EKS User Guide, enable-iam-roles-for-service-accounts.html and cross-account-access.html):
 * - workload-oidc-issuer: the cluster has an OIDC issuer (eks:DescribeCluster `identity.oidc.issuer`; CAPA records
 *   the provider it creates with `associateOIDCProvider: true` in AWSManagedControlPlane `status.oidcProvider.arn`).
 * - workload-oidc-provider: the role's account has an IAM OIDC provider for that issuer. For a role in another
 *   account, "the Identity Provider will be created in the workload account" (the multi-account EKS guide): without
 *   it STS refuses the token (InvalidIdentityToken: No OpenIDConnect provider found).
 */
import { accountOfArn, parseArn } from '../../iam/arn';
import { issuerHostPath, oidcProviderArn } from '../../iam/workloadRequests';
import type { Check } from '../../types';
import { check } from '../../trust/checks/check';
import type { WorkloadContext } from './context';

export function workloadOidcIssuerCheck(ctx: WorkloadContext): Check {
  const { oidcIssuer, oidcIssuerSource } = ctx.cluster;
  if (oidcIssuer && issuerHostPath(oidcIssuer))
    return check('workload-oidc-issuer', {
      status: 'pass',
      message: `the cluster's OIDC issuer is ${oidcIssuer}`,
      evidence: [{ source: oidcIssuerSource ?? 'cluster', detail: oidcIssuer }],
    });
  return check('workload-oidc-issuer', {
    status: 'fail',
    message: oidcIssuer
      ? `the cluster's OIDC issuer ${JSON.stringify(
          oidcIssuer,
        )} is not an https:// URL`
      : 'the cluster has no known OIDC issuer, so IRSA tokens cannot be exchanged',
    fix: {
      summary:
        'Set associateOIDCProvider: true on the AWSManagedControlPlane (CAPA creates the provider and records it in status.oidcProvider.arn), or give oidcIssuer in the workloadAccess file.',
      snippet: 'spec:\n  associateOIDCProvider: true',
      language: 'yaml',
    },
  });
}

export function workloadOidcProviderCheck(
  ctx: WorkloadContext,
  roleArn: string,
): { check: Check; providerArn?: string } {
  const { oidcIssuer } = ctx.cluster;
  const accountId = accountOfArn(roleArn);
  const partition = parseArn(roleArn)?.partition ?? ctx.cluster.partition;
  const providerArn =
    oidcIssuer && accountId
      ? oidcProviderArn(oidcIssuer, accountId, partition)
      : undefined;
  if (!providerArn)
    return {
      check: check('workload-oidc-provider', {
        status: 'skip',
        message: 'no OIDC issuer to look for',
      }),
    };
  const providers = ctx.account(accountId!)?.openIDConnectProviders;
  if (!providers)
    return {
      check: check('workload-oidc-provider', {
        status: 'skip',
        message: `the OIDC providers of account ${accountId} are not known (iam:ListOpenIDConnectProviders)`,
      }),
      providerArn,
    };
  const source = ctx.account(accountId!)!.source;
  if (providers.includes(providerArn))
    return {
      check: check('workload-oidc-provider', {
        status: 'pass',
        message: `account ${accountId} has the OIDC provider ${providerArn}`,
        evidence: [{ source, detail: providerArn }],
      }),
      providerArn,
    };
  return {
    check: check('workload-oidc-provider', {
      status: 'fail',
      message: `account ${accountId} has no IAM OIDC provider for ${oidcIssuer}: STS will refuse the service account's token`,
      evidence: [
        {
          source,
          detail: `providers: ${
            providers.length ? providers.join(', ') : 'none'
          }`,
        },
      ],
      fix: {
        summary: `Create the IAM OIDC provider for the cluster's issuer in account ${accountId} (the cross-account IRSA step of the multi-account EKS guide).`,
        snippet: `aws iam create-open-id-connect-provider --url ${oidcIssuer} --client-id-list sts.amazonaws.com  # in account ${accountId}`,
      },
    }),
    providerArn,
  };
}
