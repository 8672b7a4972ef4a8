import { ComponentType, createElement } from 'react';
import { getComponentData } from '@backstage/core-plugin-api';
import {
  capaPlugin,
  CapaOverviewPage,
  EntityCapaAccountTrustCard,
  EntityCapaClusterCard,
  EntityCapaIdentityChainCard,
  EntityCapaTrustContent,
  EntityCapaWorkloadAccessContent,
} from './plugin';
import { capaApiRef } from './api';
import { rootRouteRef } from './routes';

describe('capaPlugin (legacy)', () => {
  it('has the id capa, provides the client and exposes the root route', () => {
    expect(capaPlugin.getId()).toBe('capa');
    expect([...capaPlugin.getApis()].map(f => f.api.id)).toEqual([
      capaApiRef.id,
    ]);
    expect(capaPlugin.routes.root).toBe(rootRouteRef);
  });

  // Legacy extensions carry their wiring as component data (core-plugin-api's createReactExtension): the plugin
  // that provides them, the name they report to analytics, and for routable ones their mount point. An app's
  // route binding and analytics depend on these, so each is checked, not just that the export exists.
  it.each([
    ['CapaOverviewPage', CapaOverviewPage, rootRouteRef],
    ['EntityCapaAccountTrustCard', EntityCapaAccountTrustCard, undefined],
    ['EntityCapaClusterCard', EntityCapaClusterCard, undefined],
    ['EntityCapaIdentityChainCard', EntityCapaIdentityChainCard, undefined],
    ['EntityCapaTrustContent', EntityCapaTrustContent, undefined],
    [
      'EntityCapaWorkloadAccessContent',
      EntityCapaWorkloadAccessContent,
      undefined,
    ],
  ] as const)(
    '%s is provided by capaPlugin under its own name',
    (name, extension, mountPoint) => {
      const element = createElement(extension as ComponentType);
      expect(getComponentData(element, 'core.plugin')).toBe(capaPlugin);
      expect(getComponentData(element, 'core.extensionName')).toBe(name);
      expect(getComponentData(element, 'core.mountPoint')).toBe(mountPoint);
    },
  );
});
