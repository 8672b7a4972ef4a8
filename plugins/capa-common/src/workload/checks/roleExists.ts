/*
 * workload-role-exists: each role of the path exists (iam:GetRole, or the workloadAccess file, which lists every
 * role of an account it describes). A Pod Identity association or an IRSA annotation naming a missing role fails
 * at runtime with AccessDenied (EKS cannot assume it; STS refuses the token).
 */
import { accountOfArn } from '../../iam/arn';
import type { Check, CheckStatus } from '../../types';
import { combine } from '../../trust/checks/check';
import type { WorkloadRoleEvidence } from '../types';
import type { WorkloadContext } from './context';

export function lookupRole(
  ctx: WorkloadContext,
  roleArn: string,
): WorkloadRoleEvidence | undefined {
  const id = accountOfArn(roleArn);
  const account = id ? ctx.account(id) : undefined;
  if (!account) return undefined;
  const role = account.roles[roleArn];
  if (role) return role;
  return account.complete
    ? {
        arn: roleArn,
        status: 'not-found',
        source: account.source,
        message: `${account.source} lists no role ${roleArn}`,
      }
    : undefined;
}

const STATUS: Record<WorkloadRoleEvidence['status'], CheckStatus> = {
  found: 'pass',
  'not-found': 'fail',
  'access-denied': 'skip',
  error: 'skip',
};

function roleMessage(arn: string, role: WorkloadRoleEvidence): string {
  if (role.status === 'found') return `${arn} exists`;
  if (role.status === 'not-found') return `${arn} does not exist`;
  return `${arn} could not be read: ${role.message ?? role.status}`;
}

export function workloadRoleExistsCheck(
  ctx: WorkloadContext,
  roles: Array<{ label: string; arn: string }>,
): Check {
  return combine(
    'workload-role-exists',
    roles.map(({ label, arn }) => {
      const role = lookupRole(ctx, arn);
      if (!role)
        return {
          label,
          p: {
            status: 'skip' as const,
            message: `no IAM evidence for account ${accountOfArn(
              arn,
            )}: ${arn} not checked`,
          },
        };
      const status = STATUS[role.status];
      return {
        label,
        p: {
          status,
          message: roleMessage(arn, role),
          evidence: [{ source: role.source, detail: role.message ?? arn }],
          ...(role.status === 'not-found'
            ? {
                fix: {
                  summary: `Create ${arn} (with the trust policy the next checks describe), or point the ${label} at a role that exists.`,
                },
              }
            : {}),
        },
      };
    }),
    { status: 'skip', message: 'no role' },
  );
}
