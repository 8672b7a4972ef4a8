/*
 * iam:GetRole of a target role, signed with its account's own credentials: its trust policy (URL-decoded),
 * or why it could not be read. A role found by name under another path is not the ARN asked for.
 */
import { GetRoleCommand } from '@aws-sdk/client-iam';
import type { RoleLookup } from '@capa-portal/plugin-capa-common';
import { isAccountId, parseArn } from '@capa-portal/plugin-capa-common';
import { roleNameFromArn } from '../arn';
import { classifyAwsError, describeAwsError } from '../awsErrors';
import { CACHE_PREFIX, hash } from './cache';
import { GathererContext, iamClient } from './context';
import { decodePolicyDocument } from './policyDocument';

/** getRole's message for a trust policy that is not JSON. */
export const UNDECODABLE = 'the trust policy could not be decoded as JSON';

export function getRole(
  ctx: GathererContext,
  roleArn: string,
  force: boolean,
): Promise<RoleLookup | undefined> {
  return ctx.cache.cached(
    `${CACHE_PREFIX}:role:${hash(roleArn)}`,
    force,
    async () => {
      const arn = parseArn(roleArn, { complete: true });
      const roleName = roleNameFromArn(roleArn);
      const checkedAt = new Date().toISOString();
      if (!arn || !roleName || !isAccountId(arn.accountId)) {
        return {
          status: 'error',
          message: `not an IAM role ARN: ${roleArn}`,
          checkedAt,
        } satisfies RoleLookup;
      }
      const iam = await iamClient(ctx, arn, `reading ${roleArn}`);
      if (!iam) return undefined;
      try {
        const out = await ctx.call(() =>
          iam.send(new GetRoleCommand({ RoleName: roleName })),
        );
        ctx.credentials.worked(arn.accountId);
        const encoded = out.Role?.AssumeRolePolicyDocument;
        // IAM names are case-insensitive, paths are not: a role found by name under another path is not this ARN.
        if (
          out.Role?.Arn &&
          out.Role.Arn.toLowerCase() !== roleArn.toLowerCase()
        ) {
          return {
            status: 'not-found',
            message: `${roleArn} does not exist; account ${arn.accountId} has ${out.Role.Arn} (a different path)`,
            checkedAt,
          } satisfies RoleLookup;
        }
        if (!encoded)
          return {
            status: 'found',
            message: 'the role has no trust policy',
            checkedAt,
          } satisfies RoleLookup;
        const trustPolicy = decodePolicyDocument(encoded);
        if (!trustPolicy) {
          return {
            status: 'error',
            message: UNDECODABLE,
            checkedAt,
          } satisfies RoleLookup;
        }
        return {
          status: 'found',
          trustPolicy,
          checkedAt,
        } satisfies RoleLookup;
      } catch (e) {
        const kind = classifyAwsError(e);
        const message = describeAwsError(e);
        ctx.credentials.judge(
          arn.accountId,
          kind,
          message,
          `reading ${roleArn}`,
        );
        if (kind === 'not-found')
          return {
            status: 'not-found',
            message: `${roleArn} does not exist (${message})`,
            checkedAt,
          } satisfies RoleLookup;
        if (kind === 'denied')
          return {
            status: 'access-denied',
            message,
            checkedAt,
          } satisfies RoleLookup;
        return {
          status: 'error',
          message: ctx.failureMessage(kind, message),
          checkedAt,
        } satisfies RoleLookup;
      }
    },
  );
}
