/*
 * The fleet trust map's layout: three columns (management clusters, the identities they hold, the accounts those
 * reach), laid out deterministically from the data alone, so the same fleet always draws the same picture.
 *
 * Scale: an identity group (one management cluster, one verdict) larger than its limit is drawn as one node with a
 * count, and the accounts reached only through it as one "N accounts" node; the user expands a group by clicking
 * it. Healthy groups collapse early (over 8), problem groups late (over 40), so broken links stay visible; an
 * expanded group draws at most MAX_EXPANDED members and a "more" node. A search or a management-cluster filter
 * narrows the data before grouping. At 1,000 accounts the default picture is a few dozen nodes.
 */
import {
  VERDICTS_WORST_FIRST,
  type CheckId,
  type TrustMapResponse,
  type Verdict,
} from '@capa-portal/plugin-capa-common';

export type MapIdentity = TrustMapResponse['identities'][number];

/**
 * Which edge a failing or warning check belongs to. Management cluster -> identity: what the management cluster
 * holds and may do (the identity objects, allowedNamespaces, the chain, the principal's permission to assume);
 * identity -> account: what the target account decides (its role's trust policy, the external id, whether
 * Organizations knows it, the live AssumeRole).
 */
const TARGET_SIDE: ReadonlySet<CheckId> = new Set<CheckId>([
  'target-trust',
  'external-id',
  'live-assume',
  'account-known',
]);

export type Side = 'source' | 'target';

/** The verdict of one of an identity's two edges. */
export function edgeVerdict(identity: MapIdentity, side: Side): Verdict {
  const onSide = (ids: CheckId[]) =>
    ids.some(id => TARGET_SIDE.has(id) === (side === 'target'));
  if (onSide(identity.failing)) return 'broken';
  if (onSide(identity.warning)) return 'degraded';
  // The other edge carries the identity's problem: this one held.
  if (identity.verdict === 'broken' || identity.verdict === 'degraded')
    return 'configured';
  return identity.verdict;
}

export interface MapNode {
  id: string;
  column: 0 | 1 | 2;
  kind:
    | 'management-cluster'
    | 'identity'
    | 'identity-group'
    | 'account'
    | 'account-group'
    | 'more';
  label: string;
  sublabel?: string;
  verdict?: Verdict;
  /** Groups: how many they stand for. */
  count?: number;
  /** Groups: the key to expand or collapse. */
  groupKey?: string;
  expanded?: boolean;
  stale?: boolean;
  /** What the node's entity is (for its catalog link). */
  entity?:
    | { type: 'management-cluster'; name: string }
    | {
        type: 'identity';
        managementCluster: string;
        kind: string;
        name: string;
      }
    | { type: 'account'; accountId: string };
  x: number;
  y: number;
}

export interface MapEdge {
  id: string;
  from: string;
  to: string;
  verdict: Verdict;
  /** Words for the edge's tooltip: what it links and which checks decide it. */
  title: string;
}

export interface MapLayout {
  nodes: MapNode[];
  edges: MapEdge[];
  width: number;
  height: number;
  /** What the filters kept, before grouping. */
  shown: { identities: number; accounts: number };
}

export interface MapOptions {
  /** Keep identities of these verdicts (empty: all). */
  verdicts?: ReadonlySet<Verdict>;
  managementCluster?: string;
  /** Matches identity names, account ids and names (case-insensitive); matches are always drawn one by one. */
  search?: string;
  /** Group keys the user expanded. */
  expanded?: ReadonlySet<string>;
}

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 40;
const PITCH = NODE_HEIGHT + 10;
const COLUMN_X = [0, 330, 660] as const;
export const MAP_WIDTH = COLUMN_X[2] + NODE_WIDTH;
export const MAX_EXPANDED = 200;

const HEALTHY: ReadonlySet<Verdict> = new Set<Verdict>([
  'trusted',
  'configured',
]);
const groupLimit = (v: Verdict) => (HEALTHY.has(v) ? 8 : 40);
const rank = (v: Verdict) => VERDICTS_WORST_FIRST.indexOf(v);
/** `AWSClusterRoleIdentity` -> `role`, as in the identity's entity name. */
const shortKind = (kind: string) =>
  kind
    .replace(/^AWSCluster/, '')
    .replace(/Identity$/, '')
    .toLowerCase() || kind;

export const identityNodeId = (i: MapIdentity) =>
  `i:${i.managementCluster}/${i.kind}/${i.name}`;
export const groupKeyOf = (managementCluster: string, verdict: Verdict) =>
  `${managementCluster}/${verdict}`;

function filtered(data: TrustMapResponse, o: MapOptions) {
  const q = o.search?.trim().toLowerCase();
  const names = new Map(data.accounts.map(a => [a.accountId, a.name ?? '']));
  return data.identities.filter(
    i =>
      (!o.verdicts?.size || o.verdicts.has(i.verdict)) &&
      (!o.managementCluster || i.managementCluster === o.managementCluster) &&
      (!q ||
        i.name.toLowerCase().includes(q) ||
        (i.accountId ?? '').includes(q) ||
        (names.get(i.accountId ?? '') ?? '').toLowerCase().includes(q)),
  );
}

/** Lays out the map for the given filters and expanded groups. Pure: same input, same picture. */
export function layoutTrustMap(
  data: TrustMapResponse,
  options: MapOptions = {},
): MapLayout {
  const identities = filtered(data, options);
  const searching = Boolean(options.search?.trim());
  const accounts = new Map(data.accounts.map(a => [a.accountId, a]));
  const nodes: MapNode[] = [];
  const edges: MapEdge[] = [];
  const col1: MapNode[] = [];
  const mgmtNodes: MapNode[] = [];
  /** Account node id -> the col1 rows that reach it (to order column 2). */
  const reachedFrom = new Map<string, number[]>();
  const accountNodes = new Map<string, MapNode>();

  const reach = (target: MapNode, row: number) => {
    const rows = reachedFrom.get(target.id) ?? [];
    rows.push(row);
    reachedFrom.set(target.id, rows);
  };
  const accountNode = (accountId: string | undefined): MapNode => {
    const id = accountId ? `a:${accountId}` : 'a:none';
    let node = accountNodes.get(id);
    if (!node) {
      const a = accountId ? accounts.get(accountId) : undefined;
      node = accountId
        ? {
            id,
            column: 2,
            kind: 'account',
            label: a?.name ?? accountId,
            sublabel: [a?.name ? accountId : undefined, a?.status]
              .filter(Boolean)
              .join(' · '),
            verdict: a?.verdict ?? 'unknown',
            entity: { type: 'account', accountId },
            x: COLUMN_X[2],
            y: 0,
          }
        : {
            id,
            column: 2,
            kind: 'account',
            label: 'no target account',
            sublabel: 'no role ARN or account annotation',
            verdict: 'unknown',
            x: COLUMN_X[2],
            y: 0,
          };
      accountNodes.set(id, node);
    }
    return node;
  };

  const byMgmt = new Map<string, MapIdentity[]>();
  for (const i of identities) {
    const list = byMgmt.get(i.managementCluster) ?? [];
    list.push(i);
    byMgmt.set(i.managementCluster, list);
  }
  const mgmts = data.managementClusters
    .filter(
      m => !options.managementCluster || m.name === options.managementCluster,
    )
    .filter(m => byMgmt.has(m.name) || !searching)
    .slice()
    .sort((a, b) => a.name.localeCompare(b.name));

  for (const m of mgmts) {
    const mgmtNode: MapNode = {
      id: `m:${m.name}`,
      column: 0,
      kind: 'management-cluster',
      label: m.name,
      sublabel: `${m.accountId}${m.stale ? ' · stale' : ''}`,
      stale: m.stale,
      entity: { type: 'management-cluster', name: m.name },
      x: COLUMN_X[0],
      y: 0,
    };
    const first = col1.length;
    const own = (byMgmt.get(m.name) ?? [])
      .slice()
      .sort(
        (a, b) =>
          rank(a.verdict) - rank(b.verdict) || a.name.localeCompare(b.name),
      );
    for (const verdict of VERDICTS_WORST_FIRST) {
      const members = own.filter(i => i.verdict === verdict);
      if (!members.length) continue;
      const key = groupKeyOf(m.name, verdict);
      const expanded = options.expanded?.has(key) ?? false;
      if (searching || members.length <= groupLimit(verdict) || expanded) {
        for (const i of members.slice(0, MAX_EXPANDED)) {
          const node: MapNode = {
            id: identityNodeId(i),
            column: 1,
            kind: 'identity',
            label: i.name,
            sublabel: `${shortKind(i.kind)} · ${i.clusterCount} cluster${
              i.clusterCount === 1 ? '' : 's'
            }`,
            verdict: i.verdict,
            entity: {
              type: 'identity',
              managementCluster: i.managementCluster,
              kind: i.kind,
              name: i.name,
            },
            ...(members.length > groupLimit(verdict)
              ? { groupKey: key, expanded: true }
              : {}),
            x: COLUMN_X[1],
            y: 0,
          };
          col1.push(node);
          const target = accountNode(i.accountId);
          reach(target, col1.length - 1);
          edges.push(
            {
              id: `${mgmtNode.id}>${node.id}`,
              from: mgmtNode.id,
              to: node.id,
              verdict: edgeVerdict(i, 'source'),
              title: `${m.name} holds ${i.name}: ${edgeVerdict(
                i,
                'source',
              )}${checkText(i, 'source')}`,
            },
            {
              id: `${node.id}>${target.id}`,
              from: node.id,
              to: target.id,
              verdict: edgeVerdict(i, 'target'),
              title: `${i.name} reaches ${target.label}: ${edgeVerdict(
                i,
                'target',
              )}${checkText(i, 'target')}`,
            },
          );
        }
        if (members.length > MAX_EXPANDED) {
          col1.push({
            id: `more:${key}`,
            column: 1,
            kind: 'more',
            label: `${members.length - MAX_EXPANDED} more`,
            sublabel: 'search or filter to see them',
            verdict,
            x: COLUMN_X[1],
            y: 0,
          });
        }
        continue;
      }
      const group: MapNode = {
        id: `g:${key}`,
        column: 1,
        kind: 'identity-group',
        label: `${members.length} ${verdict} identities`,
        sublabel: 'click to expand',
        verdict,
        count: members.length,
        groupKey: key,
        expanded: false,
        x: COLUMN_X[1],
        y: 0,
      };
      col1.push(group);
      const reachedAccounts = new Set(members.map(i => i.accountId ?? 'none'));
      const target: MapNode = {
        id: `ga:${key}`,
        column: 2,
        kind: 'account-group',
        label: `${reachedAccounts.size} account${
          reachedAccounts.size === 1 ? '' : 's'
        }`,
        sublabel: `reached by ${m.name}'s ${verdict} identities`,
        verdict,
        count: reachedAccounts.size,
        groupKey: key,
        x: COLUMN_X[2],
        y: 0,
      };
      accountNodes.set(target.id, target);
      reach(target, col1.length - 1);
      edges.push(
        {
          id: `${mgmtNode.id}>${group.id}`,
          from: mgmtNode.id,
          to: group.id,
          verdict,
          title: `${m.name} holds ${members.length} ${verdict} identities`,
        },
        {
          id: `${group.id}>${target.id}`,
          from: group.id,
          to: target.id,
          verdict,
          title: `${members.length} ${verdict} identities reach ${reachedAccounts.size} accounts`,
        },
      );
    }
    // A management cluster sits level with its identities (or on its own row when it holds none shown).
    const last = Math.max(first, col1.length - 1);
    mgmtNode.y = ((first + last) / 2) * PITCH;
    mgmtNodes.push(mgmtNode);
    if (col1.length === first)
      col1.push({
        ...mgmtNode,
        id: `pad:${m.name}`,
        kind: 'more',
        label: '',
        column: 1,
      });
  }

  col1.forEach((n, row) => (n.y = row * PITCH));
  // Accounts in the order of the rows that reach them (their topmost one), so edges mostly run level.
  const col2 = [...accountNodes.values()].sort(
    (a, b) =>
      Math.min(...reachedFrom.get(a.id)!) -
        Math.min(...reachedFrom.get(b.id)!) || a.id.localeCompare(b.id),
  );
  col2.forEach((n, row) => (n.y = row * PITCH));

  nodes.push(
    ...mgmtNodes,
    ...col1.filter(n => !n.id.startsWith('pad:')),
    ...col2,
  );
  const rows = Math.max(col1.length, col2.length, 1);
  return {
    nodes,
    edges,
    width: MAP_WIDTH,
    height: rows * PITCH,
    shown: {
      identities: identities.length,
      accounts: new Set(identities.map(i => i.accountId ?? 'none')).size,
    },
  };
}

function checkText(i: MapIdentity, side: Side): string {
  const ids = [...i.failing, ...i.warning].filter(
    id => TARGET_SIDE.has(id) === (side === 'target'),
  );
  return ids.length ? ` (${ids.join(', ')})` : '';
}
