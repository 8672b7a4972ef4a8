/*
 * The capa backend as the fault and security suites start it: the real plugin on the live fleet of two test
 * Kubernetes API servers, with a scheduler probe and a capturing root logger.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { CapaBackendClient } from '@capa-portal/plugin-capa-node';
import {
  smallCapaFleet,
  TestKubernetesApiServer,
} from '@capa-portal/plugin-capa-node/testing';
import { capaPlugin } from '../plugin';
import { liveFleetConfig, type LiveFleetOptions } from './fleet';
import { captureLogs, schedulerProbe } from './harness';

/** Starts the capa backend on `fleet`; `features` come after the plugin, probe, logger and config. */
export async function startCapaBackend(
  fleet: LiveFleetOptions,
  features: any[] = [],
) {
  const probe = schedulerProbe();
  const logs = captureLogs();
  const { server } = await startTestBackend({
    features: [
      capaPlugin,
      probe.module,
      logs.factory,
      mockServices.rootConfig.factory({ data: liveFleetConfig(fleet) }),
      ...features,
    ],
  });
  return { server, probe, logs };
}

/**
 * Two test Kubernetes API servers serving the small fleet, started before each test of the calling suite and
 * stopped after it: `servers.a` and `servers.b` (mgmt-a and mgmt-b in `startCapaBackend({ servers })`).
 */
export function twoServersPerTest(): {
  a: TestKubernetesApiServer;
  b: TestKubernetesApiServer;
} {
  const servers = {} as {
    a: TestKubernetesApiServer;
    b: TestKubernetesApiServer;
  };
  beforeEach(async () => {
    servers.a = await TestKubernetesApiServer.start({
      objects: smallCapaFleet(),
    });
    servers.b = await TestKubernetesApiServer.start({
      objects: smallCapaFleet(),
    });
  });
  afterEach(async () => {
    await servers.a.stop();
    await servers.b.stop();
  });
  return servers;
}

/** A `CapaBackendClient` calling `server` (a started backend) as a service with a user's token, over fetch. */
export function capaClientFor(server: any): CapaBackendClient {
  const base = `http://127.0.0.1:${server.address().port}/api`;
  return CapaBackendClient.create({
    discovery: {
      getBaseUrl: async (pluginId: string) => `${base}/${pluginId}`,
      getExternalBaseUrl: async (pluginId: string) => `${base}/${pluginId}`,
    },
    auth: {
      getOwnServiceCredentials: async () => mockCredentials.service(),
      getPluginRequestToken: async () => ({
        token: mockCredentials.user.token(),
      }),
    } as any,
  });
}
