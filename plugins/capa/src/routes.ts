import {
  createExternalRouteRef,
  createRouteRef,
} from '@backstage/core-plugin-api';

/**
 * The `/capa` overview page. One route ref for both frontend systems.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({
  id: 'capa',
});

/**
 * A scaffolder template's page, where the onboarding gaps' "Onboard" buttons lead (with `?formData=`). Bound by
 * default to the scaffolder's `selectedTemplate` route in the new frontend system; a legacy app binds it with
 * `bind(capaPlugin.externalRoutes, { scaffolderTemplate: scaffolderPlugin.routes.selectedTemplate })`, and without
 * a binding the buttons use the scaffolder's usual path, `/create/templates/:namespace/:templateName`.
 *
 * @public
 */
export const scaffolderTemplateRouteRef = createExternalRouteRef({
  id: 'capa-scaffolder-template',
  params: ['namespace', 'templateName'],
  optional: true,
  defaultTarget: 'scaffolder.selectedTemplate',
});
