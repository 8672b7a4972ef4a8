import {
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import type { FleetReportResponse } from '@capa-portal/plugin-capa-node';
import {
  accountEntities,
  capaAccountRef,
  EntityDefaults,
  managementClusterEntities,
} from '../entities/buildEntities';
import type {
  AccountEntityMode,
  ExternalAccountEntitySource,
} from './ExternalAccountEntities';

/**
 * Where the provider gets the fleet report: the capa backend over HTTP (or a fake in tests).
 *
 * @public
 */
export interface FleetReportSource {
  fleetReport(): Promise<FleetReportResponse>;
}

/**
 * What one provider emits: the accounts, or one management cluster's entities.
 *
 * @public
 */
export type CapaProviderScope =
  | { type: 'accounts' }
  | {
      type: 'management-cluster';
      name: string;
      owner?: string;
      system?: string;
    };

/**
 * What a {@link CapaEntityProvider} is made from.
 *
 * @public
 */
export interface CapaEntityProviderOptions {
  scope: CapaProviderScope;
  source: FleetReportSource;
  defaults: EntityDefaults;
  logger: LoggerService;
  taskRunner: SchedulerServiceTaskRunner;
  /** `capa.catalog.accountEntities` and where other providers' account entities are found (default: emit). */
  accountEntities?: {
    mode: AccountEntityMode;
    external: ExternalAccountEntitySource;
  };
}

/**
 * Emits capa-portal's entities with a full mutation per source. One provider per management cluster, so a
 * failing management cluster never touches the others; one for the accounts. When the capa backend cannot be
 * reached, or a management cluster has never been read, nothing is applied: the catalog keeps what it had.
 * A management cluster whose last read failed is still emitted from its last good read (marked stale by the API).
 *
 * @public
 */
export class CapaEntityProvider implements EntityProvider {
  readonly #scope: CapaProviderScope;
  readonly #source: FleetReportSource;
  readonly #defaults: EntityDefaults;
  readonly #logger: LoggerService;
  readonly #taskRunner: SchedulerServiceTaskRunner;
  readonly #accountMode: AccountEntityMode;
  readonly #externalAccounts?: ExternalAccountEntitySource;
  #connection?: EntityProviderConnection;

  private constructor(options: CapaEntityProviderOptions) {
    this.#scope = options.scope;
    this.#source = options.source;
    this.#defaults = options.defaults;
    this.#logger = options.logger;
    this.#taskRunner = options.taskRunner;
    this.#accountMode = options.accountEntities?.mode ?? 'emit';
    this.#externalAccounts = options.accountEntities?.external;
  }

  static create(options: CapaEntityProviderOptions): CapaEntityProvider {
    return new CapaEntityProvider(options);
  }

  getProviderName(): string {
    return this.#scope.type === 'accounts'
      ? 'capa-accounts'
      : `capa-management-cluster:${this.#scope.name}`;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
    await this.#taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        await this.refresh();
      },
    });
  }

  /** Builds and applies this provider's entities once. Returns how many, or undefined when it applied nothing. */
  async refresh(): Promise<number | undefined> {
    if (!this.#connection)
      throw new Error(`${this.getProviderName()} is not connected`);
    let report: FleetReportResponse;
    try {
      report = await this.#source.fleetReport();
    } catch (e) {
      this.#logger.warn(
        `${this.getProviderName()}: capa backend unavailable, keeping the current entities: ${e}`,
      );
      return undefined;
    }
    let defaults = this.#defaults;
    let foreign = new Map<string, string>();
    if (this.#accountMode !== 'emit' && this.#externalAccounts) {
      try {
        foreign = await this.#externalAccounts.accountRefs();
      } catch (e) {
        this.#logger.warn(
          `${this.getProviderName()}: cannot ask the catalog for other providers' account entities (capa.catalog.accountEntities: ${
            this.#accountMode
          }), keeping the current entities: ${e}`,
        );
        return undefined;
      }
      defaults = {
        ...defaults,
        accountRef: id => foreign.get(id) ?? capaAccountRef(id),
      };
    }
    let entities: Entity[];
    if (this.#scope.type === 'accounts') {
      // Before any management cluster has been read, accounts come from config alone: still worth emitting.
      // `none` emits an empty list, which also removes account entities capa emitted before the mode changed.
      entities =
        this.#accountMode === 'none'
          ? []
          : accountEntities(report, defaults, {
              skip: id => foreign.has(id),
            });
    } else {
      const name = this.#scope.name;
      const status = report.sources.find(s => s.name === name);
      if (!status?.lastSync) {
        this.#logger.info(
          `${this.getProviderName()}: not read yet${
            status?.error ? ` (${status.error})` : ''
          }; nothing applied`,
        );
        return undefined;
      }
      if (status.stale) {
        this.#logger.warn(
          `${this.getProviderName()}: last read failed (${
            status.error
          }); emitting its last good data`,
        );
      }
      entities = managementClusterEntities(report, name, this.#scope, defaults);
    }
    await this.#connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: this.getProviderName(),
      })),
    });
    return entities.length;
  }
}
