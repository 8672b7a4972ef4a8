import { useEffect, useState, type ReactElement } from 'react';
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
import { usePermission } from '@backstage/plugin-permission-react';
import { Alert, Button, Flex, Text } from '@backstage/ui';
import {
  capaResourceRef,
  capaTrustVerifyPermission,
  compareCheckStatus,
  type AccountTrustResponse,
  type Check,
  type Verdict,
} from '@capa-portal/plugin-capa-common';
import { capaApiRef, type CapaApi } from '../../api';
import { getCapaEntityTarget, type CapaEntityTarget } from '../../lib/entities';
import { CARD_TITLE_PROPS, formatRelative } from '../../lib/format';
import { clusterLabel, identityLabel } from '../AccountTrustCard';
import { CapaErrorPanel } from '../CapaErrorPanel';
import { EvidenceList, FixHint } from '../CheckList';
import { CheckStatusLabel, VerdictChip } from '../VerdictChip';

/** One row of the check table. */
export interface CheckRow {
  id: string;
  subject: string;
  check: Check;
}

/** What the Trust tab shows, whatever the entity. */
export interface TrustView {
  verdict: Verdict;
  subject: string;
  accountId?: string;
  rows: CheckRow[];
  generatedAt?: string;
  live?: boolean;
  stale?: boolean;
}

function rowsOf(subject: string, checks: Check[]): CheckRow[] {
  return (checks ?? []).map((check, i) => ({
    id: `${subject}#${check.id}#${i}`,
    subject,
    check,
  }));
}

function sortRows(rows: CheckRow[]): CheckRow[] {
  return rows.sort(
    (a, b) =>
      compareCheckStatus(a.check.status, b.check.status) ||
      a.subject.localeCompare(b.subject) ||
      a.check.id.localeCompare(b.check.id),
  );
}

/** The Trust tab of an account: the account's own checks, then every identity's and cluster's. */
export function accountTrustView(data: AccountTrustResponse): TrustView {
  return {
    verdict: data.account.verdict,
    subject: `account ${data.account.name ?? data.account.accountId} (${
      data.account.accountId
    })`,
    accountId: data.account.accountId,
    generatedAt: data.generatedAt,
    live: data.live,
    stale: data.stale,
    rows: sortRows([
      ...rowsOf('account', data.account.checks),
      ...data.identities.flatMap(i => rowsOf(identityLabel(i), i.checks)),
      ...data.clusters.flatMap(c => rowsOf(clusterLabel(c), c.checks)),
    ]),
  };
}

async function loadTrustView(
  api: CapaApi,
  target: CapaEntityTarget,
): Promise<TrustView> {
  switch (target.type) {
    case 'account':
      return accountTrustView(await api.getAccountTrust(target.accountId));
    case 'cluster': {
      const report = await api.getCluster(target);
      return {
        verdict: report.verdict,
        subject: `cluster ${report.namespace}/${report.name} in ${report.managementCluster}`,
        accountId: report.accountId ?? target.accountId,
        rows: sortRows(rowsOf('cluster', report.checks)),
      };
    }
    case 'identity':
    default: {
      const { identity } = await api.getIdentityChain(target);
      return {
        verdict: identity.verdict,
        subject: `${identity.kind}/${identity.name} in ${identity.managementCluster}`,
        accountId: identity.accountId ?? target.accountId,
        rows: sortRows(rowsOf('identity', identity.checks)),
      };
    }
  }
}

// Rows are as tall as their evidence: keep every cell at the top so status and check stay beside the message.
const top = { verticalAlign: 'top' } as const;

const columns: TableColumn<CheckRow>[] = [
  {
    title: 'Status',
    field: 'check.status',
    width: '110px',
    cellStyle: top,
    render: row => <CheckStatusLabel status={row.check.status} />,
    customSort: (a, b) => compareCheckStatus(a.check.status, b.check.status),
  },
  {
    title: 'Check',
    field: 'check.id',
    width: '210px',
    cellStyle: top,
    render: row => <code>{row.check.id}</code>,
  },
  {
    title: 'Subject',
    field: 'subject',
    width: '220px',
    cellStyle: { ...top, overflowWrap: 'anywhere' },
  },
  {
    // Message, evidence and fix in one column: three narrow columns squeezed the evidence to a few
    // characters per line (rows thousands of pixels tall) next to a fix snippet that does not wrap.
    title: 'Message, evidence and fix',
    field: 'check.message',
    sorting: false,
    cellStyle: top,
    render: row => (
      <Flex direction="column" gap="2">
        <Text as="p" variant="body-medium">
          {row.check.message}
        </Text>
        <EvidenceList evidence={row.check.evidence} />
        {row.check.fix ? <FixHint fix={row.check.fix} /> : null}
      </Flex>
    ),
    customFilterAndSearch: (term, row) =>
      [
        row.check.message,
        JSON.stringify(row.check.evidence ?? []),
        row.check.fix?.summary ?? '',
      ]
        .join('\n')
        .toLocaleLowerCase('en-US')
        .includes(String(term).toLocaleLowerCase('en-US')),
  },
];

function VerifyButton(props: {
  accountId: string;
  onVerified: (result: AccountTrustResponse) => void;
  onError: (error: Error) => void;
}) {
  const { accountId, onVerified, onError } = props;
  const capaApi = useApi(capaApiRef);
  // capa.trust.verify is decided per account: the permission backend asks capa for the account's owner and tier.
  const { allowed, loading } = usePermission({
    permission: capaTrustVerifyPermission,
    resourceRef: capaResourceRef.account(accountId),
  });
  const [pending, setPending] = useState(false);
  if (loading || !allowed) return null;
  return (
    <Button
      variant="primary"
      isPending={pending}
      onPress={async () => {
        setPending(true);
        try {
          onVerified(await capaApi.verifyAccountTrust(accountId));
        } catch (e) {
          onError(e as Error);
        } finally {
          setPending(false);
        }
      }}
    >
      Verify now
    </Button>
  );
}

/**
 * The "Trust" entity tab of accounts, clusters and identities: every check with its status, message,
 * evidence and fix, and a "Verify now" button (permission `capa.trust.verify`) that re-verifies the
 * account live with AWS.
 *
 * @public
 */
export function TrustContent(): ReactElement {
  const { entity } = useEntity();
  const capaApi = useApi(capaApiRef);
  const target = getCapaEntityTarget(entity);
  const [verified, setVerified] = useState<TrustView>();
  const [verifyError, setVerifyError] = useState<Error>();
  // What the last "Verify now" could not do (unusable AWS credentials), in the backend's words.
  const [notices, setNotices] = useState<string[]>([]);

  const targetKey = JSON.stringify(target);
  const state = useAsyncRetry(async () => {
    if (!target) return undefined;
    return loadTrustView(capaApi, target);
  }, [capaApi, targetKey]);

  // What "Verify now" said belongs to the entity it was pressed on: forget it when the page shows another.
  useEffect(() => {
    setVerified(undefined);
    setVerifyError(undefined);
    setNotices([]);
  }, [targetKey]);

  const retry = () => {
    setVerified(undefined);
    setVerifyError(undefined);
    setNotices([]);
    state.retry();
  };

  if (!target) {
    return (
      <Content>
        <EmptyState
          missing="field"
          title="Not a CAPA entity"
          description="The Trust tab shows AWS accounts, CAPA workload clusters and identities emitted by capa-portal."
        />
      </Content>
    );
  }
  if (state.error) {
    return (
      <Content>
        <CapaErrorPanel
          title="Could not load the trust report"
          error={state.error}
          onRetry={retry}
        />
      </Content>
    );
  }
  const view = verified ?? state.value;
  if (!view) {
    return (
      <Content>
        <Progress />
      </Content>
    );
  }

  return (
    <Content>
      <Flex direction="column" gap="4">
        <InfoCard title="Trust" titleTypographyProps={CARD_TITLE_PROPS}>
          <Flex
            gap="3"
            align="center"
            justify="between"
            style={{ flexWrap: 'wrap' }}
          >
            <Flex gap="2" align="center" style={{ flexWrap: 'wrap' }}>
              <VerdictChip verdict={view.verdict} size="medium" />
              <Text>{view.subject}</Text>
              {view.generatedAt ? (
                <Text variant="body-small" color="secondary">
                  {view.live ? 'live evidence' : 'static evidence'}, computed{' '}
                  {formatRelative(view.generatedAt)}
                  {view.stale ? ' (a management cluster is stale)' : ''}
                </Text>
              ) : null}
            </Flex>
            {view.accountId ? (
              <VerifyButton
                accountId={view.accountId}
                onError={error => {
                  setNotices([]);
                  setVerifyError(error);
                }}
                onVerified={result => {
                  setVerifyError(undefined);
                  setNotices(result.notices ?? []);
                  if (target.type === 'account') {
                    setVerified(accountTrustView(result));
                  } else {
                    state.retry();
                  }
                }}
              />
            ) : null}
          </Flex>
          {verifyError ? (
            <div style={{ marginTop: 12 }}>
              <CapaErrorPanel
                title="Live verification failed"
                error={verifyError}
              />
            </div>
          ) : null}
          {notices.length ? (
            <div style={{ marginTop: 12 }}>
              <Alert
                status="warning"
                icon
                role="status"
                title="Live verification was incomplete"
                description={
                  <ul style={{ margin: 0, paddingLeft: 20 }}>
                    {notices.map(notice => (
                      <li key={notice}>{notice}</li>
                    ))}
                  </ul>
                }
              />
            </div>
          ) : null}
        </InfoCard>
        <Table<CheckRow>
          title={`Checks (${view.rows.length})`}
          columns={columns}
          data={view.rows}
          options={{
            paging: view.rows.length > 25,
            pageSize: 25,
            pageSizeOptions: [25, 50, 100],
            padding: 'dense',
            search: true,
            // Fixed layout keeps the narrow columns at their widths; the details column takes the rest.
            tableLayout: 'fixed',
          }}
          emptyContent={
            <div style={{ padding: 16 }}>
              <Text>No checks were reported.</Text>
            </div>
          }
        />
      </Flex>
    </Content>
  );
}
