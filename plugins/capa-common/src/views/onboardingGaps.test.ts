import type { FleetInput, OrganizationSnapshot } from '../types';
import { evaluateFleet } from '../trust/engine';
import {
  controllerIdentity,
  controllersArn,
  fleet,
  LIVE,
  MGMT,
  roleIdentity,
  STAGING,
} from '../__testUtils__/fixtures';
import { matchesOnboardingFilter, onboardingGaps } from './onboardingGaps';
import { parseOrganizationSnapshot } from '../organizations/parseOrganizationSnapshot';

const NOW = { now: new Date('2024-01-01T00:00:00Z') };
const CLOSED = '141414141414';
const NEW = '151515151515';
const LISTED = '161616161616';

const ORG: OrganizationSnapshot = {
  source: 'org.yaml',
  accounts: [
    { accountId: MGMT, status: 'ACTIVE', ouPath: 'Root/Platform' },
    { accountId: STAGING, status: 'ACTIVE', ouPath: 'Root/Workloads' },
    {
      accountId: CLOSED,
      name: 'old',
      status: 'SUSPENDED',
      ouPath: 'Root/Closed',
    },
    {
      accountId: NEW,
      name: 'new',
      status: 'ACTIVE',
      ouPath: 'Root/Workloads/Sandbox',
      tags: { team: 'payments' },
    },
  ],
};

/** mgmt (111...) holds identities for staging (in the org), a closed account and LIVE (unknown to all). */
function input(organization?: OrganizationSnapshot): FleetInput {
  return {
    ...fleet(
      [
        controllerIdentity(),
        roleIdentity('staging', controllersArn(STAGING), {
          allowedNamespaces: {},
        }),
        roleIdentity('old', controllersArn(CLOSED), { allowedNamespaces: {} }),
        roleIdentity('live', controllersArn(LIVE), { allowedNamespaces: {} }),
      ],
      { accounts: [{ accountId: LISTED, name: 'listed', tier: 'dev' }] },
    ),
    ...(organization ? { organization } : {}),
  };
}

describe('onboardingGaps', () => {
  it('lists active accounts no identity targets and identities to suspended or unknown accounts', () => {
    const report = evaluateFleet(input(ORG), undefined, NOW);
    const gaps = onboardingGaps({
      report,
      visible: report,
      organization: ORG,
      mayList: () => true,
    });
    // The management account and staging are targeted; CLOSED is suspended; NEW is in the organization and
    // LISTED in config, neither targeted.
    expect(gaps.accountsWithoutIdentity).toEqual([
      {
        accountId: LISTED,
        name: 'listed',
        tier: 'dev',
        tags: {},
        sources: ['config'],
      },
      {
        accountId: NEW,
        name: 'new',
        status: 'ACTIVE',
        ouPath: 'Root/Workloads/Sandbox',
        tags: { team: 'payments' },
        sources: ['organizations'],
      },
    ]);
    expect(
      gaps.identitiesToUnknownAccounts.map(i => [
        i.name,
        i.reason,
        i.accountStatus,
      ]),
    ).toEqual([
      ['live', 'unknown', undefined],
      ['old', 'inactive', 'SUSPENDED'],
    ]);
    expect(gaps.organization).toEqual({ source: 'org.yaml', accountCount: 4 });
  });

  it('decides what is targeted on the whole fleet, not on what the caller sees', () => {
    const report = evaluateFleet(input(ORG), undefined, NOW);
    const gaps = onboardingGaps({
      report,
      visible: { ...report, identities: [] },
      organization: ORG,
      mayList: () => true,
    });
    expect(gaps.accountsWithoutIdentity.map(a => a.accountId)).toEqual([
      LISTED,
      NEW,
    ]);
    expect(gaps.identitiesToUnknownAccounts).toEqual([]);
  });

  it('without Organizations evidence, only configured accounts can be gaps', () => {
    const report = evaluateFleet(input(), undefined, NOW);
    const gaps = onboardingGaps({
      report,
      visible: report,
      mayList: () => true,
    });
    expect(gaps.accountsWithoutIdentity.map(a => a.accountId)).toEqual([
      LISTED,
    ]);
    expect(gaps.organization).toEqual({ accountCount: 0 });
    // Only LISTED is in config here: staging, CLOSED and LIVE are known to nobody, account-known warns.
    expect(
      gaps.identitiesToUnknownAccounts.map(i => [i.name, i.reason]),
    ).toEqual([
      ['live', 'unknown'],
      ['old', 'unknown'],
      ['staging', 'unknown'],
    ]);
  });

  it('live ListAccounts wins over the snapshot file', () => {
    const live = {
      organizationAccounts: [{ accountId: CLOSED, status: 'ACTIVE' }],
    };
    const report = evaluateFleet(input(ORG), live, NOW);
    const old = report.identities.find(i => i.name === 'old')!;
    expect(old.checks.find(c => c.id === 'account-known')).toMatchObject({
      status: 'pass',
      evidence: [{ source: 'organizations:ListAccounts' }],
    });
    const fromFile = evaluateFleet(input(ORG), undefined, NOW);
    expect(
      fromFile.identities
        .find(i => i.name === 'old')!
        .checks.find(c => c.id === 'account-known'),
    ).toMatchObject({ status: 'fail', evidence: [{ source: 'org.yaml' }] });
  });
});

describe('matchesOnboardingFilter', () => {
  const account = {
    ouPath: 'Root/Workloads/Sandbox',
    tags: { team: 'payments', env: '' },
  };
  it.each([
    [{ ou: 'Root/Workloads' }, true],
    [{ ou: 'root/workloads/' }, true],
    [{ ou: 'Root/Work' }, false], // a path matches whole OUs only
    [{ ou: 'Sandbox' }, true], // an OU's name anywhere on the path
    [{ ou: 'Security' }, false],
    [{ tag: ['team'] }, true],
    [{ tag: ['env'] }, true], // present with an empty value
    [{ tag: ['team=payments', 'env='] }, true],
    [{ tag: ['team=search'] }, false],
    [{ tag: ['owner'] }, false],
  ])('%j -> %s', (query, expected) => {
    expect(matchesOnboardingFilter(account, query)).toBe(expected);
  });
  it('an account Organizations says nothing about passes no filter', () => {
    expect(matchesOnboardingFilter({}, { ou: 'Root' })).toBe(false);
    expect(matchesOnboardingFilter({}, { tag: ['team'] })).toBe(false);
    expect(matchesOnboardingFilter({}, {})).toBe(true);
  });
});

describe('parseOrganizationSnapshot', () => {
  it('keeps good entries and names the file and field of bad ones', () => {
    const { snapshot, problems } = parseOrganizationSnapshot(
      {
        accounts: [
          { accountId: NEW, name: 'new', status: 'ACTIVE', tags: { a: 'b' } },
          { accountId: 151515151516 },
          { accountId: LISTED, status: 'CLOSED' },
          { accountId: NEW },
          { accountId: CLOSED, tags: { a: 1 } },
        ],
      },
      'aws-organization.yaml',
    );
    expect(snapshot?.accounts.map(a => a.accountId)).toEqual([
      NEW,
      LISTED,
      CLOSED,
    ]);
    expect(problems.map(p => `${p.source}: ${p.message}`)).toEqual([
      'aws-organization.yaml: accounts[1].accountId: must be a 12-digit string (quote it), got 151515151516',
      'aws-organization.yaml: accounts[2].status: must be one of ACTIVE, SUSPENDED, PENDING_CLOSURE, got "CLOSED"',
      `aws-organization.yaml: accounts[3].accountId: duplicate account ${NEW}`,
      'aws-organization.yaml: accounts[4].tags: must be a map of strings',
    ]);
  });
  it('refuses a document without an accounts list', () => {
    const { snapshot, problems } = parseOrganizationSnapshot(
      { Accounts: [] },
      'org.yaml',
    );
    expect(snapshot).toBeUndefined();
    expect(problems[0].message).toMatch(
      /^\(root\): must be a mapping with an `accounts` list/,
    );
  });
});
