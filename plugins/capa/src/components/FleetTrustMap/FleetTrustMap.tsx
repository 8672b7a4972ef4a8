import { useMemo, useState, type ReactElement } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Progress } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  Button,
  Flex,
  SearchField,
  Select,
  Text,
  ToggleButton,
  type Key,
} from '@backstage/ui';
import {
  accountEntityName,
  identityEntityName,
  managementClusterEntityName,
  type TrustMapResponse,
  type Verdict,
} from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { VERDICTS } from '../../lib/format';
import { CapaErrorPanel } from '../CapaErrorPanel';
import { VerdictChip } from '../VerdictChip';
import { countByVerdict } from '../CapaOverviewPage/AccountsSection';
import { layoutTrustMap, type MapNode } from './layout';
import { MapSvg } from './MapSvg';

const ALL = '__all__';
const ZOOMS = [0.5, 0.67, 0.8, 1, 1.25, 1.5];

function entityName(node: MapNode): string | undefined {
  const e = node.entity;
  if (!e) return undefined;
  if (e.type === 'management-cluster')
    return managementClusterEntityName(e.name);
  if (e.type === 'account') return accountEntityName(e.accountId);
  return identityEntityName(e);
}

/** The map with its filters and zoom, for data already loaded (exported for tests of large fleets). */
export function FleetTrustMapView(props: {
  data: TrustMapResponse;
}): ReactElement {
  const { data } = props;
  const navigate = useNavigate();
  const entityRoute = useRouteRef(entityRouteRef);
  const [verdicts, setVerdicts] = useState<ReadonlySet<Verdict>>(new Set());
  const [managementCluster, setManagementCluster] = useState<string>();
  const [search, setSearch] = useState('');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [zoom, setZoom] = useState(ZOOMS.indexOf(1));
  const counts = useMemo(() => countByVerdict(data.identities), [data]);
  const layout = useMemo(
    () =>
      layoutTrustMap(data, { verdicts, managementCluster, search, expanded }),
    [data, verdicts, managementCluster, search, expanded],
  );
  const toggleVerdict = (v: Verdict) =>
    setVerdicts(prev => {
      const next = new Set(prev);
      if (next.has(v)) next.delete(v);
      else next.add(v);
      return next;
    });
  const toggleGroup = (key: string) =>
    setExpanded(prev => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const hrefOf = (node: MapNode) => {
    const name = entityName(node);
    return name && entityRoute
      ? entityRoute({ kind: 'resource', namespace: 'default', name })
      : undefined;
  };
  const collapsible = [...expanded];

  return (
    <Flex direction="column" gap="3">
      <Flex
        gap="2"
        align="center"
        style={{ flexWrap: 'wrap' }}
        role="group"
        aria-label="Filter the map by verdict"
      >
        {VERDICTS.map(v => (
          <ToggleButton
            key={v}
            isSelected={verdicts.has(v)}
            onChange={() => toggleVerdict(v)}
            isDisabled={counts[v] === 0}
          >
            <VerdictChip verdict={v} count={counts[v]} />
          </ToggleButton>
        ))}
      </Flex>
      <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
        <SearchField
          label="Find"
          aria-label="Find an identity or account on the map"
          placeholder="Identity, account name or id"
          value={search}
          onChange={setSearch}
        />
        <Select
          selectionMode="single"
          label="Management cluster"
          options={[
            { id: ALL, label: 'All management clusters' },
            ...data.managementClusters.map(m => ({
              id: m.name,
              label: m.name,
            })),
          ]}
          value={managementCluster ?? ALL}
          onChange={(v: Key | null) =>
            setManagementCluster(
              v === null || v === ALL ? undefined : String(v),
            )
          }
        />
        <Flex gap="1" align="center" role="group" aria-label="Zoom">
          <Button
            size="small"
            variant="secondary"
            aria-label="Zoom out"
            isDisabled={zoom === 0}
            onPress={() => setZoom(z => Math.max(0, z - 1))}
          >
            −
          </Button>
          <Text variant="body-small" aria-live="polite">
            {Math.round(ZOOMS[zoom] * 100)}%
          </Text>
          <Button
            size="small"
            variant="secondary"
            aria-label="Zoom in"
            isDisabled={zoom === ZOOMS.length - 1}
            onPress={() => setZoom(z => Math.min(ZOOMS.length - 1, z + 1))}
          >
            +
          </Button>
        </Flex>
        {collapsible.length ? (
          <Button
            size="small"
            variant="tertiary"
            onPress={() => setExpanded(new Set())}
          >
            Collapse groups
          </Button>
        ) : null}
      </Flex>
      <Text variant="body-small" color="secondary">
        {layout.shown.identities} of {data.identities.length} identities,{' '}
        {layout.shown.accounts} accounts. Management cluster → identity: what
        the management cluster holds and may assume; identity → account: what
        the account's trust allows. Broken links are red and dashed; click a
        node to open it, a group to expand it.
      </Text>
      {layout.nodes.length === 0 ? (
        <Text>Nothing matches these filters.</Text>
      ) : (
        <MapSvg
          layout={layout}
          scale={ZOOMS[zoom]}
          hrefOf={hrefOf}
          onOpen={href => navigate(href)}
          onToggle={toggleGroup}
        />
      )}
    </Flex>
  );
}

/**
 * The fleet trust map (`GET /trust-map`): management clusters → the identities they hold → the accounts those
 * reach, each edge coloured by its verdict. See layout.ts for how it stays readable at 1,000 accounts.
 */
export function FleetTrustMap(): ReactElement {
  const capaApi = useApi(capaApiRef);
  const state = useAsyncRetry(() => capaApi.getTrustMap(), [capaApi]);
  if (state.error)
    return (
      <CapaErrorPanel
        title="Could not load the trust map"
        error={state.error}
        onRetry={state.retry}
      />
    );
  if (!state.value) return <Progress />;
  return <FleetTrustMapView data={state.value} />;
}
