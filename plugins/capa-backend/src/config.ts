import { Config, readDurationFromConfig } from '@backstage/config';
import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { durationToMilliseconds } from '@backstage/types';
import {
  DEFAULT_WATCH_LEASE,
  WatchLeaseTiming,
} from './services/WatchLeadership';

export interface CapaBackendSettings {
  refresh: SchedulerServiceTaskScheduleDefinition;
  /** `capa.refresh.watchLease`: how long the lease on a watched management cluster lasts, and its renewal. */
  watchLease: WatchLeaseTiming;
  verification: SchedulerServiceTaskScheduleDefinition;
  /** Verify live with AWS (STS, IAM, Organizations): on when `capa.liveVerification` is true, or when an `aws` block exists. */
  liveVerification: boolean;
  /** `capa.permissions.catalogVisibility`: also require `catalog.entity.read` on the resource's entity (default true). */
  catalogVisibility: boolean;
  /** `capa.catalog.defaultOwner`, as the catalog module reads it (the owner of entities whose source names none). */
  defaultOwner: string;
}

function schedule(
  config: Config | undefined,
  defaults: SchedulerServiceTaskScheduleDefinition,
): SchedulerServiceTaskScheduleDefinition {
  if (!config) return defaults;
  return {
    frequency: config.has('frequency')
      ? readDurationFromConfig(config, { key: 'frequency' })
      : defaults.frequency,
    timeout: config.has('timeout')
      ? readDurationFromConfig(config, { key: 'timeout' })
      : defaults.timeout,
    initialDelay: config.has('initialDelay')
      ? readDurationFromConfig(config, { key: 'initialDelay' })
      : defaults.initialDelay,
  };
}

/** `capa.refresh.watchLease` (`ttl`, `renewEvery`): a holder steps down one renewal period before its lease ends, so the renewal must leave room for a retry. */
function watchLease(config: Config | undefined): WatchLeaseTiming {
  const ms = (key: string, fallback: number) =>
    config?.has(key)
      ? durationToMilliseconds(readDurationFromConfig(config, { key }))
      : fallback;
  const ttlMs = ms('ttl', DEFAULT_WATCH_LEASE.ttlMs);
  const renewMs = ms('renewEvery', DEFAULT_WATCH_LEASE.renewMs);
  if (!(renewMs > 0) || renewMs * 3 > ttlMs) {
    throw new Error(
      `capa.refresh.watchLease: renewEvery (${renewMs} ms) must be more than 0 and at most a third of ttl (${ttlMs} ms), so a missed renewal does not hand the watch over`,
    );
  }
  return { ttlMs, renewMs };
}

/** Reads the backend's own settings from the `capa` block (the fleet itself is read by capa-node). */
export function readCapaBackendConfig(config: Config): CapaBackendSettings {
  const capa = config.getOptionalConfig('capa');
  return {
    refresh: schedule(capa?.getOptionalConfig('refresh'), {
      frequency: { minutes: 5 },
      timeout: { minutes: 2 },
    }),
    watchLease: watchLease(capa?.getOptionalConfig('refresh.watchLease')),
    verification: schedule(capa?.getOptionalConfig('verification'), {
      frequency: { minutes: 30 },
      timeout: { minutes: 10 },
      initialDelay: { seconds: 30 },
    }),
    liveVerification:
      capa?.getOptionalBoolean('liveVerification') ?? config.has('aws'),
    catalogVisibility:
      capa?.getOptionalBoolean('permissions.catalogVisibility') ?? true,
    defaultOwner: capa?.getOptionalString('catalog.defaultOwner') ?? 'unknown',
  };
}
