import type { ReactElement } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Content, Header, Page, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Flex, Text } from '@backstage/ui';
import { capaApiRef } from '../../api';
import { CapaErrorPanel } from '../CapaErrorPanel';
import { FleetTrustMap } from '../FleetTrustMap';
import { OnboardingGapsSection } from '../OnboardingGaps';
import { AccountsSection } from './AccountsSection';
import { ClustersSection } from './ClustersSection';
import { ManagementClustersSection } from './ManagementClustersSection';

function Section(props: { title: string; children: ReactElement }) {
  return (
    <section aria-label={props.title}>
      <Flex direction="column" gap="2">
        <Text as="h2" variant="title-small">
          {props.title}
        </Text>
        {props.children}
      </Flex>
    </section>
  );
}

/**
 * The body of the `/capa` page, without a page header: management clusters with health, the fleet trust map,
 * accounts by verdict, onboarding gaps (AWS Organizations reconciled), and a filterable clusters table. The
 * new frontend system's page supplies the header.
 *
 * @public
 */
export function CapaOverviewContent(): ReactElement {
  const capaApi = useApi(capaApiRef);
  const state = useAsyncRetry(async () => {
    const [managementClusters, accounts] = await Promise.all([
      capaApi.getManagementClusters(),
      capaApi.getAccounts(),
    ]);
    return {
      managementClusters: managementClusters.items,
      accounts: accounts.items,
    };
  }, [capaApi]);

  if (state.error) {
    return (
      <CapaErrorPanel
        title="Could not load the CAPA overview"
        error={state.error}
        onRetry={state.retry}
      />
    );
  }
  if (!state.value) {
    return <Progress />;
  }
  const { managementClusters, accounts } = state.value;
  return (
    <Flex direction="column" gap="6">
      <Section title="Management clusters">
        <ManagementClustersSection items={managementClusters} />
      </Section>
      <Section title="Fleet trust map">
        <FleetTrustMap />
      </Section>
      <Section title="AWS accounts">
        <AccountsSection items={accounts} />
      </Section>
      <Section title="Onboarding gaps">
        <OnboardingGapsSection />
      </Section>
      <Section title="Workload clusters">
        <ClustersSection
          managementClusters={managementClusters}
          accounts={accounts}
        />
      </Section>
    </Flex>
  );
}

/**
 * The `/capa` page for legacy apps: {@link CapaOverviewContent} inside a Backstage page with a header.
 *
 * @public
 */
export function CapaOverviewPage(): ReactElement {
  return (
    <Page themeId="tool">
      <Header
        title="CAPA"
        subtitle="Cluster API Provider AWS: management clusters, account trust and workload clusters"
      />
      <Content>
        <CapaOverviewContent />
      </Content>
    </Page>
  );
}
