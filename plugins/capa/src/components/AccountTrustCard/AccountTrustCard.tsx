import type { ReactElement } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { MissingAnnotationEmptyState } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Flex, Text } from '@backstage/ui';
import {
  ANNOTATION_ACCOUNT_ID,
  type AccountReport,
  type AccountTrustResponse,
  type IdentityReport,
  type Verdict,
} from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { getCapaEntityTarget } from '../../lib/entities';
import { clusterProblemsText, formatRelative } from '../../lib/format';
import { CapaEntityCard } from '../CapaEntityCard';
import { CheckList, collectChecks } from '../CheckList';
import { VerdictChip } from '../VerdictChip';
import { ClusterProblems } from './ClusterProblems';

/** Subject labels used in check lists. */
export function identityLabel(i: {
  managementCluster: string;
  kind: string;
  name: string;
}): string {
  return `${i.managementCluster}: ${i.kind}/${i.name}`;
}

export function clusterLabel(c: {
  managementCluster: string;
  namespace: string;
  name: string;
}): string {
  return `${c.managementCluster}: ${c.namespace}/${c.name}`;
}

/** The failing and warning checks of an account report, its identities and its clusters, merged. */
export function accountFindings(data: AccountTrustResponse) {
  return collectChecks([
    { subject: 'account', checks: data.account.checks },
    ...data.identities.map(i => ({
      subject: identityLabel(i),
      checks: i.checks,
    })),
    ...data.clusters.map(c => ({ subject: clusterLabel(c), checks: c.checks })),
  ]);
}

function groupByManagementCluster(
  identities: IdentityReport[],
): Array<[string, IdentityReport[]]> {
  const groups = new Map<string, IdentityReport[]>();
  for (const identity of identities) {
    const list = groups.get(identity.managementCluster) ?? [];
    list.push(identity);
    groups.set(identity.managementCluster, list);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * How far an identity's chain reaches the account: its reachability verdict (the identity's own verdict also
 * covers the namespaces of the clusters using it), falling back to the identity's verdict.
 */
function chainVerdict(
  account: AccountReport,
  identity: IdentityReport,
): Verdict {
  return (
    account.reachability?.chains.find(
      c =>
        c.managementCluster === identity.managementCluster &&
        c.kind === identity.kind &&
        c.name === identity.name,
    )?.verdict ?? identity.verdict
  );
}

/**
 * The account's verdict (can CAPA reach it), who targets it, its clusters' own problems and what is wrong: the
 * body of {@link AccountTrustCard}.
 */
export function AccountTrustSummary(props: {
  data: AccountTrustResponse;
}): ReactElement {
  const { data } = props;
  const { account } = data;
  const groups = groupByManagementCluster(data.identities);
  const findings = accountFindings(data);
  const problemText = clusterProblemsText(account.clusterProblemCount);
  return (
    <Flex direction="column" gap="3">
      <Flex gap="2" align="center" style={{ flexWrap: 'wrap' }}>
        <VerdictChip verdict={account.verdict} size="medium" />
        {problemText ? (
          <Text data-testid="capa-account-cluster-problems">{problemText}</Text>
        ) : null}
        <Text weight="bold">{account.name ?? account.accountId}</Text>
        <Text color="secondary">
          <code>{account.accountId}</code>
        </Text>
        {account.tier ? (
          <Text color="secondary">tier {account.tier}</Text>
        ) : null}
        {account.status && account.status !== 'ACTIVE' ? (
          <Text color="warning">status {account.status}</Text>
        ) : null}
      </Flex>
      <Text as="p" variant="body-small" color="secondary">
        The verdict says whether CAPA can reach the account along the identity
        chains that target it.{' '}
        {data.live
          ? 'Includes live AWS evidence (IAM, STS).'
          : 'Static evidence only (manifests, clusterawsadm configuration).'}{' '}
        Computed {formatRelative(data.generatedAt)}.
        {data.stale
          ? ' A management cluster behind this report failed its last read: data may be out of date.'
          : ''}
      </Text>

      <section aria-label="Targeted by">
        <Text as="h4" variant="title-x-small">
          Targeted by
        </Text>
        {groups.length === 0 ? (
          <Text as="p" variant="body-small">
            No identity in any management cluster targets this account.
          </Text>
        ) : (
          <ul style={{ margin: '4px 0', paddingLeft: '1.25em' }}>
            {groups.map(([mgmt, identities]) => (
              <li key={mgmt}>
                <Text weight="bold">{mgmt}</Text>
                <ul style={{ paddingLeft: '1.25em' }}>
                  {identities.map(identity => (
                    <li key={`${identity.kind}/${identity.name}`}>
                      <Flex gap="2" align="center" style={{ flexWrap: 'wrap' }}>
                        <Text>
                          {identity.kind}/{identity.name}
                        </Text>
                        <VerdictChip
                          verdict={chainVerdict(account, identity)}
                        />
                        {identity.roleArn ? (
                          <Text variant="body-small" color="secondary">
                            <code>{identity.roleArn}</code>
                          </Text>
                        ) : null}
                        <Text variant="body-small" color="secondary">
                          {identity.usedBy.length} cluster
                          {identity.usedBy.length === 1 ? '' : 's'}
                        </Text>
                      </Flex>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
        {account.managementClusters.length > 0 ? (
          <Text as="p" variant="body-small">
            Management clusters running in this account:{' '}
            {account.managementClusters.join(', ')}
          </Text>
        ) : null}
        <Text as="p" variant="body-small" color="secondary">
          {data.clusters.length} workload cluster
          {data.clusters.length === 1 ? '' : 's'} in this account.
        </Text>
      </section>

      <ClusterProblems account={account} />

      <section aria-label="Findings">
        <Text as="h4" variant="title-x-small">
          Failing and warning checks
        </Text>
        <CheckList
          items={findings}
          emptyMessage="Every check passes for this account, its identities and clusters."
        />
      </section>
    </Flex>
  );
}

/**
 * Entity card for an AWS account (`Resource` of type `cloud-account`): the trust verdict, the management
 * clusters and identities that target the account, and every failing or warning check with its fix.
 *
 * @public
 */
export function AccountTrustCard(props: { title?: string }): ReactElement {
  const { title = 'CAPA trust' } = props;
  const { entity } = useEntity();
  const capaApi = useApi(capaApiRef);
  const target = getCapaEntityTarget(entity);
  const accountId = target?.type === 'account' ? target.accountId : undefined;

  const state = useAsyncRetry(async () => {
    if (!accountId) return undefined;
    return capaApi.getAccountTrust(accountId);
  }, [capaApi, accountId]);

  if (!accountId) {
    return <MissingAnnotationEmptyState annotation={ANNOTATION_ACCOUNT_ID} />;
  }

  return (
    <CapaEntityCard
      title={title}
      state={state}
      errorTitle={`Could not load the trust report of account ${accountId}`}
    >
      {data => <AccountTrustSummary data={data} />}
    </CapaEntityCard>
  );
}
