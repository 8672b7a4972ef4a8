import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  CapaBackendClient,
  capaFleetServiceRef,
  checkCapaBackendInstalled,
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
 * and asks the shared fleet service (`capaFleetServiceRef`) only for the live management cluster connections of
 * `capa:cluster:apply`.
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
        fleetService: capaFleetServiceRef,
        permissions: coreServices.permissions,
      },
      async init({
        scaffolder,
        discovery,
        auth,
        fleetService,
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
          createCapaIdentityResolveAction({ api, permissions }),
          createCapaClusterRenderAction({ permissions }),
          createCapaClusterApplyAction({
            api,
            permissions,
            getManagementClusters: async () =>
              (await fleetService.getFleet()).managementClusters,
          }),
          createCapaAccountBootstrapAction({ api, permissions }),
          createCapaTrustVerifyAction({ api, permissions }),
        );
      },
    });
  },
});
