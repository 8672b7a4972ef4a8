import type {
  TrustMapResponse,
  Verdict,
} from '@capa-portal/plugin-capa-common';
import { trustMapData } from '../../__testUtils__/fixtures';
import { edgeVerdict, layoutTrustMap, MAX_EXPANDED } from './layout';

/**
 * A fleet of `accounts` accounts, one role identity each, in blocks of 200 per management cluster (five); every
 * 25th identity broken on its target side (target-trust), every other 40th degraded (static credentials). For
 * 1,000: per management cluster 8 broken, 4 degraded, 188 configured.
 */
function fleet(accounts: number): TrustMapResponse {
  const mgmts = ['mgmt-1', 'mgmt-2', 'mgmt-3', 'mgmt-4', 'mgmt-5'];
  const identities: TrustMapResponse['identities'] = [];
  const list: TrustMapResponse['accounts'] = [];
  for (let n = 0; n < accounts; n++) {
    const accountId = String(100000000000 + n);
    let verdict: Verdict = 'configured';
    if (n % 25 === 0) verdict = 'broken';
    else if (n % 40 === 0) verdict = 'degraded';
    identities.push({
      managementCluster: mgmts[Math.floor(n / 200) % mgmts.length],
      kind: 'AWSClusterRoleIdentity',
      name: `acct-${String(n).padStart(4, '0')}`,
      accountId,
      verdict,
      failing: verdict === 'broken' ? ['target-trust'] : [],
      warning: verdict === 'degraded' ? ['static-credentials'] : [],
      clusterCount: 1,
    });
    list.push({ accountId, name: `team-${n}`, verdict });
  }
  return {
    managementClusters: mgmts.map((name, i) => ({
      name,
      accountId: String(900000000000 + i),
      stale: false,
    })),
    identities,
    accounts: list,
    generatedAt: '2024-01-01T00:00:00Z',
  };
}

const edge = (l: ReturnType<typeof layoutTrustMap>, from: string, to: string) =>
  l.edges.find(e => e.from === from && e.to === to);

describe('layoutTrustMap at the demo size', () => {
  const layout = layoutTrustMap(trustMapData);

  it('draws every management cluster, identity and account with its own node', () => {
    const ids = layout.nodes.map(n => n.id).sort();
    expect(ids).toEqual(
      [
        'm:mgmt-eu',
        'm:mgmt-us',
        'i:mgmt-eu/AWSClusterRoleIdentity/staging',
        'i:mgmt-eu/AWSClusterRoleIdentity/ml-sandbox',
        'i:mgmt-eu/AWSClusterRoleIdentity/dev',
        'i:mgmt-us/AWSClusterStaticIdentity/keys',
        'a:222222222222',
        'a:444444444444',
        'a:121212121212',
        'a:none', // the static identity has no account
      ].sort(),
    );
    expect(layout.nodes.every(n => n.kind !== 'identity-group')).toBe(true);
  });

  it('colours the edge on the side whose checks fail', () => {
    // target-trust fails: the account's side is broken, the management cluster's side held.
    expect(
      edge(
        layout,
        'i:mgmt-eu/AWSClusterRoleIdentity/ml-sandbox',
        'a:444444444444',
      )?.verdict,
    ).toBe('broken');
    expect(
      edge(layout, 'm:mgmt-eu', 'i:mgmt-eu/AWSClusterRoleIdentity/ml-sandbox')
        ?.verdict,
    ).toBe('configured');
    // namespace-allowed fails: the management cluster's side is broken.
    expect(
      edge(layout, 'm:mgmt-eu', 'i:mgmt-eu/AWSClusterRoleIdentity/dev')
        ?.verdict,
    ).toBe('broken');
    expect(
      edge(layout, 'i:mgmt-eu/AWSClusterRoleIdentity/dev', 'a:121212121212')
        ?.verdict,
    ).toBe('configured');
    expect(
      edge(layout, 'm:mgmt-us', 'i:mgmt-us/AWSClusterStaticIdentity/keys')
        ?.verdict,
    ).toBe('degraded');
  });

  it('is deterministic and keeps columns apart', () => {
    expect(layoutTrustMap(trustMapData)).toEqual(layout);
    const xs = new Set(layout.nodes.map(n => n.x));
    expect(xs.size).toBe(3);
    // No two nodes of one column share a row.
    for (const x of xs) {
      const ys = layout.nodes.filter(n => n.x === x).map(n => n.y);
      expect(new Set(ys).size).toBe(ys.length);
    }
  });
});

describe('edgeVerdict', () => {
  it.each([
    [['account-known'], [], 'broken', 'configured', 'broken'],
    [['source-permission'], [], 'broken', 'broken', 'configured'],
    [[], ['external-id'], 'degraded', 'configured', 'degraded'],
    [[], [], 'trusted', 'trusted', 'trusted'],
  ] as const)(
    'failing %j warning %j (identity %s) -> source %s, target %s',
    (failing, warning, verdict, source, target) => {
      const identity = {
        ...trustMapData.identities[0],
        failing: [...failing],
        warning: [...warning],
        verdict: verdict as Verdict,
      };
      expect(edgeVerdict(identity, 'source')).toBe(source);
      expect(edgeVerdict(identity, 'target')).toBe(target);
    },
  );
});

describe('layoutTrustMap at 1,000 accounts', () => {
  const data = fleet(1000);
  const layout = layoutTrustMap(data);
  const groups = layout.nodes.filter(n => n.kind === 'identity-group');

  const count = (m: string, v: Verdict) =>
    data.identities.filter(i => i.managementCluster === m && i.verdict === v)
      .length;
  const MGMTS = ['mgmt-1', 'mgmt-2', 'mgmt-3', 'mgmt-4', 'mgmt-5'];

  it('draws groups per management cluster and verdict instead of 1,000 nodes', () => {
    expect(MGMTS.map(m => count(m, 'configured'))).toEqual([
      188, 188, 188, 188, 188,
    ]);
    // 188 configured identities exceed the healthy limit (8) and collapse; 8 broken and 4 degraded are within
    // the problem limit (40) and are drawn one by one.
    expect(groups.map(g => [g.groupKey, g.count])).toEqual(
      MGMTS.map(m => [`${m}/configured`, 188]),
    );
    const identities = layout.nodes.filter(n => n.kind === 'identity');
    expect(identities).toHaveLength(5 * (8 + 4));
    expect(identities.every(n => n.verdict !== 'configured')).toBe(true);
    // What the groups stand for adds up to the fleet.
    expect(identities.length + groups.reduce((s, g) => s + g.count!, 0)).toBe(
      1000,
    );
    // 5 management clusters, 60 identities, 5 groups; 60 accounts and 5 account groups.
    expect(layout.nodes).toHaveLength(5 + 60 + 5 + 60 + 5);
  });

  it('expands one group on request, and only that one', () => {
    const open = layoutTrustMap(data, {
      expanded: new Set(['mgmt-3/configured']),
    });
    const shown = open.nodes.filter(
      n =>
        n.kind === 'identity' &&
        n.entity?.type === 'identity' &&
        n.entity.managementCluster === 'mgmt-3',
    );
    expect(shown).toHaveLength(188 + 8 + 4);
    expect(open.nodes.filter(n => n.kind === 'identity-group')).toHaveLength(4);
  });

  it('narrows to what a search finds, drawn one by one', () => {
    const found = layoutTrustMap(data, { search: 'acct-0042' });
    expect(found.nodes.map(n => n.id).sort()).toEqual(
      [
        'm:mgmt-1',
        'i:mgmt-1/AWSClusterRoleIdentity/acct-0042',
        'a:100000000042',
      ].sort(),
    );
    expect(layoutTrustMap(data, { search: 'team-999' }).shown).toEqual({
      identities: 1,
      accounts: 1,
    });
  });

  it('filters by verdict and management cluster', () => {
    const broken = layoutTrustMap(data, {
      verdicts: new Set<Verdict>(['broken']),
    });
    expect(broken.shown.identities).toBe(40);
    // Target-side failures: the identity -> account edge is broken, the management cluster's edge held.
    expect(broken.edges.filter(e => e.verdict === 'broken')).toHaveLength(40);
    const one = layoutTrustMap(data, { managementCluster: 'mgmt-2' });
    expect(
      one.nodes.filter(n => n.kind === 'management-cluster').map(n => n.label),
    ).toEqual(['mgmt-2']);
    expect(one.shown.identities).toBe(200);
  });

  it('caps an expanded group and says how many more there are', () => {
    const big = fleet(2000);
    for (const i of big.identities) i.managementCluster = 'mgmt-1';
    const open = layoutTrustMap(big, {
      expanded: new Set(['mgmt-1/configured']),
    });
    const more = open.nodes.find(n => n.kind === 'more');
    const configured = big.identities.filter(
      i => i.verdict === 'configured',
    ).length;
    expect(more?.label).toBe(`${configured - MAX_EXPANDED} more`);
  });
});
