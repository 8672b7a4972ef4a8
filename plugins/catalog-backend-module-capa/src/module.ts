import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import {
  CapaBackendClient,
  checkCapaBackendInstalled,
  createFleetSourcesFromConfig,
} from '@capa-portal/plugin-capa-node';
import { CapaEntityProvider } from './providers/CapaEntityProvider';
import { SharedFleetReportSource } from './providers/SharedFleetReportSource';

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
        urlReader: coreServices.urlReader,
      },
      async init({
        catalog,
        config,
        logger,
        scheduler,
        discovery,
        auth,
        urlReader,
        instanceMetadata,
      }) {
        await checkCapaBackendInstalled({
          pluginId: 'catalog',
          packageName: '@capa-portal/plugin-catalog-backend-module-capa',
          instanceMetadata,
          discovery,
        });
        const fleet = await createFleetSourcesFromConfig(config, {
          urlReader,
          logger,
        });
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
        const defaults = {
          owner: catalogConfig?.getOptionalString('defaultOwner') ?? 'unknown',
          system: catalogConfig?.getOptionalString('defaultSystem'),
        };
        // One download of the fleet report per refresh cycle, shared by every provider.
        const source = new SharedFleetReportSource(
          CapaBackendClient.create({ discovery, auth }),
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
        catalog.addEntityProvider(
          scopes.map(scope =>
            CapaEntityProvider.create({
              scope,
              source,
              defaults,
              logger,
              taskRunner: scheduler.createScheduledTaskRunner(schedule),
            }),
          ),
        );
      },
    });
  },
});
