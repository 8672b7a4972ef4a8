import {
  LoggerService,
  RootInstanceMetadataService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { Knex } from 'knex';
import { ResourceOwnership } from '../../permissions/resources';
import { readNotificationSettings } from './config';
import { NotifiedStates } from './NotifiedStates';
import { TrustNotifier, TrustNotifierSource } from './TrustNotifier';

export { TrustNotifier } from './TrustNotifier';
export type { NotifyPass } from './TrustNotifier';

/**
 * The trust notifier, or undefined when alerts are off: `capa.notifications.enabled: false`, or unset and the
 * notifications backend is not installed in this backend. (`notificationService` itself always exists: its default
 * factory POSTs to the notifications plugin, which answers 404 when it is not installed; so the plugin list is
 * asked instead of finding out from failures.)
 */
export async function createTrustNotifier(options: {
  config: Config;
  db: Knex;
  source: TrustNotifierSource;
  notifications: NotificationService;
  instanceMetadata: RootInstanceMetadataService;
  ownership: ResourceOwnership;
  logger: LoggerService;
}): Promise<TrustNotifier | undefined> {
  const settings = readNotificationSettings(options.config);
  if (settings.enabled === false) {
    options.logger.info(
      'capa: trust notifications are off (capa.notifications.enabled is false)',
    );
    return undefined;
  }
  if (settings.enabled === undefined) {
    const plugins = await options.instanceMetadata.getInstalledPlugins();
    if (!plugins.some(p => p.pluginId === 'notifications')) {
      options.logger.info(
        'capa: trust notifications are off: the notifications backend (@backstage/plugin-notifications-backend) is not installed in this backend; set capa.notifications.enabled to true when it runs on another instance',
      );
      return undefined;
    }
  }
  options.logger.info(
    `capa: trust notifications on, for ${
      settings.tiers ? `tiers ${[...settings.tiers].join(', ')}` : 'every tier'
    }`,
  );
  return new TrustNotifier({
    source: options.source,
    states: new NotifiedStates(options.db),
    notifications: options.notifications,
    settings,
    ownership: options.ownership,
    logger: options.logger,
  });
}
