import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
  createServiceFactory,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Config, ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import type { CapaFleetSourceFactory } from '../extensions';
import type { FleetSources } from '../sources/types';
import { CapaFleetService, capaFleetServiceRef } from './fleetService';

const IAM_URL = 'https://git.example.test/fleet/iam/management.yaml';
const IAM_DOCUMENT = [
  'apiVersion: bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1',
  'kind: AWSIAMConfiguration',
  'spec: {}',
].join('\n');

function inlineFleet(managementClusters: JsonObject[]): JsonObject {
  return {
    capa: {
      managementClusters,
      accounts: [{ accountId: '222222222222', name: 'staging' }],
    },
  };
}

const MGMT_EU: JsonObject = {
  name: 'mgmt-eu',
  accountId: '111111111111',
  manifests: 'https://git.example.test/fleet/clusters/mgmt-eu',
  iamConfiguration: IAM_URL,
};

/** A root config whose data a test can change, telling its subscribers as Backstage's file watcher does. */
function changingConfig(initial: JsonObject) {
  let current: Config = new ConfigReader(initial);
  const listeners = new Set<() => void>();
  const config = new Proxy({} as Config, {
    get: (_target, key: string) => {
      if (key === 'subscribe')
        return (fn: () => void) => {
          listeners.add(fn);
          return { unsubscribe: () => listeners.delete(fn) };
        };
      const value = (current as any)[key];
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
  return {
    factory: createServiceFactory({
      service: coreServices.rootConfig,
      deps: {},
      factory: () => config,
    }),
    change(data: JsonObject) {
      current = new ConfigReader(data);
      listeners.forEach(fn => fn());
    },
  };
}

/** A URL reader that serves the iamConfiguration document and counts what it is asked. */
function countingUrlReader() {
  const urls: string[] = [];
  const reader: UrlReaderService = {
    async readUrl(url: string) {
      urls.push(url);
      return {
        buffer: async () => Buffer.from(IAM_DOCUMENT),
        stream: () => {
          throw new Error('not used');
        },
      } as any;
    },
    readTree: async () => {
      throw new Error('not used');
    },
    search: async () => {
      throw new Error('not used');
    },
  };
  return {
    urls,
    factory: createServiceFactory({
      service: coreServices.urlReader,
      deps: {},
      factory: () => reader,
    }),
  };
}

/** The three consumers of the fleet in a real backend: the capa plugin and the catalog and scaffolder modules. */
function consumers(seen: Record<string, CapaFleetService>) {
  const plugin = (pluginId: string) =>
    createBackendPlugin({
      pluginId,
      register(env) {
        env.registerInit({
          deps: { fleet: capaFleetServiceRef },
          async init({ fleet }) {
            seen[pluginId] = fleet;
            await fleet.getFleet();
          },
        });
      },
    });
  const module = (pluginId: string) =>
    createBackendModule({
      pluginId,
      moduleId: 'capa',
      register(env) {
        env.registerInit({
          deps: { fleet: capaFleetServiceRef },
          async init({ fleet }) {
            seen[`${pluginId}.capa`] = fleet;
            await fleet.getFleet();
          },
        });
      },
    });
  return [
    plugin('capa'),
    plugin('catalog'),
    module('catalog'),
    plugin('scaffolder'),
    module('scaffolder'),
  ];
}

const names = (fleet: FleetSources) =>
  fleet.managementClusters.map(m => m.cluster.name);

describe('capaFleetServiceRef', () => {
  it('reads the fleet configuration and the files it names once for the whole backend', async () => {
    const reader = countingUrlReader();
    const seen: Record<string, CapaFleetService> = {};
    await startTestBackend({
      features: [
        ...consumers(seen),
        mockServices.rootConfig.factory({ data: inlineFleet([MGMT_EU]) }),
        reader.factory,
      ],
    });
    // Three consumers asked; the iamConfiguration URL was fetched once (each used to read it on its own).
    expect(Object.keys(seen).sort()).toEqual([
      'capa',
      'catalog',
      'catalog.capa',
      'scaffolder',
      'scaffolder.capa',
    ]);
    expect(reader.urls).toEqual([IAM_URL]);
    for (const service of Object.values(seen)) {
      const fleet = await service.getFleet();
      expect(names(fleet)).toEqual(['mgmt-eu']);
      expect(fleet.managementClusters[0].cluster.iamConfiguration).toEqual({
        apiVersion: 'bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'AWSIAMConfiguration',
        spec: {},
      });
      expect(fleet.accounts.map(a => a.accountId)).toEqual(['222222222222']);
    }
    expect(reader.urls).toHaveLength(1);
  });

  it('reads the fleet again when the configuration changes, and keeps the last good one when it cannot', async () => {
    const config = changingConfig(inlineFleet([MGMT_EU]));
    const reader = countingUrlReader();
    const seen: Record<string, CapaFleetService> = {};
    await startTestBackend({
      features: [...consumers(seen), config.factory, reader.factory],
    });
    const changes: number[] = [];
    seen.capa.onChange(() => changes.push(changes.length + 1));

    config.change(
      inlineFleet([
        MGMT_EU,
        { name: 'mgmt-us', accountId: '999999999999', manifests: 'clusters' },
      ]),
    );
    await new Promise(resolve => setImmediate(resolve));
    await expect(seen.capa.getFleet().then(names)).resolves.toEqual([
      'mgmt-eu',
      'mgmt-us',
    ]);
    await expect(seen['catalog.capa'].getFleet().then(names)).resolves.toEqual([
      'mgmt-eu',
      'mgmt-us',
    ]);
    expect(changes).toEqual([1]);

    // A fleetFile that cannot be read: the change is refused, the fleet stays, no listener hears of it.
    config.change({ capa: { fleetFile: '/nonexistent/capa/fleet.yaml' } });
    await new Promise(resolve => setImmediate(resolve));
    await expect(seen.scaffolder.getFleet().then(names)).resolves.toEqual([
      'mgmt-eu',
      'mgmt-us',
    ]);
    expect(changes).toEqual([1]);
  });

  it('builds module-provided sources with their factory and their own configuration', async () => {
    const seen: Record<string, CapaFleetService> = {};
    await startTestBackend({
      features: [
        ...consumers(seen),
        mockServices.rootConfig.factory({
          data: inlineFleet([
            {
              name: 'mgmt-argo',
              accountId: '111111111111',
              source: { type: 'argocd', application: 'capa-fleet' },
            },
            {
              name: 'mgmt-flux',
              accountId: '111111111111',
              source: { type: 'flux' },
            },
          ]),
        }),
      ],
    });
    const argocd: CapaFleetSourceFactory = {
      type: 'argocd',
      create: ({ name, config }) => ({
        name,
        type: 'manifests',
        target: `argocd:${config.getString('application')}`,
        read: async () => ({ objects: [], problems: [] }),
      }),
    };
    const fleet = await seen.capa.getFleet({ sourceFactories: [argocd] });
    const [argo, flux] = fleet.managementClusters;
    expect(argo.source.target).toBe('argocd:capa-fleet');
    await expect(argo.source.read()).resolves.toEqual({
      objects: [],
      problems: [],
    });
    // No module provides `flux`: reading it fails (so a last good read is kept), naming the type.
    await expect(flux.source.read()).rejects.toThrow(
      'source.type "flux": no installed backend module provides this fleet source (installed: argocd)',
    );
    // The catalog module asks without factories: it sees the management clusters all the same.
    await expect(seen['catalog.capa'].getFleet().then(names)).resolves.toEqual([
      'mgmt-argo',
      'mgmt-flux',
    ]);
  });
});
