/**
 * The capa frontend plugin: Cluster API Provider AWS trust across AWS accounts in Backstage.
 *
 * Entity cards for AWS accounts, CAPA workload clusters and identities, a "Trust" entity tab, and a `/capa`
 * overview page. This entry point serves legacy apps (`capaPlugin` and its extensions); apps on the new
 * frontend system install the default export of `@capa-portal/plugin-capa/alpha`.
 *
 * @packageDocumentation
 */

export {
  capaPlugin,
  CapaOverviewPage,
  EntityCapaAccountTrustCard,
  EntityCapaClusterCard,
  EntityCapaIdentityChainCard,
  EntityCapaTrustContent,
  EntityCapaWorkloadAccessContent,
} from './plugin';
export { rootRouteRef, scaffolderTemplateRouteRef } from './routes';
export { capaApiRef, CapaClient } from './api';
export type { CapaApi } from './api';
export {
  isCapaAccountEntity,
  isCapaClusterEntity,
  isCapaEksClusterEntity,
  isCapaEntity,
  isCapaIdentityEntity,
} from './lib/entities';
export {
  VerdictChip,
  CheckStatusLabel,
  ChainView,
  CapaOverviewContent,
} from './components';
export type { VerdictChipProps } from './components';
export {
  CapaAccountPickerFieldExtension,
  CapaNamespacePickerFieldExtension,
  CapaManagementClusterPickerFieldExtension,
  CapaAccountPicker,
  CapaNamespacePicker,
  CapaManagementClusterPicker,
  capaAccountPickerValidation,
} from './components/scaffolder';
export type {
  CapaAccountPickerUiOptions,
  CapaNamespacePickerUiOptions,
  CapaManagementClusterPickerUiOptions,
} from './components/scaffolder';
