import type { ReactElement } from 'react';
import type { Entity } from '@backstage/catalog-model';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { capaApiRef, type CapaApi } from '../api';

/**
 * Renders a capa component in a test app with a fake capa API and an entity. Permissions are allowed;
 * tests of permission-gated behaviour mock `usePermission` (its SWR cache outlives a single test).
 */
export async function renderCapa(
  element: ReactElement,
  options: {
    api: CapaApi;
    entity?: Entity;
  },
) {
  const { api, entity } = options;
  const permissionApi = mockApis.permission();
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [capaApiRef, api],
        [permissionApiRef, permissionApi],
      ]}
    >
      {entity ? (
        <EntityProvider entity={entity}>{element}</EntityProvider>
      ) : (
        element
      )}
    </TestApiProvider>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}
