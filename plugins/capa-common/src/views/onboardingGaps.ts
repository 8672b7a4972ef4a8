/*
 * Onboarding gaps: the fleet reconciled with AWS Organizations (docs/contracts.md §7, `GET /onboarding-gaps`).
 * - Accounts no identity targets: active in Organizations (or listed in the configuration), but no
 *   AWSClusterRoleIdentity's role nor static identity's keys are in them, and no management cluster runs there.
 *   Whether an account is targeted is decided on the whole fleet, whoever asks: a caller who cannot see the
 *   identity that onboards an account must not be told the account is not onboarded.
 * - Identities whose target account is suspended / closing in Organizations, or that neither Organizations nor the
 *   configuration knows: the `account-known` check (fail or warn), surfaced beside them.
 */
import type {
  OnboardingGapAccount,
  OnboardingGapIdentity,
  OnboardingGapsQuery,
  OnboardingGapsResponse,
} from '../api/types';
import type {
  FleetReport,
  OrganizationAccount,
  OrganizationSnapshot,
} from '../types';

/**
 * Whether an account with this OU path and these tags passes the query: `ou` is a path from the root (the OU and
 * everything below it) or one OU's name anywhere on the path; each `tag` is `key` (present) or `key=value`.
 * Names compare case-insensitively. An account Organizations tells nothing about passes no filter.
 *
 * @public
 */
export function matchesOnboardingFilter(
  account: { ouPath?: string; tags?: Record<string, string> },
  query: OnboardingGapsQuery,
): boolean {
  if (query.ou) {
    const path = account.ouPath?.toLowerCase();
    const ou = query.ou.toLowerCase().replace(/\/+$/, '');
    if (!path) return false;
    const inOu = ou.includes('/')
      ? path === ou || path.startsWith(`${ou}/`)
      : path.split('/').includes(ou);
    if (!inOu) return false;
  }
  for (const tag of query.tag ?? []) {
    const eq = tag.indexOf('=');
    const key = eq < 0 ? tag : tag.slice(0, eq);
    const value = account.tags?.[key];
    if (value === undefined) return false;
    if (eq >= 0 && value !== tag.slice(eq + 1)) return false;
  }
  return true;
}

/**
 * The onboarding gaps of a report. `report` is the whole fleet (what is targeted); `visible` is the caller's view
 * of it (which identities they may see); `mayList` says whether the caller may see one gap account.
 *
 * @public
 */
export function onboardingGaps(options: {
  report: FleetReport;
  visible: FleetReport;
  organization?: OrganizationSnapshot;
  mayList: (account: OnboardingGapAccount) => boolean;
  query?: OnboardingGapsQuery;
}): OnboardingGapsResponse {
  const { report, visible, organization } = options;
  const query = options.query ?? {};
  const org = new Map<string, OrganizationAccount>(
    (organization?.accounts ?? []).map(a => [a.accountId, a]),
  );
  const targeted = new Set<string>();
  for (const i of report.identities) if (i.accountId) targeted.add(i.accountId);
  for (const m of report.managementClusters) targeted.add(m.accountId);

  const candidates = new Map<string, OnboardingGapAccount>();
  for (const a of org.values()) {
    if (targeted.has(a.accountId)) continue;
    if (a.status && a.status !== 'ACTIVE') continue; // a suspended account is not one to onboard
    candidates.set(a.accountId, {
      accountId: a.accountId,
      ...(a.name ? { name: a.name } : {}),
      ...(a.email ? { email: a.email } : {}),
      ...(a.status ? { status: a.status } : {}),
      ...(a.ouPath ? { ouPath: a.ouPath } : {}),
      tags: a.tags ?? {},
      sources: ['organizations'],
    });
  }
  for (const a of report.accounts) {
    if (targeted.has(a.accountId) || !a.sources.includes('config')) continue;
    if (a.status && a.status !== 'ACTIVE') continue;
    const fromOrg = candidates.get(a.accountId);
    candidates.set(a.accountId, {
      ...(fromOrg ?? { accountId: a.accountId, tags: {} }),
      ...(a.name ? { name: a.name } : {}),
      ...(a.tier ? { tier: a.tier } : {}),
      ...(a.owner ? { owner: a.owner } : {}),
      sources: fromOrg ? ['organizations', 'config'] : ['config'],
    });
  }
  const accounts = [...candidates.values()].filter(options.mayList);

  const names = new Map(report.accounts.map(a => [a.accountId, a.name]));
  const identities: OnboardingGapIdentity[] = [];
  for (const i of visible.identities) {
    const known = i.checks.find(c => c.id === 'account-known');
    if (
      !i.accountId ||
      !known ||
      (known.status !== 'fail' && known.status !== 'warn')
    )
      continue;
    const o = org.get(i.accountId);
    const name = o?.name ?? names.get(i.accountId);
    identities.push({
      managementCluster: i.managementCluster,
      kind: i.kind,
      name: i.name,
      ...(i.roleArn ? { roleArn: i.roleArn } : {}),
      accountId: i.accountId,
      ...(name ? { accountName: name } : {}),
      ...(o?.status ? { accountStatus: o.status } : {}),
      ...(o?.ouPath ? { ouPath: o.ouPath } : {}),
      reason: known.status === 'fail' ? 'inactive' : 'unknown',
      message: known.message,
      verdict: i.verdict,
      clusterCount: i.usedBy.length,
    });
  }

  const tagsOf = (id: string) => org.get(id)?.tags;
  const facets = [
    ...accounts.map(a => ({ ouPath: a.ouPath, tags: a.tags })),
    ...identities.map(i => ({ ouPath: i.ouPath, tags: tagsOf(i.accountId) })),
  ];
  const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
  return {
    accountsWithoutIdentity: accounts
      .filter(a => matchesOnboardingFilter(a, query))
      .sort(
        (a, b) =>
          (a.ouPath ?? '').localeCompare(b.ouPath ?? '') ||
          (a.name ?? a.accountId).localeCompare(b.name ?? b.accountId),
      ),
    identitiesToUnknownAccounts: identities
      .filter(i =>
        matchesOnboardingFilter(
          { ouPath: i.ouPath, tags: tagsOf(i.accountId) },
          query,
        ),
      )
      .sort(
        (a, b) =>
          a.managementCluster.localeCompare(b.managementCluster) ||
          a.name.localeCompare(b.name),
      ),
    organization: {
      ...(organization ? { source: organization.source } : {}),
      accountCount: org.size,
    },
    filters: {
      ouPaths: sorted(facets.flatMap(f => (f.ouPath ? [f.ouPath] : []))),
      tags: sorted(
        facets.flatMap(f =>
          Object.entries(f.tags ?? {}).map(([k, v]) => `${k}=${v}`),
        ),
      ),
    },
    generatedAt: report.generatedAt,
  };
}
