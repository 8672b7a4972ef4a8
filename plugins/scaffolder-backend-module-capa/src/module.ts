import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  CapaBackendClient,
  checkCapaBackendInstalled,
  createFleetSourcesFromConfig,
} from '@capa-portal/plugin-capa-node';
import {
  createCapaAccountBootstrapAction,
  createCapaClusterApplyAction,
  createCapaClusterRenderAction,
  createCapaIdentityResolveAction,
  createCapaTrustVerifyAction,
} from './actions';

/**
 * The capa scaffolder actions: `capa:identity:resolve`, `capa:cluster:render`, `capa:cluster:apply`,
 * `capa:account:bootstrap` and `capa:trust:verify`. Talks to the capa backend over HTTP (CapaBackendClient),
 * and reads the `capa` config only to find live management cluster connections for `capa:cluster:apply`.
 *
 * @public
 */
export const scaffolderModuleCapa = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'capa',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        instanceMetadata: coreServices.rootInstanceMetadata,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        urlReader: coreServices.urlReader,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
      },
      async init({
        scaffolder,
        discovery,
        auth,
        config,
        urlReader,
        logger,
        permissions,
        instanceMetadata,
      }) {
        await checkCapaBackendInstalled({
          pluginId: 'scaffolder',
          packageName: '@capa-portal/plugin-scaffolder-backend-module-capa',
          instanceMetadata,
          discovery,
        });
        const api = CapaBackendClient.create({ discovery, auth });
        scaffolder.addActions(
          createCapaIdentityResolveAction({ api }),
          createCapaClusterRenderAction(),
          createCapaClusterApplyAction({
            api,
            getManagementClusters: async () =>
              (
                await createFleetSourcesFromConfig(config, {
                  urlReader,
                  logger,
                })
              ).managementClusters,
          }),
          createCapaAccountBootstrapAction({ api }),
          createCapaTrustVerifyAction({ api, permissions }),
        );
      },
    });
  },
});
