import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { capaApiRef, CapaClient } from './api';
import { rootRouteRef, scaffolderTemplateRouteRef } from './routes';

/**
 * The capa frontend plugin for legacy (non-declarative) Backstage apps.
 * For the new frontend system use the default export of `@capa-portal/plugin-capa/alpha`.
 *
 * @public
 */
export const capaPlugin = createPlugin({
  id: 'capa',
  apis: [
    createApiFactory({
      api: capaApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new CapaClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
  externalRoutes: {
    scaffolderTemplate: scaffolderTemplateRouteRef,
  },
});

/**
 * The `/capa` overview page: management clusters with health, accounts by verdict, filterable clusters.
 *
 * @public
 */
export const CapaOverviewPage: () => JSX.Element = capaPlugin.provide(
  createRoutableExtension({
    name: 'CapaOverviewPage',
    component: () =>
      import('./components/CapaOverviewPage').then(m => m.CapaOverviewPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * Entity card for AWS account entities (use with `isCapaAccountEntity`).
 *
 * @public
 */
export const EntityCapaAccountTrustCard: (props: {
  title?: string;
}) => JSX.Element = capaPlugin.provide(
  createComponentExtension({
    name: 'EntityCapaAccountTrustCard',
    component: {
      lazy: () =>
        import('./components/AccountTrustCard').then(m => m.AccountTrustCard),
    },
  }),
);

/**
 * Entity card for CAPA workload cluster entities (use with `isCapaClusterEntity`).
 *
 * @public
 */
export const EntityCapaClusterCard: (props: { title?: string }) => JSX.Element =
  capaPlugin.provide(
    createComponentExtension({
      name: 'EntityCapaClusterCard',
      component: {
        lazy: () => import('./components/ClusterCard').then(m => m.ClusterCard),
      },
    }),
  );

/**
 * Entity card for CAPA identity entities (use with `isCapaIdentityEntity`).
 *
 * @public
 */
export const EntityCapaIdentityChainCard: (props: {
  title?: string;
}) => JSX.Element = capaPlugin.provide(
  createComponentExtension({
    name: 'EntityCapaIdentityChainCard',
    component: {
      lazy: () =>
        import('./components/IdentityChainCard').then(m => m.IdentityChainCard),
    },
  }),
);

/**
 * The "Trust" entity tab content for accounts, clusters and identities (use with `isCapaEntity`).
 *
 * @public
 */
export const EntityCapaTrustContent: () => JSX.Element = capaPlugin.provide(
  createComponentExtension({
    name: 'EntityCapaTrustContent',
    component: {
      lazy: () => import('./components/TrustContent').then(m => m.TrustContent),
    },
  }),
);

/**
 * The "Workload access" entity tab content of CAPA EKS clusters (legacy frontend system): the roles the cluster's
 * service accounts can assume through IRSA or EKS Pod Identity, with checks. Route it for EKS clusters only, e.g.
 * `<EntityLayout.Route path="/workload-access" title="Workload access" if={isCapaEksClusterEntity}>`.
 *
 * @public
 */
export const EntityCapaWorkloadAccessContent: () => JSX.Element =
  capaPlugin.provide(
    createComponentExtension({
      name: 'EntityCapaWorkloadAccessContent',
      component: {
        lazy: () =>
          import('./components/WorkloadAccessContent').then(
            m => m.WorkloadAccessContent,
          ),
      },
    }),
  );
