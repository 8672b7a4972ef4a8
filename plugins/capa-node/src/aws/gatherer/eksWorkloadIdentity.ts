/*
 * The EKS side of workload access, read with the cluster account's own credentials (not through CAPA's chain:
 * these are the cluster's identity settings, not its API server):
 * - eks:DescribeCluster: `identity.oidc.issuer` (IRSA's issuer) and the cluster's `arn` (the eks-cluster-arn tag);
 * - eks:ListPodIdentityAssociations (all pages) and eks:DescribePodIdentityAssociation for each (the summary has
 *   no roleArn): roleArn, targetRoleArn, externalId, disableSessionTags (EKS API Reference, June 2025 release).
 */
import {
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import type { AwsCredentialProvider } from '@backstage/integration-aws-node';
import type {
  PodIdentityAssociationEvidence,
  WorkloadClusterEvidence,
} from '@capa-portal/plugin-capa-common';
import { describeAwsError } from '../awsErrors';
import type { GathererContext } from './context';

export async function readEksWorkloadIdentity(
  ctx: GathererContext,
  request: { accountId: string; region: string; eksClusterName: string },
  problems: string[],
): Promise<WorkloadClusterEvidence | undefined> {
  let provider: AwsCredentialProvider;
  try {
    provider = await ctx.credentials.provider(request.accountId);
  } catch (e) {
    problems.push(
      `no AWS credentials for the cluster's account ${request.accountId}: ${
        (e as Error).message
      }`,
    );
    return undefined;
  }
  const eks = ctx.clients.eks?.({
    region: request.region,
    credentials: provider.sdkCredentialProvider,
    principal: request.accountId,
  });
  if (!eks) return undefined;
  const name = request.eksClusterName;
  const evidence: WorkloadClusterEvidence = {
    source: `eks:DescribeCluster ${name}`,
  };
  try {
    const out = await ctx.call(() =>
      eks.send(new DescribeClusterCommand({ name })),
    );
    if (out.cluster?.identity?.oidc?.issuer)
      evidence.oidcIssuer = out.cluster.identity.oidc.issuer;
    if (out.cluster?.arn) evidence.clusterArn = out.cluster.arn;
  } catch (e) {
    problems.push(`eks:DescribeCluster ${name}: ${describeAwsError(e)}`);
    return undefined;
  }
  try {
    const associations: PodIdentityAssociationEvidence[] = [];
    let nextToken: string | undefined;
    do {
      const command = new ListPodIdentityAssociationsCommand({
        clusterName: name,
        nextToken,
      });
      const page = await ctx.call(() => eks.send(command));
      for (const s of page.associations ?? []) {
        if (!s.associationId) continue;
        const d = await ctx.call(() =>
          eks.send(
            new DescribePodIdentityAssociationCommand({
              clusterName: name,
              associationId: s.associationId,
            }),
          ),
        );
        const a = d.association;
        if (!a?.namespace || !a.serviceAccount || !a.roleArn) continue;
        associations.push({
          namespace: a.namespace,
          serviceAccount: a.serviceAccount,
          roleArn: a.roleArn,
          associationId: s.associationId,
          ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
          ...(a.externalId ? { externalId: a.externalId } : {}),
          ...(a.disableSessionTags ? { disableSessionTags: true } : {}),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    evidence.podIdentityAssociations = associations;
  } catch (e) {
    problems.push(
      `eks:ListPodIdentityAssociations ${name}: ${describeAwsError(e)}`,
    );
  }
  return evidence;
}
