/*
 * workload-account-known: the role's account is one the fleet knows (configured, in Organizations, or targeted by
 * an identity). A role elsewhere may work, but nobody here owns or watches that account: a warning.
 */
import { accountOfArn } from '../../iam/arn';
import type { Check } from '../../types';
import { check } from '../../trust/checks/check';
import type { WorkloadContext } from './context';

export function workloadAccountKnownCheck(
  ctx: WorkloadContext,
  roleArns: string[],
): Check {
  const unknown = roleArns.filter(arn => {
    const id = accountOfArn(arn);
    return !id || !ctx.knownAccounts.has(id);
  });
  if (!unknown.length) {
    const names = roleArns.map(arn => {
      const id = accountOfArn(arn)!;
      return `${ctx.knownAccounts.get(id) ?? id} (${id})`;
    });
    return check('workload-account-known', {
      status: 'pass',
      message: `the fleet knows ${[...new Set(names)].join(', ')}`,
    });
  }
  return check('workload-account-known', {
    status: 'warn',
    message: `${unknown
      .map(arn => `${arn}: account ${accountOfArn(arn) ?? '?'}`)
      .join(
        '; ',
      )} is not an account the fleet knows (not configured, not in Organizations, no identity targets it)`,
    evidence: unknown.map(arn => ({ source: 'fleet accounts', detail: arn })),
    fix: {
      summary:
        'Add the account to the fleet (fleet.yaml / capa.accounts) with its owner, or correct the role ARN if the account id is a typo.',
      snippet: `accounts:\n  - accountId: '${
        accountOfArn(unknown[0]) ?? '<12 digits>'
      }'\n    name: <name>\n    owner: group:default/<team>`,
      language: 'yaml',
    },
  });
}
