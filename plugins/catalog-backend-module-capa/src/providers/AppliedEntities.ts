import { createHash, randomUUID } from 'node:crypto';
import type { CacheService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { EntityProviderMutation } from '@backstage/plugin-catalog-node';

/** A safety-net full mutation at least this often, whatever the deltas (default of `capa.catalog.fullMutationEvery`). */
export const DEFAULT_FULL_MUTATION_INTERVAL_MS = 60 * 60 * 1000;

/**
 * What one provider last applied to the catalog, so the next mutation can be a delta: the entities whose content
 * changed or that are new (`added`, which the catalog upserts) and the refs that are gone (`removed`).
 *
 * A delta is only right when the catalog holds exactly what this instance applied last. With several replicas,
 * the provider's task runs on one of them per cycle (the scheduler's global tasks), so each apply leaves a marker
 * in the shared cache (`<provider>:<instance>:<sequence>`); an instance that does not find its own last marker
 * there (another replica applied since, the cache lost it, or this instance never applied) sends a full
 * mutation. So does every instance at least every `fullMutationIntervalMs`, and the first apply after a start.
 * Without a cache (a single replica by construction) the instance's own memory is the marker.
 */
export class AppliedEntities {
  readonly #provider: string;
  readonly #cache?: CacheService;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #instance = randomUUID();
  #sequence = 0;
  #hashes?: Map<string, string>;
  #lastFullAt = 0;
  #etag?: string;

  constructor(options: {
    provider: string;
    cache?: CacheService;
    fullMutationIntervalMs?: number;
    now?: () => number;
  }) {
    this.#provider = options.provider;
    this.#cache = options.cache;
    this.#intervalMs =
      options.fullMutationIntervalMs ?? DEFAULT_FULL_MUTATION_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
  }

  get #markerKey() {
    return `capa-catalog:applied:${this.#provider}`;
  }

  get #marker() {
    return `${this.#instance}:${this.#sequence}`;
  }

  /** Whether the catalog holds what this instance applied last (see the class comment). */
  async current(): Promise<boolean> {
    if (!this.#hashes) return false;
    if (!this.#cache) return true;
    try {
      return (await this.#cache.get(this.#markerKey)) === this.#marker;
    } catch {
      return false;
    }
  }

  /** The report tag of the last apply, when the catalog still holds it. */
  async etag(): Promise<string | undefined> {
    return (await this.current()) ? this.#etag : undefined;
  }

  /** The mutation that brings the catalog from the last apply to `entities`; undefined when nothing changed. */
  async mutation(
    entities: Entity[],
    locationKey: string,
  ): Promise<
    | { mutation: EntityProviderMutation; hashes: Map<string, string> }
    | undefined
  > {
    const hashes = new Map<string, string>();
    for (const entity of entities)
      hashes.set(
        stringifyEntityRef(entity),
        createHash('sha1').update(JSON.stringify(entity)).digest('base64'),
      );
    const previous = this.#hashes;
    const full =
      !previous ||
      !(await this.current()) ||
      this.#now() - this.#lastFullAt >= this.#intervalMs;
    if (full) {
      return {
        hashes,
        mutation: {
          type: 'full',
          entities: entities.map(entity => ({ entity, locationKey })),
        },
      };
    }
    const added = entities
      .filter(e => {
        const ref = stringifyEntityRef(e);
        return previous.get(ref) !== hashes.get(ref);
      })
      .map(entity => ({ entity, locationKey }));
    const removed = [...previous.keys()]
      .filter(ref => !hashes.has(ref))
      .map(entityRef => ({ entityRef, locationKey }));
    if (!added.length && !removed.length) return undefined;
    return { hashes, mutation: { type: 'delta', added, removed } };
  }

  /** Records an applied mutation (after the catalog accepted it). */
  async applied(
    mutation: EntityProviderMutation,
    hashes: Map<string, string>,
    etag: string | undefined,
  ): Promise<void> {
    this.#hashes = hashes;
    this.#etag = etag;
    if (mutation.type === 'full') this.#lastFullAt = this.#now();
    this.#sequence++;
    try {
      await this.#cache?.set(this.#markerKey, this.#marker, {
        ttl: { hours: 24 },
      });
    } catch {
      // Without the marker the next apply is a full one: safe.
    }
  }

  /** The report tag seen unchanged: nothing to apply, the marker stays. */
  remember(etag: string | undefined) {
    this.#etag = etag;
  }
}
