import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * The `/capa` overview page. One route ref for both frontend systems.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({
  id: 'capa',
});
