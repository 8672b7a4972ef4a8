/* eslint-disable no-nested-ternary */
/*
 * account-known: the target account is known (config, a management cluster's account, or AWS Organizations)
 * and not suspended in Organizations.
 */
import type { Check, CheckEvidence } from '../../types';
import type { FleetContext } from '../context';
import { check } from './check';
import { accountConfigYaml } from './fixes';

export function accountKnownCheck(
  fleet: FleetContext,
  accountId: string | undefined,
  staticOnly: boolean,
): Check {
  if (!accountId) {
    return check('account-known', {
      status: 'skip',
      message: staticOnly
        ? 'the account of the static credentials is unknown (its Secret is never read)'
        : 'no target account (the chain has no usable role ARN)',
    });
  }
  const org = fleet.organization?.get(accountId);
  const cfg = fleet.accounts.get(accountId);
  const mgmt = fleet.managementAccounts.get(accountId);
  const evidence: CheckEvidence[] = [];
  if (cfg)
    evidence.push({
      source: 'config: accounts',
      detail: `${accountId}${cfg.name ? ` (${cfg.name})` : ''}`,
    });
  if (mgmt)
    evidence.push({
      source: 'config: managementClusters',
      detail: mgmt.join(', '),
    });
  if (org)
    evidence.push({
      source: fleet.organizationSource ?? 'organizations:ListAccounts',
      detail: `${org.name ?? accountId}: ${org.status ?? 'unknown status'}`,
    });
  if (org && org.status && org.status !== 'ACTIVE') {
    return check('account-known', {
      status: 'fail',
      message: `account ${accountId} is ${org.status} in AWS Organizations`,
      evidence,
      fix: {
        summary: `Move the clusters and identities off account ${accountId}, or reactivate it.`,
      },
    });
  }
  if (cfg || mgmt || org) {
    return check('account-known', {
      status: 'pass',
      message: `account ${accountId} is known from ${[
        cfg && 'config',
        mgmt && 'management clusters',
        org && 'AWS Organizations',
      ]
        .filter(Boolean)
        .join(', ')}${org?.status ? ` (${org.status})` : ''}`,
      evidence,
    });
  }
  return check('account-known', {
    status: 'warn',
    message: fleet.organization
      ? `account ${accountId} is neither in config nor in AWS Organizations`
      : `account ${accountId} is not in config (AWS Organizations was not asked)`,
    fix: {
      summary: `List account ${accountId} under accounts: in the configuration (with its name and iamConfiguration).`,
      snippet: accountConfigYaml(accountId),
      language: 'yaml',
    },
  });
}
