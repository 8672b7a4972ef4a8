/*
 * Organizations' OU paths and tags: the real SDK v3 OrganizationsClient, signing real requests, against a local
 * HTTP test double speaking Organizations' JSON 1.1 protocol (__testUtils__/organizationsDouble.ts). Expected
 * paths and tags follow from the organization given to the double; request counts from the tree walk's design
 * (one ListAccountsForParent and one ListOrganizationalUnitsForParent per root and OU, pages followed).
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import {
  DoubleOrganization,
  startOrganizationsDouble,
} from '../../__testUtils__/organizationsDouble';
import { DefaultAwsEvidenceGatherer } from '../AwsEvidenceGatherer';
import { createDefaultAwsClientFactory } from '../clients';

const ORG_ACCOUNT = '999999999999';
const KEY_ID = 'AKIAFAKEORGS00000001';

const ORG: DoubleOrganization = {
  roots: [{ id: 'r-ab12', name: 'Root' }],
  units: [
    { id: 'ou-ab12-workload', name: 'Workloads', parent: 'r-ab12' },
    { id: 'ou-ab12-sandboxx', name: 'Sandbox', parent: 'ou-ab12-workload' },
    { id: 'ou-ab12-security', name: 'Security', parent: 'r-ab12' },
  ],
  accounts: [
    {
      id: ORG_ACCOUNT,
      name: 'org-management',
      email: 'aws+root@example.com',
      status: 'ACTIVE',
      parent: 'r-ab12',
    },
    {
      id: '222222222222',
      name: 'staging',
      email: 'aws+staging@example.com',
      status: 'ACTIVE',
      parent: 'ou-ab12-workload',
      tags: { team: 'platform', env: 'staging', 'cost-center': '42' },
    },
    {
      id: '151515151515',
      name: 'payments-sandbox',
      email: 'aws+payments-sandbox@example.com',
      status: 'ACTIVE',
      parent: 'ou-ab12-sandboxx',
      tags: { team: 'payments' },
    },
    {
      id: '141414141414',
      name: 'sandbox-2023',
      email: 'aws+sandbox-2023@example.com',
      status: 'SUSPENDED',
      parent: 'ou-ab12-sandboxx',
    },
    {
      id: '171717171717',
      name: 'security-audit',
      email: 'aws+security-audit@example.com',
      status: 'ACTIVE',
      parent: 'ou-ab12-security',
      tags: { team: 'security' },
    },
  ],
};

function gatherer(endpoint: string, verification: JsonObject = {}) {
  const lines: string[] = [];
  const logger: LoggerService = {
    error: m => void lines.push(m),
    warn: m => void lines.push(m),
    info: m => void lines.push(m),
    debug: () => {},
    child: () => logger,
  };
  const config = new ConfigReader({
    aws: {
      accounts: [
        {
          accountId: ORG_ACCOUNT,
          accessKeyId: KEY_ID,
          secretAccessKey: 'orgSecretFAKEorgSecretFAKEorgSecretFAKE0',
        },
      ],
    },
    capa: {
      verification: { organizationAccountId: ORG_ACCOUNT, ...verification },
    },
  });
  const g = DefaultAwsEvidenceGatherer.fromConfig(config, {
    logger,
    clientFactory: createDefaultAwsClientFactory({ endpoint }),
    retryBaseDelayMs: 1,
  });
  return { g, lines };
}

const count = (calls: Array<{ action: string }>, action: string) =>
  calls.filter(c => c.action === action).length;

describe('Organizations OU paths and tags with the real SDK client against a local JSON 1.1 endpoint', () => {
  it('walks the tree from the root and reads each account tags, following every page', async () => {
    const orgs = await startOrganizationsDouble(ORG, { pageSize: 2 });
    try {
      const { g } = gatherer(orgs.endpoint);
      const accounts = await g.listOrganizationAccounts();
      const byId = Object.fromEntries(
        (accounts ?? []).map(a => [a.accountId, a]),
      );
      expect(Object.keys(byId).sort()).toEqual(
        ORG.accounts.map(a => a.id).sort(),
      );
      expect(byId[ORG_ACCOUNT]).toMatchObject({ ouPath: 'Root', tags: {} });
      expect(byId['222222222222']).toEqual({
        accountId: '222222222222',
        name: 'staging',
        email: 'aws+staging@example.com',
        status: 'ACTIVE',
        ouPath: 'Root/Workloads',
        // three tags over two pages of two
        tags: { team: 'platform', env: 'staging', 'cost-center': '42' },
      });
      expect(byId['151515151515'].ouPath).toBe('Root/Workloads/Sandbox');
      expect(byId['141414141414']).toMatchObject({
        status: 'SUSPENDED',
        ouPath: 'Root/Workloads/Sandbox',
      });
      expect(byId['171717171717']).toMatchObject({
        ouPath: 'Root/Security',
        tags: { team: 'security' },
      });

      // Every request signed with the organization account's key, in Organizations' JSON 1.1 protocol.
      expect(new Set(orgs.calls.map(c => c.keyId))).toEqual(new Set([KEY_ID]));
      // One root and three OUs: one listing of child OUs and one of accounts each (each fits in a page of
      // two); no ListParents per account.
      expect(count(orgs.calls, 'ListRoots')).toBe(1);
      expect(count(orgs.calls, 'ListOrganizationalUnitsForParent')).toBe(4);
      expect(count(orgs.calls, 'ListAccountsForParent')).toBe(4);
      expect(count(orgs.calls, 'ListParents')).toBe(0);
      // Five accounts in pages of two; tags once per account plus the second page of staging's three tags.
      expect(count(orgs.calls, 'ListAccounts')).toBe(3);
      expect(count(orgs.calls, 'ListTagsForResource')).toBe(6);
      expect(
        orgs.calls
          .filter(c => c.action === 'ListTagsForResource')
          .map(c => c.input.ResourceId)
          .sort(),
      ).toEqual([...ORG.accounts.map(a => a.id), '222222222222'].sort());
    } finally {
      await orgs.close();
    }
  });

  it('keeps going through empty pages that still carry a NextToken', async () => {
    const orgs = await startOrganizationsDouble(ORG, {
      pageSize: 20,
      emptyPages: true,
    });
    try {
      const { g } = gatherer(orgs.endpoint);
      const accounts = (await g.listOrganizationAccounts()) ?? [];
      expect(accounts).toHaveLength(5);
      expect(accounts.find(a => a.accountId === '151515151515')).toMatchObject({
        ouPath: 'Root/Workloads/Sandbox',
        tags: { team: 'payments' },
      });
    } finally {
      await orgs.close();
    }
  });

  it('still lists the accounts when the OU walk is denied, and says which calls', async () => {
    const orgs = await startOrganizationsDouble(ORG, { deny: ['ListRoots'] });
    try {
      const { g, lines } = gatherer(orgs.endpoint);
      const accounts = (await g.listOrganizationAccounts()) ?? [];
      expect(accounts).toHaveLength(5);
      expect(accounts.every(a => a.ouPath === undefined)).toBe(true);
      expect(accounts.find(a => a.accountId === '171717171717')?.tags).toEqual({
        team: 'security',
      });
      expect(lines.join('\n')).toMatch(
        /denied listing OUs \(ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent\)/,
      );
      expect(count(orgs.calls, 'ListOrganizationalUnitsForParent')).toBe(0);
    } finally {
      await orgs.close();
    }
  });

  it('stops asking for tags after the first denial', async () => {
    const orgs = await startOrganizationsDouble(ORG, {
      deny: ['ListTagsForResource'],
    });
    try {
      // One request at a time, so "after the first denial" is a count.
      const { g, lines } = gatherer(orgs.endpoint, { concurrency: 1 });
      const accounts = (await g.listOrganizationAccounts()) ?? [];
      expect(accounts).toHaveLength(5);
      expect(accounts.every(a => a.tags === undefined)).toBe(true);
      expect(accounts.find(a => a.accountId === '222222222222')?.ouPath).toBe(
        'Root/Workloads',
      );
      expect(count(orgs.calls, 'ListTagsForResource')).toBe(1);
      expect(lines.join('\n')).toMatch(/ListTagsForResource denied/);
    } finally {
      await orgs.close();
    }
  });
});
