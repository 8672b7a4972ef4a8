import type { ReactElement } from 'react';
import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { Flex, Text } from '@backstage/ui';
import {
  clusterEntityName,
  type AccountReport,
} from '@capa-portal/plugin-capa-common';
import { VerdictChip } from '../VerdictChip';

/**
 * The clusters of an account with problems of their own (a namespace their identity does not admit, unserved
 * manifests, ...), each linking to its catalog entity. They do not change the account's verdict, which says
 * whether CAPA can reach the account at all.
 */
export function ClusterProblems(props: {
  account: AccountReport;
}): ReactElement | null {
  const { account } = props;
  // The catalog's entity route is asked for only when there is something to link.
  if (!account.clusterProblems?.length) return null;
  return <ClusterProblemList account={account} />;
}

function ClusterProblemList(props: { account: AccountReport }): ReactElement {
  const { account } = props;
  const entityRoute = useRouteRef(entityRouteRef);
  const problems = account.clusterProblems;
  return (
    <section aria-label="Cluster problems" id="capa-cluster-problems">
      <Text as="h4" variant="title-x-small">
        Cluster problems ({account.clusterProblemCount ?? problems.length})
      </Text>
      <Text as="p" variant="body-small" color="secondary">
        Checks that fail or warn for one cluster, not for the way CAPA reaches
        the account: they break or degrade that cluster only.
      </Text>
      <ul style={{ margin: '4px 0', paddingLeft: '1.25em' }}>
        {problems.map(p => {
          const label = `${p.managementCluster}: ${p.namespace}/${p.name}`;
          const href = entityRoute?.({
            kind: 'resource',
            namespace: 'default',
            name: clusterEntityName(p),
          });
          return (
            <li key={label} data-testid={`capa-cluster-problem-${p.name}`}>
              <Flex gap="2" align="center" style={{ flexWrap: 'wrap' }}>
                {href ? <Link to={href}>{label}</Link> : <Text>{label}</Text>}
                <VerdictChip verdict={p.verdict} />
                <Text variant="body-small" color="secondary">
                  {p.checks.map(c => `${c.id} ${c.status}`).join(', ')}
                </Text>
              </Flex>
              {p.checks.map(c => (
                <Text as="p" variant="body-small" key={c.id}>
                  {c.message}
                </Text>
              ))}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
