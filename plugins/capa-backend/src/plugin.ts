import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { capaPermissions } from '@capa-portal/plugin-capa-common';
import {
  capaFleetServiceRef,
  capaFleetSourcesExtensionPoint,
  CapaFleetSourceFactory,
  DefaultAwsEvidenceGatherer,
} from '@capa-portal/plugin-capa-node';
import { registerCapaActions } from './actions';
import { checkCapaConfig } from './checkCapaConfig';
import { readCapaBackendConfig } from './config';
import { CapaAccessControl } from './permissions/CapaAccess';
import {
  capaPermissionResourceRef,
  capaPermissionRules,
} from './permissions/rules';
import { createRouter } from './router';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { CAPA_REPORT_CHANGED_TOPIC } from '@capa-portal/plugin-capa-node';
import { FleetRefresher } from './services/FleetRefresher';
import { SnapshotStore } from './services/SnapshotStore';
import { TrustService } from './services/TrustService';
import { WatchLeases } from './services/WatchLeases';
import { WorkloadAccessService } from './services/WorkloadAccessService';
import { createTrustNotifier } from './services/notifications';

/**
 * capa-portal's backend plugin: reads the management clusters on the scheduler, keeps their last good data in
 * the database, evaluates trust with the engine, and serves /api/capa.
 *
 * @public
 */
export const capaPlugin = createBackendPlugin({
  pluginId: 'capa',
  register(env) {
    const sourceFactories = new Map<string, CapaFleetSourceFactory>();
    env.registerExtensionPoint(capaFleetSourcesExtensionPoint, {
      addSourceFactory(factory) {
        if (['manifests', 'kubernetes'].includes(factory.type))
          throw new Error(
            `capa fleet source type ${factory.type} is built in and cannot be replaced`,
          );
        if (sourceFactories.has(factory.type))
          throw new Error(
            `capa fleet source type ${factory.type} was added twice`,
          );
        sourceFactories.set(factory.type, factory);
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        events: eventsServiceRef,
        cache: coreServices.cache,
        fleetService: capaFleetServiceRef,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        actionsRegistry: actionsRegistryServiceRef,
        catalog: catalogServiceRef,
        notifications: notificationService,
        instanceMetadata: coreServices.rootInstanceMetadata,
      },
      async init(deps) {
        const { config, logger, database, scheduler, cache, fleetService } =
          deps;
        await checkCapaConfig(config);
        const settings = readCapaBackendConfig(config);
        const readFleet = () =>
          fleetService.getFleet({ sourceFactories: sourceFactories.values() });
        const fleet = await readFleet();
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
        let currentFleet = fleet;
        const workloadAccess = WorkloadAccessService.create({
          trust,
          fleet: () => currentFleet,
          store,
          live: gatherer?.enabled
            ? request => gatherer.gatherWorkloadAccess(request)
            : undefined,
          logger,
        });

        // Tell the catalog module (and anyone listening) at once that the report changed, instead of letting it
        // find out at its next poll.
        const announce = (payload: { managementCluster?: string }) =>
          deps.events
            .publish({
              topic: CAPA_REPORT_CHANGED_TOPIC,
              eventPayload: payload,
            })
            .catch(e =>
              logger.warn(`capa: could not announce a report change: ${e}`),
            );
        // Owners as the catalog module sets them (spec.owner): permissions and alerts resolve them alike.
        const ownership = {
          managementOwners: new Map(
            fleet.managementClusters.map(m => [
              m.cluster.name,
              m.cluster.owner,
            ]),
          ),
          defaultOwner: settings.defaultOwner,
        };
        // Alerts on trust regressions: after every new generation, and on a schedule that also sees sources go
        // stale and recover (a failed read stores no generation).
        const notifier = await createTrustNotifier({
          config,
          db: await database.getClient(),
          source: trust,
          notifications: deps.notifications,
          instanceMetadata: deps.instanceMetadata,
          ownership,
          logger,
        });
        if (notifier) {
          await scheduler.scheduleTask({
            id: 'capa-notifications',
            scope: 'global',
            ...settings.refresh,
            fn: async () => {
              await notifier.notify();
            },
          });
        }
        const refresher = new FleetRefresher({
          store,
          logger,
          onStored: managementCluster => {
            announce({ managementCluster });
            notifier?.notify();
          },
          // One replica at a time watches each live management cluster (see FleetRefresher).
          leases: await WatchLeases.create(database, {
            ttlMs: settings.watchLease.ttlMs,
          }),
          leaseTiming: settings.watchLease,
        });
        // Watched sources hold connections open: they end with the plugin, and their leases pass to another replica.
        deps.lifecycle.addShutdownHook(() => refresher.close());
        await refresher.schedule(
          scheduler,
          fleet.managementClusters.map(m => m.source),
          settings.refresh,
        );
        // A changed configuration (app-config reloaded) takes effect without a restart: new management clusters
        // get their refresh task, removed ones stop being read, and the next report uses the new fleet.
        fleetService.onChange(async () => {
          try {
            const next = await readFleet();
            await refresher.schedule(
              scheduler,
              next.managementClusters.map(m => m.source),
              settings.refresh,
            );
            trust.setFleet(next);
            currentFleet = next;
            logger.info(
              `capa: configuration changed: ${next.managementClusters.length} management clusters, ${next.accounts.length} configured accounts`,
            );
          } catch (e) {
            logger.error(
              `capa: configuration changed but could not be applied: ${
                (e as Error).message
              }`,
            );
          }
        });
        if (gatherer) {
          await scheduler.scheduleTask({
            id: 'capa-verify',
            scope: 'global',
            ...settings.verification,
            fn: async () => {
              await trust.verifyAll();
              await announce({});
              await notifier?.notify();
            },
          });
        }

        const access = CapaAccessControl.create({
          permissions: deps.permissions,
          catalog: deps.catalog,
          ruleset: deps.permissionsRegistry.getPermissionRuleset(
            capaPermissionResourceRef,
          ),
          ownership,
          catalogVisibility: settings.catalogVisibility,
        });
        deps.permissionsRegistry.addResourceType({
          resourceRef: capaPermissionResourceRef,
          permissions: capaPermissions,
          rules: Object.values(capaPermissionRules),
          // For decisions asked with a resourceRef (the scaffolder's capa.cluster.create, the frontend's
          // usePermission): the permission backend applies the policy's conditions to these resources.
          getResources: async refs => {
            const index = access.index(await trust.report());
            return refs.map(ref => index.resolve(ref));
          },
        });
        registerCapaActions({
          actionsRegistry: deps.actionsRegistry,
          trust,
          access,
        });
        deps.httpRouter.use(
          await createRouter({
            trust,
            workloadAccess,
            httpAuth: deps.httpAuth,
            access,
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
