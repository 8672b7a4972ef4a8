import { useRef, type KeyboardEvent, type ReactElement } from 'react';
import { useTheme, type Theme } from '@material-ui/core/styles';
import type { Verdict } from '@capa-portal/plugin-capa-common';
import { verdictInfo } from '../VerdictChip';
import {
  NODE_HEIGHT,
  NODE_WIDTH,
  type MapEdge,
  type MapLayout,
  type MapNode,
} from './layout';

/** The verdict colours of VerdictChip, so a map edge and a chip of the same verdict look alike. */
export function verdictColor(theme: Theme, verdict: Verdict | undefined) {
  switch (verdict) {
    case 'trusted':
      return theme.palette.success.dark;
    case 'configured':
      return theme.palette.info.dark;
    case 'degraded':
      return theme.palette.warning.main;
    case 'broken':
      return theme.palette.error.dark;
    default:
      return theme.palette.grey[600];
  }
}

/** Broken edges are thick and dashed, unknown ones dotted: the picture reads without colour too. */
export function edgeStyle(verdict: Verdict) {
  if (verdict === 'broken') return { width: 3, dash: '8 5' };
  if (verdict === 'degraded') return { width: 2.5, dash: undefined };
  if (verdict === 'unknown') return { width: 1.5, dash: '2 4' };
  return { width: 1.5, dash: undefined };
}

function Edge(props: { edge: MapEdge; from: MapNode; to: MapNode }) {
  const theme = useTheme();
  const { edge, from, to } = props;
  const x1 = from.x + NODE_WIDTH;
  const y1 = from.y + NODE_HEIGHT / 2;
  const x2 = to.x;
  const y2 = to.y + NODE_HEIGHT / 2;
  const mid = (x1 + x2) / 2;
  const style = edgeStyle(edge.verdict);
  return (
    <path
      d={`M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`}
      fill="none"
      stroke={verdictColor(theme, edge.verdict)}
      strokeWidth={style.width}
      strokeDasharray={style.dash}
      data-verdict={edge.verdict}
      data-edge={edge.id}
    >
      <title>{edge.title}</title>
    </path>
  );
}

function nodeLabel(node: MapNode): string {
  const verdict = node.verdict ? `: ${verdictInfo[node.verdict].label}` : '';
  switch (node.kind) {
    case 'identity-group':
      return `${node.label} (${
        node.groupKey?.split('/')[0]
      })${verdict}, expand`;
    case 'account-group':
      return `${node.label} ${node.sublabel}`;
    case 'management-cluster':
      return `Management cluster ${node.label}${node.stale ? ' (stale)' : ''}`;
    case 'identity':
      return `Identity ${node.label} (${node.sublabel})${verdict}`;
    case 'account':
      return `Account ${node.label}${
        node.sublabel ? ` (${node.sublabel})` : ''
      }${verdict}`;
    default:
      return node.label;
  }
}

function Node(props: {
  node: MapNode;
  href?: string;
  onOpen: (href: string) => void;
  onToggle: (groupKey: string) => void;
}) {
  const theme = useTheme();
  const { node, href, onOpen, onToggle } = props;
  const color = verdictColor(theme, node.verdict);
  const isGroup =
    node.kind === 'identity-group' || node.kind === 'account-group';
  const body = (
    <>
      <rect
        width={NODE_WIDTH}
        height={NODE_HEIGHT}
        rx={6}
        fill={theme.palette.background.paper}
        stroke={
          node.kind === 'management-cluster'
            ? theme.palette.text.primary
            : color
        }
        strokeWidth={node.kind === 'management-cluster' ? 1.5 : 2}
        strokeDasharray={node.stale || isGroup ? '4 3' : undefined}
      />
      {node.verdict && node.kind !== 'management-cluster' ? (
        <rect width={6} height={NODE_HEIGHT} rx={3} fill={color} />
      ) : null}
      <text
        x={14}
        y={17}
        fontSize={13}
        fontWeight={600}
        fill={theme.palette.text.primary}
      >
        {truncate(node.label, 30)}
      </text>
      {node.sublabel ? (
        <text x={14} y={32} fontSize={11} fill={theme.palette.text.secondary}>
          {truncate(node.sublabel, 38)}
        </text>
      ) : null}
      <title>{nodeLabel(node)}</title>
    </>
  );
  const transform = `translate(${node.x} ${node.y})`;
  if (node.kind === 'identity-group' && node.groupKey) {
    const toggle = () => onToggle(node.groupKey!);
    return (
      <g
        transform={transform}
        role="button"
        tabIndex={0}
        aria-label={nodeLabel(node)}
        aria-expanded={false}
        style={{ cursor: 'pointer' }}
        onClick={toggle}
        onKeyDown={(e: KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            toggle();
          }
        }}
        data-node={node.id}
      >
        {body}
      </g>
    );
  }
  if (href) {
    return (
      <a
        href={href}
        aria-label={nodeLabel(node)}
        onClick={e => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          onOpen(href);
        }}
        data-node={node.id}
      >
        <g transform={transform}>{body}</g>
      </a>
    );
  }
  return (
    <g
      transform={transform}
      data-node={node.id}
      aria-label={nodeLabel(node)}
      role="img"
    >
      {body}
    </g>
  );
}

function truncate(text: string, max: number) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The map's SVG at `scale`, inside a scrolling box: scroll bars and dragging pan, the zoom buttons scale.
 * Only what the layout holds is drawn (it groups large parts of the fleet), so the DOM stays small.
 */
export function MapSvg(props: {
  layout: MapLayout;
  scale: number;
  hrefOf: (node: MapNode) => string | undefined;
  onOpen: (href: string) => void;
  onToggle: (groupKey: string) => void;
}): ReactElement {
  const { layout, scale } = props;
  const box = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; left: number; top: number }>();
  const byId = new Map(layout.nodes.map(n => [n.id, n]));
  const pad = 12;
  return (
    <div
      ref={box}
      style={{
        overflow: 'auto',
        maxHeight: 640,
        border: '1px solid rgba(127,127,127,0.3)',
        borderRadius: 4,
        cursor: 'grab',
      }}
      onPointerDown={e => {
        if ((e.target as Element).closest('a,[role="button"]')) return;
        drag.current = {
          x: e.clientX,
          y: e.clientY,
          left: box.current!.scrollLeft,
          top: box.current!.scrollTop,
        };
      }}
      onPointerMove={e => {
        if (!drag.current || !box.current) return;
        box.current.scrollLeft =
          drag.current.left - (e.clientX - drag.current.x);
        box.current.scrollTop = drag.current.top - (e.clientY - drag.current.y);
      }}
      onPointerUp={() => (drag.current = undefined)}
      onPointerLeave={() => (drag.current = undefined)}
    >
      <svg
        role="group"
        aria-label="Fleet trust map"
        width={(layout.width + 2 * pad) * scale}
        height={(layout.height + 2 * pad) * scale}
        viewBox={`${-pad} ${-pad} ${layout.width + 2 * pad} ${
          layout.height + 2 * pad
        }`}
        style={{ display: 'block', fontFamily: 'inherit' }}
      >
        <g>
          {layout.edges.map(edge => {
            const from = byId.get(edge.from);
            const to = byId.get(edge.to);
            return from && to ? (
              <Edge key={edge.id} edge={edge} from={from} to={to} />
            ) : null;
          })}
        </g>
        <g>
          {layout.nodes.map(node => (
            <Node
              key={node.id}
              node={node}
              href={props.hrefOf(node)}
              onOpen={props.onOpen}
              onToggle={props.onToggle}
            />
          ))}
        </g>
      </svg>
    </div>
  );
}
