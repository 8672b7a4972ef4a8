import { useMemo, useState, type ReactElement } from 'react';
import { EmptyState } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  Cell,
  CellText,
  Flex,
  Table,
  Text,
  ToggleButton,
  useTable,
  type ColumnConfig,
} from '@backstage/ui';
import {
  accountEntityName,
  type AccountSummary,
  type Verdict,
} from '@capa-portal/plugin-capa-common';
import { clusterProblemsText, VERDICTS } from '../../lib/format';
import { VerdictChip } from '../VerdictChip';

type Row = AccountSummary & { id: string };

/** Accounts per verdict, every verdict present (0 when none). */
export function countByVerdict(
  items: Array<{ verdict: Verdict }>,
): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map(v => [v, 0])) as Record<
    Verdict,
    number
  >;
  for (const item of items) {
    counts[item.verdict] = (counts[item.verdict] ?? 0) + 1;
  }
  return counts;
}

/** Accounts with their verdicts: counts per verdict that filter the table. */
export function AccountsSection(props: {
  items: AccountSummary[];
}): ReactElement {
  const { items } = props;
  const [verdict, setVerdict] = useState<Verdict | undefined>();
  const entityRoute = useRouteRef(entityRouteRef);
  const counts = useMemo(() => countByVerdict(items), [items]);
  const rows = useMemo<Row[]>(
    () =>
      items
        .filter(a => !verdict || a.verdict === verdict)
        // Worst verdict first, so broken accounts lead the list; then by name.
        .sort(
          (a, b) =>
            VERDICTS.indexOf(a.verdict) - VERDICTS.indexOf(b.verdict) ||
            (a.name ?? a.accountId).localeCompare(b.name ?? b.accountId),
        )
        .map(a => ({ ...a, id: a.accountId })),
    [items, verdict],
  );

  const columns = useMemo<ColumnConfig<Row>[]>(
    () => [
      {
        id: 'account',
        label: 'Account',
        isRowHeader: true,
        cell: a => (
          <CellText
            title={a.name ?? a.accountId}
            description={a.name ? a.accountId : undefined}
            href={entityRoute?.({
              kind: 'resource',
              namespace: 'default',
              name: accountEntityName(a.accountId),
            })}
          />
        ),
      },
      {
        id: 'verdict',
        label: 'Reachability',
        cell: a => (
          <Cell>
            <VerdictChip verdict={a.verdict} />
          </Cell>
        ),
      },
      {
        // Clusters with problems of their own do not change the account's verdict; the account's card lists them.
        id: 'clusterProblems',
        label: 'Cluster problems',
        cell: a => (
          <CellText
            title={clusterProblemsText(a.clusterProblemCount) || 'none'}
            color={a.clusterProblemCount ? undefined : 'secondary'}
            href={
              a.clusterProblemCount
                ? entityRoute?.({
                    kind: 'resource',
                    namespace: 'default',
                    name: accountEntityName(a.accountId),
                  })
                : undefined
            }
          />
        ),
      },
      {
        id: 'tier',
        label: 'Tier',
        cell: a => <CellText title={a.tier ?? ''} />,
      },
      {
        id: 'usage',
        label: 'Clusters / identities',
        cell: a => (
          <CellText title={`${a.clusterCount} / ${a.identityCount}`} />
        ),
      },
      {
        id: 'findings',
        label: 'Failing / warning checks',
        cell: a => (
          <CellText
            title={a.failing.length ? a.failing.join(', ') : 'none failing'}
            description={
              a.warning.length ? `warn: ${a.warning.join(', ')}` : undefined
            }
            color={a.failing.length ? undefined : 'secondary'}
          />
        ),
      },
    ],
    [entityRoute],
  );

  const { tableProps } = useTable<Row>({
    mode: 'complete',
    data: rows,
    paginationOptions: { pageSize: 20 },
  });

  if (items.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No AWS accounts"
        description="Accounts appear once an identity targets them, or when listed under `capa.accounts`."
      />
    );
  }

  return (
    <Flex direction="column" gap="3">
      <Flex
        gap="2"
        align="center"
        style={{ flexWrap: 'wrap' }}
        role="group"
        aria-label="Filter accounts by verdict"
      >
        {VERDICTS.map(v => (
          <ToggleButton
            key={v}
            isSelected={verdict === v}
            onChange={selected => setVerdict(selected ? v : undefined)}
            isDisabled={counts[v] === 0}
          >
            <VerdictChip verdict={v} count={counts[v]} />
          </ToggleButton>
        ))}
        {verdict ? (
          <Text variant="body-small" color="secondary">
            Showing {rows.length} of {items.length} accounts
          </Text>
        ) : null}
      </Flex>
      <Table<Row> columnConfig={columns} {...tableProps} />
    </Flex>
  );
}
