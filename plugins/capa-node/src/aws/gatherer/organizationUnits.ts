/*
 * The OU path and the tags of each account listed by organizations:ListAccounts, for the onboarding gaps' OU and
 * tag filters. Both are optional: a principal allowed ListAccounts but not these calls still gets the accounts.
 *
 * OU paths walk the tree from the root rather than asking `ListParents` per account: `ListRoots`, then per root
 * and OU `ListOrganizationalUnitsForParent` and `ListAccountsForParent` (AWS Organizations API reference), so an
 * organization of 1,000 accounts in 30 OUs costs about 2 x 31 requests (plus pages of 20) instead of 1,000
 * `ListParents` and one `DescribeOrganizationalUnit` per OU. Tags have no bulk call: one
 * `ListTagsForResource` (ResourceId = the account id) per account, under the gatherer's concurrency limit, and
 * all of it is cached with the accounts for `capa.verification.cacheTtl`.
 *
 * AWS documents that Organizations' List* calls "can occasionally return an empty set of results even when there
 * are more results available" and that `NextToken` is null only at the end: every loop follows `NextToken`, never
 * the page's size.
 */
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { OrganizationAccount } from '@capa-portal/plugin-capa-common';
import { classifyAwsError, describeAwsError } from '../awsErrors';
import type { GathererContext } from './context';

/** A bound on pages per listing, so an endpoint that always answers a NextToken cannot loop forever. */
const MAX_PAGES = 1000;

async function allPages<T>(
  ctx: GathererContext,
  page: (
    nextToken: string | undefined,
  ) => Promise<{ items: T[]; nextToken?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const current = token;
    const r = await ctx.call(() => page(current));
    out.push(...r.items);
    token = r.nextToken || undefined;
    pages++;
  } while (token && pages < MAX_PAGES);
  return out;
}

/** Account id -> OU path (`Root/Workloads/Sandbox`), walking every root's tree breadth first. */
async function ouPaths(
  ctx: GathererContext,
  client: OrganizationsClient,
): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  const roots = await allPages(ctx, async NextToken => {
    const r = await client.send(new ListRootsCommand({ NextToken }));
    return { items: r.Roots ?? [], nextToken: r.NextToken };
  });
  const queue = roots.flatMap(r =>
    r.Id ? [{ id: r.Id, path: r.Name || 'Root' }] : [],
  );
  while (queue.length) {
    const parent = queue.shift()!;
    const [accounts, units] = await Promise.all([
      allPages(ctx, async NextToken => {
        const r = await client.send(
          new ListAccountsForParentCommand({ ParentId: parent.id, NextToken }),
        );
        return { items: r.Accounts ?? [], nextToken: r.NextToken };
      }),
      allPages(ctx, async NextToken => {
        const r = await client.send(
          new ListOrganizationalUnitsForParentCommand({
            ParentId: parent.id,
            NextToken,
          }),
        );
        return { items: r.OrganizationalUnits ?? [], nextToken: r.NextToken };
      }),
    ]);
    for (const a of accounts) if (a.Id) paths.set(a.Id, parent.path);
    for (const u of units)
      if (u.Id)
        queue.push({ id: u.Id, path: `${parent.path}/${u.Name ?? u.Id}` });
  }
  return paths;
}

/** Account id -> tags; stops asking after the first denial (the principal lacks the permission). */
async function accountTags(
  ctx: GathererContext,
  client: OrganizationsClient,
  accountIds: string[],
): Promise<Map<string, Record<string, string>>> {
  const tags = new Map<string, Record<string, string>>();
  let denied: unknown;
  await Promise.all(
    accountIds.map(async id => {
      if (denied) return;
      try {
        const list = await allPages(ctx, async NextToken => {
          if (denied) return { items: [] };
          try {
            const r = await client.send(
              new ListTagsForResourceCommand({ ResourceId: id, NextToken }),
            );
            return { items: r.Tags ?? [], nextToken: r.NextToken };
          } catch (e) {
            // Noted here, inside the limiter's slot, so the request queued next already sees it.
            if (classifyAwsError(e) === 'denied') denied = e;
            throw e;
          }
        });
        if (denied) return; // answered empty once denied: not the account's tags
        tags.set(
          id,
          Object.fromEntries(
            list.flatMap(t => (t.Key ? [[t.Key, t.Value ?? '']] : [])),
          ),
        );
      } catch (e) {
        if (classifyAwsError(e) !== 'denied')
          ctx.logger.warn(
            `capa: AWS Organizations ListTagsForResource ${id} failed: ${describeAwsError(
              e,
            )}`,
          );
      }
    }),
  );
  if (denied)
    ctx.logger.warn(
      `capa: AWS Organizations ListTagsForResource denied, accounts have no tags: ${describeAwsError(
        denied,
      )}`,
    );
  return tags;
}

/**
 * The accounts with `ouPath` and `tags` added where Organizations answered. Never throws: what could not be read
 * is logged and left out.
 */
export async function withUnitsAndTags(
  ctx: GathererContext,
  client: OrganizationsClient,
  accounts: OrganizationAccount[],
): Promise<OrganizationAccount[]> {
  let paths = new Map<string, string>();
  try {
    paths = await ouPaths(ctx, client);
  } catch (e) {
    ctx.logger.warn(
      `capa: AWS Organizations ${
        classifyAwsError(e) === 'denied' ? 'denied' : 'failed'
      } listing OUs (ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent), accounts have no OU path: ${describeAwsError(
        e,
      )}`,
    );
  }
  const tags = await accountTags(
    ctx,
    client,
    accounts.map(a => a.accountId),
  );
  return accounts.map(a => ({
    ...a,
    ...(paths.has(a.accountId) ? { ouPath: paths.get(a.accountId) } : {}),
    ...(tags.has(a.accountId) ? { tags: tags.get(a.accountId) } : {}),
  }));
}
