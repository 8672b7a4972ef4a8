import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  InputProblem,
  LocatedObject,
} from '@capa-portal/plugin-capa-common';
import { isRecord } from '@capa-portal/plugin-capa-common';
import { Watch } from '@kubernetes/client-node';
import { kubeConfigFor, ManagementClusterConnection } from './connection';
import { KubernetesFleetReader, locateListItem } from './KubernetesFleetReader';
import {
  clusterWidePath,
  KubernetesResourceType,
  MANAGEMENT_CLUSTER_KINDS,
  resourceName,
} from './kinds';

/** How long the server keeps one watch request open before it ends it (client-go picks 5 to 10 minutes). */
export const DEFAULT_WATCH_SECONDS = 300;
/** Waits before the next watch request after a failed one, the last repeated; a success starts over. */
export const WATCH_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
/** Failed watch requests of one kind in a row after which reads fail (the source goes stale). */
export const WATCH_FAILURES_BEFORE_STALE = 3;

/** @public */
export interface KubernetesFleetWatcherOptions {
  /** The management cluster's name from config; objects are located at `kubernetes://<name>`. */
  name: string;
  connection: ManagementClusterConnection;
  logger?: LoggerService;
  /** What to watch. Defaults to {@link MANAGEMENT_CLUSTER_KINDS}. */
  kinds?: readonly KubernetesResourceType[];
  /**
   * Called after events changed the objects (not for bookmarks), and when reads start or stop failing (a kind's
   * watch failed `WATCH_FAILURES_BEFORE_STALE` times in a row, or works again after that), so the owner can
   * record the failure, or its end, at once.
   */
  onChange?: () => void;
  /** `timeoutSeconds` of each watch request. Default `DEFAULT_WATCH_SECONDS` (300). */
  watchSeconds?: number;
  /** Waits between failed watch requests. Default `WATCH_BACKOFF_MS`. */
  backoffMs?: readonly number[];
}

/**
 * What a watcher has done since it started: counted work, for tests and the bench.
 *
 * @public
 */
export interface KubernetesFleetWatcherStats {
  /** LIST requests (the first read, and the relists after 410 Gone). */
  listCalls: number;
  /** Watch requests sent. */
  watchRequests: number;
  /** ADDED, MODIFIED and DELETED events applied. */
  events: number;
  /** Kinds listed again because their watch expired (410 Gone). */
  relists: number;
}

/** One watched kind: its objects by `namespace/name`, where its watch resumes, and how it is going. */
interface KindState {
  type: KubernetesResourceType;
  /** The served version; undefined when the kind is not served (nothing to watch). */
  version?: string;
  resourceVersion?: string;
  objects: Map<string, LocatedObject>;
  problems: Map<string, InputProblem>;
  failures: number;
  error?: string;
  stop?: AbortController;
  retry?: NodeJS.Timeout;
}

/** The key etcd orders a kind's objects by (`<namespace>/<name>`), so a watched kind reads in LIST order. */
function keyOf(object: unknown): string | undefined {
  if (!isRecord(object) || !isRecord(object.metadata)) return undefined;
  const { namespace, name } = object.metadata;
  if (typeof name !== 'string') return undefined;
  return typeof namespace === 'string' ? `${namespace}/${name}` : name;
}

/** The key of the object a reader's problem names (`AWSCluster/ns/name` → `ns/name`), as {@link keyOf} makes it. */
function problemKey(problem: InputProblem): string | undefined {
  const named = problem.object?.slice(problem.object.indexOf('/') + 1);
  return named && named !== '?' ? named : undefined;
}

function resourceVersionOf(object: unknown): string | undefined {
  return isRecord(object) &&
    isRecord(object.metadata) &&
    typeof object.metadata.resourceVersion === 'string'
    ? object.metadata.resourceVersion
    : undefined;
}

/**
 * Keeps the CAPI / CAPA objects of one live management cluster current: one LIST of every kind (the
 * {@link KubernetesFleetReader}), then one WATCH per kind from the list's resourceVersion, with bookmarks
 * (Kubernetes API concepts, "Efficient detection of changes"). {@link KubernetesFleetWatcher.read} then answers
 * from memory without a request.
 *
 * - A watch the server ends (its `timeoutSeconds`, a restart) resumes from the last resourceVersion seen, an
 *   event's or a bookmark's.
 * - 410 Gone (the resourceVersion is older than the server keeps: an ERROR event with a 410 Status, or a 410
 *   answer) lists that kind again and watches from the new list.
 * - A failed watch request (refused connection, 5xx, 403) is retried after a growing wait
 *   (`WATCH_BACKOFF_MS`); after `WATCH_FAILURES_BEFORE_STALE` failures in a row of any kind,
 *   `read()` throws naming the kind and the cause, so the caller keeps its last good snapshot and shows the
 *   management cluster stale, as for a failed LIST. The watch keeps retrying; its first success clears it.
 *
 * Objects are slimmed and checked as the reader's are (`locateListItem`).
 *
 * @public
 */
export class KubernetesFleetWatcher {
  readonly name: string;
  readonly stats: KubernetesFleetWatcherStats = {
    listCalls: 0,
    watchRequests: 0,
    events: 0,
    relists: 0,
  };
  readonly #options: KubernetesFleetWatcherOptions;
  readonly #kinds: KindState[];
  #started?: Promise<void>;
  #stopped = false;
  #listCallsReported = 0;
  #snapshot?: LocatedObject[];

  constructor(options: KubernetesFleetWatcherOptions) {
    if (!options.name)
      throw new Error('KubernetesFleetWatcher needs a management cluster name');
    this.name = options.name;
    this.#options = options;
    this.#kinds = (options.kinds ?? MANAGEMENT_CLUSTER_KINDS).map(type => ({
      type,
      objects: new Map(),
      problems: new Map(),
      failures: 0,
    }));
  }

  get source(): string {
    return `kubernetes://${this.name}`;
  }

  /** Lists every kind and starts watching. Throws what the LIST throws (and can be called again then). */
  start(): Promise<void> {
    if (!this.#started) {
      this.#started = this.#listAll().catch(e => {
        this.#started = undefined;
        throw e;
      });
    }
    return this.#started;
  }

  /**
   * The objects as the watches last saw them (starting the watcher on the first call). Throws when a kind's
   * watch has failed `WATCH_FAILURES_BEFORE_STALE` times in a row. `listCalls` counts the LISTs since the
   * previous read.
   */
  async read(): Promise<{
    objects: LocatedObject[];
    problems: InputProblem[];
    listCalls: number;
  }> {
    await this.start();
    const failing = this.#kinds.filter(
      k => k.failures >= WATCH_FAILURES_BEFORE_STALE,
    );
    if (failing.length) {
      throw new Error(
        `management cluster "${this.name}": ${failing
          .map(
            k =>
              `the watch of ${resourceName(k.type)} failed ${
                k.failures
              } times in a row (${k.error})`,
          )
          .join('; ')}`,
      );
    }
    const listCalls = this.stats.listCalls - this.#listCallsReported;
    this.#listCallsReported = this.stats.listCalls;
    return {
      objects: this.#objects(),
      problems: this.#kinds.flatMap(k => [...k.problems.values()]),
      listCalls,
    };
  }

  /** Ends every watch; the watcher does nothing more. */
  stop(): void {
    this.#stopped = true;
    for (const kind of this.#kinds) {
      clearTimeout(kind.retry);
      kind.stop?.abort();
    }
  }

  #objects(): LocatedObject[] {
    if (!this.#snapshot) {
      this.#snapshot = this.#kinds.flatMap(k =>
        [...k.objects.entries()]
          .sort(([a], [b]) => (a < b ? -1 : Number(a > b)))
          .map(([, o]) => o),
      );
    }
    return this.#snapshot;
  }

  async #listAll(): Promise<void> {
    const reader = KubernetesFleetReader.create({
      name: this.name,
      connection: this.#options.connection,
      logger: this.#options.logger,
      kinds: this.#kinds.map(k => k.type),
    });
    const read = await reader.read();
    this.stats.listCalls += read.listCalls;
    let firstProblem = 0;
    this.#kinds.forEach((kind, i) => {
      this.#replace(kind, read, i, firstProblem);
      firstProblem += read.kinds[i].problems;
    });
    this.#snapshot = undefined;
    for (const kind of this.#kinds) this.#watch(kind);
  }

  /** A kind's state from the `index`-th kind of a read. */
  #replace(
    kind: KindState,
    read: Awaited<ReturnType<KubernetesFleetReader['read']>>,
    index: number,
    firstProblem: number,
  ) {
    const listed = read.kinds[index];
    kind.version = listed.version;
    kind.resourceVersion = listed.resourceVersion;
    kind.objects.clear();
    kind.problems.clear();
    for (const located of read.objects) {
      if (located.object.kind !== kind.type.kind) continue;
      kind.objects.set(keyOf(located.object)!, located);
    }
    read.problems
      .slice(firstProblem, firstProblem + listed.problems)
      .forEach((problem, n) =>
        kind.problems.set(problemKey(problem) ?? `list:${n}`, problem),
      );
  }

  async #relist(kind: KindState): Promise<void> {
    this.stats.relists++;
    this.#options.logger?.info(
      `management cluster "${this.name}": the watch of ${resourceName(
        kind.type,
      )} expired (410 Gone), listing it again`,
    );
    const read = await KubernetesFleetReader.create({
      name: this.name,
      connection: this.#options.connection,
      logger: this.#options.logger,
      kinds: [kind.type],
    }).read();
    this.stats.listCalls += read.listCalls;
    this.#replace(kind, read, 0, 0);
    this.#changed();
  }

  #changed() {
    this.#snapshot = undefined;
    this.#options.onChange?.();
  }

  #watch(kind: KindState): void {
    if (this.#stopped || !kind.version) return;
    let expired = false;
    let done = false;
    const onEvent = (type: string, object: unknown) => {
      if (type === 'ERROR') {
        if (isRecord(object) && object.code === 410) expired = true;
        else kind.error = `ERROR event: ${JSON.stringify(object)}`;
        return;
      }
      kind.resourceVersion = resourceVersionOf(object) ?? kind.resourceVersion;
      if (type === 'BOOKMARK') return;
      this.#apply(kind, type, object);
    };
    const onDone = (err: unknown) => {
      done = true;
      kind.stop = undefined;
      if (this.#stopped) return;
      const status = (err as { statusCode?: number } | null)?.statusCode;
      if (expired || status === 410) {
        this.#relist(kind)
          .then(() => this.#watch(kind))
          .catch(e => this.#failed(kind, e));
        return;
      }
      if (err) {
        this.#failed(kind, err);
        return;
      }
      // The server ended the watch (its timeoutSeconds): resume where it left off.
      this.#watch(kind);
    };
    this.stats.watchRequests++;
    const path = clusterWidePath(kind.type, kind.version);
    new Watch(kubeConfigFor(this.#options.connection))
      .watch(
        path,
        {
          allowWatchBookmarks: true,
          resourceVersion: kind.resourceVersion,
          timeoutSeconds: this.#options.watchSeconds ?? DEFAULT_WATCH_SECONDS,
        },
        onEvent,
        onDone,
      )
      .then(controller => {
        // client-node resolves after a refused request too (having called onDone): only a running watch counts.
        if (!done && !this.#stopped) {
          // The request was answered (200): the watch runs; a failure streak ends.
          const wasFailing = kind.failures >= WATCH_FAILURES_BEFORE_STALE;
          kind.stop = controller;
          kind.failures = 0;
          kind.error = undefined;
          if (wasFailing) this.#options.onChange?.();
        }
        if (this.#stopped) controller.abort();
      })
      .catch(e => this.#failed(kind, e));
  }

  #apply(kind: KindState, type: string, object: unknown) {
    const key = keyOf(object) ?? `?${this.stats.events}`;
    if (type === 'DELETED') {
      kind.objects.delete(key);
      kind.problems.delete(key);
    } else {
      const read = locateListItem(
        this.source,
        kind.type,
        kind.version!,
        object,
      );
      if ('problem' in read) {
        kind.objects.delete(key);
        kind.problems.set(key, read.problem);
      } else {
        kind.problems.delete(key);
        kind.objects.set(key, read.located);
      }
    }
    this.stats.events++;
    this.#changed();
  }

  #failed(kind: KindState, err: unknown) {
    if (this.#stopped) return;
    kind.failures++;
    const status = (err as { statusCode?: number } | null)?.statusCode;
    kind.error =
      status === 403
        ? `403 Forbidden: grant verb "watch" on resource "${kind.type.plural}" to the identity capa-portal uses`
        : `${status ? `HTTP ${status}` : (err as Error)?.message ?? err}`;
    const backoff = this.#options.backoffMs ?? WATCH_BACKOFF_MS;
    const wait = backoff[Math.min(kind.failures, backoff.length) - 1] ?? 0;
    this.#options.logger?.warn(
      `management cluster "${this.name}": watching ${resourceName(
        kind.type,
      )} failed (${kind.failures} in a row: ${
        kind.error
      }); trying again in ${wait} ms`,
    );
    kind.retry = setTimeout(() => this.#watch(kind), wait);
    kind.retry.unref?.();
    if (kind.failures === WATCH_FAILURES_BEFORE_STALE)
      this.#options.onChange?.();
  }
}
