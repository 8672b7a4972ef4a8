import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import {
  capaAccountPickerFormField,
  capaManagementClusterPickerFormField,
  capaNamespacePickerFormField,
  capaScaffolderFormFieldsModule,
} from './formFields';

describe('capa scaffolder form fields (new frontend system)', () => {
  it.each([
    [
      'scaffolder-form-field:scaffolder/capa-account-picker',
      capaAccountPickerFormField,
    ],
    [
      'scaffolder-form-field:scaffolder/capa-namespace-picker',
      capaNamespacePickerFormField,
    ],
    [
      'scaffolder-form-field:scaffolder/capa-management-cluster-picker',
      capaManagementClusterPickerFormField,
    ],
  ])('%s loads a form field', async (_, extension) => {
    const loader = createExtensionTester(
      extension as typeof capaAccountPickerFormField,
    ).get(FormFieldBlueprint.dataRefs.formFieldLoader);
    const field = await loader();
    expect(field.$$type).toBe('@backstage/scaffolder/FormField');
  });

  it('installs the three fields into the scaffolder plugin', () => {
    expect(capaScaffolderFormFieldsModule.pluginId).toBe('scaffolder');
    expect(capaScaffolderFormFieldsModule.$$type).toBe(
      '@backstage/FrontendModule',
    );
  });
});
