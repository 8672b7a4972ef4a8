/*
 * One fleet configuration for every plugin of a backend: the capa plugin, the catalog module and the scaffolder
 * module all ask this service instead of each reading `capa.fleetFile` (and its iamConfiguration files) again.
 */
import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LoggerService,
  RootConfigService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import type { CapaFleetSourceFactory } from '../extensions';
import {
  buildFleetSources,
  FleetConfiguration,
  readFleetConfiguration,
} from '../sources/createFleetSources';
import type { FleetSources } from '../sources/types';

/**
 * The fleet as configured (`capa.fleetFile` or the inline `capa` block).
 *
 * @public
 */
export interface CapaFleetService {
  /**
   * The management clusters (each with its source) and accounts. Read once per backend, re-read when the
   * configuration changes; a re-read that fails keeps the last good fleet. Management clusters configured with
   * `source: { type }` get their source from `sourceFactories` (the capa plugin passes the factories modules
   * added through `capaFleetSourcesExtensionPoint`); without a matching factory their source fails when read.
   */
  getFleet(options?: {
    sourceFactories?: Iterable<CapaFleetSourceFactory>;
  }): Promise<FleetSources>;
  /** Calls `listener` after the configuration changed and the fleet was read again. */
  onChange(listener: () => void): { unsubscribe(): void };
}

/**
 * Reads the fleet configuration once for the whole backend and again on config change. Plugin-scoped services
 * (the URL reader) cannot be used from a root context, so the first plugin that asks lends its URL reader for
 * the iamConfiguration URLs; every plugin's URL reader is built from the same `integrations` config.
 */
class SharedFleetConfiguration {
  #current?: Promise<FleetConfiguration>;
  #urlReader?: UrlReaderService;
  readonly #listeners = new Set<() => void>();

  constructor(
    private readonly config: RootConfigService,
    private readonly logger: LoggerService,
  ) {
    config.subscribe?.(() => this.#reload());
  }

  get(urlReader: UrlReaderService): Promise<FleetConfiguration> {
    this.#urlReader ??= urlReader;
    if (!this.#current) {
      this.#current = this.#read();
      // A first read that fails is not kept: the next caller tries again (and hears why).
      this.#current.catch(() => (this.#current = undefined));
    }
    return this.#current;
  }

  onChange(listener: () => void) {
    this.#listeners.add(listener);
    return { unsubscribe: () => void this.#listeners.delete(listener) };
  }

  async #read(): Promise<FleetConfiguration> {
    const fleet = await readFleetConfiguration(this.config, {
      urlReader: this.#urlReader!,
    });
    for (const p of fleet.problems)
      this.logger.warn(`capa config: ${p.source}: ${p.message}`);
    return fleet;
  }

  async #reload() {
    if (!this.#urlReader) return; // nobody has asked yet: the first get() reads the new config
    try {
      const fleet = await this.#read();
      this.#current = Promise.resolve(fleet);
    } catch (e) {
      this.logger.error(
        `capa config changed, but the new fleet cannot be read; keeping the last one: ${
          (e as Error).message
        }`,
      );
      return;
    }
    for (const listener of this.#listeners) listener();
  }
}

/**
 * The shared fleet of capa-portal (id `capa.fleet`). Its default factory reads app-config; a backend can
 * replace it with `createServiceFactory({ service: capaFleetServiceRef, ... })`, e.g. to build the fleet from
 * somewhere else entirely.
 *
 * @public
 */
export const capaFleetServiceRef = createServiceRef<CapaFleetService>({
  id: 'capa.fleet',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        rootConfig: coreServices.rootConfig,
        rootLogger: coreServices.rootLogger,
        urlReader: coreServices.urlReader,
        logger: coreServices.logger,
      },
      createRootContext({ rootConfig, rootLogger }) {
        return new SharedFleetConfiguration(
          rootConfig,
          rootLogger.child({ service: 'capa.fleet' }),
        );
      },
      factory({ urlReader, logger }, shared): CapaFleetService {
        return {
          async getFleet(options) {
            const configuration = await shared.get(urlReader);
            return buildFleetSources(configuration, {
              urlReader,
              logger,
              sourceFactories: options?.sourceFactories,
            });
          },
          onChange: listener => shared.onChange(listener),
        };
      },
    }),
});
