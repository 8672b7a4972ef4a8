import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  InputProblem,
  KubeObject,
  LocatedObject,
} from '@capa-portal/plugin-capa-common';
import {
  KubernetesClients,
  makeKubernetesClients,
  ManagementClusterConnection,
} from './connection';
import { classifyFailure, KubernetesRequestError } from './errors';
import { LAST_APPLIED_ANNOTATION } from './ListBodyParser';
import { streamList } from './streamList';
import {
  apiVersionOf,
  clusterWidePath,
  KubernetesResourceType,
  MANAGEMENT_CLUSTER_KINDS,
  resourceName,
} from './kinds';
import { envelopeProblem, isRecord } from '@capa-portal/plugin-capa-common';

/** Restarts of one kind's list after `410 Gone` (an expired continue token) before the read fails. */
export const MAX_LIST_RESTARTS = 3;
/** Guard against a server that keeps returning continue tokens. */
const MAX_PAGES_PER_KIND = 100_000;

/**
 * What one read of a management cluster returned. Complete, or the read threw: never partial.
 *
 * @public
 */
export interface KubernetesFleetReadResult {
  objects: LocatedObject[];
  /** Malformed items (skipped) and kinds the cluster does not serve (warnings). */
  problems: InputProblem[];
  /**
   * HTTP LIST requests sent: one per page, so at least one per kind; restarts after 410 and the CAPI
   * v1beta2 → v1beta1 fallback add to it. Never any GET of a single object.
   */
  listCalls: number;
  /** Per kind (`awsclusters.infrastructure.cluster.x-k8s.io`): the version read (or none), items, pages, restarts. */
  kinds: Array<{
    resource: string;
    version?: string;
    /** The list's `metadata.resourceVersion`: where a watch of the kind starts from. */
    resourceVersion?: string;
    items: number;
    /** How many of `problems` this kind added (they follow the previous kinds' problems). */
    problems: number;
    pages: number;
    restarts: number;
  }>;
}

/** @public */
export interface KubernetesFleetReaderOptions {
  /** The management cluster's name from config; objects are located at `kubernetes://<name>`. */
  name: string;
  connection: ManagementClusterConnection;
  logger?: LoggerService;
  /** What to list. Defaults to {@link MANAGEMENT_CLUSTER_KINDS}. */
  kinds?: readonly KubernetesResourceType[];
}

class NotServed extends Error {}

export { LAST_APPLIED_ANNOTATION };

/**
 * One item of a list (or the object of a watch event) as the fleet reads it: slimmed (see slimListItem), with
 * the list's apiVersion and kind when it lacks its own, located at `source`; or the problem that skips it.
 */
export function locateListItem(
  source: string,
  type: KubernetesResourceType,
  version: string,
  item: unknown,
): { located: LocatedObject } | { problem: InputProblem } {
  if (!isRecord(item)) {
    return {
      problem: {
        source,
        object: `${type.kind}/?`,
        message: `skipped: a ${resourceName(type)} list item is not an object`,
        severity: 'error',
      },
    };
  }
  // Items of a list response may lack apiVersion/kind: they are the list's. One copy per item, slimmed
  // (see slimListItem) in the same copy: the raw item, managedFields and all, is garbage once its page is read.
  const object: Record<string, unknown> = {
    ...item,
    ...(isRecord(item.metadata)
      ? { metadata: slimMetadata(item.metadata) }
      : {}),
    apiVersion:
      typeof item.apiVersion === 'string' && item.apiVersion
        ? item.apiVersion
        : apiVersionOf(type.group, version),
    kind: typeof item.kind === 'string' && item.kind ? item.kind : type.kind,
  };
  const problem = envelopeProblem(object);
  if (problem) {
    const md = isRecord(object.metadata) ? object.metadata : {};
    const name = typeof md.name === 'string' ? md.name : '?';
    const ns = typeof md.namespace === 'string' ? `${md.namespace}/` : '';
    return {
      problem: {
        source,
        object: `${object.kind}/${ns}${name}`,
        message: `skipped: ${problem}`,
        severity: 'error',
      },
    };
  }
  return {
    located: { object: object as unknown as KubeObject, location: { source } },
  };
}

/**
 * A list item without what the API server adds for its own bookkeeping and nothing in capa-portal reads:
 * `metadata.managedFields` (server-side apply field ownership) and the last-applied-configuration annotation.
 * On real management clusters they are often half of an object's size, and every read object is kept (in
 * memory, then in the snapshot store), so they go at read time. Anything else is kept as listed; an item
 * that is not a plain object is returned as is (and reported by the caller).
 */
export function slimListItem(item: unknown): unknown {
  if (!isRecord(item) || !isRecord(item.metadata)) return item;
  const metadata = slimMetadata(item.metadata);
  return metadata === item.metadata ? item : { ...item, metadata };
}

/** `metadata` without managedFields and the last-applied annotation; the same object when it has neither. */
function slimMetadata(metadata: Record<string, unknown>) {
  const annotations = metadata.annotations;
  const lastApplied =
    isRecord(annotations) && LAST_APPLIED_ANNOTATION in annotations;
  if (!('managedFields' in metadata) && !lastApplied) return metadata;
  const { managedFields: _managedFields, ...slim } = metadata;
  if (lastApplied) {
    const { [LAST_APPLIED_ANNOTATION]: _lastApplied, ...rest } = annotations;
    slim.annotations = rest;
  }
  return slim;
}

/**
 * Reads the CAPI / CAPA objects of one live management cluster, connecting with `@kubernetes/client-node`'s
 * KubeConfig (kubeconfig file and context, token and CA, or in-cluster; exec and OIDC credentials included).
 *
 * Each {@link KubernetesFleetReader.read} sends, per kind, one paginated cluster-wide LIST (`limit` and
 * `continue`) and nothing else: no per-object GETs, no discovery. Kinds are read one after the other, so a
 * management cluster sees at most one request from a reader at a time. Each page is streamed
 * (see `streamList` and `ListBodyParser`): items are parsed one at a time as the body arrives and slimmed at
 * once, and their `managedFields` and last-applied annotation are never parsed, so memory holds the kept
 * objects and little else, whatever the page size.
 *
 * Failure semantics (so a caller can keep its last good snapshot):
 * - 403: throws, naming the verb and resource to grant.
 * - 404 (CRD not installed, version not served): that kind is empty and a warning problem says so. For CAPI
 *   `clusters` v1beta2 is tried first and v1beta1 on 404.
 * - 410 Gone (the continue token expired): that kind's list starts over, at most `MAX_LIST_RESTARTS` times.
 * - 401, 5xx, connection failures, timeouts (per request, `timeoutMs`), and unparseable responses: throws.
 *   A partial read is never returned.
 *
 * Credentials are read from the connection on every read (a rotated token or kubeconfig is picked up) and never
 * logged or put in an error message.
 *
 * @public
 */
export class KubernetesFleetReader {
  readonly name: string;
  readonly kinds: readonly KubernetesResourceType[];
  private readonly connection: ManagementClusterConnection;
  private readonly logger?: LoggerService;

  static create(options: KubernetesFleetReaderOptions): KubernetesFleetReader {
    if (!options.name)
      throw new Error('KubernetesFleetReader needs a management cluster name');
    return new KubernetesFleetReader(options);
  }

  private constructor(options: KubernetesFleetReaderOptions) {
    this.name = options.name;
    this.connection = options.connection;
    this.logger = options.logger;
    this.kinds = options.kinds ?? MANAGEMENT_CLUSTER_KINDS;
  }

  /** The location of every object this reader returns. */
  get source(): string {
    return `kubernetes://${this.name}`;
  }

  async read(): Promise<KubernetesFleetReadResult> {
    const clients = makeKubernetesClients(this.connection);
    const started = Date.now();
    const result: KubernetesFleetReadResult = {
      objects: [],
      problems: [],
      listCalls: 0,
      kinds: [],
    };
    try {
      for (const type of this.kinds) {
        await this.readKind(clients, type, result);
      }
    } finally {
      clients.agents.close();
    }
    this.logger?.debug(
      `read ${result.objects.length} objects from management cluster "${
        this.name
      }" in ${result.listCalls} list calls (${Date.now() - started} ms)`,
    );
    return result;
  }

  private async readKind(
    clients: KubernetesClients,
    type: KubernetesResourceType,
    result: KubernetesFleetReadResult,
  ) {
    const resource = resourceName(type);
    const problemsBefore = result.problems.length;
    const tried: string[] = [];
    for (const version of type.versions) {
      tried.push(version);
      const stats = { pages: 0, restarts: 0 };
      let listed: { count: number; resourceVersion?: string };
      try {
        listed = await this.listAll(clients, type, version, stats, result);
      } catch (e) {
        if (e instanceof NotServed) continue;
        throw e;
      }
      result.kinds.push({
        resource,
        version,
        resourceVersion: listed.resourceVersion,
        items: listed.count,
        problems: result.problems.length - problemsBefore,
        pages: stats.pages,
        restarts: stats.restarts,
      });
      return;
    }
    const message = `${resource} is not served (${tried.join(
      ', ',
    )}: 404 Not Found; CRD not installed?): read as empty`;
    this.logger?.warn(`management cluster "${this.name}": ${message}`);
    result.problems.push({ source: this.source, message, severity: 'warning' });
    result.kinds.push({
      resource,
      items: 0,
      problems: result.problems.length - problemsBefore,
      pages: 0,
      restarts: 0,
    });
  }

  private addItem(
    type: KubernetesResourceType,
    version: string,
    item: unknown,
    result: KubernetesFleetReadResult,
  ) {
    const read = locateListItem(this.source, type, version, item);
    if ('problem' in read) {
      result.problems.push(read.problem);
      return false;
    }
    result.objects.push(read.located);
    return true;
  }

  private async listAll(
    clients: KubernetesClients,
    type: KubernetesResourceType,
    version: string,
    stats: { pages: number; restarts: number },
    result: KubernetesFleetReadResult,
  ): Promise<{ count: number; resourceVersion?: string }> {
    // Items go to the result page by page (nothing of a page is kept but its slimmed objects); a restart takes
    // back what this kind added.
    const objectsBefore = result.objects.length;
    const problemsBefore = result.problems.length;
    let count = 0;
    let token: string | undefined;
    const onItem = (item: unknown) => {
      if (this.addItem(type, version, item, result)) count++;
    };
    for (;;) {
      let page: unknown;
      result.listCalls++;
      stats.pages++;
      try {
        page = await this.listPage(clients, type, version, token, onItem);
      } catch (e) {
        const failure = classifyFailure(e, clients.timeoutMs);
        if (failure.reason === 'expired') {
          if (stats.restarts >= MAX_LIST_RESTARTS) {
            throw this.error(
              `the list of ${resourceName(type)} expired (410 Gone) ${
                stats.restarts + 1
              } times in a row; gave up after ${MAX_LIST_RESTARTS} restarts: ${
                failure.detail
              }`,
              failure,
            );
          }
          stats.restarts++;
          this.logger?.info(
            `management cluster "${
              this.name
            }": continue token for ${resourceName(
              type,
            )} expired (410), listing again from the start (restart ${
              stats.restarts
            }/${MAX_LIST_RESTARTS})`,
          );
          result.objects.length = objectsBefore;
          result.problems.length = problemsBefore;
          count = 0;
          token = undefined;
          continue;
        }
        if (failure.reason === 'not-found' && token === undefined)
          throw new NotServed();
        throw this.failure(type, version, failure);
      }
      if (!isRecord(page) || !Array.isArray(page.items)) {
        throw this.error(
          `list ${resourceName(type)}/${version} returned ${
            isRecord(page)
              ? 'an object without an items list'
              : 'something that is not a list'
          }; the read is abandoned`,
          { reason: 'invalid-response' },
        );
      }
      const metadata = isRecord(page.metadata) ? page.metadata : {};
      const next =
        typeof metadata.continue === 'string' && metadata.continue
          ? metadata.continue
          : undefined;
      if (!next)
        return {
          count,
          resourceVersion:
            typeof metadata.resourceVersion === 'string'
              ? metadata.resourceVersion
              : undefined,
        };
      if (next === token) {
        throw this.error(
          `list ${resourceName(
            type,
          )}/${version} returned the same continue token twice`,
          {
            reason: 'invalid-response',
          },
        );
      }
      if (stats.pages >= MAX_PAGES_PER_KIND) {
        throw this.error(
          `list ${resourceName(
            type,
          )}/${version} did not end after ${MAX_PAGES_PER_KIND} pages`,
          {
            reason: 'invalid-response',
          },
        );
      }
      token = next;
    }
  }

  /**
   * One LIST page, streamed: the body is parsed as it arrives (`ListBodyParser`) and each item goes to
   * `onItem` as soon as it is complete, so no page is ever held whole, as text or as objects. Returns the list
   * without its items (`metadata.continue` in it).
   *
   * The request is made the way client-node's own `Watch` makes its streaming requests: the KubeConfig applies
   * the connection's TLS agent (CA, client certificate, proxy) and authentication (token, exec plugin, basic)
   * to Node's `http(s).request`. A failed answer becomes client-node's `ApiException` (status code and the
   * server's `Status` body), a timeout the signal's `TimeoutError`, exactly as the generated clients report them.
   */
  private async listPage(
    clients: KubernetesClients,
    type: KubernetesResourceType,
    version: string,
    token: string | undefined,
    onItem: (item: unknown) => void,
  ): Promise<unknown> {
    if (type.group === '' && type.plural !== 'namespaces') {
      throw new Error(
        `core resource ${type.plural}/${version} is not supported by the reader`,
      );
    }
    const url = new URL(
      clients.server.replace(/\/+$/, '') + clusterWidePath(type, version),
    );
    url.searchParams.set('limit', String(clients.pageSize));
    if (token) url.searchParams.set('continue', token);
    return streamList(clients, url, onItem);
  }

  private error(
    message: string,
    failure: {
      reason: KubernetesRequestError['reason'];
      statusCode?: number;
      status?: KubernetesRequestError['status'];
    },
  ) {
    return new KubernetesRequestError(
      `management cluster "${this.name}": ${message}`,
      failure,
    );
  }

  private failure(
    type: KubernetesResourceType,
    version: string,
    failure: ReturnType<typeof classifyFailure>,
  ) {
    const resource = resourceName(type);
    const what = `${resource}/${version}`;
    const scope = type.namespaced ? 'all namespaces' : 'cluster-wide';
    switch (failure.reason) {
      case 'forbidden':
        return new KubernetesRequestError(
          `management cluster "${
            this.name
          }" denied list on ${resource} (${scope}): grant verb "list" on resource "${
            type.plural
          }" in API group ${
            type.group ? `"${type.group}"` : '"" (core)'
          } to the identity capa-portal uses, with a ClusterRole and a ClusterRoleBinding (a namespaced Role is not enough for a cluster-wide list). Server said: ${
            failure.detail
          }`,
          failure,
        );
      case 'unauthorized':
        return new KubernetesRequestError(
          `management cluster "${this.name}" rejected the credentials (401 Unauthorized) on list ${what}: check the service account token or the kubeconfig user`,
          failure,
        );
      case 'timeout':
        return new KubernetesRequestError(
          `management cluster "${this.name}": list ${what} timed out (${failure.detail}); the read is abandoned`,
          failure,
        );
      case 'unreachable':
        return new KubernetesRequestError(
          `management cluster "${this.name}" is unreachable during list ${what}: ${failure.detail}; the read is abandoned`,
          failure,
        );
      case 'invalid-response':
        return new KubernetesRequestError(
          `management cluster "${this.name}": list ${what} returned an invalid response: ${failure.detail}; the read is abandoned`,
          failure,
        );
      default:
        return new KubernetesRequestError(
          `management cluster "${this.name}": list ${what} failed${
            failure.statusCode ? ` (HTTP ${failure.statusCode})` : ''
          }: ${failure.detail}; the read is abandoned`,
          failure,
        );
    }
  }
}
