/*
 * A snapshot of AWS Organizations kept in a file (fleet.yaml's `organization`): the accounts as
 * `organizations:ListAccounts` lists them (id, name, email, status), with the OU path and tags that
 * `ListAccountsForParent` / `ListTagsForResource` add. What the portal and the doctor use when no live answer is at
 * hand: a fleet without AWS credentials (the demo, a CI job) can still be reconciled with its organization.
 */
import { isAccountId } from '../iam/arn';
import { isRecord } from '../records';
import type { InputProblem, OrganizationSnapshot } from '../types';
import type { OrganizationAccount } from '../types';

const STATUSES = ['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE'];

/**
 * Validates a parsed snapshot document (`accounts: [{ accountId, name?, email?, status?, ouPath?, tags? }]`).
 * Problems name the file and the field (`aws-organization.yaml: accounts[2].accountId: ...`); a bad entry is
 * left out, the others are kept.
 *
 * @public
 */
export function parseOrganizationSnapshot(
  doc: unknown,
  source: string,
): { snapshot?: OrganizationSnapshot; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const err = (field: string, message: string) =>
    problems.push({
      source,
      message: `${field}: ${message}`,
      severity: 'error',
    });
  if (!isRecord(doc) || !Array.isArray(doc.accounts)) {
    err(
      '(root)',
      'must be a mapping with an `accounts` list (accountId, name, email, status, ouPath, tags)',
    );
    return { problems };
  }
  const accounts: OrganizationAccount[] = [];
  const seen = new Set<string>();
  doc.accounts.forEach((a: unknown, i: number) => {
    const p = `accounts[${i}]`;
    if (!isRecord(a)) {
      err(p, 'must be a mapping');
      return;
    }
    const id = a.accountId;
    if (typeof id !== 'string' || !isAccountId(id)) {
      err(
        `${p}.accountId`,
        `must be a 12-digit string (quote it), got ${JSON.stringify(id)}`,
      );
      return;
    }
    if (seen.has(id)) {
      err(`${p}.accountId`, `duplicate account ${id}`);
      return;
    }
    const account: OrganizationAccount = { accountId: id };
    for (const key of ['name', 'email', 'ouPath'] as const) {
      const v = a[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') err(`${p}.${key}`, 'must be a string');
      else account[key] = v;
    }
    if (a.status !== undefined && a.status !== null) {
      if (typeof a.status !== 'string' || !STATUSES.includes(a.status))
        err(
          `${p}.status`,
          `must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(
            a.status,
          )}`,
        );
      else account.status = a.status;
    }
    if (a.tags !== undefined && a.tags !== null) {
      if (
        !isRecord(a.tags) ||
        Object.values(a.tags).some(v => typeof v !== 'string')
      )
        err(`${p}.tags`, 'must be a map of strings');
      else account.tags = { ...(a.tags as Record<string, string>) };
    }
    seen.add(id);
    accounts.push(account);
  });
  return { snapshot: { accounts, source }, problems };
}
