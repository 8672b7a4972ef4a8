/*
 * The capa backend as the fault and security suites start it: the real plugin on the live fleet of two test
 * Kubernetes API servers, with a scheduler probe and a capturing root logger.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
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
