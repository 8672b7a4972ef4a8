import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { ClustersResponse } from '@capa-portal/plugin-capa-common';
import {
  type CapaFleetSourceFactory,
  capaFleetSourcesExtensionPoint,
} from '@capa-portal/plugin-capa-node';
import { smallCapaFleet } from '@capa-portal/plugin-capa-node/testing';
import request from 'supertest';
import { everyManagementClusterRead } from './__testUtils__/harness';
import { capaPlugin } from './plugin';

const user = mockCredentials.user.header();

/** A backend module of the capa plugin that adds a fleet source type, as adopters write one. */
function sourceModule(moduleId: string, factory: CapaFleetSourceFactory) {
  return createBackendModule({
    pluginId: 'capa',
    moduleId,
    register(env) {
      env.registerInit({
        deps: { sources: capaFleetSourcesExtensionPoint },
        async init({ sources }) {
          sources.addSourceFactory(factory);
        },
      });
    },
  });
}

/** A team's own fleet source, as a module of the capa plugin would add it (an Argo CD reader, say). */
const gitopsSourceModule = sourceModule('team-gitops-source', {
  type: 'team-gitops',
  create: ({ name, config }) => ({
    name,
    type: 'manifests',
    target: `team-gitops:${config.getString('application')}`,
    read: async () => ({
      objects: smallCapaFleet().map(object => ({
        object,
        location: { source: `team-gitops:${name}` },
      })),
      problems: [],
    }),
  }),
});

describe('capaFleetSourcesExtensionPoint', () => {
  it('reads management clusters from the sources modules add, and names a source type nobody provides', async () => {
    const { server } = await startTestBackend({
      features: [
        capaPlugin,
        gitopsSourceModule,
        mockServices.rootConfig.factory({
          data: {
            capa: {
              managementClusters: [
                {
                  name: 'mgmt-gitops',
                  accountId: '111111111111',
                  source: { type: 'team-gitops', application: 'capa-fleet' },
                },
                {
                  name: 'mgmt-flux',
                  accountId: '111111111111',
                  source: { type: 'flux' },
                },
              ],
            },
          },
        }),
      ],
    });
    const items = await everyManagementClusterRead(server);
    const gitops = items.find(m => m.name === 'mgmt-gitops')!;
    const flux = items.find(m => m.name === 'mgmt-flux')!;
    expect(gitops.error).toBeUndefined();
    expect(flux.error).toMatch(
      /source.type "flux": no installed backend module provides this fleet source \(installed: team-gitops\)/,
    );

    const clusters = await request(server)
      .get('/api/capa/clusters?managementCluster=mgmt-gitops')
      .set('Authorization', user);
    expect(clusters.status).toBe(200);
    const expected = smallCapaFleet()
      .filter(o => o.kind === 'Cluster')
      .map(o => `${o.metadata.namespace}/${o.metadata.name}`)
      .sort();
    expect(
      (clusters.body as ClustersResponse).items
        .map(c => `${c.namespace}/${c.name}`)
        .sort(),
    ).toEqual(expected);
  });

  it('refuses a module that replaces a built-in source type', async () => {
    const replacing = sourceModule('replacing', {
      type: 'kubernetes',
      create: () => {
        throw new Error('never');
      },
    });
    await expect(
      startTestBackend({
        features: [
          capaPlugin,
          replacing,
          mockServices.rootConfig.factory({ data: { capa: {} } }),
        ],
      }),
    ).rejects.toThrow(
      /capa fleet source type kubernetes is built in and cannot be replaced/,
    );
  });
});
