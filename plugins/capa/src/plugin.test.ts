import {
  capaPlugin,
  CapaOverviewPage,
  EntityCapaAccountTrustCard,
  EntityCapaClusterCard,
  EntityCapaIdentityChainCard,
  EntityCapaTrustContent,
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

  it('exports its extensions', () => {
    for (const extension of [
      CapaOverviewPage,
      EntityCapaAccountTrustCard,
      EntityCapaClusterCard,
      EntityCapaIdentityChainCard,
      EntityCapaTrustContent,
    ]) {
      expect(extension).toBeDefined();
    }
  });
});
