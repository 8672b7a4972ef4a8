import type { ReactElement } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { MissingAnnotationEmptyState } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Flex, Text } from '@backstage/ui';
import { ANNOTATION_MANAGEMENT_CLUSTER } from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { getCapaEntityTarget } from '../../lib/entities';
import { CapaEntityCard } from '../CapaEntityCard';
import { VerdictChip } from '../VerdictChip';
import { ChainView } from './ChainView';

/**
 * Entity card for a CAPA identity (`Resource` of type `aws-cluster-identity`): its verdict and the chain
 * drawn link by link, with each link's allowedNamespaces as CAPA reads them, role ARN, external id and
 * session duration.
 *
 * @public
 */
export function IdentityChainCard(props: { title?: string }): ReactElement {
  const { title = 'Identity chain' } = props;
  const { entity } = useEntity();
  const capaApi = useApi(capaApiRef);
  const target = getCapaEntityTarget(entity);
  const ref =
    target?.type === 'identity'
      ? { managementCluster: target.managementCluster, name: target.name }
      : undefined;

  const state = useAsyncRetry(async () => {
    if (!ref) return undefined;
    return capaApi.getIdentityChain(ref);
  }, [capaApi, ref?.managementCluster, ref?.name]);

  if (!ref) {
    return (
      <MissingAnnotationEmptyState annotation={ANNOTATION_MANAGEMENT_CLUSTER} />
    );
  }

  return (
    <CapaEntityCard
      title={title}
      state={state}
      errorTitle={`Could not load the chain of identity ${ref.name}`}
    >
      {({ identity, chain, controllerPrincipalArn, controllerAccountId }) => (
        <Flex direction="column" gap="3">
          <Flex gap="2" align="center" style={{ flexWrap: 'wrap' }}>
            <VerdictChip verdict={identity.verdict} size="medium" />
            <Text weight="bold">
              {identity.kind}/{identity.name}
            </Text>
            <Text color="secondary">in {identity.managementCluster}</Text>
            <Text color="secondary">
              used by {identity.usedBy.length} cluster
              {identity.usedBy.length === 1 ? '' : 's'}
            </Text>
          </Flex>
          <ChainView
            chain={chain}
            controllerPrincipalArn={controllerPrincipalArn}
            controllerAccountId={controllerAccountId}
          />
        </Flex>
      )}
    </CapaEntityCard>
  );
}
