/**
 * The capa frontend plugin for the new Backstage frontend system.
 *
 * Install with one line in the app's package.json (`app.packages: all` discovers it), or list it in the
 * app's `features`. It provides the capa API client, the `/capa` page (and its nav item), three entity
 * cards and the "Trust" entity tab, and (as a scaffolder module) the capa form fields of the templates.
 *
 * @packageDocumentation
 */
import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendFeatureLoader,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { Container } from '@backstage/ui';
import CloudIcon from '@material-ui/icons/Cloud';
import { capaApiRef, CapaClient } from './api';
import {
  isCapaAccountEntity,
  isCapaClusterEntity,
  isCapaEksClusterEntity,
  isCapaEntity,
  isCapaIdentityEntity,
} from './lib/entities';
import { rootRouteRef, scaffolderTemplateRouteRef } from './routes';
import { capaScaffolderFormFieldsModule } from './components/scaffolder/formFields';

/** @alpha */
export const capaApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: capaApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new CapaClient({ discoveryApi, fetchApi }),
    }),
});

/** The `/capa` overview page; its title and icon make the sidebar nav item. @alpha */
export const capaOverviewPage = PageBlueprint.make({
  params: {
    path: '/capa',
    title: 'CAPA',
    icon: <CloudIcon fontSize="inherit" />,
    routeRef: rootRouteRef,
    // The app supplies the page header; Container gives the page its width and padding, as the catalog's.
    loader: () =>
      import('./components/CapaOverviewPage').then(m => (
        <Container>
          <m.CapaOverviewContent />
        </Container>
      )),
  },
});

/** @alpha */
export const capaAccountTrustCard = EntityCardBlueprint.make({
  name: 'account-trust',
  params: {
    filter: isCapaAccountEntity,
    loader: () =>
      import('./components/AccountTrustCard').then(m => <m.AccountTrustCard />),
  },
});

/** @alpha */
export const capaClusterCard = EntityCardBlueprint.make({
  name: 'cluster',
  params: {
    filter: isCapaClusterEntity,
    loader: () =>
      import('./components/ClusterCard').then(m => <m.ClusterCard />),
  },
});

/** @alpha */
export const capaIdentityChainCard = EntityCardBlueprint.make({
  name: 'identity-chain',
  params: {
    filter: isCapaIdentityEntity,
    loader: () =>
      import('./components/IdentityChainCard').then(m => (
        <m.IdentityChainCard />
      )),
  },
});

/** @alpha */
export const capaTrustContent = EntityContentBlueprint.make({
  name: 'trust',
  params: {
    path: 'trust',
    title: 'Trust',
    filter: isCapaEntity,
    loader: () =>
      import('./components/TrustContent').then(m => <m.TrustContent />),
  },
});

/** The "Workload access" tab, on EKS cluster entities only. @alpha */
export const capaWorkloadAccessContent = EntityContentBlueprint.make({
  name: 'workload-access',
  params: {
    path: 'workload-access',
    title: 'Workload access',
    filter: isCapaEksClusterEntity,
    loader: () =>
      import('./components/WorkloadAccessContent').then(m => (
        <m.WorkloadAccessContent />
      )),
  },
});

/**
 * The capa plugin for the new frontend system.
 *
 * @alpha
 */
export const capaPlugin = createFrontendPlugin({
  pluginId: 'capa',
  title: 'CAPA',
  icon: <CloudIcon fontSize="inherit" />,
  routes: {
    root: rootRouteRef,
  },
  externalRoutes: {
    scaffolderTemplate: scaffolderTemplateRouteRef,
  },
  extensions: [
    capaApi,
    capaOverviewPage,
    capaAccountTrustCard,
    capaClusterCard,
    capaIdentityChainCard,
    capaTrustContent,
    capaWorkloadAccessContent,
  ],
});

/**
 * What feature discovery (`app.packages: all`) installs from this entry point: the capa plugin and the scaffolder
 * module with capa's form fields (CapaAccountPicker, CapaNamespacePicker, CapaManagementClusterPicker). Discovery
 * takes only the default export of each entry point, so both come from one feature loader. Apps that list their
 * features by hand can pass this loader, or `capaPlugin` and `capaScaffolderFormFieldsModule` on their own.
 *
 * @alpha
 */
export default createFrontendFeatureLoader({
  loader: () => [capaPlugin, capaScaffolderFormFieldsModule],
});

/** Scaffolder form fields (CapaAccountPicker, CapaNamespacePicker, CapaManagementClusterPicker): install as a feature. */
export {
  capaScaffolderFormFieldsModule,
  capaAccountPickerFormField,
  capaNamespacePickerFormField,
  capaManagementClusterPickerFormField,
} from './components/scaffolder/formFields';
