import { randomBytes, randomUUID } from 'crypto';
import http from 'http';
import { AddressInfo, Socket } from 'net';
import { gzipSync } from 'zlib';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  apiVersionOf,
  KNOWN_RESOURCE_TYPES,
  KubernetesResourceType,
  resourceName,
} from '../kubernetes/kinds';

/**
 * What an injected `validate` returns; `path` is the field path (`spec.region`), as the CRD schema names it.
 *
 * @public
 */
export interface TestValidationResult {
  ok: boolean;
  errors?: Array<{ path: string; message: string }>;
  /**
   * As `CrdSchemaRegistry.validate` (src/crd) reports it: `unknown-kind` (no CRD: Namespace, Secret, ...) is
   * accepted unvalidated, as the API server validates built-in kinds elsewhere; `unserved-version` answers 404.
   */
  reason?: 'unknown-kind' | 'unserved-version' | string;
}

/** @public */
export interface TestKubernetesApiServerOptions {
  /** Bearer token the server accepts. Default: random. */
  token?: string;
  /** Schema validation of every object before it is stored (apply, create; dry runs too) → 422 when not ok. */
  validate?: (object: KubeObject) => TestValidationResult;
  /** Resource types served. Default: `KNOWN_RESOURCE_TYPES` (CAPI, CAPA, operator, core basics). */
  resources?: readonly KubernetesResourceType[];
  /** Objects to start with (as {@link TestKubernetesApiServer.addObjects}). */
  objects?: KubeObject[];
  /**
   * Keep `apiVersion`/`kind` on list items. Default false: like the API server's JSON for built-in types,
   * items come without them and clients must take them from the list.
   */
  itemsWithTypeMeta?: boolean;
  /**
   * Reject creating a namespaced object whose Namespace does not exist (404, as the NamespaceLifecycle
   * admission plugin does, dry runs included). Default true.
   */
  requireNamespaces?: boolean;
  /** Identity named in 403 messages. Default `system:serviceaccount:capa-system:capa-portal`. */
  user?: string;
}

/** @public */
export type TestRequestVerb =
  | 'list'
  | 'watch'
  | 'get'
  | 'apply'
  | 'patch'
  | 'create'
  | 'delete'
  | 'discovery'
  | 'other';

/**
 * One request the server received.
 *
 * @public
 */
export interface TestRequestRecord {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  verb: TestRequestVerb;
  /** `awsclusters.infrastructure.cluster.x-k8s.io`, for resource requests. */
  resource?: string;
  /** HTTP status sent; 0 when the connection was dropped. */
  status: number;
  /** The response body was gzip-compressed (see `GZIP_THRESHOLD_BYTES`). */
  gzip?: boolean;
}

/**
 * Like kube-apiserver (APIResponseCompression, on by default), responses of at least this size are sent
 * gzip-compressed to clients that accept gzip.
 *
 * @public
 */
export const GZIP_THRESHOLD_BYTES = 128 * 1024;

/** @public */
export interface FailRule {
  method?: string;
  /** Substring of path + query (`?limit=2&continue=...`). */
  pathIncludes?: string;
  /** Only requests for this resource (`awsclusters.infrastructure.cluster.x-k8s.io`, `namespaces`). */
  resource?: string;
  status: 401 | 403 | 404 | 409 | 410 | 422 | 429 | 500 | 503 | number;
  /** How many matching requests fail. Default 1. */
  times?: number;
  /** Status message. Default: what the API server says for that status. */
  message?: string;
}

interface Rule<T> {
  spec: T;
  remaining: number;
}

interface StoredObject {
  type: KubernetesResourceType;
  object: KubeObject;
  /** Leaf field path → field manager that last applied it. */
  owners: Map<string, string>;
}

interface Route {
  type?: KubernetesResourceType;
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
  /** A path under /api or /apis that names no served resource. */
  unknown?: boolean;
  discovery?: boolean;
}

class HttpFailure extends Error {
  constructor(readonly code: number, readonly body: Record<string, unknown>) {
    super(String(body.message ?? code));
  }
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function status(
  code: number,
  message: string,
  details?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? 'Unknown',
    ...(details ? { details } : {}),
    code,
  };
}

/** A failed request answered with a Status object, as the API server does. */
function failure(
  code: number,
  message: string,
  details?: Record<string, unknown>,
): HttpFailure {
  return new HttpFailure(code, status(code, message, details));
}

/** `<resource> "<name>" <what>` about one object (not found, already exists), with the details the API server gives. */
function objectFailure(
  code: number,
  type: KubernetesResourceType,
  name: string,
  what: string,
): HttpFailure {
  return failure(code, `${resourceName(type)} "${name}" ${what}`, {
    name,
    group: type.group,
    kind: type.plural,
  });
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** `<plural>.<group>`, or just `<plural>` for the core group. */
function routeResource(route: Route): string {
  return route.group ? `${route.plural}.${route.group}` : route.plural;
}

/** The resource a request is recorded against (none for discovery and unrouted paths). */
function recordedResource(route: Route | undefined): string | undefined {
  if (route?.type) return resourceName(route.type);
  if (route && !route.discovery) return routeResource(route);
  return undefined;
}

/** The RBAC verb a 403 for `verb` names (`other` uses the HTTP method). */
function rbacVerb(verb: TestRequestVerb, method: string): string {
  if (verb === 'apply') return 'patch';
  if (verb === 'discovery') return 'get';
  if (verb === 'other') return method.toLowerCase();
  return verb;
}

/** Plain code-unit order (not `localeCompare`), so list pages are stable across locales. */
function compareKeys(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/**
 * Deep merge used for server-side apply: maps merge key by key, a `null` value removes the key, and
 * everything else (scalars, lists) is replaced by the applied value. Real server-side apply merges lists by
 * their schema's list type and removes fields the manager stopped applying; this double does neither.
 *
 * @public
 */
export function applyMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = clone(base);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMerge(out[k], v);
  }
  return out;
}

function leafPaths(value: unknown, prefix: string, out: Map<string, unknown>) {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value))
      leafPaths(v, `${prefix}.${k}`, out);
  } else {
    out.set(prefix, value);
  }
}

/** Applied fields that count for ownership: everything but the identity and server-owned metadata. */
function ownedFields(body: Record<string, any>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(body)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata') {
      if (isPlainObject(v)) {
        for (const mk of ['labels', 'annotations'])
          if (v[mk] !== undefined) leafPaths(v[mk], `.metadata.${mk}`, out);
      }
      continue;
    }
    leafPaths(v, `.${k}`, out);
  }
  return out;
}

function valueAt(object: unknown, path: string): unknown {
  let cur: any = object;
  for (const part of path.split('.').slice(1)) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function encodeToken(token: {
  rv: number;
  scope: string;
  after: string;
}): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(
  text: string,
): { rv: number; scope: string; after: string } | undefined {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      typeof t.rv === 'number' &&
      typeof t.scope === 'string' &&
      typeof t.after === 'string'
    )
      return t;
  } catch {
    // fall through
  }
  return undefined;
}

/**
 * A **test double** of a Kubernetes API server: it speaks enough of the Kubernetes REST protocol over plain
 * HTTP on 127.0.0.1 (random port) for `@kubernetes/client-node` and capa-portal's readers and appliers to
 * run unmodified against it. It is not a Kubernetes API server: no real field-ownership bookkeeping, no
 * list-type-aware merge, no admission beyond the injected `validate` and Namespace existence.
 *
 * What it is for: **faults a real server will not produce on demand** (500s and 503s, garbage bodies,
 * connection resets and refusals, requests held past a timeout, continue tokens expiring with 410, a server
 * going down after N pages) and counting the requests a client makes. What Kubernetes itself does (paging
 * and continue tokens, RBAC's 403, CRD schema and CEL validation, server-side apply and dry run, admission,
 * Namespace lifecycle) is tested against the real kube-apiserver instead: the `*.kubeApiServer.test.ts`
 * suites, on the server `scripts/kube.mjs` builds and starts (see `describeWithKubeApiServer`).
 *
 * Serves:
 * - discovery: `/api`, `/api/v1`, `/apis`, `/apis/<group>`, `/apis/<group>/<version>`, `/version`
 *   (client-node's `KubernetesObjectApi` reads `/apis/<group>/<version>` to find plurals);
 * - LIST, cluster-wide (`/apis/<g>/<v>/<plural>`) and per namespace (`/apis/<g>/<v>/namespaces/<ns>/<plural>`),
 *   core `/api/v1/namespaces` and `/api/v1/[namespaces/<ns>/]<plural>`, with `limit` and `continue` (an opaque
 *   token tied to the resourceVersion the list started at; `expireContinueTokens` makes every outstanding
 *   token answer 410 `Expired`, as after etcd compaction);
 * - WATCH of those collections (`watch=true`): from `resourceVersion` the events after it (none given: an
 *   ADDED event per existing object first), then every change as it is stored, one JSON event per line;
 *   `timeoutSeconds` ends the stream; a resourceVersion from before `expireContinueTokens` gets an `ERROR`
 *   event with a 410 `Expired` Status and the end of the stream, as kube-apiserver answers a too-old
 *   resourceVersion; `bookmark()` sends a BOOKMARK to watches that allowed them, `endWatches()` ends them all;
 * - GET, POST (create), DELETE, and server-side apply PATCH (`application/apply-patch+yaml`, YAML or JSON body,
 *   `fieldManager` required, `force`, `dryRun=All`): creates or deep-merges (`applyMerge`), 409 when a
 *   field last applied by another manager would change (unless `force=true`), 422 `Invalid` with causes when
 *   the injected `validate` says no;
 * - a bearer token (401 otherwise);
 * - Kubernetes `Status` bodies for every error.
 *
 * Faults on demand: `failNext`, `delay`, `garbage`, `down` / `up`,
 * `failAfterPages`, `expireContinueTokens`, `unserve`, `endWatches`. Every request is recorded
 * (`requests`, `requestCounts`).
 *
 * @public
 */
export class TestKubernetesApiServer {
  readonly token: string;
  private server?: http.Server;
  private port = 0;
  private readonly sockets = new Map<Socket, number>();
  private accepted = 0;
  /** Every stored change, for watches: the resourceVersion it made, its event type, the object after it. */
  private events: Array<{
    rv: number;
    type: 'ADDED' | 'MODIFIED' | 'DELETED';
    resource: KubernetesResourceType;
    object: KubeObject;
  }> = [];
  private watches = new Set<{
    resource: KubernetesResourceType;
    route: Route;
    bookmarks: boolean;
    res: http.ServerResponse;
  }>();
  private readonly doomed = new Set<Socket>();
  private readonly store = new Map<string, StoredObject>();
  private readonly resources: KubernetesResourceType[];
  private readonly options: TestKubernetesApiServerOptions;
  private rv = 1;
  private compactedRv = 0;
  private log: TestRequestRecord[] = [];
  private failRules: Array<Rule<FailRule>> = [];
  private delayRules: Array<
    Rule<{
      pathIncludes?: string;
      method?: string;
      resource?: string;
      ms: number;
    }>
  > = [];
  private garbageRules: Array<
    Rule<{ pathIncludes?: string; method?: string; resource?: string }>
  > = [];
  private pageRules: Array<{
    pathIncludes: string;
    pages: number;
    served: number;
  }> = [];
  private state: 'up' | 'refuse' | 'reset' = 'up';
  private readonly timers = new Set<{
    timer: NodeJS.Timeout;
    resolve: () => void;
  }>();

  static async start(
    options: TestKubernetesApiServerOptions = {},
  ): Promise<TestKubernetesApiServer> {
    const server = new TestKubernetesApiServer(options);
    await server.listen();
    if (options.objects) server.addObjects(options.objects);
    return server;
  }

  private constructor(options: TestKubernetesApiServerOptions) {
    this.options = options;
    this.token = options.token ?? randomBytes(24).toString('hex');
    this.resources = (options.resources ?? KNOWN_RESOURCE_TYPES).map(t => ({
      ...t,
      versions: [...t.versions],
    }));
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A client-node KubeConfig for this server (bearer token, plain HTTP). */
  kubeConfig(options?: { token?: string }): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: 'test-api-server', server: this.url, skipTLSVerify: true },
      ],
      users: [{ name: 'test-user', token: options?.token ?? this.token }],
      contexts: [
        {
          name: 'test-api-server',
          cluster: 'test-api-server',
          user: 'test-user',
        },
      ],
      currentContext: 'test-api-server',
    });
    return kc;
  }

  /** The same, as kubeconfig YAML (to write to a file), with the context named `contextName`. */
  kubeConfigYaml(options?: { contextName?: string; token?: string }): string {
    const name = options?.contextName ?? 'test-api-server';
    return stringifyYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name,
          cluster: { server: this.url, 'insecure-skip-tls-verify': true },
        },
      ],
      users: [{ name, user: { token: options?.token ?? this.token } }],
      contexts: [{ name, context: { cluster: name, user: name } }],
      'current-context': name,
    });
  }

  /** A `{ url, serviceAccountToken, skipTLSVerify }` connection for capa-node's readers and appliers. */
  connection(): {
    url: string;
    serviceAccountToken: string;
    skipTLSVerify: true;
  } {
    // client-node refuses plain http:// unless skipTLSVerify is set.
    return {
      url: this.url,
      serviceAccountToken: this.token,
      skipTLSVerify: true,
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Objects

  /** Stores objects as they are (no validation, no admission); fills uid, resourceVersion, creationTimestamp. */
  addObjects(objects: KubeObject[]): void {
    for (const o of objects) {
      const type = this.typeForObject(o);
      if (!type)
        throw new Error(
          `TestKubernetesApiServer does not serve ${o?.apiVersion} ${o?.kind}`,
        );
      if (!o.metadata?.name) throw new Error(`${o.kind} without metadata.name`);
      if (type.namespaced && !o.metadata.namespace)
        throw new Error(`${o.kind}/${o.metadata.name} needs a namespace`);
      const object = clone(o);
      if (!type.namespaced) delete object.metadata.namespace;
      object.metadata.uid ??= randomUUID();
      object.metadata.creationTimestamp ??= new Date()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
      object.metadata.resourceVersion = String(++this.rv);
      const key = this.key(
        type,
        object.metadata.namespace,
        object.metadata.name,
      );
      this.storeObject(key, {
        type,
        object,
        owners: this.store.get(key)?.owners ?? new Map(),
      });
    }
  }

  /** Stores an object and tells the watches (ADDED or MODIFIED). */
  private storeObject(key: string, entry: StoredObject): void {
    const type = this.store.has(key) ? 'MODIFIED' : 'ADDED';
    this.store.set(key, entry);
    this.notify(type, entry.type, entry.object);
  }

  /** Deletes an object and tells the watches (DELETED, with the deletion's resourceVersion). */
  private unstoreObject(key: string): void {
    const stored = this.store.get(key);
    if (!stored) return;
    this.store.delete(key);
    const object = clone(stored.object);
    object.metadata.resourceVersion = String(++this.rv);
    this.notify('DELETED', stored.type, object);
  }

  private notify(
    type: 'ADDED' | 'MODIFIED' | 'DELETED',
    resource: KubernetesResourceType,
    object: KubeObject,
  ): void {
    // Stored objects are replaced, never changed in place: the event can share the stored object.
    const event = {
      rv: Number(object.metadata.resourceVersion),
      type,
      resource,
      object,
    };
    this.events.push(event);
    for (const watch of this.watches) this.sendEvent(watch, event);
  }

  private sendEvent(
    watch: {
      resource: KubernetesResourceType;
      route: Route;
      res: http.ServerResponse;
    },
    event: {
      type: string;
      resource: KubernetesResourceType;
      object: KubeObject;
    },
  ): void {
    if (event.resource !== watch.resource) return;
    if (
      watch.route.namespace &&
      event.object.metadata.namespace !== watch.route.namespace
    )
      return;
    watch.res.write(
      `${JSON.stringify({
        type: event.type,
        object: this.present(event.object, watch.route.version),
      })}\n`,
    );
  }

  /** A WATCH request: events after `resourceVersion` (or the current objects as ADDED), then live ones. */
  private watch(
    route: Route,
    params: URLSearchParams,
    res: http.ServerResponse,
    record: TestRequestRecord,
  ): void {
    const resource = route.type!;
    const from = params.get('resourceVersion');
    record.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    // kube-apiserver answers a watch at once (headers flushed) and sends events as they come.
    res.flushHeaders();
    if (from && from !== '0' && Number(from) <= this.compactedRv) {
      // kube-apiserver's answer to a resourceVersion older than it keeps (storage.NewTooLargeResourceVersionError
      // is for the future; for the past: "too old resource version: <rv> (<oldest>)", reason Expired, 410).
      res.end(
        `${JSON.stringify({
          type: 'ERROR',
          object: status(
            410,
            `too old resource version: ${from} (${this.compactedRv + 1})`,
          ),
        })}\n`,
      );
      return;
    }
    const watch = {
      resource,
      route,
      bookmarks: params.get('allowWatchBookmarks') === 'true',
      res,
    };
    if (!from || from === '0') {
      for (const stored of this.store.values()) {
        this.sendEvent(watch, {
          type: 'ADDED',
          resource: stored.type,
          object: stored.object,
        });
      }
    } else {
      for (const event of this.events)
        if (event.rv > Number(from)) this.sendEvent(watch, event);
    }
    this.watches.add(watch);
    const seconds = Number(params.get('timeoutSeconds'));
    const timer =
      seconds > 0 ? setTimeout(() => res.end(), seconds * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.watches.delete(watch);
    });
  }

  /** A BOOKMARK at the current resourceVersion to every watch that allowed bookmarks. */
  bookmark(): void {
    for (const watch of this.watches) {
      if (!watch.bookmarks) continue;
      watch.res.write(
        `${JSON.stringify({
          type: 'BOOKMARK',
          object: {
            kind: watch.resource.kind,
            apiVersion: apiVersionOf(watch.resource.group, watch.route.version),
            metadata: { resourceVersion: String(this.rv) },
          },
        })}\n`,
      );
    }
  }

  /** Ends every open watch, as the server does when a watch's timeout passes or it restarts. */
  endWatches(): void {
    for (const watch of this.watches) watch.res.end();
  }

  /** Watches open now. */
  openWatches(): number {
    return this.watches.size;
  }

  /** Everything stored, as stored (deep copies), sorted by resource, namespace, name. */
  objects(): KubeObject[] {
    return [...this.store.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, s]) => clone(s.object));
  }

  /** One stored object, or undefined. */
  getObject(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): KubeObject | undefined {
    const type = this.typeForObject({ apiVersion, kind } as KubeObject);
    if (!type) return undefined;
    const stored = this.store.get(
      this.key(type, type.namespaced ? namespace : undefined, name),
    );
    return stored ? clone(stored.object) : undefined;
  }

  removeObjects(
    objects: Array<Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>>,
  ): void {
    for (const o of objects) {
      const type = this.typeForObject(o as KubeObject);
      if (type)
        this.unstoreObject(
          this.key(
            type,
            type.namespaced ? o.metadata.namespace : undefined,
            o.metadata.name,
          ),
        );
    }
  }

  clearObjects(): void {
    this.store.clear();
  }

  /**
   * Stops serving a resource (`awsclusters.infrastructure.cluster.x-k8s.io`), or one version of it: as if its
   * CRD were not installed, or did not serve that version. Requests for it answer 404.
   */
  unserve(resource: string, version?: string): void {
    for (const t of this.resources) {
      if (resourceName(t) !== resource) continue;
      t.versions = version ? t.versions.filter(v => v !== version) : [];
    }
  }

  /** Serves an extra resource type (or more versions of a known one). */
  serve(type: KubernetesResourceType): void {
    const existing = this.resources.find(
      t => t.group === type.group && t.plural === type.plural,
    );
    if (existing) {
      for (const v of type.versions)
        if (!existing.versions.includes(v)) existing.versions.push(v);
    } else {
      this.resources.push({ ...type, versions: [...type.versions] });
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Faults

  /** The next `times` (default 1) matching requests answer `status` with a Kubernetes Status body. */
  failNext(rule: FailRule): void {
    this.failRules.push({ spec: rule, remaining: rule.times ?? 1 });
  }

  /** Matching requests wait `ms` before being handled (for client timeouts). `times` default: unlimited. */
  delay(rule: {
    pathIncludes?: string;
    method?: string;
    resource?: string;
    ms: number;
    times?: number;
  }): void {
    this.delayRules.push({ spec: rule, remaining: rule.times ?? Infinity });
  }

  /** The next `times` (default 1) matching requests answer 200 with an invalid JSON body. */
  garbage(
    rule: {
      pathIncludes?: string;
      method?: string;
      resource?: string;
      times?: number;
    } = {},
  ): void {
    this.garbageRules.push({ spec: rule, remaining: rule.times ?? 1 });
  }

  /** After `pages` LIST responses matching `pathIncludes`, the server goes `down` (connections refused). */
  failAfterPages(rule: { pathIncludes: string; pages: number }): void {
    this.pageRules.push({ ...rule, served: 0 });
  }

  /**
   * The server goes down. `refuse` (default): it stops listening and closes its connections (clients get
   * ECONNREFUSED / a reset). `reset`: it keeps accepting connections and destroys each request's socket.
   */
  down(mode: 'refuse' | 'reset' = 'refuse'): void {
    this.state = mode;
    // A server that goes away cuts its open watches (their connections drop without an end).
    for (const watch of this.watches) watch.res.destroy();
    if (mode === 'refuse' && this.server) {
      this.server.close();
      this.server = undefined;
      for (const [socket, active] of this.sockets) {
        if (active === 0) socket.destroy();
        else this.doomed.add(socket);
      }
    }
  }

  /** Back up, on the same port. */
  async up(): Promise<void> {
    this.state = 'up';
    if (!this.server) await this.listen(this.port);
  }

  /**
   * Every continue token issued so far, and every resourceVersion a watch could resume from, answers 410 Expired
   * from now on (as after etcd compaction).
   */
  expireContinueTokens(): void {
    this.compactedRv = this.rv;
    this.events = [];
    this.rv++;
  }

  /** Drops all fault rules (not the down state). */
  clearFaults(): void {
    this.failRules = [];
    this.delayRules = [];
    this.garbageRules = [];
    this.pageRules = [];
  }

  // ---------------------------------------------------------------------------------------------------------
  // Request log

  /** Requests received, oldest first, optionally filtered. */
  /** TCP connections the server has accepted since it started (a keep-alive client opens few). */
  connectionsAccepted(): number {
    return this.accepted;
  }

  /** TCP connections open now. */
  openConnections(): number {
    return this.sockets.size;
  }

  requests(filter?: {
    method?: string;
    verb?: TestRequestVerb;
    resource?: string;
    pathIncludes?: string;
  }): TestRequestRecord[] {
    return this.log
      .filter(
        r =>
          (!filter?.method || r.method === filter.method.toUpperCase()) &&
          (!filter?.verb || r.verb === filter.verb) &&
          (!filter?.resource || r.resource === filter.resource) &&
          (!filter?.pathIncludes || r.path.includes(filter.pathIncludes)),
      )
      .map(r => ({ ...r, query: { ...r.query } }));
  }

  /** Request counts keyed `METHOD /path` (no query). */
  requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.log) {
      const k = `${r.method} ${r.path}`;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    return counts;
  }

  clearRequests(): void {
    this.log = [];
  }

  async stop(): Promise<void> {
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    this.state = 'refuse';
    for (const socket of this.sockets.keys()) socket.destroy();
    if (server)
      await new Promise<void>(resolve => server.close(() => resolve()));
  }

  // ---------------------------------------------------------------------------------------------------------
  // HTTP

  private async listen(port = 0): Promise<void> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch(e => {
        if (!res.headersSent && !res.destroyed) {
          this.send(
            res,
            500,
            status(500, `test server error: ${(e as Error).message}`),
          );
        }
      });
    });
    server.on('connection', socket => {
      this.accepted++;
      this.sockets.set(socket, 0);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.doomed.delete(socket);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private send(
    res: http.ServerResponse,
    code: number,
    body: unknown,
    record?: TestRequestRecord,
  ) {
    if (record) record.status = code;
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    const size = Buffer.byteLength(text);
    const accepts = String(res.req?.headers['accept-encoding'] ?? '')
      .split(',')
      .some(e => e.trim().split(';')[0] === 'gzip');
    if (accepts && size >= GZIP_THRESHOLD_BYTES) {
      const gzipped = gzipSync(text);
      if (record) record.gzip = true;
      res.writeHead(code, {
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
        'Content-Length': gzipped.length,
      });
      res.end(gzipped);
      return;
    }
    res.writeHead(code, {
      'Content-Type': 'application/json',
      'Content-Length': size,
    });
    res.end(text);
  }

  private drop(req: http.IncomingMessage, record: TestRequestRecord) {
    record.status = 0;
    req.socket.destroy();
  }

  private takeRule<
    T extends { pathIncludes?: string; method?: string; resource?: string },
  >(
    rules: Array<Rule<T>>,
    method: string,
    target: string,
    resource?: string,
  ): T | undefined {
    for (const rule of rules) {
      if (rule.remaining <= 0) continue;
      if (rule.spec.method && rule.spec.method.toUpperCase() !== method)
        continue;
      if (rule.spec.resource && rule.spec.resource !== resource) continue;
      if (rule.spec.pathIncludes && !target.includes(rule.spec.pathIncludes))
        continue;
      rule.remaining--;
      return rule.spec;
    }
    return undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const socket = req.socket;
    this.sockets.set(socket, (this.sockets.get(socket) ?? 0) + 1);
    res.on('close', () => {
      const n = (this.sockets.get(socket) ?? 1) - 1;
      this.sockets.set(socket, n);
      if (n <= 0 && this.doomed.has(socket)) socket.destroy();
    });

    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const target = `${url.pathname}${url.search}`;
    const query = Object.fromEntries(url.searchParams.entries());
    const route = this.route(url.pathname);
    const verb = this.verbOf(method, route, req.headers['content-type']);
    const record: TestRequestRecord = {
      method,
      path: url.pathname,
      query,
      verb:
        verb === 'list' && ['true', '1'].includes(query.watch ?? '')
          ? 'watch'
          : verb,
      resource: recordedResource(route),
      status: 0,
    };
    this.log.push(record);

    if (this.state !== 'up') {
      this.drop(req, record);
      return;
    }
    const body = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

    if (req.headers.authorization !== `Bearer ${this.token}`) {
      this.send(res, 401, status(401, 'Unauthorized'), record);
      return;
    }
    const delay = this.takeRule(
      this.delayRules,
      method,
      target,
      record.resource,
    );
    if (delay) {
      await this.sleep(delay.ms);
      if (res.destroyed || this.state !== 'up') {
        if (!res.destroyed) this.drop(req, record);
        return;
      }
    }
    const fail = this.takeRule(this.failRules, method, target, record.resource);
    if (fail) {
      this.send(
        res,
        fail.status,
        this.injectedStatus(fail, route, method, record.verb),
        record,
      );
      return;
    }
    if (this.takeRule(this.garbageRules, method, target, record.resource)) {
      record.status = 200;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"kind": "List", "items": [ {"metadata": <<not json>>');
      return;
    }

    if (record.verb === 'watch' && route?.type && !route.name) {
      this.watch(route, url.searchParams, res, record);
      return;
    }
    try {
      const [code, out] = await this.dispatch(
        method,
        route,
        url,
        body,
        req.headers['content-type'],
      );
      this.send(res, code, out, record);
      if (record.verb === 'list' && code === 200) this.countPage(target);
    } catch (e) {
      if (e instanceof HttpFailure) this.send(res, e.code, e.body, record);
      else throw e;
    }
  }

  private countPage(target: string) {
    for (const rule of this.pageRules) {
      if (!target.includes(rule.pathIncludes)) continue;
      rule.served++;
      if (rule.served >= rule.pages) {
        this.pageRules = this.pageRules.filter(r => r !== rule);
        this.down('refuse');
      }
    }
  }

  private verbOf(
    method: string,
    route: Route | undefined,
    contentType?: string,
  ): TestRequestVerb {
    if (!route || route.discovery)
      return method === 'GET' && route?.discovery ? 'discovery' : 'other';
    if (method === 'GET') return route.name ? 'get' : 'list';
    if (method === 'PATCH')
      return contentType?.startsWith('application/apply-patch')
        ? 'apply'
        : 'patch';
    if (method === 'POST' && !route.name) return 'create';
    if (method === 'DELETE' && route.name) return 'delete';
    return 'other';
  }

  private injectedStatus(
    rule: FailRule,
    route: Route | undefined,
    method: string,
    verb: TestRequestVerb,
  ) {
    const resource = route ? routeResource(route) : 'the resource';
    const code = rule.status;
    let message = rule.message;
    if (!message) {
      if (code === 403) {
        const k8sVerb = rbacVerb(verb, method);
        const scope = route?.namespace
          ? `in the namespace "${route.namespace}"`
          : 'at the cluster scope';
        message = `${
          route?.name ? `${resource} "${route.name}"` : resource
        } is forbidden: User "${
          this.options.user ?? 'system:serviceaccount:capa-system:capa-portal'
        }" cannot ${k8sVerb} resource "${route?.plural ?? ''}" in API group "${
          route?.group ?? ''
        }" ${scope}`;
      } else if (code === 404)
        message = 'the server could not find the requested resource';
      else if (code === 410) {
        message =
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';
      } else if (code === 500)
        message = 'Internal error occurred: injected failure';
      else if (code === 503)
        message = 'the server is currently unable to handle the request';
      else message = `injected ${code}`;
    }
    return status(
      code,
      message,
      route?.plural
        ? {
            ...(route.name ? { name: route.name } : {}),
            group: route.group,
            kind: route.plural,
          }
        : undefined,
    );
  }

  // ---------------------------------------------------------------------------------------------------------
  // Routing

  private route(pathname: string): Route | undefined {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'version' && parts.length === 1)
      return { group: '', version: '', plural: '', discovery: true };
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      if (parts.length <= 2)
        return {
          group: '',
          version: parts[1] ?? '',
          plural: '',
          discovery: true,
        };
      group = '';
      version = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      if (parts.length <= 3)
        return {
          group: parts[1] ?? '',
          version: parts[2] ?? '',
          plural: '',
          discovery: true,
        };
      group = parts[1];
      version = parts[2];
      rest = parts.slice(3);
    } else {
      return undefined;
    }
    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      plural = rest[2];
      name = rest[3];
      if (rest.length > 4)
        return { group, version, plural, namespace, name, unknown: true };
    } else {
      plural = rest[0];
      name = rest[1];
      if (rest.length > 2)
        return { group, version, plural, name, unknown: true };
    }
    const type = this.resources.find(
      t =>
        t.group === group &&
        t.plural === plural &&
        t.versions.includes(version),
    );
    if (!type)
      return { group, version, plural, namespace, name, unknown: true };
    if (namespace !== undefined && !type.namespaced)
      return { group, version, plural, namespace, name, unknown: true };
    return { type, group, version, plural, namespace, name };
  }

  private typeForObject(
    o: Pick<KubeObject, 'apiVersion' | 'kind'>,
  ): KubernetesResourceType | undefined {
    if (typeof o?.apiVersion !== 'string' || typeof o?.kind !== 'string')
      return undefined;
    const slash = o.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : o.apiVersion.slice(0, slash);
    const version = slash < 0 ? o.apiVersion : o.apiVersion.slice(slash + 1);
    return this.resources.find(
      t =>
        t.group === group && t.kind === o.kind && t.versions.includes(version),
    );
  }

  private key(
    type: KubernetesResourceType,
    namespace: string | undefined,
    name: string,
  ): string {
    return `${type.group}|${type.plural}|${namespace ?? ''}|${name}`;
  }

  private async dispatch(
    method: string,
    route: Route | undefined,
    url: URL,
    body: string,
    contentType: string | undefined,
  ): Promise<[number, unknown]> {
    if (!route || route.unknown) {
      return [
        404,
        status(404, 'the server could not find the requested resource', {}),
      ];
    }
    if (route.discovery) {
      if (method !== 'GET')
        return [
          405,
          status(
            405,
            `the server does not allow this method on the requested resource`,
          ),
        ];
      return this.discovery(url.pathname, route);
    }
    const type = route.type!;
    if (method === 'GET' && !route.name)
      return this.list(type, route, url.searchParams);
    if (method === 'GET')
      return [200, this.present(this.mustGet(type, route), route.version)];
    if (method === 'PATCH' && route.name)
      return this.apply(type, route, url.searchParams, body, contentType);
    if (method === 'POST' && !route.name)
      return this.create(type, route, url.searchParams, body);
    if (method === 'DELETE' && route.name)
      return this.remove(type, route, url.searchParams);
    return [
      405,
      status(
        405,
        'the server does not allow this method on the requested resource',
      ),
    ];
  }

  private discovery(pathname: string, route: Route): [number, unknown] {
    const served = this.resources.filter(t => t.versions.length > 0);
    if (pathname === '/version') {
      return [
        200,
        {
          major: '1',
          minor: '31',
          gitVersion: 'v1.31.0+capa-portal-test-double',
          platform: 'linux/amd64',
        },
      ];
    }
    if (pathname.replace(/\/$/, '') === '/api') {
      return [
        200,
        {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [],
        },
      ];
    }
    const groups = new Map<string, string[]>();
    for (const t of served) {
      if (!t.group) continue;
      const vs = groups.get(t.group) ?? [];
      for (const v of t.versions) if (!vs.includes(v)) vs.push(v);
      groups.set(t.group, vs);
    }
    const groupJson = (g: string, vs: string[]) => ({
      name: g,
      versions: vs.map(v => ({ groupVersion: `${g}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${g}/${vs[0]}`, version: vs[0] },
    });
    if (pathname.replace(/\/$/, '') === '/apis') {
      return [
        200,
        {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: [...groups].map(([g, vs]) => groupJson(g, vs)),
        },
      ];
    }
    if (route.group && !route.version) {
      const vs = groups.get(route.group);
      if (!vs)
        return [
          404,
          status(404, 'the server could not find the requested resource', {}),
        ];
      return [
        200,
        { kind: 'APIGroup', apiVersion: 'v1', ...groupJson(route.group, vs) },
      ];
    }
    const types = served.filter(
      t => t.group === route.group && t.versions.includes(route.version),
    );
    if (types.length === 0)
      return [
        404,
        status(404, 'the server could not find the requested resource', {}),
      ];
    return [
      200,
      {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: apiVersionOf(route.group, route.version),
        resources: types.map(t => ({
          name: t.plural,
          singularName: t.kind.toLowerCase(),
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
          storageVersionHash: '',
        })),
      },
    ];
  }

  private present(o: KubeObject, version: string): KubeObject {
    const out = clone(o);
    const slash = out.apiVersion.indexOf('/');
    out.apiVersion =
      slash < 0 ? version : `${out.apiVersion.slice(0, slash)}/${version}`;
    return out;
  }

  private notFound(type: KubernetesResourceType, name: string): HttpFailure {
    return objectFailure(404, type, name, 'not found');
  }

  private mustGet(type: KubernetesResourceType, route: Route): KubeObject {
    if (type.namespaced && !route.namespace)
      throw this.notFound(type, route.name!);
    const stored = this.store.get(this.key(type, route.namespace, route.name!));
    if (!stored) throw this.notFound(type, route.name!);
    return stored.object;
  }

  private list(
    type: KubernetesResourceType,
    route: Route,
    params: URLSearchParams,
  ): [number, unknown] {
    const scope = `${type.group}|${type.plural}|${route.namespace ?? '*'}`;
    const limitText = params.get('limit');
    const limit = limitText ? Number(limitText) : 0;
    if (limitText && (!Number.isInteger(limit) || limit < 0)) {
      throw failure(400, `invalid limit: ${limitText}`);
    }
    let listRv = this.rv;
    let after = '';
    const cont = params.get('continue');
    if (cont) {
      const token = decodeToken(cont);
      if (!token || token.scope !== scope) {
        throw failure(
          400,
          'continue key is not valid: incorrect encoded start resourceVersion',
        );
      }
      if (token.rv <= this.compactedRv) {
        throw failure(
          410,
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      listRv = token.rv;
      after = token.after;
    }
    const prefix = `${type.group}|${type.plural}|`;
    const all = [...this.store.entries()]
      .filter(
        ([k, s]) =>
          k.startsWith(prefix) &&
          (!route.namespace || s.object.metadata.namespace === route.namespace),
      )
      .map(([k, s]) => [k.slice(prefix.length), s] as const)
      .sort(([a], [b]) => compareKeys(a, b));
    const rest = after ? all.filter(([k]) => k > after) : all;
    const page = limit > 0 ? rest.slice(0, limit) : rest;
    const remaining = rest.length - page.length;
    const items = page.map(([, s]) => {
      const item = this.present(s.object, route.version) as Record<
        string,
        unknown
      >;
      if (!this.options.itemsWithTypeMeta) {
        delete item.apiVersion;
        delete item.kind;
      }
      return item;
    });
    const metadata: Record<string, unknown> = {
      resourceVersion: String(listRv),
    };
    if (remaining > 0) {
      metadata.continue = encodeToken({
        rv: listRv,
        scope,
        after: page[page.length - 1][0],
      });
      metadata.remainingItemCount = remaining;
    }
    return [
      200,
      {
        apiVersion: apiVersionOf(type.group, route.version),
        kind: `${type.kind}List`,
        metadata,
        items,
      },
    ];
  }

  private parseBody(body: string, yamlAllowed: boolean): Record<string, any> {
    let value: unknown;
    try {
      value = yamlAllowed ? parseYaml(body) : JSON.parse(body);
    } catch (e) {
      throw failure(
        400,
        `error decoding ${yamlAllowed ? 'YAML' : 'JSON'}: ${
          (e as Error).message.split('\n')[0]
        }`,
      );
    }
    if (!isPlainObject(value))
      throw failure(400, 'the body of the request is not an object');
    return value;
  }

  private checkIdentity(
    type: KubernetesResourceType,
    route: Route,
    o: Record<string, any>,
    name?: string,
  ) {
    if (
      o.kind !== type.kind ||
      o.apiVersion !== apiVersionOf(type.group, route.version)
    ) {
      throw failure(
        400,
        `the API version in the data (${o.apiVersion}) and kind (${
          o.kind
        }) do not match the request (${apiVersionOf(
          type.group,
          route.version,
        )} ${type.kind})`,
      );
    }
    if (
      !isPlainObject(o.metadata) ||
      typeof o.metadata.name !== 'string' ||
      !o.metadata.name
    ) {
      throw failure(
        422,
        `${type.kind}.${type.group} "" is invalid: metadata.name: Required value: name or generateName is required`,
        {
          group: type.group,
          kind: type.kind,
          causes: [
            {
              reason: 'FieldValueRequired',
              message: 'Required value: name or generateName is required',
              field: 'metadata.name',
            },
          ],
        },
      );
    }
    if (name !== undefined && o.metadata.name !== name) {
      throw failure(
        400,
        `the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (type.namespaced) {
      if (
        o.metadata.namespace !== undefined &&
        o.metadata.namespace !== route.namespace
      ) {
        throw failure(
          400,
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      if (!route.namespace) throw this.notFound(type, o.metadata.name);
    }
  }

  private dryRun(params: URLSearchParams): boolean {
    const values = params.getAll('dryRun');
    for (const v of values) {
      if (v !== 'All')
        throw failure(
          400,
          `Invalid dry run value: ${v}; only "All" is supported`,
        );
    }
    return values.length > 0;
  }

  private admitNamespace(type: KubernetesResourceType, route: Route) {
    if (!type.namespaced || this.options.requireNamespaces === false) return;
    const nsType = this.resources.find(
      t => t.group === '' && t.plural === 'namespaces',
    );
    if (
      nsType &&
      !this.store.has(this.key(nsType, undefined, route.namespace!))
    ) {
      throw failure(404, `namespaces "${route.namespace}" not found`, {
        name: route.namespace,
        kind: 'namespaces',
      });
    }
  }

  private validated(type: KubernetesResourceType, o: KubeObject) {
    if (!this.options.validate) return;
    const result = this.options.validate(clone(o));
    if (result.ok || result.reason === 'unknown-kind') return;
    if (result.reason === 'unserved-version') {
      throw failure(
        404,
        'the server could not find the requested resource',
        {},
      );
    }
    const errors = result.errors ?? [{ path: '', message: 'invalid' }];
    const texts = errors.map(e =>
      e.path ? `${e.path}: ${e.message}` : e.message,
    );
    throw failure(
      422,
      `${type.kind}.${type.group || 'core'} "${o.metadata.name}" is invalid: ${
        texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`
      }`,
      {
        name: o.metadata.name,
        group: type.group,
        kind: type.kind,
        causes: errors.map(e => ({
          reason: 'FieldValueInvalid',
          message: e.message,
          field: e.path,
        })),
      },
    );
  }

  private finish(
    existing: KubeObject | undefined,
    next: KubeObject,
    type: KubernetesResourceType,
    route: Route,
    dryRun: boolean,
  ) {
    next.metadata.name = route.name ?? next.metadata.name;
    if (type.namespaced) next.metadata.namespace = route.namespace;
    else delete next.metadata.namespace;
    next.metadata.uid = existing?.metadata.uid ?? randomUUID();
    next.metadata.creationTimestamp =
      existing?.metadata.creationTimestamp ??
      new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const specChanged =
      JSON.stringify(existing?.spec) !== JSON.stringify(next.spec);
    const generation = Number(existing?.metadata.generation ?? 0);
    if (!existing) next.metadata.generation = 1;
    else next.metadata.generation = specChanged ? generation + 1 : generation;
    if (!dryRun) next.metadata.resourceVersion = String(++this.rv);
    else
      next.metadata.resourceVersion = existing?.metadata.resourceVersion ?? '';
    delete next.metadata.managedFields;
  }

  private apply(
    type: KubernetesResourceType,
    route: Route,
    params: URLSearchParams,
    body: string,
    contentType: string | undefined,
  ): [number, unknown] {
    const ct = (contentType ?? '').split(';')[0].trim();
    if (
      ct !== 'application/apply-patch+yaml' &&
      ct !== 'application/apply-patch+cbor'
    ) {
      throw failure(
        415,
        `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml (this test double supports only server-side apply; got "${ct}")`,
      );
    }
    const fieldManager = params.get('fieldManager');
    if (!fieldManager) {
      throw failure(
        400,
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    }
    const force = params.get('force') === 'true';
    const dryRun = this.dryRun(params);
    const patch = this.parseBody(body, true);
    this.checkIdentity(type, route, patch, route.name);
    const key = this.key(type, route.namespace, route.name!);
    const stored = this.store.get(key);
    if (!stored) this.admitNamespace(type, route);
    const existing = stored
      ? this.present(stored.object, route.version)
      : undefined;

    const applied = ownedFields(patch);
    const owners = new Map(stored?.owners ?? []);
    if (stored && !force) {
      const conflicts: Array<{ field: string; manager: string }> = [];
      for (const [path, value] of applied) {
        const owner = owners.get(path);
        if (
          owner &&
          owner !== fieldManager &&
          JSON.stringify(valueAt(existing, path)) !== JSON.stringify(value)
        ) {
          conflicts.push({ field: path, manager: owner });
        }
      }
      if (conflicts.length > 0) {
        throw failure(
          409,
          `Apply failed with ${conflicts.length} conflict${
            conflicts.length > 1 ? 's' : ''
          }: ${conflicts
            .map(c => `conflict with "${c.manager}": ${c.field}`)
            .join(', ')}`,
          {
            name: route.name,
            group: type.group,
            kind: type.kind,
            causes: conflicts.map(c => ({
              reason: 'FieldManagerConflict',
              message: `conflict with "${c.manager}"`,
              field: c.field,
            })),
          },
        );
      }
    }
    const next = applyMerge(existing ?? {}, patch) as KubeObject;
    next.apiVersion = apiVersionOf(type.group, route.version);
    next.kind = type.kind;
    this.finish(existing, next, type, route, dryRun);
    this.validated(type, next);
    if (!dryRun) {
      for (const path of applied.keys()) owners.set(path, fieldManager);
      this.storeObject(key, { type, object: clone(next), owners });
    }
    return [stored ? 200 : 201, next];
  }

  private create(
    type: KubernetesResourceType,
    route: Route,
    params: URLSearchParams,
    body: string,
  ): [number, unknown] {
    const dryRun = this.dryRun(params);
    const o = this.parseBody(body, false);
    this.checkIdentity(type, route, o);
    const name = o.metadata.name as string;
    const key = this.key(type, route.namespace, name);
    if (this.store.has(key)) {
      throw objectFailure(409, type, name, 'already exists');
    }
    this.admitNamespace(type, route);
    const next = clone(o) as KubeObject;
    this.finish(undefined, next, type, { ...route, name }, dryRun);
    this.validated(type, next);
    if (!dryRun) {
      const owners = new Map<string, string>();
      const manager = params.get('fieldManager');
      if (manager)
        for (const path of ownedFields(o).keys()) owners.set(path, manager);
      this.storeObject(key, { type, object: clone(next), owners });
    }
    return [201, next];
  }

  private remove(
    type: KubernetesResourceType,
    route: Route,
    params: URLSearchParams,
  ): [number, unknown] {
    const dryRun = this.dryRun(params);
    const object = this.mustGet(type, route);
    if (!dryRun)
      this.unstoreObject(this.key(type, route.namespace, route.name!));
    return [
      200,
      {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: {
          name: route.name,
          group: type.group,
          kind: type.plural,
          uid: object.metadata.uid,
        },
      },
    ];
  }
}
