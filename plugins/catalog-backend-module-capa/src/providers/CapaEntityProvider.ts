import {
  CacheService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import type {
  CatalogFleetView,
  CatalogViewScope,
} from '@capa-portal/plugin-capa-common';
import type { FleetReportResponse } from '@capa-portal/plugin-capa-node';
import {
  accountEntities,
  capaAccountRef,
  EntityDefaults,
  managementClusterEntities,
} from '../entities/buildEntities';
import { AppliedEntities } from './AppliedEntities';
import { SerialRuns } from './SerialRuns';
import type {
  AccountEntityMode,
  ExternalAccountEntitySource,
} from './ExternalAccountEntities';

/**
 * Where the provider gets the fleet: the capa backend over HTTP (or a fake in tests).
 *
 * @public
 */
export interface FleetReportSource {
  fleetReport(): Promise<FleetReportResponse>;
  /**
   * The report unless it is still the one tagged `etag` (then `{ etag }` alone): what `CapaBackendClient`
   * answers from the backend's ETag. Sources without it are asked for the whole report every time.
   */
  fleetReportIfChanged?(
    etag?: string,
  ): Promise<{ etag?: string; report?: FleetReportResponse }>;
  /**
   * One provider's part of the fleet, unless still the one tagged `etag` (then `{ etag }` alone): what
   * `CapaBackendClient.catalogView` answers. Preferred over the whole report when present.
   */
  catalogView?(
    scope: CatalogViewScope,
    etag?: string,
  ): Promise<{ etag?: string; view?: CatalogFleetView }>;
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
  /** The shared cache, for the mark of the last apply across replicas (without it: a single replica). */
  cache?: CacheService;
  /** A full mutation at least this often (default one hour); deltas in between. */
  fullMutationIntervalMs?: number;
}

/**
 * Emits capa-portal's entities. One provider per management cluster, so a failing management cluster never
 * touches the others; one for the accounts. When the capa backend cannot be reached, or a management cluster has
 * never been read, nothing is applied: the catalog keeps what it had. A management cluster whose last read failed
 * is still emitted from its last good read (marked stale by the API).
 *
 * Each cycle asks for its part of the fleet (`GET /api/capa/catalog-view/...`: the accounts, or its management
 * cluster's identities and clusters, without checks or evidence) only if it changed (its ETag), so a change in one
 * management cluster downloads that management cluster's part alone, and applies only what changed: a delta mutation
 * of the entities whose content changed and the refs that went, nothing when none did, and a full mutation
 * first, at least every `fullMutationIntervalMs`, and whenever another replica applied since (see
 * `AppliedEntities`).
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
  readonly #applied: AppliedEntities;
  readonly #serial = new SerialRuns();
  #connection?: EntityProviderConnection;

  private constructor(options: CapaEntityProviderOptions) {
    this.#scope = options.scope;
    this.#source = options.source;
    this.#defaults = options.defaults;
    this.#logger = options.logger;
    this.#taskRunner = options.taskRunner;
    this.#accountMode = options.accountEntities?.mode ?? 'emit';
    this.#externalAccounts = options.accountEntities?.external;
    this.#applied = new AppliedEntities({
      provider: this.getProviderName(),
      cache: options.cache,
      fullMutationIntervalMs: options.fullMutationIntervalMs,
    });
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
        await this.#serial.run(() => this.refresh());
      },
    });
  }

  /**
   * Refreshes now, between scheduled runs (the capa backend announced a changed report). Runs never overlap: a
   * call during a run makes one more run after it. Never throws.
   */
  async refreshNow(): Promise<void> {
    if (!this.#connection) return;
    try {
      await this.#serial.run(() => this.refresh());
    } catch (e) {
      this.#logger.warn(`${this.getProviderName()}: refresh failed: ${e}`);
    }
  }

  /**
   * Builds this provider's entities once and applies what changed. Returns how many entities it applied (all of
   * them for a full mutation, the changed and removed ones for a delta), or undefined when it applied nothing.
   */
  async refresh(): Promise<number | undefined> {
    if (!this.#connection)
      throw new Error(`${this.getProviderName()} is not connected`);
    let report: CatalogFleetView | undefined;
    let etag: string | undefined;
    try {
      ({ report, etag } = await this.#fetchReport());
    } catch (e) {
      this.#logger.warn(
        `${this.getProviderName()}: capa backend unavailable, keeping the current entities: ${e}`,
      );
      return undefined;
    }
    if (!report) {
      // The part this provider last applied (a 304), or the first reads are still under way.
      this.#logger.debug(`${this.getProviderName()}: unchanged`);
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
    const next = await this.#applied.mutation(entities, this.getProviderName());
    if (!next) {
      this.#applied.remember(etag);
      return undefined;
    }
    await this.#connection.applyMutation(next.mutation);
    await this.#applied.applied(next.mutation, next.hashes, etag);
    return next.mutation.type === 'full'
      ? next.mutation.entities.length
      : next.mutation.added.length + next.mutation.removed.length;
  }

  /** This provider's part of the fleet (or the whole report from a source without parts), unless unchanged. */
  async #fetchReport(): Promise<{
    etag?: string;
    report?: CatalogFleetView;
  }> {
    const source = this.#source;
    if (source.catalogView) {
      const { etag, view } = await source.catalogView(
        this.#scope.type === 'accounts'
          ? { type: 'accounts' }
          : { type: 'management-cluster', name: this.#scope.name },
        await this.#applied.etag(),
      );
      return { etag, report: view };
    }
    if (!source.fleetReportIfChanged)
      return { report: await source.fleetReport() };
    return source.fleetReportIfChanged(await this.#applied.etag());
  }
}
