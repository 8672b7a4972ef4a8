import { useMemo, useState, type ReactElement } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Progress } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  ButtonLink,
  Cell,
  CellText,
  Flex,
  Select,
  Table,
  Text,
  useTable,
  type ColumnConfig,
  type Key,
} from '@backstage/ui';
import {
  identityEntityName,
  type OnboardingGapAccount,
  type OnboardingGapIdentity,
  type OnboardingGapsQuery,
} from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { CapaErrorPanel } from '../CapaErrorPanel';
import { VerdictChip } from '../VerdictChip';
import { useOnboardingLink } from './onboardingLink';

const ALL = '__all__';

type AccountRow = OnboardingGapAccount & { id: string };
type IdentityRow = OnboardingGapIdentity & { id: string };

const tagText = (tags: Record<string, string>) =>
  Object.entries(tags)
    .map(([k, v]) => (v ? `${k}=${v}` : k))
    .join(', ');

function AccountsTable(props: { items: OnboardingGapAccount[] }) {
  const link = useOnboardingLink();
  const columns = useMemo<ColumnConfig<AccountRow>[]>(
    () => [
      {
        id: 'account',
        label: 'Account',
        isRowHeader: true,
        cell: a => (
          <CellText
            title={a.name ?? a.accountId}
            description={[a.name ? a.accountId : undefined, a.email]
              .filter(Boolean)
              .join(' · ')}
          />
        ),
      },
      {
        id: 'ou',
        label: 'OU',
        cell: a => <CellText title={a.ouPath ?? '(not told)'} />,
      },
      {
        id: 'tags',
        label: 'Tags',
        cell: a => <CellText title={tagText(a.tags) || 'none'} />,
      },
      {
        id: 'status',
        label: 'Known from',
        cell: a => (
          <CellText
            title={a.sources
              .map(s => (s === 'config' ? 'config' : 'Organizations'))
              .join(', ')}
            description={a.status}
          />
        ),
      },
      {
        id: 'action',
        label: 'Onboard',
        cell: a => (
          <Cell>
            <ButtonLink
              size="small"
              variant="secondary"
              href={link(a)}
              aria-label={`Onboard ${a.name ?? a.accountId}`}
            >
              Onboard…
            </ButtonLink>
          </Cell>
        ),
      },
    ],
    [link],
  );
  const { tableProps } = useTable<AccountRow>({
    mode: 'complete',
    data: props.items.map(a => ({ ...a, id: a.accountId })),
    paginationOptions: { pageSize: 20 },
  });
  return (
    <Table<AccountRow>
      columnConfig={columns}
      {...tableProps}
      emptyState={<p>Every account is onboarded.</p>}
    />
  );
}

function IdentitiesTable(props: { items: OnboardingGapIdentity[] }) {
  const entityRoute = useRouteRef(entityRouteRef);
  const columns = useMemo<ColumnConfig<IdentityRow>[]>(
    () => [
      {
        id: 'identity',
        label: 'Identity',
        isRowHeader: true,
        cell: i => (
          <CellText
            title={i.name}
            description={`${i.kind} · ${i.managementCluster}`}
            href={entityRoute?.({
              kind: 'resource',
              namespace: 'default',
              name: identityEntityName(i),
            })}
          />
        ),
      },
      {
        id: 'account',
        label: 'Target account',
        cell: i => (
          <CellText
            title={i.accountName ?? i.accountId}
            description={i.accountName ? i.accountId : undefined}
          />
        ),
      },
      {
        id: 'reason',
        label: 'Why',
        defaultWidth: '2fr',
        cell: i => (
          <CellText
            title={
              i.reason === 'inactive'
                ? `${i.accountStatus ?? 'not active'} in Organizations`
                : 'unknown account'
            }
            description={i.message}
          />
        ),
      },
      {
        id: 'verdict',
        label: 'Verdict',
        cell: i => (
          <Cell>
            <VerdictChip verdict={i.verdict} />
          </Cell>
        ),
      },
      {
        id: 'clusters',
        label: 'Clusters using it',
        cell: i => <CellText title={String(i.clusterCount)} />,
      },
    ],
    [entityRoute],
  );
  const { tableProps } = useTable<IdentityRow>({
    mode: 'complete',
    data: props.items.map(i => ({
      ...i,
      id: `${i.managementCluster}/${i.kind}/${i.name}`,
    })),
    paginationOptions: { pageSize: 20 },
  });
  return (
    <Table<IdentityRow>
      columnConfig={columns}
      {...tableProps}
      emptyState={<p>Every identity targets a known, active account.</p>}
    />
  );
}

/**
 * Onboarding gaps (`GET /onboarding-gaps`): AWS Organizations' accounts no identity targets, each with a button
 * to the onboarding template prefilled with it, and the identities whose account Organizations does not know or
 * has suspended; filtered by OU and tag when Organizations tells them.
 */
export function OnboardingGapsSection(): ReactElement {
  const capaApi = useApi(capaApiRef);
  const [query, setQuery] = useState<OnboardingGapsQuery>({});
  const [facets, setFacets] = useState<{ ouPaths: string[]; tags: string[] }>();
  const state = useAsyncRetry(async () => {
    const r = await capaApi.getOnboardingGaps(query);
    // The filters offered are those of the unfiltered answer, so choosing one never empties the other list.
    if (!query.ou && !query.tag?.length) setFacets(r.filters);
    return r;
  }, [capaApi, query]);

  if (state.error)
    return (
      <CapaErrorPanel
        title="Could not load the onboarding gaps"
        error={state.error}
        onRetry={state.retry}
      />
    );
  if (!state.value) return <Progress />;
  const gaps = state.value;
  const ouOptions = [
    { id: ALL, label: 'All OUs' },
    ...(facets?.ouPaths ?? []).map(p => ({ id: p, label: p })),
  ];
  const tagOptions = [
    { id: ALL, label: 'All tags' },
    ...(facets?.tags ?? []).map(t => ({ id: t, label: t })),
  ];
  const pick = (value: Key | null) =>
    value === null || value === ALL ? undefined : String(value);

  return (
    <Flex direction="column" gap="3">
      <Text variant="body-small" color="secondary">
        {gaps.organization.source
          ? `Reconciled with AWS Organizations (${gaps.organization.accountCount} accounts, from ${gaps.organization.source}).`
          : 'No AWS Organizations evidence (no live ListAccounts, no organization file): only accounts listed in the configuration can show here.'}
      </Text>
      <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
        <Select
          selectionMode="single"
          label="Organizational unit"
          options={ouOptions}
          value={query.ou ?? ALL}
          onChange={v => setQuery(q => ({ ...q, ou: pick(v) }))}
        />
        <Select
          selectionMode="single"
          label="Tag"
          options={tagOptions}
          value={query.tag?.[0] ?? ALL}
          onChange={v => {
            const tag = pick(v);
            setQuery(q => ({ ...q, tag: tag ? [tag] : undefined }));
          }}
        />
      </Flex>
      <section aria-label="Accounts not onboarded">
        <Flex direction="column" gap="2">
          <Text as="h3" variant="body-medium" weight="bold">
            Not onboarded: {gaps.accountsWithoutIdentity.length} account
            {gaps.accountsWithoutIdentity.length === 1 ? '' : 's'} no identity
            targets
          </Text>
          <AccountsTable items={gaps.accountsWithoutIdentity} />
        </Flex>
      </section>
      <section aria-label="Identities to unknown or suspended accounts">
        <Flex direction="column" gap="2">
          <Text as="h3" variant="body-medium" weight="bold">
            Identities to unknown or suspended accounts:{' '}
            {gaps.identitiesToUnknownAccounts.length}
          </Text>
          <IdentitiesTable items={gaps.identitiesToUnknownAccounts} />
        </Flex>
      </section>
    </Flex>
  );
}
