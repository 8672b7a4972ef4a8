import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { capaPermissions } from '@capa-portal/plugin-capa-common';
import {
  createFleetSourcesFromConfig,
  DefaultAwsEvidenceGatherer,
} from '@capa-portal/plugin-capa-node';
import { registerCapaActions } from './actions';
import { checkCapaConfig } from './checkCapaConfig';
import { readCapaBackendConfig } from './config';
import { createRouter } from './router';
import { FleetRefresher } from './services/FleetRefresher';
import { SnapshotStore } from './services/SnapshotStore';
import { TrustService } from './services/TrustService';

/**
 * capa-portal's backend plugin: reads the management clusters on the scheduler, keeps their last good data in
 * the database, evaluates trust with the engine, and serves /api/capa.
 *
 * @public
 */
export const capaPlugin = createBackendPlugin({
  pluginId: 'capa',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        cache: coreServices.cache,
        urlReader: coreServices.urlReader,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        const { config, logger, database, scheduler, cache, urlReader } = deps;
        await checkCapaConfig(config);
        const settings = readCapaBackendConfig(config);
        const fleet = await createFleetSourcesFromConfig(config, {
          urlReader,
          logger,
        });
        const store = await SnapshotStore.create(database);
        const gatherer = settings.liveVerification
          ? DefaultAwsEvidenceGatherer.fromConfig(config, { logger, cache })
          : undefined;
        const trust = TrustService.create({
          fleet,
          store,
          cache,
          gatherer,
          logger,
        });

        const refresher = new FleetRefresher({ store, logger });
        await refresher.schedule(
          scheduler,
          fleet.managementClusters.map(m => m.source),
          settings.refresh,
        );
        if (gatherer) {
          await scheduler.scheduleTask({
            id: 'capa-verify',
            scope: 'global',
            ...settings.verification,
            fn: () => trust.verifyAll(),
          });
        }

        deps.permissionsRegistry.addPermissions(capaPermissions);
        registerCapaActions({ actionsRegistry: deps.actionsRegistry, trust });
        deps.httpRouter.use(
          await createRouter({
            trust,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            logger,
          }),
        );
        let live = 'off (no aws config)';
        if (gatherer?.enabled) live = 'on';
        else if (gatherer)
          live =
            'off (capa.liveVerification is true, but there is no aws config)';
        logger.info(
          `capa: ${fleet.managementClusters.length} management clusters, ${fleet.accounts.length} configured accounts, live verification ${live}`,
        );
      },
    });
  },
});
