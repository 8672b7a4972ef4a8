/*
 * The "Workload access" tab of an EKS cluster entity (docs/contracts.md §4.1): for each service account, the role it
 * reaches (through IRSA, or EKS Pod Identity and role chaining), the account, the verdict, and the checks behind it
 * (expand a row for each check's message, evidence and fix).
 */
import type { ReactElement } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Content,
  EmptyState,
  InfoCard,
  Progress,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Flex, Text } from '@backstage/ui';
import type { WorkloadRoleAccess } from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { getCapaEntityTarget } from '../../lib/entities';
import { CARD_TITLE_PROPS } from '../../lib/format';
import { CapaErrorPanel } from '../CapaErrorPanel';
import { EvidenceList, FixHint } from '../CheckList';
import { CheckStatusLabel, VerdictChip } from '../VerdictChip';

const MECHANISM: Record<WorkloadRoleAccess['mechanism'], string> = {
  irsa: 'IRSA',
  'pod-identity': 'EKS Pod Identity',
};

type Row = WorkloadRoleAccess & { id: string };

const columns: TableColumn<Row>[] = [
  {
    title: 'Service account',
    render: r => `${r.serviceAccount.namespace}/${r.serviceAccount.name}`,
  },
  { title: 'Through', render: r => MECHANISM[r.mechanism] },
  {
    title: 'Role',
    render: r => (
      <Flex direction="column" gap="1">
        <Text>{r.roleArn}</Text>
        {r.viaRoleArn ? (
          <Text variant="body-small" color="secondary">
            chained from {r.viaRoleArn}
          </Text>
        ) : null}
      </Flex>
    ),
  },
  {
    title: 'Account',
    render: r =>
      r.accountName ? `${r.accountName} (${r.accountId})` : r.accountId ?? '',
  },
  { title: 'Verdict', render: r => <VerdictChip verdict={r.verdict} /> },
];

function RoleChecks(props: { row: Row }): ReactElement {
  return (
    <div style={{ padding: '8px 24px 16px' }}>
      <Flex direction="column" gap="3">
        {props.row.checks.map(c => (
          <Flex key={c.id} direction="column" gap="1">
            <Flex gap="2" align="center">
              <CheckStatusLabel status={c.status} />
              <Text weight="bold">{c.id}</Text>
            </Flex>
            <Text>{c.message}</Text>
            <EvidenceList evidence={c.evidence} />
            {c.fix ? <FixHint fix={c.fix} /> : null}
          </Flex>
        ))}
      </Flex>
    </div>
  );
}

/**
 * The Workload access tab of a CAPA EKS cluster entity.
 *
 * @public
 */
export function WorkloadAccessContent(): ReactElement {
  const { entity } = useEntity();
  const api = useApi(capaApiRef);
  const target = getCapaEntityTarget(entity);
  const state = useAsyncRetry(async () => {
    if (target?.type !== 'cluster') return undefined;
    return api.getClusterWorkloadAccess(target);
  }, [
    api,
    target?.type === 'cluster'
      ? `${target.managementCluster}/${target.namespace}/${target.name}`
      : '',
  ]);

  if (target?.type !== 'cluster')
    return (
      <Content>
        <EmptyState
          missing="field"
          title="Not a CAPA workload cluster"
          description="The Workload access tab shows the EKS clusters capa-portal emits."
        />
      </Content>
    );
  if (state.error)
    return (
      <Content>
        <CapaErrorPanel
          title="Could not load the workload access"
          error={state.error}
          onRetry={state.retry}
        />
      </Content>
    );
  const report = state.value;
  if (!report)
    return (
      <Content>
        <Progress />
      </Content>
    );
  if (!report.applicable)
    return (
      <Content>
        <EmptyState
          missing="info"
          title="No workload access to judge"
          description={report.reason}
        />
      </Content>
    );
  const rows: Row[] = report.roles.map(r => ({
    ...r,
    id: `${r.mechanism}:${r.serviceAccount.namespace}/${r.serviceAccount.name}:${r.roleArn}`,
  }));
  return (
    <Content>
      <Flex direction="column" gap="4">
        <InfoCard
          title="Workload access"
          titleTypographyProps={CARD_TITLE_PROPS}
        >
          <Flex direction="column" gap="2">
            <Flex gap="2" align="center" style={{ flexWrap: 'wrap' }}>
              <VerdictChip verdict={report.verdict} size="medium" />
              <Text>
                {rows.length} {rows.length === 1 ? 'role' : 'roles'} reachable
                from the service accounts of{' '}
                {report.eksClusterName ?? report.name}
              </Text>
            </Flex>
            <Text variant="body-small" color="secondary">
              OIDC issuer: {report.oidcIssuer ?? 'unknown'} · evidence:{' '}
              {report.evidence.length ? report.evidence.join(', ') : 'none'}
              {report.hiddenRoleCount
                ? ` · ${report.hiddenRoleCount} more in accounts you may not read`
                : ''}
            </Text>
            {report.reason ? <Text>{report.reason}</Text> : null}
            {report.problems.map(p => (
              <Text key={p} color="secondary">
                {p}
              </Text>
            ))}
          </Flex>
        </InfoCard>
        <Table<Row>
          title="Service accounts and the roles they reach"
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={columns}
          data={rows}
          detailPanel={({ rowData }) => <RoleChecks row={rowData} />}
          emptyContent={
            <div style={{ padding: 16 }}>
              <Text>
                No IRSA service account or Pod Identity association is known for
                this cluster.
              </Text>
            </div>
          }
        />
      </Flex>
    </Content>
  );
}
