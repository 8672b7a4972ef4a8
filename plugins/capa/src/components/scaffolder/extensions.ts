/*
 * The scaffolder field extensions for legacy apps (`createScaffolderFieldExtension`, provided by capaPlugin).
 * The lead exports these from src/index.ts (see the scaffolder report); alpha.tsx uses ./formFields.
 */
import {
  createScaffolderFieldExtension,
  type CustomFieldValidator,
} from '@backstage/plugin-scaffolder-react';
import { capaPlugin } from '../../plugin';
import {
  CapaAccountPicker,
  capaAccountPickerValidation,
} from './CapaAccountPicker';
import { CapaManagementClusterPicker } from './CapaManagementClusterPicker';
import { CapaNamespacePicker } from './CapaNamespacePicker';

/**
 * `ui:field: CapaAccountPicker` for legacy apps.
 *
 * @public
 */
export const CapaAccountPickerFieldExtension = capaPlugin.provide(
  createScaffolderFieldExtension({
    name: 'CapaAccountPicker',
    component: CapaAccountPicker,
    validation: capaAccountPickerValidation as CustomFieldValidator<string>,
  }),
);

/**
 * `ui:field: CapaNamespacePicker` for legacy apps.
 *
 * @public
 */
export const CapaNamespacePickerFieldExtension = capaPlugin.provide(
  createScaffolderFieldExtension({
    name: 'CapaNamespacePicker',
    component: CapaNamespacePicker,
  }),
);

/**
 * `ui:field: CapaManagementClusterPicker` for legacy apps.
 *
 * @public
 */
export const CapaManagementClusterPickerFieldExtension = capaPlugin.provide(
  createScaffolderFieldExtension({
    name: 'CapaManagementClusterPicker',
    component: CapaManagementClusterPicker,
  }),
);
