/*
 * The gatherer's results cache: cache-aside over the shared cache (Backstage's CacheService, or an in-memory
 * one per gatherer), with in-flight sharing so that concurrent requests for one key make one AWS call.
 * Values are plain JSON and never hold credentials; keys hash what was asked.
 */
import { createHash } from 'node:crypto';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { describeAwsError } from '../awsErrors';
import { NoCredentials } from './credentials';
import type { AwsEvidenceCache } from './types';

export const CACHE_PREFIX = 'capa-aws:v1';
export const DEFAULT_TTL_MS = 15 * 60 * 1000;

/** A short key part from what was asked (no ARN, ExternalId or policy in clear). */
export function hash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value))
    .digest('hex')
    .slice(0, 32);
}

/** The cache of one gatherer when none is shared: bounded, expired entries dropped, values copied. */
export class InMemoryCache implements AwsEvidenceCache {
  readonly #entries = new Map<string, { value: unknown; expires: number }>();
  async get(key: string) {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return JSON.parse(JSON.stringify(entry.value));
  }
  async set(key: string, value: unknown, options?: { ttl?: number }) {
    if (this.#entries.size >= 10_000) {
      const now = Date.now();
      for (const [k, e] of this.#entries)
        if (e.expires <= now) this.#entries.delete(k);
    }
    this.#entries.set(key, {
      value: JSON.parse(JSON.stringify(value)),
      expires: Date.now() + (options?.ttl ?? DEFAULT_TTL_MS),
    });
  }
}

export class EvidenceCache {
  readonly #cache: AwsEvidenceCache;
  readonly #logger: LoggerService;
  readonly #ttlMs: number;
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(cache: AwsEvidenceCache, logger: LoggerService, ttlMs: number) {
    this.#cache = cache;
    this.#logger = logger;
    this.#ttlMs = ttlMs;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /**
   * Cache-aside with in-flight sharing. `compute` returning undefined (no credentials) or throwing
   * NoCredentials caches nothing and yields undefined. Values are JSON, without credentials.
   */
  async cached<T>(
    key: string,
    force: boolean,
    compute: () => Promise<T | undefined>,
    ttlOf?: (value: T) => number,
  ): Promise<T | undefined> {
    const running = this.#inflight.get(key);
    if (running) return running as Promise<T | undefined>;
    if (!force) {
      const hit = await this.#get(key);
      if (hit !== undefined) return hit as T;
      const started = this.#inflight.get(key);
      if (started) return started as Promise<T | undefined>;
    }
    const promise = (async () => {
      let value: T | undefined;
      try {
        value = await compute();
      } catch (e) {
        if (e instanceof NoCredentials) return undefined;
        // Only our own code can throw here; report without the error object.
        this.#logger.error(
          `capa: live AWS evidence failed unexpectedly: ${describeAwsError(e)}`,
        );
        return undefined;
      }
      if (value !== undefined)
        await this.#set(key, value, ttlOf?.(value) ?? this.#ttlMs);
      return value;
    })().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  async #get(key: string): Promise<unknown> {
    try {
      return await this.#cache.get(key);
    } catch (e) {
      this.#logger.warn(
        `capa: cache read failed, asking AWS: ${describeAwsError(e)}`,
      );
      return undefined;
    }
  }

  async #set(key: string, value: unknown, ttl: number): Promise<void> {
    try {
      await this.#cache.set(key, value, { ttl });
    } catch (e) {
      this.#logger.warn(`capa: cache write failed: ${describeAwsError(e)}`);
    }
  }
}
