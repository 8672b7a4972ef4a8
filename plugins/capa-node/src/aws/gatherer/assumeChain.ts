/*
 * sts:AssumeRole along a chain, then sts:GetCallerIdentity with the last hop's credentials. The first hop is
 * signed with the management account's own credentials; each hop's temporary credentials live in memory only
 * during the gather that assumed them, where chains starting with the same hops share them.
 */
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
} from '@aws-sdk/client-sts';
import { parseArn } from '@capa-portal/plugin-capa-common';
import type { AwsCredentialProvider } from '@backstage/integration-aws-node';
import type {
  AssumeHop,
  AssumeResult,
  ChainPlan,
} from '@capa-portal/plugin-capa-common';
import { partitionRegion } from '../arn';
import { AwsErrorKind, classifyAwsError, describeAwsError } from '../awsErrors';
import type { AwsClientCredentials } from '../clients';
import { CACHE_PREFIX, hash } from './cache';
import type { GathererContext } from './context';

/** The outcome of assuming the first hops of a chain: the last hop's credentials, or where it failed. */
type HopOutcome =
  | {
      ok: true;
      credentials: AwsClientCredentials;
      principal: string;
      /** Every credential string obtained so far, to redact from messages. */
      secrets: string[];
    }
  | {
      ok: false;
      /** 0-based index of the hop that failed. */
      hop: number;
      error: unknown;
      /** AssumeRole answered without credentials. */
      noCredentials?: boolean;
      secrets: string[];
    };

interface HopSession {
  outcome: Promise<HopOutcome>;
  expiration?: Date;
  expiresSoon(): boolean;
}

/** Hop prefixes assumed during one gather (in memory only, never cached): see `assumeHops`. */
export type HopSessions = Map<string, HopSession>;

/**
 * What identifies a hop's AssumeRole: the role and CAPA's parameters (not the generated session name of a
 * defaulted hop). The chain's cache key and the gather's session memo are both built from it.
 */
function hopIdentity(h: AssumeHop) {
  return [
    h.roleArn,
    h.sessionNameDefaulted ? null : h.sessionName,
    h.durationSeconds,
    h.externalId ?? null,
    h.policy ?? null,
  ];
}

/** The first `n` hops of a chain from a source account: the key of the gather's session memo. */
function hopPrefixKey(sourceAccountId: string, chain: ChainPlan, n: number) {
  return [
    sourceAccountId,
    chain.rootStaticSecret ?? null,
    chain.hops.slice(0, n).map(hopIdentity),
  ];
}

export function assumeChain(
  ctx: GathererContext,
  chain: ChainPlan,
  sourceAccountId: string,
  force: boolean,
  sessions: HopSessions,
): Promise<AssumeResult | undefined> {
  const hops = chain.hops;
  // Keyed by what is asked (not by the generated session name of a defaulted hop), hashed: the key
  // carries no ExternalId or policy in clear.
  const key = `${CACHE_PREFIX}:chain:${hash([
    sourceAccountId,
    chain.rootStaticSecret ?? null,
    chain.expectedAccountId,
    hops.map(hopIdentity),
  ])}`;
  return ctx.cache.cached(key, force, async () => {
    const checkedAt = new Date().toISOString();
    let provider: AwsCredentialProvider;
    try {
      provider = await ctx.credentials.provider(sourceAccountId);
    } catch (e) {
      ctx.logger.debug(
        `capa: no AWS credentials for management account ${sourceAccountId}, not assuming chain ${
          chain.key
        }: ${(e as Error).message}`,
      );
      return undefined;
    }
    const stsRegion = (p: string | undefined) =>
      partitionRegion(p, provider.stsRegion ?? ctx.region);
    // Hops are assumed through the gather's session memo: chains that start with the same hops (nested
    // chains through a hub identity) share one AssumeRole per common hop.
    const outcome = await assumeHops(
      ctx,
      sessions,
      provider,
      sourceAccountId,
      chain,
      hops.length,
      stsRegion,
    );
    const secrets = outcome.secrets;
    // The first hop is signed with the management account's own credentials.
    if (outcome.ok ? hops.length > 0 : outcome.hop > 0)
      ctx.credentials.worked(sourceAccountId);
    if (!outcome.ok) {
      const i = outcome.hop;
      const hop = hops[i];
      const kind = classifyAwsError(outcome.error);
      const message = describeAwsError(outcome.error, secrets);
      // Only the first hop is signed with the management account's own credentials.
      if (i === 0)
        ctx.credentials.judge(
          sourceAccountId,
          kind,
          message,
          `assuming chain ${chain.key}`,
        );
      if (outcome.noCredentials) {
        return {
          status: 'error',
          failedHop: i,
          message: `AssumeRole ${hop.roleArn} returned no credentials`,
          checkedAt,
        } satisfies AssumeResult;
      }
      return {
        status: assumeStatus(kind),
        failedHop: i,
        message: `AssumeRole ${hop.roleArn} (hop ${i + 1} of ${
          hops.length
        }) failed: ${ctx.failureMessage(kind, message)}`,
        checkedAt,
      } satisfies AssumeResult;
    }
    const credentials = outcome.credentials;
    const principal = outcome.principal;
    const last = hops[hops.length - 1];
    const sts = ctx.clients.sts({
      // The partition of the last role, or of the root principal for a chain without role hops.
      region: stsRegion(
        parseArn(last?.roleArn ?? chain.rootPrincipalArn ?? '', {
          complete: true,
        })?.partition,
      ),
      credentials,
      principal,
    });
    try {
      const who = await ctx.call(() =>
        sts.send(new GetCallerIdentityCommand({})),
      );
      if (hops.length === 0) ctx.credentials.worked(sourceAccountId);
      const accountId = who.Account;
      const arn = who.Arn;
      if (accountId !== chain.expectedAccountId) {
        // The calls succeeded ('ok'); the engine compares accountId with expectedAccountId and fails the check.
        return {
          status: 'ok',
          ...(accountId ? { accountId } : {}),
          ...(arn ? { arn } : {}),
          message: `GetCallerIdentity returned account ${
            accountId ?? '(none)'
          }, expected ${chain.expectedAccountId}`,
          checkedAt,
        } satisfies AssumeResult;
      }
      return {
        status: 'ok',
        accountId,
        ...(arn ? { arn } : {}),
        checkedAt,
      } satisfies AssumeResult;
    } catch (e) {
      const kind = classifyAwsError(e);
      // Without role hops, GetCallerIdentity is signed with the management account's own credentials.
      if (hops.length === 0)
        ctx.credentials.judge(
          sourceAccountId,
          kind,
          describeAwsError(e),
          `verifying chain ${chain.key}`,
        );
      return {
        status: kind === 'throttled' ? 'throttled' : 'error',
        message: `GetCallerIdentity after the last hop failed: ${ctx.failureMessage(
          kind,
          describeAwsError(e, secrets),
        )}`,
        checkedAt,
      } satisfies AssumeResult;
    }
  });
}

/**
 * Assumes the first `n` hops of a chain, reusing what this gather already assumed for the same first hops
 * from the same source account (same role, session name, duration, external id and session policy): each
 * distinct hop prefix is one AssumeRole per gather, so a hub identity shared by many nested chains is
 * assumed once, not once per chain. Prefix credentials close to expiry are not reused.
 */
export function assumeHops(
  ctx: GathererContext,
  sessions: HopSessions,
  provider: AwsCredentialProvider,
  sourceAccountId: string,
  chain: ChainPlan,
  n: number,
  stsRegion: (partition: string | undefined) => string,
): Promise<HopOutcome> {
  if (n === 0) {
    return Promise.resolve({
      ok: true,
      credentials: provider.sdkCredentialProvider,
      principal: sourceAccountId,
      secrets: [],
    });
  }
  const key = JSON.stringify(hopPrefixKey(sourceAccountId, chain, n));
  const existing = sessions.get(key);
  if (existing && !existing.expiresSoon()) return existing.outcome;
  const entry: HopSession = {
    outcome: Promise.resolve({
      ok: false,
      hop: 0,
      error: undefined,
      secrets: [],
    }),
    // Reuse only while at least a minute of the session is left.
    expiresSoon: () =>
      entry.expiration !== undefined &&
      entry.expiration.getTime() - Date.now() < 60_000,
  };
  const outcome = (async (): Promise<HopOutcome> => {
    const before = await assumeHops(
      ctx,
      sessions,
      provider,
      sourceAccountId,
      chain,
      n - 1,
      stsRegion,
    );
    if (!before.ok) return before;
    const i = n - 1;
    const hop = chain.hops[i];
    const sts = ctx.clients.sts({
      region: stsRegion(parseArn(hop.roleArn, { complete: true })?.partition),
      credentials: before.credentials,
      principal: before.principal,
    });
    try {
      const out = await ctx.call(() =>
        sts.send(new AssumeRoleCommand(hopParameters(hop))),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
        return {
          ok: false,
          hop: i,
          error: undefined,
          noCredentials: true,
          secrets: before.secrets,
        };
      }
      entry.expiration = c.Expiration;
      return {
        ok: true,
        credentials: {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          ...(c.Expiration ? { expiration: c.Expiration } : {}),
        },
        principal: `hop:${i}:${hop.roleArn}`,
        secrets: [
          ...before.secrets,
          c.AccessKeyId,
          c.SecretAccessKey,
          c.SessionToken,
        ],
      };
    } catch (error) {
      return { ok: false, hop: i, error, secrets: before.secrets };
    }
  })();
  entry.outcome = outcome;
  sessions.set(key, entry);
  return outcome;
}
/**
 * The AssumeRole input CAPA sends for a hop (pkg/cloud/identity GetAssumeRoleCredentials, aws-sdk-go v1
 * stscreds): RoleSessionName as planned, or, when the identity sets none (`sessionNameDefaulted`),
 * stscreds' default, the UTC time in nanoseconds; DurationSeconds (stscreds' default 15 minutes when 0);
 * ExternalId only when non-empty; Policy (the identity's inlinePolicy) only when non-empty. policyARNs
 * are never sent by CAPA, so never here either.
 */
function hopParameters(hop: AssumeHop) {
  return {
    RoleArn: hop.roleArn,
    RoleSessionName:
      hop.sessionNameDefaulted || !hop.sessionName
        ? `${Date.now()}000000`
        : hop.sessionName,
    DurationSeconds: hop.durationSeconds > 0 ? hop.durationSeconds : 900,
    ...(hop.externalId ? { ExternalId: hop.externalId } : {}),
    ...(hop.policy ? { Policy: hop.policy } : {}),
  };
}

function assumeStatus(kind: AwsErrorKind): AssumeResult['status'] {
  if (kind === 'denied') return 'denied';
  if (kind === 'throttled') return 'throttled';
  return 'error';
}
