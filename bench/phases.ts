/*
 * The phases of `./portal bench` (scripts/bench.mjs forks each in its own Node process, so peak RSS is per
 * phase): `server` (the generated fleet on one TestKubernetesApiServer per management cluster), `floor`,
 * `ingest`, `trust` and `api`. A phase gets its input in the first IPC message and answers with one message.
 *
 * Run through the TypeScript transform of bench/register.cjs (Backstage's node transform, lighter):
 *   node -r ./bench/register.cjs bench/phases.ts <phase>
 */
import { performance } from 'node:perf_hooks';
import type { JsonObject } from '@backstage/types';
import type {
  AccountInput,
  FleetInput,
  InputProblem,
  ManagementClusterInput,
} from '@capa-portal/plugin-capa-common';
import { evaluateFleet, planEvidence } from '@capa-portal/plugin-capa-common';
import {
  DEFAULT_KUBERNETES_PAGE_SIZE,
  KubernetesFleetReader,
  MANAGEMENT_CLUSTER_KINDS,
} from '@capa-portal/plugin-capa-node';
import { TestKubernetesApiServer } from '@capa-portal/plugin-capa-node/testing';
import { startAwsDouble } from './awsDouble';
import { benchGatherer } from './benchGatherer';
import { catalogEntitiesOf } from './catalogEntities';
import { freshnessPhase } from './freshness';
import { FleetOptions, generateFleet } from './fleet';

/** What the server phase hands to the others: where each management cluster is served, and the config. */
export interface ServedFleet {
  managementClusters: Array<{
    name: string;
    accountId: string;
    controllerPrincipalArn: string;
    url: string;
    token: string;
    objects: number;
  }>;
  accounts: AccountInput[];
  kinds: Record<string, number>;
  generateSeconds: number;
}

/** The reader's default page size (the floor sends the same LIST requests). */
export const PAGE_SIZE = DEFAULT_KUBERNETES_PAGE_SIZE;

const send = (message: unknown) =>
  new Promise<void>((resolve, reject) =>
    process.send!(message, undefined, {}, e => (e ? reject(e) : resolve())),
  );

function nextMessage<T>(): Promise<T> {
  return new Promise(resolve => process.once('message', m => resolve(m as T)));
}

let startRssMb = 0;

function peakRssMb(): number {
  // maxRSS is in kilobytes (getrusage(2)).
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

// -----------------------------------------------------------------------------------------------------------
// server: the generated fleet served over HTTP until the parent says stop.

/**
 * Makes the test API server answer a repeated LIST page from memory (the page object and its JSON text,
 * keyed by resource, query and the store's resourceVersion), so that after one warm-up pass the server costs
 * the floor and the ingest the same near-zero time, and the ratio measures the client side only. Bench-only:
 * wraps two private methods of this instance (no change to the test double's code).
 */
function cacheListResponses(server: TestKubernetesApiServer) {
  const s = server as any;
  const list = s.list.bind(s);
  const sendResponse = s.send.bind(s);
  const pages = new Map<string, [number, unknown]>();
  const texts = new WeakMap<object, string>();
  s.list = (type: any, route: any, params: URLSearchParams) => {
    const key = `${s.rv}|${s.compactedRv}|${type.group}|${type.plural}|${
      route.version
    }|${route.namespace ?? ''}|${[...params.entries()]
      .filter(([k]) => k === 'limit' || k === 'continue')
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join('&')}`;
    let page = pages.get(key);
    if (!page) {
      page = list(type, route, params) as [number, unknown];
      pages.set(key, page);
    }
    return page;
  };
  s.send = (res: any, code: number, body: unknown, record?: any) => {
    const text = body && typeof body === 'object' ? texts.get(body) : undefined;
    if (text === undefined) {
      if (body && typeof body === 'object' && (body as any).items)
        texts.set(body, JSON.stringify(body));
      else return sendResponse(res, code, body, record);
    }
    if (record) record.status = code;
    if (res.destroyed) return undefined;
    const out = texts.get(body as object)!;
    res.writeHead(code, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(out),
    });
    res.end(out);
    return undefined;
  };
}

async function serverPhase(options: FleetOptions) {
  const started = performance.now();
  const fleet = generateFleet(options);
  const generateSeconds = (performance.now() - started) / 1000;
  const served: ServedFleet['managementClusters'] = [];
  const servers: TestKubernetesApiServer[] = [];
  for (const m of fleet.managementClusters) {
    const server = await TestKubernetesApiServer.start({ objects: m.objects });
    cacheListResponses(server);
    servers.push(server);
    served.push({
      name: m.name,
      accountId: m.accountId,
      controllerPrincipalArn: m.controllerPrincipalArn,
      url: server.url,
      token: server.token,
      objects: m.objects.length,
    });
    m.objects = []; // the server keeps its own copy
  }
  await send({
    managementClusters: served,
    accounts: fleet.accounts,
    kinds: fleet.kinds,
    generateSeconds,
  } satisfies ServedFleet);
  // Until stop: answers `{ counts: true }` with the LIST requests the servers have answered so far.
  for (;;) {
    const message = await nextMessage<{ counts?: boolean; stop?: boolean }>();
    if (!message?.counts) break;
    await send({
      lists: servers.reduce(
        (n, s) => n + s.requests({ verb: 'list' }).length,
        0,
      ),
      watches: servers.reduce((n, s) => n + s.openWatches(), 0),
    });
  }
  await Promise.all(servers.map(s => s.stop()));
}

// -----------------------------------------------------------------------------------------------------------
// floor: the same LIST requests as the reader (same kinds, order, page size, sequential), each response
// fetched with Node's fetch and JSON-parsed, nothing else kept.

async function floorPhase(fleet: ServedFleet) {
  const started = performance.now();
  let listCalls = 0;
  let items = 0;
  let bytes = 0;
  for (const m of fleet.managementClusters) {
    for (const type of MANAGEMENT_CLUSTER_KINDS) {
      const version = type.versions[0];
      const base = type.group
        ? `${m.url}/apis/${type.group}/${version}/${type.plural}`
        : `${m.url}/api/${version}/${type.plural}`;
      let token: string | undefined;
      do {
        const url = `${base}?limit=${PAGE_SIZE}${
          token ? `&continue=${encodeURIComponent(token)}` : ''
        }`;
        listCalls++;
        const res = await fetch(url, {
          headers: {
            Authorization: `Bearer ${m.token}`,
            Accept: 'application/json',
          },
        });
        const text = await res.text();
        bytes += text.length;
        if (!res.ok) throw new Error(`floor: ${url} answered ${res.status}`);
        const page = JSON.parse(text);
        items += page.items.length;
        token = page.metadata?.continue || undefined;
      } while (token);
    }
  }
  return {
    seconds: (performance.now() - started) / 1000,
    listCalls,
    items,
    megabytes: Math.round(bytes / 1e5) / 10,
    startRssMb,
    peakRssMb: peakRssMb(),
  };
}

// -----------------------------------------------------------------------------------------------------------
// ingest: LIST → KubernetesFleetReader.read() per management cluster → evaluateFleet → catalog entities.

function readerFor(m: ServedFleet['managementClusters'][number]) {
  return KubernetesFleetReader.create({
    name: m.name,
    connection: {
      url: m.url,
      serviceAccountToken: m.token,
      skipTLSVerify: true,
      pageSize: PAGE_SIZE,
      timeoutMs: 60_000,
    },
  });
}

async function readFleet(fleet: ServedFleet) {
  const managementClusters: ManagementClusterInput[] = [];
  const problems: InputProblem[] = [];
  let listCalls = 0;
  let readSeconds = 0;
  for (const m of fleet.managementClusters) {
    const t = performance.now();
    const read = await readerFor(m).read();
    readSeconds += (performance.now() - t) / 1000;
    listCalls += read.listCalls;
    problems.push(...read.problems);
    managementClusters.push({
      name: m.name,
      accountId: m.accountId,
      controllerPrincipalArn: m.controllerPrincipalArn,
      objects: read.objects,
      owner: 'group:default/platform-team',
      system: 'capa-platform',
    });
  }
  const input: FleetInput = {
    managementClusters,
    accounts: fleet.accounts,
    problems,
  };
  return { input, listCalls, readSeconds };
}

async function ingestPhase(fleet: ServedFleet) {
  const started = performance.now();
  const { input, listCalls, readSeconds } = await readFleet(fleet);
  const memory: Record<string, string> = {};
  const mem = (label: string) => {
    const u = process.memoryUsage();
    memory[label] = `rss ${Math.round(u.rss / 1048576)} heap ${Math.round(
      u.heapUsed / 1048576,
    )}/${Math.round(u.heapTotal / 1048576)} ext ${Math.round(
      (u.external + u.arrayBuffers) / 1048576,
    )} max ${peakRssMb()}`;
  };
  mem('read');
  if ((globalThis as any).gc) {
    (globalThis as any).gc();
    mem('read+gc');
  }
  const t1 = performance.now();
  const report = evaluateFleet(input);
  const t2 = performance.now();
  mem('evaluated');
  const entities = catalogEntitiesOf(report, input, {
    type: 'kubernetes',
    at: new Date().toISOString(),
  }).length;
  const t3 = performance.now();
  mem('entities');
  const verdicts: Record<string, number> = {};
  for (const c of report.clusters)
    verdicts[c.verdict] = (verdicts[c.verdict] ?? 0) + 1;
  return {
    clusters: report.clusters.length,
    seconds: (t3 - started) / 1000,
    readSeconds,
    evaluateSeconds: (t2 - t1) / 1000,
    entitySeconds: (t3 - t2) / 1000,
    entities,
    listCalls,
    objects: input.managementClusters.reduce((n, m) => n + m.objects.length, 0),
    problems: report.problems.length,
    verdicts,
    memory,
    startRssMb,
    peakRssMb: peakRssMb(),
  };
}

// -----------------------------------------------------------------------------------------------------------
// trust: live verification of every account through DefaultAwsEvidenceGatherer against the STS/IAM double.

async function trustPhase(
  fleet: ServedFleet,
  options: { latencyMs: number; concurrency?: number },
) {
  const { input } = await readFleet(fleet);
  const plan = planEvidence(input);
  const double = await startAwsDouble({
    latencyMs: options.latencyMs,
    managementAccounts: fleet.managementClusters.map(m => m.accountId),
    organizationAccounts: fleet.accounts,
  });
  try {
    const { gatherer, managementAccountId } = benchGatherer(double, input, {
      concurrency: options.concurrency,
    });

    const t0 = performance.now();
    const evidence = await gatherer.gather(plan, { managementAccountId });
    const seconds = (performance.now() - t0) / 1000;
    const first = { ...double.calls };
    const t1 = performance.now();
    await gatherer.gather(plan, { managementAccountId });
    const secondSeconds = (performance.now() - t1) / 1000;
    const second: Record<string, number> = {};
    for (const [k, v] of Object.entries(double.calls))
      second[k] = v - (first[k] ?? 0);

    const assumed = Object.values(evidence.assumeResults ?? {});
    const hops = plan.chains.reduce((n, c) => n + c.hops.length, 0);
    const report = evaluateFleet(input, evidence);
    const accountsVerified = report.accounts.filter(
      a => a.clusters.length + a.identities.length > 0,
    ).length;
    return {
      accounts: report.accounts.length,
      accountsWithTargets: accountsVerified,
      distinctChains: plan.chains.length,
      plannedHops: hops,
      assumeRoleCalls: first.AssumeRole ?? 0,
      seconds,
      calls: first,
      secondRun: {
        seconds: secondSeconds,
        assumeRoleCalls: second.AssumeRole ?? 0,
        calls: second,
      },
      chainsOk: assumed.filter(a => a.status === 'ok').length,
      // eks:DescribeCluster, signed with the credentials each EKS cluster's chain ends in.
      eksClusters: plan.eksClusters?.length ?? 0,
      describeClusterCalls: first.DescribeCluster ?? 0,
      clustersWithCa: report.clusters.filter(c => c.apiServerCaData).length,
      roles: plan.roleArns.length,
      simulations: plan.simulations.length,
      peakRssMb: peakRssMb(),
    };
  } finally {
    await double.close();
  }
}

// -----------------------------------------------------------------------------------------------------------
// api: the real capa backend plugin on the served fleet; the parent drives autocannon against it.

async function apiPhase(fleet: ServedFleet) {
  // Loaded here only: the other phases do not pay for the backend's modules.
  const { startTestBackend, mockServices, mockCredentials } =
    require('@backstage/backend-test-utils') as typeof import('@backstage/backend-test-utils');
  const capa =
    require('@capa-portal/plugin-capa-backend') as typeof import('@capa-portal/plugin-capa-backend');
  const backend = await startTestBackend({
    features: [
      capa.default,
      mockServices.rootConfig.factory({
        data: {
          capa: {
            refresh: { frequency: { minutes: 30 }, timeout: { minutes: 5 } },
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
                pageSize: PAGE_SIZE,
                timeoutMs: 60_000,
              },
            })),
            accounts: fleet.accounts.map(a => ({ ...a })) as JsonObject[],
          },
        },
      }),
    ],
  });
  const port = (backend.server as any).port();
  const base = `http://127.0.0.1:${port}/api/capa`;
  const header = mockCredentials.user.header();
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, {
      headers: { Authorization: header },
    });
    if (!res.ok)
      throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const started = performance.now();
  for (let i = 0; ; i++) {
    const body = await get('/management-clusters');
    if (body.items.every((m: any) => m.lastSync || m.error)) {
      const failed = body.items.filter((m: any) => m.error);
      if (failed.length)
        throw new Error(`sync failed: ${failed.map((m: any) => m.error)}`);
      break;
    }
    if (i > 6000) throw new Error('the backend never synced');
    await new Promise(r => setTimeout(r, 100));
  }
  const syncSeconds = (performance.now() - started) / 1000;
  const t = performance.now();
  const first = await get(
    `/accounts/${
      fleet.accounts[Math.min(10, fleet.accounts.length - 1)].accountId
    }/trust`,
  );
  const firstReportSeconds = (performance.now() - t) / 1000;
  const accountIds = fleet.accounts.map(a => a.accountId);
  const sample = JSON.stringify(first).length;
  await send({
    ready: true,
    base,
    header,
    accountIds,
    syncSeconds,
    firstReportSeconds,
    sampleResponseBytes: sample,
  });
  const before = process.memoryUsage();
  await nextMessage(); // the parent ran its load
  const after = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1048576);
  const result = {
    peakRssMb: peakRssMb(),
    heapBeforeLoadMb: mb(before.heapUsed),
    heapAfterLoadMb: mb(after.heapUsed),
    externalMb: mb(after.external),
  };
  await send(result);
  await backend.stop();
}

// -----------------------------------------------------------------------------------------------------------

async function main() {
  const phase = process.argv[2];
  const input = await nextMessage<any>();
  // RSS once the modules are loaded, before the phase's work: the baseline the peak is compared with.
  startRssMb = peakRssMb();
  let result: unknown;
  switch (phase) {
    case 'server':
      await serverPhase(input.fleetOptions);
      return;
    case 'floor':
      result = await floorPhase(input.fleet);
      break;
    case 'ingest':
      result = await ingestPhase(input.fleet);
      break;
    case 'trust':
      result = await trustPhase(input.fleet, input.trust);
      break;
    case 'api':
      await apiPhase(input.fleet);
      return;
    case 'freshness':
      result = await freshnessPhase(
        input.fleet,
        { ...input.freshness, pageSize: PAGE_SIZE },
        peakRssMb,
        // The parent counts the servers' LISTs over a quiet window, then says go on.
        async () => {
          await send({ quiet: true });
          await nextMessage();
        },
      );
      break;
    default:
      throw new Error(`unknown phase ${phase}`);
  }
  await send(result);
}

main().then(
  () => process.exit(0),
  e => {
    process.stderr.write(`bench ${process.argv[2]}: ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
