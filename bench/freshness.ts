/*
 * freshness: the real Backstage backend (the capa plugin with its watched live sources, the real catalog with
 * capa's entity provider module, the real scheduler, the database and cache named by backend config: PostgreSQL
 * from scripts/services.mjs when available) against the served bench fleet, measured from the outside:
 *
 *   initialLoadSeconds  backend start → every capa entity in the catalog with its relations (the entities of
 *                       each management cluster with a `dependsOn` relation, and every account entity);
 *   p50/p95Seconds      over the changes below, from the request that makes the change in a served management
 *                       cluster until both /api/capa and the catalog entity show it (100 ms polls);
 *   backendPeakRssMb    this process's peak RSS (it runs the backend and the pollers, nothing else);
 *   initialLoadRequests during the initial load, the catalog module's downloads (its providers' parts of the fleet,
 *                       `GET /api/capa/catalog-view/...`, and the whole report, `GET /api/capa/report`: 200s with
 *                       their bytes, 304s, and `GET /management-clusters`), counted on this process's fetch,
 *                       which the catalog module uses.
 *
 * The initial load is polled every 5 s until nine tenths of the entities are in, then every second (each poll is up
 * to three count queries over the catalog's search table, which at 10,000 clusters is real database work competing
 * with the load it measures; a poll a second took about a sixth of PostgreSQL's statement time); the changes
 * every 100 ms.
 *
 * Changes, each round in the first management cluster, made over the test double's Kubernetes REST API:
 *   new cluster      a copy (CAPI Cluster + AWSCluster) of a kubeadm cluster that is not broken, new name;
 *   identity change  its AWSClusterRoleIdentity's allowedNamespaces narrowed to a namespace nobody uses: the
 *                    cluster's verdict becomes broken (namespace-allowed);
 *   trust fix        the identity restored: the verdict is back;
 *   deleted cluster  the copy deleted.
 * The steady LIST count is taken by the parent from the served fleet's request log (see scripts/bench.mjs).
 */
import { performance } from 'node:perf_hooks';
import type { JsonObject } from '@backstage/types';
import type { ServedFleet } from './phases';

const POLL_MS = 100;
/** The initial load's polls: every 5 s until nine tenths of the entities are in, then every second. */
const INITIAL_LOAD_POLL_MS = { far: 5000, near: 1000, nearFraction: 0.9 };

export interface FreshnessResult {
  clusters: number;
  initialLoadSeconds: number;
  /** Backend start → every management cluster's first read done (capa's part of the initial load). */
  capaSyncedSeconds: number;
  changes: Array<{ kind: string; seconds: number }>;
  p50Seconds: number;
  p95Seconds: number;
  backendPeakRssMb: number;
  database: string;
  /** The catalog module's asks of the capa backend during the initial load, by answer. */
  initialLoadRequests: {
    reportDownloads: number;
    reportNotModified: number;
    /** `GET /api/capa/catalog-view/...` (each provider's part of the fleet) answered 200, and 304. */
    viewDownloads: number;
    viewNotModified: number;
    /** The bytes of the 200 answers above (reports and views), as sent (Content-Length). */
    downloadedBytes: number;
    managementClusterStatuses: number;
  };
  /**
   * PostgreSQL only: the rows the catalog's database wrote during the initial load, per table (inserted, updated,
   * deleted, from `pg_stat_user_tables`), beside the rows it holds at the end: counted work, where the queries go.
   */
  initialLoadRows?: Record<
    string,
    { inserted: number; updated: number; deleted: number; live: number }
  >;
}

/** The catalog database's per-table row counters (PostgreSQL's statistics; flushed before reading). */
async function catalogTableRows(
  pgUrl: string,
  database: string,
): Promise<FreshnessResult['initialLoadRows']> {
  // node-postgres, which the backend's knex uses (no types of its own installed here).
  type Row = Record<string, string>;
  const { Client } = require('pg') as {
    Client: new (options: { connectionString: string }) => {
      connect(): Promise<void>;
      query(sql: string): Promise<{ rows: Row[] }>;
      end(): Promise<void>;
    };
  };
  const url = new URL(pgUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    // Statistics are flushed by each backend at most once a second; wait that out so the last writes count.
    await new Promise(r => setTimeout(r, 1500));
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query(
      `SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup FROM pg_stat_user_tables ORDER BY relname`,
    );
    return Object.fromEntries(
      rows
        .filter(
          r =>
            Number(r.n_tup_ins) + Number(r.n_tup_upd) + Number(r.n_tup_del) > 0,
        )
        .map(r => [
          r.relname,
          {
            inserted: Number(r.n_tup_ins),
            updated: Number(r.n_tup_upd),
            deleted: Number(r.n_tup_del),
            live: Number(r.n_live_tup),
          },
        ]),
    );
  } finally {
    await client.end();
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * Polls `probe` every `pollMs` until it holds, at most `limitSeconds`; returns the seconds since `since`. A probe
 * whose request fails (a reused keep-alive connection the loaded backend closed meanwhile) is a "not yet".
 */
async function until(
  what: string,
  since: number,
  probe: () => Promise<boolean>,
  limitSeconds = 900,
  pollMs: number | (() => number) = POLL_MS,
): Promise<number> {
  for (;;) {
    if (await probe().catch(() => false))
      return (performance.now() - since) / 1000;
    if (performance.now() - since > limitSeconds * 1000)
      throw new Error(`freshness: ${what} not seen after ${limitSeconds} s`);
    await new Promise(r =>
      setTimeout(r, typeof pollMs === 'number' ? pollMs : pollMs()),
    );
  }
}

/** Counts this process's requests to the capa backend's report and status routes, by answer, until stopped. */
function countCapaRequests() {
  const counts = {
    reportDownloads: 0,
    reportNotModified: 0,
    viewDownloads: 0,
    viewNotModified: 0,
    downloadedBytes: 0,
    managementClusterStatuses: 0,
  };
  const original = globalThis.fetch;
  let counting = true;
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    const url = String(input instanceof Request ? input.url : input);
    const view = url.includes('/api/capa/catalog-view/');
    if (counting && (view || url.endsWith('/api/capa/report'))) {
      if (response.status === 200) {
        counts[view ? 'viewDownloads' : 'reportDownloads']++;
        counts.downloadedBytes += Number(
          response.headers.get('content-length') ?? 0,
        );
      }
      if (response.status === 304)
        counts[view ? 'viewNotModified' : 'reportNotModified']++;
    }
    if (counting && url.endsWith('/api/capa/management-clusters'))
      counts.managementClusterStatuses++;
    return response;
  };
  return {
    counts,
    stop: () => {
      counting = false;
    },
    restore: () => {
      globalThis.fetch = original;
    },
  };
}

function fleetConfig(fleet: ServedFleet, pageSize: number): JsonObject {
  return {
    capa: {
      refresh: { frequency: { minutes: 5 }, timeout: { minutes: 10 } },
      catalog: {
        schedule: {
          frequency: { seconds: 3 },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 1 },
        },
        defaultOwner: 'group:default/platform-team',
      },
      managementClusters: fleet.managementClusters.map(m => ({
        name: m.name,
        accountId: m.accountId,
        controllerPrincipalArn: m.controllerPrincipalArn,
        owner: 'group:default/platform-team',
        system: 'capa-platform',
        kubernetes: {
          url: m.url,
          serviceAccountToken: m.token,
          skipTLSVerify: true,
          pageSize,
          timeoutMs: 60_000,
        },
      })),
      accounts: fleet.accounts.map(a => ({ ...a })) as JsonObject[],
    },
  };
}

/** The served test double's REST API, as the bench's changes use it. */
function kubeClient(m: ServedFleet['managementClusters'][number]) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${m.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${m.token}`,
        // Server-side apply for PATCH (a JSON body is YAML too), JSON otherwise.
        'Content-Type':
          method === 'PATCH'
            ? 'application/apply-patch+yaml'
            : 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return { call };
}

/** An object as a client would create it: without what the server filled in. */
function fresh(object: any, name: string) {
  const { uid, resourceVersion, creationTimestamp, managedFields, ...meta } =
    object.metadata;
  return { ...object, metadata: { ...meta, name }, status: undefined };
}

export async function freshnessPhase(
  fleet: ServedFleet,
  options: { pgUrl?: string; rounds: number; pageSize: number },
  peakRssMb: () => number,
  /** Called with the backend still running and nothing changing, for the steady LIST count; resolves after. */
  quietWindow: () => Promise<void>,
): Promise<FreshnessResult> {
  const { startTestBackend, mockServices, mockCredentials } =
    require('@backstage/backend-test-utils') as typeof import('@backstage/backend-test-utils');
  const { schedulerServiceFactory } =
    require('@backstage/backend-defaults/scheduler') as typeof import('@backstage/backend-defaults/scheduler');
  const capa = require('@capa-portal/plugin-capa-backend').default;
  const catalog = require('@backstage/plugin-catalog-backend').default;
  const catalogModule =
    require('@capa-portal/plugin-catalog-backend-module-capa').default;
  // The events service createBackend installs (the test backend's mock is per plugin, so no announcement would
  // reach the catalog module).
  const { eventsServiceFactory } =
    require('@backstage/plugin-events-node') as typeof import('@backstage/plugin-events-node');

  // The bench's own requests go around the count.
  const direct = globalThis.fetch;
  const requests = countCapaRequests();
  const started = performance.now();
  const config = fleetConfig(fleet, options.pageSize);
  const databasePrefix = `capa_fresh_${Date.now()}_`;
  if (options.pgUrl) {
    config.backend = {
      database: {
        client: 'pg',
        connection: options.pgUrl,
        prefix: databasePrefix,
      },
    };
  }
  const backend = await startTestBackend({
    features: [
      capa,
      catalog,
      catalogModule,
      schedulerServiceFactory,
      eventsServiceFactory,
      mockServices.database.factory(),
      mockServices.rootLogger.factory({ level: 'warn' }),
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
  const base = `http://127.0.0.1:${(backend.server as any).port()}/api`;
  const header = mockCredentials.user.header();
  const get = async (path: string) => {
    const res = await direct(`${base}${path}`, {
      headers: { Authorization: header },
    });
    return { status: res.status, body: res.ok ? await res.json() : undefined };
  };
  const total = async (filter: string) =>
    (
      await get(
        `/catalog/entities/by-query?limit=1&filter=${encodeURIComponent(
          filter,
        )}`,
      )
    ).body?.totalItems ?? -1;

  try {
    // What the catalog must hold: per management cluster itself, its identities and clusters; every account.
    const capaSyncedSeconds = await until('capa synced', started, async () => {
      const body = (await get('/capa/management-clusters')).body;
      return Boolean(body?.items.every((m: any) => m.lastSync || m.error));
    });
    const statuses = (await get('/capa/management-clusters')).body.items;
    const failed = statuses.filter((m: any) => m.error);
    if (failed.length)
      throw new Error(`sync failed: ${failed.map((m: any) => m.error)}`);
    // Identities and workload clusters carry their management cluster's annotation; management clusters are
    // counted by name.
    const managed = statuses.reduce(
      (n: number, m: any) => n + m.clusterCount + m.identityCount,
      0,
    );
    const mgmtFilter = `kind=resource,${statuses
      .map((m: any) => `metadata.name=${m.name}`)
      .join(',')}`;
    const accounts = (await get('/capa/accounts')).body.items.length;
    const clusters = statuses.reduce(
      (n: number, m: any) => n + m.clusterCount,
      0,
    );
    // Each poll is up to three count queries over the catalog's search table: at 10,000 clusters about 80 ms of
    // PostgreSQL's time, competing with the load it measures; so every 5 s while far from done, then every second.
    let managedSeen = 0;
    const initialLoadSeconds = await until(
      `all ${managed + accounts + statuses.length} entities with relations`,
      started,
      async () =>
        (managedSeen = await total(
          'metadata.annotations.capa-portal.io/management-cluster,relations.dependsOn',
        )) >= managed &&
        (await total('kind=resource,spec.type=cloud-account')) >= accounts &&
        (await total(`${mgmtFilter},relations.dependsOn`)) >= statuses.length,
      900,
      () =>
        managedSeen < managed * INITIAL_LOAD_POLL_MS.nearFraction
          ? INITIAL_LOAD_POLL_MS.far
          : INITIAL_LOAD_POLL_MS.near,
    );
    requests.stop();
    const initialLoadRows = options.pgUrl
      ? await catalogTableRows(options.pgUrl, `${databasePrefix}catalog`)
      : undefined;

    const m = fleet.managementClusters[0];
    const kube = kubeClient(m);
    const list = (
      await get(
        `/capa/clusters?limit=1000&managementCluster=${encodeURIComponent(
          m.name,
        )}`,
      )
    ).body.items as any[];
    const target = list.find(
      c =>
        c.managementCluster === m.name &&
        c.flavour === 'kubeadm' &&
        c.verdict !== 'broken' &&
        c.identityRef?.kind === 'AWSClusterRoleIdentity',
    );
    if (!target)
      throw new Error(`no kubeadm cluster with a role identity in ${m.name}`);
    const ns = target.namespace;
    const capiPath = `/apis/cluster.x-k8s.io/v1beta2/namespaces/${ns}/clusters`;
    const infraPath = `/apis/infrastructure.cluster.x-k8s.io/v1beta2/namespaces/${ns}/awsclusters`;
    const identityPath = `/apis/infrastructure.cluster.x-k8s.io/v1beta2/awsclusterroleidentities/${target.identityRef.name}`;
    const capiCluster = await kube.call('GET', `${capiPath}/${target.name}`);
    const awsCluster = await kube.call(
      'GET',
      `${infraPath}/${target.infrastructureRef?.name ?? target.name}`,
    );
    const identity = await kube.call('GET', identityPath);
    const entityName = (name: string) => `${name}.${ns}.${m.name}`;
    const seen = async (name: string) =>
      (await get(`/capa/clusters/${m.name}/${ns}/${name}`)).status === 200 &&
      (
        await get(
          `/catalog/entities/by-name/resource/default/${entityName(name)}`,
        )
      ).status === 200;
    const gone = async (name: string) =>
      (await get(`/capa/clusters/${m.name}/${ns}/${name}`)).status === 404 &&
      (
        await get(
          `/catalog/entities/by-name/resource/default/${entityName(name)}`,
        )
      ).status === 404;
    const verdictIs = async (verdict: string) =>
      (await get(`/capa/clusters/${m.name}/${ns}/${target.name}`)).body
        ?.verdict === verdict &&
      (
        await get(
          `/catalog/entities/by-name/resource/default/${entityName(
            target.name,
          )}`,
        )
      ).body?.metadata.annotations['capa-portal.io/verdict'] === verdict;
    const applyIdentity = (spec: unknown) =>
      kube.call('PATCH', `${identityPath}?fieldManager=capa-bench&force=true`, {
        ...fresh(identity, identity.metadata.name),
        spec,
      });

    const changes: FreshnessResult['changes'] = [];
    const measure = async (
      kind: string,
      change: () => Promise<unknown>,
      shown: () => Promise<boolean>,
    ) => {
      const t0 = performance.now();
      await change();
      changes.push({ kind, seconds: await until(kind, t0, shown, 300) });
    };
    for (let round = 0; round < options.rounds; round++) {
      const name = `fresh-${round}-${Date.now().toString(36)}`;
      await measure(
        'new cluster',
        async () => {
          await kube.call('POST', capiPath, {
            ...fresh(capiCluster, name),
            spec: {
              ...capiCluster.spec,
              infrastructureRef: {
                ...capiCluster.spec.infrastructureRef,
                name,
              },
            },
          });
          await kube.call('POST', infraPath, fresh(awsCluster, name));
        },
        () => seen(name),
      );
      await measure(
        'identity change',
        () =>
          applyIdentity({
            ...identity.spec,
            allowedNamespaces: { list: ['capa-bench-nobody'] },
          }),
        () => verdictIs('broken'),
      );
      await measure(
        'trust fix',
        () => applyIdentity(identity.spec),
        () => verdictIs(target.verdict),
      );
      await measure(
        'deleted cluster',
        async () => {
          await kube.call('DELETE', `${capiPath}/${name}`);
          await kube.call('DELETE', `${infraPath}/${name}`);
        },
        () => gone(name),
      );
    }
    await quietWindow();
    const seconds = changes.map(c => c.seconds);
    return {
      clusters,
      initialLoadSeconds,
      capaSyncedSeconds,
      changes,
      p50Seconds: quantile(seconds, 0.5),
      p95Seconds: quantile(seconds, 0.95),
      backendPeakRssMb: peakRssMb(),
      database: options.pgUrl ? 'postgresql' : 'sqlite (in memory)',
      initialLoadRequests: requests.counts,
      initialLoadRows,
    };
  } finally {
    await backend.stop();
    requests.restore();
  }
}
