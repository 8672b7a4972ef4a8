/*
 * Live workload-access evidence for one EKS cluster: the cluster's identity settings and Pod Identity associations
 * (eksWorkloadIdentity.ts), then, per account of the roles involved, its OIDC providers (oidcProviders.ts) and each
 * role with iam:GetRole (getRole.ts, cached like the trust evidence). An account without credentials yields no
 * entry, so the static file's evidence stands for it.
 */
import type {
  AccountIamEvidence,
  LiveWorkloadEvidence,
} from '@capa-portal/plugin-capa-common';
import { parseArn } from '@capa-portal/plugin-capa-common';
import type { GathererContext } from './context';
import { readEksWorkloadIdentity } from './eksWorkloadIdentity';
import { getRole, UNDECODABLE } from './getRole';
import { listOidcProviders } from './oidcProviders';

/** @public */
export interface WorkloadAccessRequest {
  /** The EKS cluster's account, region and name. */
  accountId: string;
  region: string;
  eksClusterName: string;
  /** Roles known from elsewhere (IRSA annotations in the static evidence) to read as well. */
  roleArns: string[];
  force?: boolean;
}

export async function gatherWorkloadAccess(
  ctx: GathererContext,
  request: WorkloadAccessRequest,
): Promise<LiveWorkloadEvidence> {
  const problems: string[] = [];
  const cluster = await readEksWorkloadIdentity(ctx, request, problems);
  const arns = new Set(request.roleArns);
  for (const a of cluster?.podIdentityAssociations ?? []) {
    arns.add(a.roleArn);
    if (a.targetRoleArn) arns.add(a.targetRoleArn);
  }
  const byAccount = new Map<string, { partition: string; arns: string[] }>();
  for (const arn of arns) {
    const parsed = parseArn(arn);
    if (!parsed?.accountId) continue;
    const entry = byAccount.get(parsed.accountId) ?? {
      partition: parsed.partition,
      arns: [],
    };
    entry.arns.push(arn);
    byAccount.set(parsed.accountId, entry);
  }
  const accounts: Record<string, AccountIamEvidence> = {};
  await Promise.all(
    [...byAccount].map(async ([accountId, { partition, arns: roleArns }]) => {
      const providers = await listOidcProviders(
        ctx,
        accountId,
        partition,
        problems,
      );
      const roles: AccountIamEvidence['roles'] = {};
      for (const arn of roleArns) {
        const r = await getRole(ctx, arn, !!request.force);
        if (!r) continue;
        // getRole reads a role whose trust policy is not JSON as an error; the role exists, its policy is malformed.
        if (r.status === 'error' && r.message === UNDECODABLE) {
          roles[arn] = {
            arn,
            status: 'found',
            trustPolicyProblem: `the trust policy is not JSON (${r.message})`,
            source: `iam:GetRole ${arn}`,
          };
          continue;
        }
        roles[arn] = {
          arn,
          status: r.status,
          ...(r.trustPolicy ? { trustPolicy: r.trustPolicy } : {}),
          ...(r.message ? { message: r.message } : {}),
          source: `iam:GetRole ${arn}`,
        };
      }
      if (providers === undefined && !Object.keys(roles).length) return;
      accounts[accountId] = {
        accountId,
        ...(providers ? { openIDConnectProviders: providers } : {}),
        roles,
        // GetRole answered for each role asked: a role not listed was not asked, not missing.
        complete: false,
        source: `iam (account ${accountId})`,
      };
    }),
  );
  return {
    ...(cluster ? { cluster } : {}),
    accounts,
    problems,
    checkedAt: new Date().toISOString(),
  };
}
