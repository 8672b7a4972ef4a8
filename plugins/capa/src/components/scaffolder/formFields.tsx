/*
 * The scaffolder field extensions for the new frontend system: FormFieldBlueprint extensions, installed in the
 * scaffolder plugin through a frontend module (`capaScaffolderFormFieldsModule`).
 */
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  FormFieldBlueprint,
  createFormField,
} from '@backstage/plugin-scaffolder-react/alpha';

/** @alpha */
export const capaAccountPickerFormField = FormFieldBlueprint.make({
  name: 'capa-account-picker',
  params: {
    field: () =>
      import('./CapaAccountPicker').then(m =>
        createFormField({
          name: 'CapaAccountPicker',
          component: m.CapaAccountPicker,
          validation: m.capaAccountPickerValidation as any,
        }),
      ),
  },
});

/** @alpha */
export const capaNamespacePickerFormField = FormFieldBlueprint.make({
  name: 'capa-namespace-picker',
  params: {
    field: () =>
      import('./CapaNamespacePicker').then(m =>
        createFormField({
          name: 'CapaNamespacePicker',
          component: m.CapaNamespacePicker as any,
        }),
      ),
  },
});

/** @alpha */
export const capaManagementClusterPickerFormField = FormFieldBlueprint.make({
  name: 'capa-management-cluster-picker',
  params: {
    field: () =>
      import('./CapaManagementClusterPicker').then(m =>
        createFormField({
          name: 'CapaManagementClusterPicker',
          component: m.CapaManagementClusterPicker as any,
        }),
      ),
  },
});

/**
 * The three capa form fields, installed into the scaffolder plugin (new frontend system).
 *
 * @alpha
 */
export const capaScaffolderFormFieldsModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [
    capaAccountPickerFormField,
    capaNamespacePickerFormField,
    capaManagementClusterPickerFormField,
  ],
});
