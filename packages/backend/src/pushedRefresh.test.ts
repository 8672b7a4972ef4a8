/*
 * The catalog hears of a changed capa report at once (CAPA_REPORT_CHANGED_TOPIC on the events service), not at its
 * next poll: the catalog module's schedule here first runs after an hour, so every entity that reaches the catalog
 * in this test came through the announcement. capa reads its manifests folder every second.
 */
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import capaPlugin from '@capa-portal/plugin-capa-backend';
import catalogModuleCapa from '@capa-portal/plugin-catalog-backend-module-capa';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';

const DEMO_FLEET = path.resolve(__dirname, '../../../examples/demo-fleet');
const user = mockCredentials.user.header();

async function entity(server: any, name: string) {
  const res = await request(server)
    .get(`/api/catalog/entities/by-name/resource/default/${name}`)
    .set('Authorization', user);
  return res.status === 200 ? res.body : undefined;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>) {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`${what}: not seen after 600 polls`);
}

describe('pushed catalog refresh', () => {
  let fleetDir: string;
  let server: any;

  beforeAll(async () => {
    fleetDir = mkdtempSync(path.join(os.tmpdir(), 'capa-pushed-'));
    cpSync(DEMO_FLEET, fleetDir, { recursive: true });
    ({ server } = await startTestBackend({
      features: [
        capaPlugin,
        catalogPlugin,
        catalogModuleCapa,
        schedulerServiceFactory,
        // The events service a backend made with createBackend has (the test backend's mock is per plugin).
        eventsServiceFactory,
        createServiceFactory({
          service: coreServices.rootLogger,
          deps: {},
          factory: () => mockServices.rootLogger({ level: 'error' }),
        }),
        mockServices.rootConfig.factory({
          data: {
            capa: {
              fleetFile: path.join(fleetDir, 'fleet.yaml'),
              refresh: { frequency: { seconds: 1 }, timeout: { seconds: 30 } },
              catalog: {
                schedule: {
                  frequency: { hours: 1 },
                  timeout: { minutes: 1 },
                  initialDelay: { hours: 1 },
                },
              },
            },
          },
        }),
      ],
    }));
  });
  afterAll(() => rmSync(fleetDir, { recursive: true, force: true }));

  it('puts the entities in the catalog when capa announces a change, with no scheduled catalog run', async () => {
    // examples/demo-fleet: mgmt-eu's EKS cluster staging/checkout-staging uses staging-identity, which admits
    // namespace staging; live-identity admits only live (CAPA: allowedNamespaces.list).
    const name = 'checkout-staging.staging.mgmt-eu';
    const verdict = async () =>
      (await entity(server, name))?.metadata.annotations[
        'capa-portal.io/verdict'
      ];
    // capa has read both management clusters, and the catalog has run nothing yet: no entity.
    await until('capa synced', async () => {
      const res = await request(server)
        .get('/api/capa/management-clusters')
        .set('Authorization', user);
      return res.body.items?.length &&
        res.body.items.every((m: any) => m.lastSync)
        ? true
        : undefined;
    });
    expect(await entity(server, name)).toBeUndefined();
    const file = path.join(
      fleetDir,
      'clusters/mgmt-eu/staging/checkout-staging.yaml',
    );
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'name: staging-identity',
        'name: live-identity',
      ),
    );
    // capa reads the folder again within a second, stores the new content and announces it; the catalog module
    // applies its first (full) mutation, and the entity shows the change.
    await until('the broken verdict', async () =>
      (await verdict()) === 'broken' ? true : undefined,
    );
  }, 120_000);
});
