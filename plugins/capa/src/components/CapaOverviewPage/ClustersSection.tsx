import { useMemo, useState, type ReactElement } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import { useApi } from '@backstage/core-plugin-api';
import {
  Cell,
  CellText,
  Flex,
  SearchField,
  Select,
  Table,
  TextField,
  useTable,
  type ColumnConfig,
  type Key,
} from '@backstage/ui';
import type {
  AccountSummary,
  ClustersQuery,
  ClusterSummary,
  ManagementClusterStatus,
  Verdict,
} from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { CLUSTER_PHASES, VERDICTS, flavourLabel } from '../../lib/format';
import { CapaErrorPanel } from '../CapaErrorPanel';
import { VerdictChip, verdictInfo } from '../VerdictChip';

type Row = ClusterSummary & { id: string };

/** The filters of the clusters table; each maps to a query parameter of `GET /clusters`. */
export type ClusterFilter = Pick<
  ClustersQuery,
  'managementCluster' | 'accountId' | 'namespace' | 'verdict' | 'phase'
>;

const ALL = '__all__';

function readiness(ready: boolean | undefined): string | undefined {
  if (ready === undefined) return undefined;
  return ready ? 'ready' : 'not ready';
}

const columns: ColumnConfig<Row>[] = [
  {
    id: 'name',
    label: 'Cluster',
    isRowHeader: true,
    defaultWidth: '2fr',
    cell: c => (
      <CellText
        title={`${c.namespace}/${c.name}`}
        description={c.managementCluster}
      />
    ),
  },
  {
    id: 'verdict',
    label: 'Verdict',
    defaultWidth: 130,
    cell: c => (
      <Cell>
        <VerdictChip verdict={c.verdict} />
      </Cell>
    ),
  },
  {
    id: 'phase',
    label: 'Phase',
    cell: c => (
      <CellText title={c.phase ?? 'unknown'} description={readiness(c.ready)} />
    ),
  },
  {
    id: 'flavour',
    label: 'Flavour / version',
    minWidth: 160,
    cell: c => (
      <CellText
        title={flavourLabel(c.flavour)}
        description={c.kubernetesVersion}
      />
    ),
  },
  {
    id: 'account',
    label: 'Account / region',
    minWidth: 170,
    cell: c => (
      <CellText title={c.accountId ?? 'unknown'} description={c.region} />
    ),
  },
  {
    id: 'identity',
    label: 'Identity',
    defaultWidth: '1.5fr',
    // The name first: `AWSClusterRoleIdentity/` alone filled the column and truncated every name.
    cell: c => (
      <CellText
        title={c.identityRef.name}
        description={`${c.identityRef.kind}${
          c.identityRefDefaulted ? ' (defaulted)' : ''
        }`}
      />
    ),
  },
  {
    id: 'findings',
    label: 'Failing / warning',
    defaultWidth: '1.5fr',
    cell: c => (
      <CellText
        title={c.failing.length ? c.failing.join(', ') : 'none failing'}
        description={
          c.warning.length ? `warn: ${c.warning.join(', ')}` : undefined
        }
        color={c.failing.length ? undefined : 'secondary'}
      />
    ),
  },
];

function withAll(options: Array<{ id: string; label: string }>, all: string) {
  return [{ id: ALL, label: all }, ...options];
}

/** The choices of the filter selects, each with an "all" entry first. */
function useFilterOptions(
  managementClusters: ManagementClusterStatus[],
  accounts: AccountSummary[],
) {
  const managementOptions = useMemo(
    () =>
      withAll(
        managementClusters.map(m => ({ id: m.name, label: m.name })),
        'All management clusters',
      ),
    [managementClusters],
  );
  const accountOptions = useMemo(
    () =>
      withAll(
        accounts.map(a => ({
          id: a.accountId,
          label: a.name ? `${a.name} (${a.accountId})` : a.accountId,
        })),
        'All accounts',
      ),
    [accounts],
  );
  const verdictOptions = useMemo(
    () =>
      withAll(
        VERDICTS.map(v => ({ id: v, label: verdictInfo[v].label })),
        'All verdicts',
      ),
    [],
  );
  const phaseOptions = useMemo(
    () =>
      withAll(
        CLUSTER_PHASES.map(p => ({ id: p, label: p })),
        'All phases',
      ),
    [],
  );

  return {
    management: managementOptions,
    account: accountOptions,
    verdict: verdictOptions,
    phase: phaseOptions,
  };
}

/**
 * Workload clusters, filtered and paged by the backend (`GET /clusters` with `limit`/`offset`): only one
 * page of rows is ever in the DOM, however large the fleet.
 */
export function ClustersSection(props: {
  managementClusters: ManagementClusterStatus[];
  accounts: AccountSummary[];
}): ReactElement {
  const capaApi = useApi(capaApiRef);
  const [searchText, setSearchText] = useState('');
  const [namespaceText, setNamespaceText] = useState('');

  const { tableProps, reload, filter, search } = useTable<Row, ClusterFilter>({
    mode: 'offset',
    initialFilter: {},
    getData: async ({ offset, pageSize, filter: f, search: q }) => {
      const response = await capaApi.getClusters({
        ...f,
        q: q || undefined,
        limit: pageSize,
        offset,
      });
      return {
        data: response.items.map(c => ({
          ...c,
          id: `${c.managementCluster}/${c.namespace}/${c.name}`,
        })),
        totalCount: response.totalCount,
      };
    },
    paginationOptions: { pageSize: 50, pageSizeOptions: [25, 50, 100, 200] },
  });

  const current: ClusterFilter = filter.value ?? {};
  const setFilter = (patch: Partial<ClusterFilter>) => {
    const next: ClusterFilter = { ...current, ...patch };
    for (const key of Object.keys(next) as Array<keyof ClusterFilter>) {
      if (next[key] === undefined || next[key] === '') delete next[key];
    }
    filter.onChange(next);
  };

  useDebounce(
    () => {
      if (searchText !== search.value) search.onChange(searchText);
    },
    300,
    [searchText],
  );
  useDebounce(
    () => {
      if ((current.namespace ?? '') !== namespaceText) {
        setFilter({ namespace: namespaceText || undefined });
      }
    },
    300,
    [namespaceText],
  );
  const options = useFilterOptions(props.managementClusters, props.accounts);

  const onSelect = (key: keyof ClusterFilter) => (value: Key | null) => {
    const v = value === null || value === ALL ? undefined : String(value);
    setFilter({ [key]: v } as Partial<ClusterFilter>);
  };

  return (
    <Flex direction="column" gap="3">
      <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
        <SearchField
          label="Search"
          aria-label="Search clusters"
          placeholder="Name, namespace or account"
          value={searchText}
          onChange={setSearchText}
        />
        <Select
          selectionMode="single"
          label="Management cluster"
          options={options.management}
          value={current.managementCluster ?? ALL}
          onChange={onSelect('managementCluster')}
        />
        <Select
          selectionMode="single"
          label="Account"
          options={options.account}
          value={current.accountId ?? ALL}
          onChange={onSelect('accountId')}
        />
        <TextField
          label="Namespace"
          placeholder="Any namespace"
          value={namespaceText}
          onChange={setNamespaceText}
        />
        <Select
          selectionMode="single"
          label="Verdict"
          options={options.verdict}
          value={(current.verdict as Verdict | undefined) ?? ALL}
          onChange={onSelect('verdict')}
        />
        <Select
          selectionMode="single"
          label="Phase"
          options={options.phase}
          value={current.phase ?? ALL}
          onChange={onSelect('phase')}
        />
      </Flex>
      {tableProps.error ? (
        <CapaErrorPanel
          title="Could not load clusters"
          error={tableProps.error}
          onRetry={reload}
        />
      ) : (
        <Table<Row>
          columnConfig={columns}
          {...tableProps}
          emptyState={<p>No cluster matches these filters.</p>}
        />
      )}
    </Flex>
  );
}
