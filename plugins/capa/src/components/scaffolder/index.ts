export {
  CapaAccountPicker,
  capaAccountPickerValidation,
} from './CapaAccountPicker';
export type { CapaAccountPickerUiOptions } from './CapaAccountPicker';
export { CapaNamespacePicker } from './CapaNamespacePicker';
export type { CapaNamespacePickerUiOptions } from './CapaNamespacePicker';
export { CapaManagementClusterPicker } from './CapaManagementClusterPicker';
export type { CapaManagementClusterPickerUiOptions } from './CapaManagementClusterPicker';
export {
  CapaAccountPickerFieldExtension,
  CapaNamespacePickerFieldExtension,
  CapaManagementClusterPickerFieldExtension,
} from './extensions';
export {
  capaAccountPickerFormField,
  capaNamespacePickerFormField,
  capaManagementClusterPickerFormField,
  capaScaffolderFormFieldsModule,
} from './formFields';
