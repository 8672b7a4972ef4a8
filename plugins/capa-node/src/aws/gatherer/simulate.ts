/*
 * iam:SimulatePrincipalPolicy of sts:AssumeRole on a role for a principal, signed with the principal's account's
 * own credentials. An assumed-role session is simulated as its role (see simulationSourceArn).
 */
import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import type { SimulationResult } from '@capa-portal/plugin-capa-common';
import { isAccountId, parseArn } from '@capa-portal/plugin-capa-common';
import { simulationSourceArn } from '../arn';
import { classifyAwsError, describeAwsError } from '../awsErrors';
import { CACHE_PREFIX, hash } from './cache';
import { GathererContext, iamClient } from './context';

export function simulate(
  ctx: GathererContext,
  principalArn: string,
  roleArn: string,
  force: boolean,
): Promise<SimulationResult | undefined> {
  const source = simulationSourceArn(principalArn);
  return ctx.cache.cached(
    `${CACHE_PREFIX}:sim:${hash([source, roleArn])}`,
    force,
    async () => {
      const checkedAt = new Date().toISOString();
      const arn = parseArn(source, { complete: true });
      if (!arn || !isAccountId(arn.accountId)) {
        return {
          decision: 'error',
          message: `not an IAM principal ARN: ${principalArn}`,
          checkedAt,
        } satisfies SimulationResult;
      }
      const iam = await iamClient(ctx, arn, `simulating ${source}`);
      if (!iam) return undefined;
      try {
        const out = await ctx.call(() =>
          iam.send(
            new SimulatePrincipalPolicyCommand({
              PolicySourceArn: source,
              ActionNames: ['sts:AssumeRole'],
              ResourceArns: [roleArn],
            }),
          ),
        );
        ctx.credentials.worked(arn.accountId);
        const result =
          out.EvaluationResults?.find(
            r => r.EvalActionName?.toLowerCase() === 'sts:assumerole',
          ) ?? out.EvaluationResults?.[0];
        const decision = result?.EvalDecision;
        if (
          decision !== 'allowed' &&
          decision !== 'explicitDeny' &&
          decision !== 'implicitDeny'
        ) {
          return {
            decision: 'error',
            message: `unexpected simulation answer: ${String(decision)}`,
            checkedAt,
          } satisfies SimulationResult;
        }
        const matched = [
          ...(result?.MatchedStatements ?? []),
          ...(result?.ResourceSpecificResults ?? []).flatMap(
            r => r.MatchedStatements ?? [],
          ),
        ]
          .map(s => s.SourcePolicyId ?? s.SourcePolicyType)
          .filter((s): s is string => !!s);
        const notes: string[] = [];
        if (source !== principalArn)
          notes.push(
            `simulated as ${source} (the role of the session ${principalArn})`,
          );
        if (
          result?.OrganizationsDecisionDetail?.AllowedByOrganizations === false
        )
          notes.push('denied by an organization SCP');
        if (
          result?.PermissionsBoundaryDecisionDetail
            ?.AllowedByPermissionsBoundary === false
        )
          notes.push('denied by the permissions boundary');
        if (result?.MissingContextValues?.length)
          notes.push(
            `context keys not simulated: ${result.MissingContextValues.join(
              ', ',
            )}`,
          );
        return {
          decision,
          ...(matched.length
            ? { matchedStatements: [...new Set(matched)] }
            : {}),
          ...(notes.length ? { message: notes.join('; ') } : {}),
          checkedAt,
        } satisfies SimulationResult;
      } catch (e) {
        const kind = classifyAwsError(e);
        const message = describeAwsError(e);
        ctx.credentials.judge(
          arn.accountId,
          kind,
          message,
          `simulating ${source}`,
        );
        let why = ctx.failureMessage(kind, message);
        if (kind === 'denied') {
          why = `not allowed to run iam:SimulatePrincipalPolicy on ${source}: ${message}`;
        } else if (kind === 'not-found') {
          why = `the principal ${source} does not exist: ${message}`;
        }
        return {
          decision: 'error',
          message: why,
          checkedAt,
        } satisfies SimulationResult;
      }
    },
  );
}
