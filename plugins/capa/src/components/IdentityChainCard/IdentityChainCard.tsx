import type { ReactElement } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  InfoCard,
  MissingAnnotationEmptyState,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Flex, Text } from '@backstage/ui';
import { ANNOTATION_MANAGEMENT_CLUSTER } from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { CARD_TITLE_PROPS } from '../../lib/format';
import { getCapaEntityTarget } from '../../lib/entities';
import { CapaErrorPanel } from '../CapaErrorPanel';
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

  let content: ReactElement;
  if (state.error) {
    content = (
      <CapaErrorPanel
        title={`Could not load the chain of identity ${ref.name}`}
        error={state.error}
        onRetry={state.retry}
      />
    );
  } else if (!state.value) {
    content = <Progress />;
  } else {
    const { identity, chain, controllerPrincipalArn, controllerAccountId } =
      state.value;
    content = (
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
    );
  }
  return (
    <InfoCard title={title} titleTypographyProps={CARD_TITLE_PROPS}>
      {content}
    </InfoCard>
  );
}
