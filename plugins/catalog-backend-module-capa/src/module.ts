import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  CAPA_REPORT_CHANGED_TOPIC,
  CapaBackendClient,
  capaFleetServiceRef,
  checkCapaBackendInstalled,
} from '@capa-portal/plugin-capa-node';
import { CapaEntityProvider } from './providers/CapaEntityProvider';
import {
  AccountEntityMode,
  CatalogExternalAccountEntities,
} from './providers/ExternalAccountEntities';
import { FirstReadGate } from './providers/FirstReadGate';

const ACCOUNT_ENTITY_MODES: AccountEntityMode[] = ['emit', 'attach', 'none'];

/**
 * Puts capa-portal's fleet into the catalog: one entity provider per management cluster (itself, its identities
 * and workload clusters) and one for AWS accounts. Reads the reports from the capa backend plugin over HTTP.
 *
 * @public
 */
export const catalogModuleCapaEntityProvider = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'capa-entity-provider',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        discovery: coreServices.discovery,
        instanceMetadata: coreServices.rootInstanceMetadata,
        auth: coreServices.auth,
        cache: coreServices.cache,
        events: eventsServiceRef,
        fleetService: capaFleetServiceRef,
        catalogService: catalogServiceRef,
      },
      async init({
        catalog,
        config,
        logger,
        scheduler,
        discovery,
        auth,
        cache,
        events,
        fleetService,
        catalogService,
        instanceMetadata,
      }) {
        await checkCapaBackendInstalled({
          pluginId: 'catalog',
          packageName: '@capa-portal/plugin-catalog-backend-module-capa',
          instanceMetadata,
          discovery,
        });
        const fleet = await fleetService.getFleet();
        const catalogConfig = config.getOptionalConfig('capa.catalog');
        const schedule = catalogConfig?.has('schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              catalogConfig.getConfig('schedule'),
            )
          : {
              frequency: { seconds: 30 },
              timeout: { minutes: 2 },
              initialDelay: { seconds: 5 },
            };
        const fullMutationIntervalMs = catalogConfig?.has('fullMutationEvery')
          ? durationToMilliseconds(
              readDurationFromConfig(catalogConfig, {
                key: 'fullMutationEvery',
              }),
            )
          : undefined;
        const firstReadWaitMs = catalogConfig?.has('firstReadWait')
          ? durationToMilliseconds(
              readDurationFromConfig(catalogConfig, { key: 'firstReadWait' }),
            )
          : undefined;
        const defaults = {
          owner: catalogConfig?.getOptionalString('defaultOwner') ?? 'unknown',
          system: catalogConfig?.getOptionalString('defaultSystem'),
        };
        const mode = (catalogConfig?.getOptionalString('accountEntities') ??
          'emit') as AccountEntityMode;
        if (!ACCOUNT_ENTITY_MODES.includes(mode))
          throw new Error(
            `capa.catalog.accountEntities must be one of ${ACCOUNT_ENTITY_MODES.join(
              ', ',
            )}, got ${JSON.stringify(mode)}`,
          );
        const accountEntities = {
          mode,
          external: new CatalogExternalAccountEntities({
            catalog: catalogService,
            auth,
          }),
        };
        // Each provider asks for its own part of the fleet (CapaBackendClient.catalogView) with its own tag; the
        // accounts wait for every management cluster's first read (or firstReadWait).
        const client = CapaBackendClient.create({ discovery, auth });
        const source = new FirstReadGate(
          client,
          () => client.managementClusters(),
          { maxWaitMs: firstReadWaitMs },
        );
        const scopes = [
          { type: 'accounts' as const },
          ...fleet.managementClusters.map(({ cluster }) => ({
            type: 'management-cluster' as const,
            name: cluster.name,
            owner: cluster.owner,
            system: cluster.system,
          })),
        ];
        const providers = scopes.map(scope =>
          CapaEntityProvider.create({
            scope,
            source,
            defaults,
            logger,
            taskRunner: scheduler.createScheduledTaskRunner(schedule),
            accountEntities,
            cache,
            fullMutationIntervalMs,
          }),
        );
        catalog.addEntityProvider(providers);
        // The capa backend announces a changed report: refresh at once (the schedule stays the safety net).
        await events.subscribe({
          id: 'capa-entity-provider',
          topics: [CAPA_REPORT_CHANGED_TOPIC],
          onEvent: async () => {
            source.invalidate();
            await Promise.all(providers.map(p => p.refreshNow()));
          },
        });
      },
    });
  },
});
