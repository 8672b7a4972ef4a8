/* The target and management AWS accounts of the bench fleet, and the teams and tiers they belong to. */
import type { AccountInput } from '@capa-portal/plugin-capa-common';

export const TIERS = ['production', 'staging', 'development', 'sandbox'];
export const TEAMS = [
  'payments',
  'checkout',
  'search',
  'ml',
  'data',
  'retail',
  'identity',
  'platform',
  'media',
  'ads',
];

const FIRST_ACCOUNT = 210000000000;
const ACCOUNT_STEP = 1009;

/** Account ids: 12 digits, deterministic. Index 0..M-1 are the management accounts. */
export function accountIdOf(i: number): string {
  return String(FIRST_ACCOUNT + i * ACCOUNT_STEP);
}

/** The index `accountIdOf` made an account id from. */
export function accountIndexOf(accountId: string): number {
  return (Number(accountId) - FIRST_ACCOUNT) / ACCOUNT_STEP;
}

export function teamOf(accountIndex: number): string {
  return TEAMS[accountIndex % TEAMS.length];
}

export function tierOf(accountIndex: number): string {
  return TIERS[accountIndex % TIERS.length];
}

/** `count` accounts: the first `managementCount` are the platform team's management accounts. */
export function generateAccounts(
  count: number,
  managementCount: number,
): AccountInput[] {
  const accounts: AccountInput[] = [];
  for (let i = 0; i < count; i++) {
    const management = i < managementCount;
    accounts.push({
      accountId: accountIdOf(i),
      name: management ? `platform-mgmt-${i}` : `${teamOf(i)}-${i}`,
      tier: management ? 'management' : tierOf(i),
      owner: `group:default/${management ? 'platform' : teamOf(i)}-team`,
    });
  }
  return accounts;
}
