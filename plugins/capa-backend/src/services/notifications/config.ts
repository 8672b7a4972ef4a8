import { Config } from '@backstage/config';

/** `capa.notifications` (config.d.ts). */
export interface NotificationSettings {
  /**
   * `true`: send; `false`: off; unset: send when the notifications backend is installed in this backend
   * (`enabled: true` is for a notifications plugin on another backend instance).
   */
  enabled?: boolean;
  /** Lower-cased tiers whose accounts (and their clusters) notify; undefined: every tier. */
  tiers?: Set<string>;
  /** Tell a management cluster's owner when its source goes stale and when it recovers (default true). */
  staleSources: boolean;
}

export function readNotificationSettings(config: Config): NotificationSettings {
  const block = config.getOptionalConfig('capa.notifications');
  const tiers = block?.getOptionalStringArray('tiers');
  return {
    enabled: block?.getOptionalBoolean('enabled'),
    tiers: tiers ? new Set(tiers.map(t => t.toLowerCase())) : undefined,
    staleSources: block?.getOptionalBoolean('staleSources') ?? true,
  };
}
