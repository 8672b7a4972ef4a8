/*
 * organizations:ListAccounts (all pages) from the organization's management account or a delegated
 * administrator: names, emails and statuses merged into the account reports; then each account's OU path and
 * tags (organizationUnits.ts) for the onboarding gaps.
 */
import {
  ListAccountsCommand,
  ListAccountsCommandInput,
} from '@aws-sdk/client-organizations';
import type { AwsCredentialProvider } from '@backstage/integration-aws-node';
import type { OrganizationAccount } from '@capa-portal/plugin-capa-common';
import { partitionRegion } from '../arn';
import { classifyAwsError, describeAwsError } from '../awsErrors';
import { CACHE_PREFIX } from './cache';
import type { GathererContext } from './context';
import { withUnitsAndTags } from './organizationUnits';

export async function listOrganizationAccounts(
  ctx: GathererContext,
  organizationAccountId: string | undefined,
  force: boolean,
): Promise<OrganizationAccount[] | undefined> {
  const key = `${CACHE_PREFIX}:orgs:${organizationAccountId ?? 'main'}`;
  const result = await ctx.cache.cached<{ accounts?: OrganizationAccount[] }>(
    key,
    force,
    async () => {
      let provider: AwsCredentialProvider;
      try {
        provider = await ctx.credentials.provider(organizationAccountId);
      } catch (e) {
        ctx.logger.info(
          `capa: not listing AWS Organizations accounts: ${
            (e as Error).message
          }`,
        );
        return undefined;
      }
      const client = ctx.clients.organizations({
        region: partitionRegion(undefined, 'us-east-1'),
        credentials: provider.sdkCredentialProvider,
        principal: provider.accountId ?? 'main',
      });
      const accounts: OrganizationAccount[] = [];
      try {
        // Paginated by hand (not paginateListAccounts): each page is one request under the limiter, and a
        // throttled page is retried with the same NextToken (a paginator that threw can't be resumed).
        let nextToken: string | undefined;
        let pages = 0;
        do {
          const input: ListAccountsCommandInput = nextToken
            ? { NextToken: nextToken }
            : {};
          const page = await ctx.call(() =>
            client.send(new ListAccountsCommand(input)),
          );
          for (const a of page.Accounts ?? []) {
            if (!a.Id) continue;
            const status = (a as { State?: string }).State ?? a.Status;
            accounts.push({
              accountId: a.Id,
              ...(a.Name ? { name: a.Name } : {}),
              ...(a.Email ? { email: a.Email } : {}),
              ...(status ? { status } : {}),
            });
          }
          nextToken = page.NextToken || undefined;
          pages++;
        } while (nextToken && pages < 1000);
      } catch (e) {
        const kind = classifyAwsError(e);
        ctx.logger.warn(
          `capa: AWS Organizations ListAccounts ${
            kind === 'denied' ? 'denied' : 'failed'
          }, accounts are not merged from Organizations: ${describeAwsError(
            e,
          )}`,
        );
        // Not cached: the next refresh asks again.
        return undefined;
      }
      return { accounts: await withUnitsAndTags(ctx, client, accounts) };
    },
  );
  return result?.accounts;
}
