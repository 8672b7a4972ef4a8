import type { ReactElement } from 'react';
import { Flex, Text } from '@backstage/ui';
import type { CapaConditionsReport } from '@capa-portal/plugin-capa-common';
import { ConditionList } from './ConditionList';

/**
 * CAPA's own conditions on the object that carries identityRef (AWSCluster / AWSManagedControlPlane), beside
 * our verdict: a warning when CAPA and our checks disagree, and each stale condition named. CAPA writes them
 * only while it reconciles, so they can be older than the objects they describe.
 *
 * @public
 */
export function CapaConditionsView(props: {
  report: CapaConditionsReport;
}): ReactElement {
  const { report } = props;
  const stale = report.conditions.filter(c => c.stale);
  return (
    <Flex direction="column" gap="2">
      <Text variant="body-small">
        Written by CAPA on {report.object.kind}/{report.object.name}
        {report.observedGeneration !== undefined &&
        report.generation !== undefined
          ? ` (observed generation ${report.observedGeneration} of ${report.generation})`
          : ''}
        .
      </Text>
      {report.disagreement ? (
        <div role="alert" aria-label="CAPA and capa-portal disagree">
          <Text as="p" weight="bold">
            CAPA and capa-portal disagree
          </Text>
          <Text as="p">{report.disagreement}</Text>
        </div>
      ) : null}
      {stale.map(c => (
        <Text key={c.type} variant="body-small" color="secondary">
          Stale: {c.type}={c.status}: {c.stale}
        </Text>
      ))}
      <ConditionList conditions={report.conditions} label="CAPA conditions" />
    </Flex>
  );
}
