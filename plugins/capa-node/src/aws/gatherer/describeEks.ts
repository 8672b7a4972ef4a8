/*
 * eks:DescribeCluster of an EKS cluster with the credentials its chain ends in (from the gather's hop
 * sessions: no AssumeRole is repeated for it): the API server endpoint and CA for the kubernetes plugin.
 */
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import type { AwsCredentialProvider } from '@backstage/integration-aws-node';
import type {
  ChainPlan,
  EksClusterLookup,
  EksClusterPlan,
} from '@capa-portal/plugin-capa-common';
import { partitionRegion } from '../arn';
import { classifyAwsError, describeAwsError } from '../awsErrors';
import { assumeHops, HopSessions } from './assumeChain';
import { CACHE_PREFIX, hash } from './cache';
import type { GathererContext } from './context';

const EKS_FOUND_TTL_MS = 24 * 60 * 60 * 1000;

export function describeEks(
  ctx: GathererContext,
  e: EksClusterPlan,
  chain: ChainPlan,
  sourceAccountId: string,
  force: boolean,
  sessions: HopSessions,
): Promise<EksClusterLookup | undefined> {
  return ctx.cache.cached(
    `${CACHE_PREFIX}:eks:${hash([sourceAccountId, e.key])}`,
    force,
    async () => {
      const checkedAt = new Date().toISOString();
      let provider: AwsCredentialProvider;
      try {
        provider = await ctx.credentials.provider(sourceAccountId);
      } catch {
        return undefined;
      }
      const outcome = await assumeHops(
        ctx,
        sessions,
        provider,
        sourceAccountId,
        chain,
        chain.hops.length,
        p => partitionRegion(p, provider.stsRegion ?? ctx.region),
      );
      if (!outcome.ok) {
        return {
          status: 'error',
          message: `the chain could not be assumed to read the cluster: ${describeAwsError(
            outcome.error,
            outcome.secrets,
          )}`,
          checkedAt,
        } satisfies EksClusterLookup;
      }
      const eks = ctx.clients.eks!({
        region: e.region,
        credentials: outcome.credentials,
        principal: outcome.principal,
      });
      try {
        const out = await ctx.call(() =>
          eks.send(new DescribeClusterCommand({ name: e.name })),
        );
        const cluster = out.cluster;
        return {
          status: 'found',
          ...(cluster?.endpoint ? { endpoint: cluster.endpoint } : {}),
          ...(cluster?.certificateAuthority?.data
            ? { certificateAuthorityData: cluster.certificateAuthority.data }
            : {}),
          checkedAt,
        } satisfies EksClusterLookup;
      } catch (err) {
        const kind = classifyAwsError(err);
        const message = describeAwsError(err, outcome.secrets);
        if (kind === 'not-found')
          return {
            status: 'not-found',
            message: `no EKS cluster ${e.name} in ${e.region}: ${message}`,
            checkedAt,
          } satisfies EksClusterLookup;
        if (kind === 'denied')
          return {
            status: 'access-denied',
            message: `not allowed to run eks:DescribeCluster on ${e.name}: ${message}`,
            checkedAt,
          } satisfies EksClusterLookup;
        return {
          status: 'error',
          message: ctx.failureMessage(kind, message),
          checkedAt,
        } satisfies EksClusterLookup;
      }
    },
    // A cluster's endpoint and CA change rarely: found ones are kept a day (Verify now asks again).
    value =>
      value.status === 'found'
        ? Math.max(ctx.cache.ttlMs, EKS_FOUND_TTL_MS)
        : ctx.cache.ttlMs,
  );
}
