import type { ReactElement } from 'react';
import {
  EmptyState,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { Cell, CellText, Table, Text, type ColumnConfig } from '@backstage/ui';
import type { ManagementClusterStatus } from '@capa-portal/plugin-capa-common';
import { formatRelative } from '../../lib/format';

type Row = ManagementClusterStatus & { id: string };

/** Health of a management cluster's source, in words. */
export function managementClusterHealth(m: ManagementClusterStatus): {
  level: 'ok' | 'warning' | 'error';
  text: string;
} {
  if (m.reachable && !m.stale) return { level: 'ok', text: 'Reachable' };
  if (m.lastSync) {
    return {
      level: 'warning',
      text: `Stale: serving the read of ${formatRelative(m.lastSync)}`,
    };
  }
  return { level: 'error', text: 'Unreachable: never read' };
}

function Health(props: { m: ManagementClusterStatus }) {
  const { level, text } = managementClusterHealth(props.m);
  if (level === 'ok') return <StatusOK>{text}</StatusOK>;
  if (level === 'warning') return <StatusWarning>{text}</StatusWarning>;
  return <StatusError>{text}</StatusError>;
}

const columns: ColumnConfig<Row>[] = [
  {
    id: 'name',
    label: 'Management cluster',
    isRowHeader: true,
    cell: m => (
      <CellText
        title={m.name}
        description={`${m.source.type}: ${m.source.target}`}
      />
    ),
  },
  {
    id: 'account',
    label: 'Account',
    cell: m => <CellText title={m.accountId} />,
  },
  {
    id: 'health',
    label: 'Health',
    cell: m => (
      <Cell>
        <Health m={m} />
        {m.error ? (
          <Text as="p" variant="body-x-small" color="danger">
            {m.error}
          </Text>
        ) : null}
      </Cell>
    ),
  },
  {
    id: 'lastSync',
    label: 'Last sync',
    cell: m => (
      <CellText
        title={formatRelative(m.lastSync)}
        description={
          m.lastAttempt && m.lastAttempt !== m.lastSync
            ? `last attempt ${formatRelative(m.lastAttempt)}`
            : undefined
        }
      />
    ),
  },
  {
    id: 'counts',
    label: 'Clusters / identities',
    cell: m => (
      <CellText
        title={`${m.clusterCount} / ${m.identityCount}`}
        description={
          m.problemCount
            ? `${m.problemCount} input problem${
                m.problemCount === 1 ? '' : 's'
              }`
            : `${m.objectCount} objects`
        }
      />
    ),
  },
];

/** Management clusters with the health of their source and last sync. */
export function ManagementClustersSection(props: {
  items: ManagementClusterStatus[];
}): ReactElement {
  const { items } = props;
  if (items.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No management clusters"
        description="Configure management clusters under `capa.managementClusters` (or a `capa.fleetFile`) in app-config.yaml."
      />
    );
  }
  return (
    <Table<Row>
      columnConfig={columns}
      data={items.map(m => ({ ...m, id: m.name }))}
      pagination={{ type: 'none' }}
    />
  );
}
