import type { ReactElement, ReactNode } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Link, MissingAnnotationEmptyState } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef, useEntity } from '@backstage/plugin-catalog-react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { Flex, Text } from '@backstage/ui';
import {
  ANNOTATION_MANAGEMENT_CLUSTER,
  type ClusterReport,
} from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { getCapaEntityTarget } from '../../lib/entities';
import { flavourLabel } from '../../lib/format';
import { CapaEntityCard } from '../CapaEntityCard';
import { VerdictChip } from '../VerdictChip';
import { ConditionList } from './ConditionList';
import { CapaConditionsView } from './CapaConditionsView';

function Row(props: { label: string; children: ReactNode }) {
  return (
    <>
      <dt style={{ fontWeight: 600 }}>{props.label}</dt>
      <dd style={{ margin: 0, wordBreak: 'break-word' }}>{props.children}</dd>
    </>
  );
}

/** The chain in one line, root first: `AWSClusterControllerIdentity/default → AWSClusterRoleIdentity/staging`. */
export function chainSummary(report: ClusterReport): string {
  if (report.chain.length === 0) {
    return `${report.identityRef.kind}/${report.identityRef.name}`;
  }
  return [...report.chain]
    .reverse()
    .map(l => `${l.kind}/${l.name}${l.missing ? ' (missing)' : ''}`)
    .join(' → ');
}

/** Why a broken cluster is broken, in one line: its first failing check, linking to the Trust tab. */
export function BrokenReason(props: {
  report: ClusterReport;
  trustHref?: string;
}): ReactElement | null {
  const { report, trustHref } = props;
  const failing = report.checks.find(c => c.status === 'fail');
  if (report.verdict !== 'broken' || !failing) return null;
  const more = report.checks.filter(c => c.status === 'fail').length - 1;
  return (
    <Text as="p" aria-label="Why broken">
      <code>{failing.id}</code>: {failing.message}
      {more > 0 ? ` (and ${more} more)` : ''}{' '}
      {trustHref ? <Link to={trustHref}>See the Trust tab</Link> : null}
    </Text>
  );
}

/** The facts of a cluster report: the body of {@link ClusterCard}. */
export function ClusterSummaryView(props: {
  report: ClusterReport;
  /** Where the entity's Trust tab is (the broken line links to it). */
  trustHref?: string;
}): ReactElement {
  const { report, trustHref } = props;
  return (
    <Flex direction="column" gap="3">
      <Flex gap="2" align="center" style={{ flexWrap: 'wrap' }}>
        <VerdictChip verdict={report.verdict} size="medium" />
        <Text weight="bold">
          {report.namespace}/{report.name}
        </Text>
      </Flex>
      <BrokenReason report={report} trustHref={trustHref} />
      <dl
        style={{
          display: 'grid',
          gridTemplateColumns: 'max-content 1fr',
          columnGap: 16,
          rowGap: 4,
          margin: 0,
        }}
      >
        <Row label="Phase">{report.phase ?? 'not reported'}</Row>
        <Row label="Flavour">{flavourLabel(report.flavour)}</Row>
        <Row label="Kubernetes version">
          {report.kubernetesVersion ?? 'not reported'}
        </Row>
        <Row label="Region">{report.region ?? 'not reported'}</Row>
        <Row label="AWS account">
          <code>{report.accountId ?? 'unknown'}</code>
        </Row>
        <Row label="Management cluster">{report.managementCluster}</Row>
        <Row label="Identity">
          <code>
            {report.identityRef.kind}/{report.identityRef.name}
          </code>
          {report.identityRefDefaulted
            ? ' (identityRef omitted: defaulted as CAPA does)'
            : ''}
        </Row>
        <Row label="Identity chain">{chainSummary(report)}</Row>
        {report.infrastructureRef ? (
          <Row label="Infrastructure">
            {report.infrastructureRef.kind}/{report.infrastructureRef.name} (
            {report.infrastructureRef.apiVersion})
          </Row>
        ) : null}
      </dl>
      <section aria-label="Cluster conditions">
        <Text as="h4" variant="title-x-small">
          Conditions
        </Text>
        <ConditionList conditions={report.conditions} />
      </section>
      {report.capaConditions ? (
        <section aria-label="CAPA conditions">
          <Text as="h4" variant="title-x-small">
            CAPA&apos;s own conditions
          </Text>
          <CapaConditionsView report={report.capaConditions} />
        </section>
      ) : null}
    </Flex>
  );
}

/**
 * Entity card for a CAPA workload cluster (`Resource` of type `kubernetes-cluster` with the
 * `capa-portal.io/management-cluster` annotation): phase, conditions, Kubernetes version, flavour, region,
 * account, identity chain and management cluster.
 *
 * @public
 */
export function ClusterCard(props: { title?: string }): ReactElement {
  const { title = 'CAPA cluster' } = props;
  const { entity } = useEntity();
  const capaApi = useApi(capaApiRef);
  const entityRoute = useRouteRef(entityRouteRef);
  const target = getCapaEntityTarget(entity);
  const entityRef = getCompoundEntityRef(entity);
  // The Trust tab is the entity content at path `trust` (alpha.tsx, plugin.ts).
  const trustHref = entityRoute
    ? `${entityRoute({
        kind: entityRef.kind.toLocaleLowerCase('en-US'),
        namespace: entityRef.namespace,
        name: entityRef.name,
      })}/trust`
    : undefined;
  const ref =
    target?.type === 'cluster'
      ? {
          managementCluster: target.managementCluster,
          namespace: target.namespace,
          name: target.name,
        }
      : undefined;

  const state = useAsyncRetry(async () => {
    if (!ref) return undefined;
    return capaApi.getCluster(ref);
  }, [capaApi, ref?.managementCluster, ref?.namespace, ref?.name]);

  if (!ref) {
    return (
      <MissingAnnotationEmptyState annotation={ANNOTATION_MANAGEMENT_CLUSTER} />
    );
  }

  return (
    <CapaEntityCard
      title={title}
      state={state}
      errorTitle={`Could not load cluster ${ref.namespace}/${ref.name}`}
    >
      {report => <ClusterSummaryView report={report} trustHref={trustHref} />}
    </CapaEntityCard>
  );
}
