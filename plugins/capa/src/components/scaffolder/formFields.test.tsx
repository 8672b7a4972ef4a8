/*
 * The three scaffolder form fields through their FormFieldBlueprint extensions (new frontend system): each
 * extension outputs a form field loader (`FormFieldBlueprint.dataRefs.formFieldLoader`, attached to
 * `api:scaffolder/form-fields`), and the loaded field carries the name that the shipped templates use in
 * `ui:field` (plugins/scaffolder-backend-module-capa/templates/*\/template.yaml).
 */
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CapaAccountPicker } from './CapaAccountPicker';
import { CapaManagementClusterPicker } from './CapaManagementClusterPicker';
import { CapaNamespacePicker } from './CapaNamespacePicker';
import {
  capaAccountPickerFormField,
  capaManagementClusterPickerFormField,
  capaNamespacePickerFormField,
  capaScaffolderFormFieldsModule,
} from './formFields';

const TEMPLATES = path.resolve(
  __dirname,
  '../../../../scaffolder-backend-module-capa/templates',
);
const templateFields = ['onboard-aws-account', 'create-workload-cluster']
  .map(t => readFileSync(path.join(TEMPLATES, t, 'template.yaml'), 'utf8'))
  .flatMap(text => [...text.matchAll(/ui:field: (Capa\w+)/g)].map(m => m[1]));

describe('capa scaffolder form fields (new frontend system)', () => {
  it.each([
    ['CapaAccountPicker', capaAccountPickerFormField, CapaAccountPicker],
    ['CapaNamespacePicker', capaNamespacePickerFormField, CapaNamespacePicker],
    [
      'CapaManagementClusterPicker',
      capaManagementClusterPickerFormField,
      CapaManagementClusterPicker,
    ],
  ] as const)(
    'provides the form field %s through its extension',
    async (name, extension, component) => {
      expect(templateFields).toContain(name);
      // The three definitions differ only in their name's literal type; the tester takes one at a time.
      const tester = createExtensionTester(
        extension as typeof capaAccountPickerFormField,
      );
      const loader = tester.get(FormFieldBlueprint.dataRefs.formFieldLoader);
      expect(typeof loader).toBe('function');
      // A FormField is opaque in the public types; its instance carries the createFormField options.
      const field = (await loader()) as unknown as {
        $$type: string;
        name: string;
        component: unknown;
      };
      expect(field.$$type).toBe('@backstage/scaffolder/FormField');
      expect(field.name).toBe(name);
      expect(field.component).toBe(component);
    },
  );

  it('installs the three extensions into the scaffolder, attached to its form fields API', () => {
    expect(capaScaffolderFormFieldsModule.pluginId).toBe('scaffolder');
    expect(capaScaffolderFormFieldsModule.$$type).toBe(
      '@backstage/FrontendModule',
    );
    for (const extension of [
      capaAccountPickerFormField,
      capaNamespacePickerFormField,
      capaManagementClusterPickerFormField,
    ]) {
      expect((extension as any).attachTo).toMatchObject({
        id: 'api:scaffolder/form-fields',
        input: 'formFields',
      });
    }
  });
});
