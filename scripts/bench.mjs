#!/usr/bin/env node
/*
 * `./portal bench [--json] [--check] [options]`: fleet-scale benchmarks of capa-portal (issue #7).
 *
 * Each phase runs in its own Node process (bench/phases.ts, through bench/register.cjs: Backstage's swc node
 * transform without source maps and ESM worker), so peak RSS is
 * per phase:
 *   server  the synthetic fleet (bench/fleet.ts) on one TestKubernetesApiServer per management cluster;
 *   floor   the same LIST requests as the reader, fetched (Node's fetch) and JSON-parsed only;
 *   ingest  KubernetesFleetReader.read() per management cluster → evaluateFleet → catalog entities;
 *   trust   DefaultAwsEvidenceGatherer.gather() twice against an STS/IAM double with fixed latency;
 *   api     the capa backend plugin (startTestBackend), loaded by autocannon from this process.
 * And two sections made of phases: `freshness` (the real backend with the catalog, bench/freshness.ts) and
 * `scale` (floor and ingest again, on a second served fleet of 100,000 clusters from 50 management clusters).
 *
 * Options: --json, --check (exit 1 when a target is missed), --phases ingest,trust,api, --duration <s> (api
 * load, default 10), --connections <n> (default 50), --latency <ms> (AWS double, default 50), --concurrency
 * <n> (gatherer; default: its configured default), and the fleet's --seed, --management-clusters, --accounts,
 * --identities, --clusters, --eks-ratio, --nested-ratio, --all-kinds.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'package.json'));
const PHASES = path.join(ROOT, 'bench', 'phases.ts');
// Backstage's node transform (swc), without its development-only parts: see bench/register.cjs.
const TRANSFORM = path.join(ROOT, 'bench', 'register.cjs');

export const TARGETS = {
  ingestRatio: 1.5,
  peakRssMb: 400,
  apiP99Ms: 25,
  freshnessP95Seconds: 10,
  steadyListsPerMinute: 0,
  initialLoadSeconds: 70,
  backendPeakRssMb: 1600,
  scalePeakRssMb: 2048,
  scaleFloorRatio: 1.3,
};

const argv = process.argv.slice(2);
const has = flag => argv.includes(flag);
function opt(flag, fallback) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag && i + 1 < argv.length) return argv[i + 1];
    if (argv[i].startsWith(`${flag}=`)) return argv[i].slice(flag.length + 1);
  }
  return fallback;
}
function num(flag, fallback) {
  const v = opt(flag, undefined);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`bench: ${flag} needs a non-negative number\n`);
    process.exit(2);
  }
  return n;
}

if (has('--help') || has('-h')) {
  process.stdout.write(
    `Usage: ./portal bench [--json] [--check] [--phases ingest,trust,api,freshness] [--duration 10] [--connections 50]
       [--rounds 6]  freshness: rounds of 4 changes    [--quiet-seconds 60]  freshness: the steady LIST window
       [--scale-clusters 100000] [--scale-management-clusters 50]  scale: its fleet (accounts and identities:
                     one per 10 clusters, as in the default fleet)
       [--latency 50] [--concurrency N] [--seed 42] [--management-clusters 5] [--accounts 1000]
       [--identities 1000] [--clusters 10000] [--eks-ratio 0.6] [--nested-ratio 0.3] [--all-kinds]
       [--cpu-prof-dir DIR]   write a V8 CPU profile of each measured phase there
       [--details]            also print every phase's details (timings, calls, memory) as JSON on stderr
       [--node-flags "..."]   V8 / Node flags for the measured phases (experiments; the figures use none)
`,
  );
  process.exit(0);
}

const json = has('--json');
const check = has('--check');
const phases = new Set(
  opt('--phases', 'ingest,trust,api,freshness,scale').split(','),
);
const rounds = num('--rounds', 6);
const quietSeconds = num('--quiet-seconds', 60);
const duration = num('--duration', 10);
const connections = num('--connections', 50);
const latencyMs = num('--latency', 50);
const concurrency = opt('--concurrency', undefined);
const cpuProfDir = opt('--cpu-prof-dir', undefined);
// Extra V8 / Node flags for the measured phases (experiments only: the figures use none).
const scaleClusters = num('--scale-clusters', 100_000);
const scaleManagementClusters = num('--scale-management-clusters', 50);
const nodeFlags = (opt('--node-flags', '') || '').split(' ').filter(Boolean);
const fleetOptions = {
  seed: num('--seed', 42),
  managementClusters: num('--management-clusters', 5),
  accounts: num('--accounts', 1000),
  identities: num('--identities', 1000),
  clusters: num('--clusters', 10000),
  eksRatio: num('--eks-ratio', 0.6),
  nestedRatio: num('--nested-ratio', 0.3),
  allKinds: has('--all-kinds'),
};

const log = message => {
  if (!json || has('--verbose')) process.stderr.write(`bench: ${message}\n`);
};

/** The next message of a phase, skipping the node transform's `{ type: 'watch' }` notes. */
function nextMessage(child) {
  return new Promise(resolve => {
    const on = message => {
      if (message && message.type === 'watch') return;
      child.off('message', on);
      resolve(message);
    };
    child.on('message', on);
  });
}

/** Forks a phase; resolves with its first message (and the child, to talk on). */
function startPhase(name, input, { profile = false, heapMb } = {}) {
  const execArgv = ['-r', TRANSFORM, ...(profile ? nodeFlags : [])];
  if (heapMb) execArgv.push(`--max-old-space-size=${heapMb}`);
  if (profile && cpuProfDir)
    execArgv.push(
      '--cpu-prof',
      `--cpu-prof-dir=${path.join(cpuProfDir, name)}`,
    );
  const child = fork(PHASES, [name], {
    cwd: ROOT,
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const first = new Promise((resolve, reject) => {
    nextMessage(child).then(resolve);
    child.once('exit', code =>
      reject(new Error(`phase ${name} exited with code ${code}`)),
    );
    child.once('error', reject);
  });
  child.send(input);
  return { child, first };
}

async function runPhase(name, input, options) {
  const { child, first } = startPhase(name, input, options);
  const result = await first;
  await new Promise(resolve =>
    child.exitCode !== null ? resolve() : child.once('exit', resolve),
  );
  return result;
}

const round = (n, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

async function apiLoad(api) {
  const autocannon = require('autocannon');
  const ids = api.accountIds;
  let i = 0;
  const run = seconds =>
    new Promise((resolve, reject) => {
      autocannon(
        {
          url: api.base,
          connections,
          duration: seconds,
          headers: { authorization: api.header },
          requests: [
            {
              method: 'GET',
              setupRequest: req => ({
                ...req,
                path: `/api/capa/accounts/${ids[i++ % ids.length]}/trust`,
              }),
            },
          ],
        },
        (err, result) => (err ? reject(err) : resolve(result)),
      );
    });
  await run(2); // warm-up (JIT, connections), not measured
  i = 0;
  return run(duration);
}

/** The served fleet's LIST requests so far (the server phase counts them). */
async function serverLists(server) {
  server.child.send({ counts: true });
  return (await nextMessage(server.child)).lists;
}

/**
 * freshness (bench/freshness.ts): the real backend with the catalog on PostgreSQL (scripts/services.mjs; SQLite
 * in memory when it cannot be started, and the result says so) against the served fleet. The steady LIST rate
 * is counted here, on the served fleet, over a quiet window after the changes.
 */
async function freshness(server, fleet) {
  const { startDatabases } = await import('./services.mjs');
  const services = await startDatabases();
  const pgUrl = services.env.CAPA_TEST_PG_URL;
  if (!pgUrl)
    log(
      `freshness: no PostgreSQL (${services.env.CAPA_TEST_SERVICES_SKIPPED}); the catalog runs on SQLite`,
    );
  try {
    log(
      `freshness: the backend with the catalog on ${
        pgUrl ? 'PostgreSQL' : 'SQLite'
      }: initial load, then ${rounds * 4} changes`,
    );
    const { child, first } = startPhase(
      'freshness',
      { fleet, freshness: { pgUrl, rounds } },
      { profile: true },
    );
    const quiet = await first;
    if (!quiet?.quiet)
      throw new Error(`freshness said ${JSON.stringify(quiet).slice(0, 300)}`);
    log(
      `freshness: changes done; counting LISTs over ${quietSeconds} s of quiet`,
    );
    const before = await serverLists(server);
    await new Promise(r => setTimeout(r, quietSeconds * 1000));
    const after = await serverLists(server);
    child.send({ go: true });
    const measured = await nextMessage(child);
    await new Promise(resolve =>
      child.exitCode !== null ? resolve() : child.once('exit', resolve),
    );
    const perMgmt = fleet.managementClusters.length;
    return {
      clusters: measured.clusters,
      initialLoadSeconds: round(measured.initialLoadSeconds, 1),
      p50Seconds: round(measured.p50Seconds, 2),
      p95Seconds: round(measured.p95Seconds, 2),
      steadyListsPerMinute: round(
        (after - before) / perMgmt / (quietSeconds / 60),
        2,
      ),
      backendPeakRssMb: measured.backendPeakRssMb,
      database: measured.database,
      changes: measured.changes.length,
      details: {
        changes: measured.changes,
        initialLoadRequests: measured.initialLoadRequests,
        capaSyncedSeconds: round(measured.capaSyncedSeconds, 1),
        initialLoadRows: measured.initialLoadRows,
      },
    };
  } finally {
    await services.stop();
  }
}

/**
 * The floor (after one untimed warm-up pass that fills the server's page cache), then the ingest, on a served
 * fleet: `{ result, details }` of the ingest section.
 */
async function measureIngest(fleet, label) {
  log(`${label}: warm-up pass over every LIST (fills the server page cache)`);
  await runPhase('floor', { fleet });
  log(`${label}: floor (fetch + JSON.parse only)`);
  const floor = await runPhase('floor', { fleet }, { profile: true });
  log(
    `${label}: floor ${round(
      floor.seconds,
      2,
    )} s; now the reader → engine → entities`,
  );
  const ingest = await runPhase('ingest', { fleet }, { profile: true });
  return {
    result: {
      clusters: ingest.clusters,
      seconds: round(ingest.seconds),
      floorSeconds: round(floor.seconds),
      ratio: round(ingest.seconds / floor.seconds, 2),
      peakRssMb: ingest.peakRssMb,
      listCalls: ingest.listCalls,
    },
    details: {
      ...ingest,
      floor,
      sameListCalls: floor.listCalls === ingest.listCalls,
    },
  };
}

/**
 * scale: a second fleet, 100,000 clusters from 50 management clusters by default (one account and one identity
 * per 10 clusters, as in the default fleet), served by its own server process (given a larger heap: it holds
 * the generated objects and every LIST page's text), then capa's ingest in its own process as in `ingest`.
 */
async function scale() {
  const options = {
    ...fleetOptions,
    managementClusters: scaleManagementClusters,
    clusters: scaleClusters,
    accounts: Math.max(1, Math.round(scaleClusters / 10)),
    identities: Math.max(1, Math.round(scaleClusters / 10)),
  };
  log(
    `scale: generating and serving ${options.clusters} clusters from ${options.managementClusters} management clusters (${options.accounts} accounts, ${options.identities} identities)`,
  );
  const server = startPhase(
    'server',
    { fleetOptions: options },
    { heapMb: 16384 },
  );
  const fleet = await server.first;
  if (!fleet?.managementClusters)
    throw new Error(`scale server said ${JSON.stringify(fleet).slice(0, 300)}`);
  try {
    const measured = await measureIngest(fleet, 'scale');
    return {
      result: {
        clusters: measured.result.clusters,
        seconds: measured.result.seconds,
        peakRssMb: measured.result.peakRssMb,
        floorRatio: measured.result.ratio,
      },
      details: {
        ...measured.details,
        fleet: {
          ...options,
          objects: fleet.managementClusters.reduce((n, m) => n + m.objects, 0),
          generateSeconds: round(fleet.generateSeconds, 1),
        },
      },
    };
  } finally {
    server.child.send({ stop: true });
  }
}

/** The sections measured on the default fleet (10,000 clusters): ingest, trust, api and freshness. */
async function defaultFleetSections(result, details) {
  log(
    `generating the fleet (${fleetOptions.clusters} clusters, ${fleetOptions.accounts} accounts, ${fleetOptions.identities} identities, ${fleetOptions.managementClusters} management clusters) and serving it`,
  );
  const server = startPhase('server', { fleetOptions });
  const fleet = await server.first;
  if (!fleet?.managementClusters)
    throw new Error(`server phase said ${JSON.stringify(fleet).slice(0, 300)}`);
  details.fleet = {
    kinds: fleet.kinds,
    objects: fleet.managementClusters.reduce((n, m) => n + m.objects, 0),
    generateSeconds: round(fleet.generateSeconds, 1),
  };
  try {
    if (phases.has('ingest')) {
      const ingest = await measureIngest(fleet, 'ingest');
      result.ingest = ingest.result;
      details.ingest = ingest.details;
    }
    if (phases.has('trust')) {
      log(
        `trust: gather against the STS/IAM double (${latencyMs} ms per call)`,
      );
      const trust = await runPhase(
        'trust',
        {
          fleet,
          trust: {
            latencyMs,
            ...(concurrency ? { concurrency: Number(concurrency) } : {}),
          },
        },
        { profile: true },
      );
      result.trust = {
        accounts: trust.accounts,
        distinctChains: trust.distinctChains,
        assumeRoleCalls: trust.assumeRoleCalls,
        seconds: round(trust.seconds),
      };
      details.trust = trust;
    }
    if (phases.has('api')) {
      log(
        'api: starting the capa backend plugin and waiting for the first sync',
      );
      const { child, first } = startPhase('api', { fleet }, { profile: true });
      const api = await first;
      log(
        `api: synced in ${round(api.syncSeconds, 1)} s, first report in ${round(
          api.firstReportSeconds,
          2,
        )} s; autocannon ${connections} connections × ${duration} s`,
      );
      let load;
      try {
        load = await apiLoad(api);
      } finally {
        child.send({ stop: true });
      }
      const tail = await nextMessage(child);
      await new Promise(resolve =>
        child.exitCode !== null ? resolve() : child.once('exit', resolve),
      );
      result.api = {
        p50Ms: load.latency.p50,
        p99Ms: load.latency.p99,
        rps: round(load.requests.average, 0),
      };
      details.api = {
        requests: load.requests.total,
        non2xx: load.non2xx,
        errors: load.errors,
        timeouts: load.timeouts,
        maxMs: load.latency.max,
        syncSeconds: round(api.syncSeconds, 2),
        firstReportSeconds: round(api.firstReportSeconds, 3),
        responseBytes: api.sampleResponseBytes,
        ...tail,
      };
    }
    if (phases.has('freshness')) {
      const { details: freshnessDetails, ...f } = await freshness(
        server,
        fleet,
      );
      result.freshness = f;
      details.freshness = freshnessDetails;
    }
  } finally {
    server.child.send({ stop: true });
  }
}

async function main() {
  const result = {};
  const details = {};
  log(
    `machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, Node ${
      process.version
    }, load average ${os
      .loadavg()
      .map(n => n.toFixed(2))
      .join(' ')}`,
  );
  if ([...phases].some(p => p !== 'scale'))
    await defaultFleetSections(result, details);
  if (phases.has('scale')) {
    const scaled = await scale();
    result.scale = scaled.result;
    details.scale = scaled.details;
  }

  const verdicts = [];
  const mark = (name, ok, text) => {
    verdicts.push({ name, ok, text });
  };
  if (result.ingest) {
    mark(
      'ingest ratio',
      result.ingest.ratio <= TARGETS.ingestRatio,
      `${result.ingest.ratio} ≤ ${TARGETS.ingestRatio}`,
    );
    mark(
      'ingest peak RSS',
      result.ingest.peakRssMb <= TARGETS.peakRssMb,
      `${result.ingest.peakRssMb} MB ≤ ${TARGETS.peakRssMb} MB`,
    );
  }
  if (result.trust) {
    mark(
      'AssumeRole calls',
      result.trust.assumeRoleCalls <= result.trust.distinctChains &&
        details.trust.secondRun.assumeRoleCalls === 0,
      `${result.trust.assumeRoleCalls} ≤ ${result.trust.distinctChains} distinct chains; second gather within TTL: ${details.trust.secondRun.assumeRoleCalls}`,
    );
  }
  if (result.api) {
    mark(
      'trust API p99',
      result.api.p99Ms <= TARGETS.apiP99Ms &&
        details.api.non2xx === 0 &&
        details.api.errors === 0,
      `${result.api.p99Ms} ms ≤ ${TARGETS.apiP99Ms} ms (${details.api.non2xx} non-2xx, ${details.api.errors} errors)`,
    );
  }
  if (result.freshness) {
    const f = result.freshness;
    mark(
      'freshness p95',
      f.p95Seconds <= TARGETS.freshnessP95Seconds,
      `${f.p95Seconds} s ≤ ${TARGETS.freshnessP95Seconds} s`,
    );
    mark(
      'steady LISTs',
      f.steadyListsPerMinute <= TARGETS.steadyListsPerMinute,
      `${f.steadyListsPerMinute} per minute per management cluster = ${TARGETS.steadyListsPerMinute}`,
    );
    mark(
      'initial load',
      f.database === 'postgresql' &&
        f.initialLoadSeconds <= TARGETS.initialLoadSeconds,
      `${f.initialLoadSeconds} s ≤ ${TARGETS.initialLoadSeconds} s on ${f.database}`,
    );
    mark(
      'backend peak RSS',
      f.backendPeakRssMb < TARGETS.backendPeakRssMb,
      `${f.backendPeakRssMb} MB < ${TARGETS.backendPeakRssMb} MB`,
    );
  }
  if (result.scale) {
    const sc = result.scale;
    mark(
      'scale peak RSS',
      sc.peakRssMb <= TARGETS.scalePeakRssMb,
      `${sc.peakRssMb} MB ≤ ${TARGETS.scalePeakRssMb} MB at ${sc.clusters} clusters`,
    );
    mark(
      'scale ratio',
      sc.floorRatio <= TARGETS.scaleFloorRatio,
      `${sc.floorRatio} ≤ ${TARGETS.scaleFloorRatio}`,
    );
  }
  const missed = verdicts.filter(v => !v.ok);

  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const lines = [];
    const row = (k, v) => lines.push(`  ${k.padEnd(22)} ${v}`);
    lines.push(
      `capa-portal bench — ${os.cpus().length} cores (${
        os.cpus()[0]?.model ?? '?'
      }), Node ${process.version}`,
    );
    if (details.fleet)
      lines.push(
        `fleet: ${fleetOptions.managementClusters} management clusters, ${fleetOptions.accounts} accounts, ${fleetOptions.identities} identities, ${fleetOptions.clusters} workload clusters (seed ${fleetOptions.seed}); ${details.fleet.objects} objects served`,
      );
    if (result.ingest) {
      const d = details.ingest;
      lines.push('ingest (LIST → reader → engine → entities)');
      row('clusters', result.ingest.clusters);
      row(
        'seconds',
        `${result.ingest.seconds} (read ${round(
          d.readSeconds,
          2,
        )}, evaluate ${round(d.evaluateSeconds, 2)}, entities ${round(
          d.entitySeconds,
          2,
        )}; ${d.entities} entities)`,
      );
      row(
        'floorSeconds',
        `${result.ingest.floorSeconds} (fetch + JSON.parse of the same ${d.floor.listCalls} LISTs, ${d.floor.megabytes} MB)`,
      );
      row('ratio', result.ingest.ratio);
      row(
        'peakRssMb',
        `${result.ingest.peakRssMb} (modules loaded: ${d.startRssMb}; floor process: ${d.floor.peakRssMb}, modules loaded: ${d.floor.startRssMb})`,
      );
      row('listCalls', result.ingest.listCalls);
    }
    if (result.trust) {
      const d = details.trust;
      lines.push(`trust (live verification, ${latencyMs} ms per AWS call)`);
      row('accounts', result.trust.accounts);
      row(
        'distinctChains',
        `${result.trust.distinctChains} (${d.plannedHops} hops planned)`,
      );
      row(
        'assumeRoleCalls',
        `${result.trust.assumeRoleCalls} (second gather within TTL: ${
          d.secondRun.assumeRoleCalls
        } in ${round(d.secondRun.seconds, 2)} s)`,
      );
      row(
        'seconds',
        `${result.trust.seconds} (${Object.entries(d.calls)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`,
      );
    }
    if (result.freshness) {
      const f = result.freshness;
      lines.push(
        `freshness (the real backend, catalog on ${f.database}; ${f.changes} changes)`,
      );
      row('clusters', f.clusters);
      row('initialLoadSeconds', f.initialLoadSeconds);
      row('p50Seconds', f.p50Seconds);
      row('p95Seconds', f.p95Seconds);
      row('steadyListsPerMinute', f.steadyListsPerMinute);
      row('backendPeakRssMb', f.backendPeakRssMb);
    }
    if (result.scale) {
      const d = details.scale;
      lines.push(
        `scale (${d.fleet.managementClusters} management clusters, ${d.fleet.objects} objects served; ingest in its own process)`,
      );
      row('clusters', result.scale.clusters);
      row(
        'seconds',
        `${result.scale.seconds} (read ${round(
          d.readSeconds,
          2,
        )}, evaluate ${round(d.evaluateSeconds, 2)}, entities ${round(
          d.entitySeconds,
          2,
        )}; ${d.entities} entities)`,
      );
      row(
        'floorRatio',
        `${result.scale.floorRatio} (floor ${round(d.floor.seconds, 2)} s: ${
          d.floor.listCalls
        } LISTs, ${d.floor.megabytes} MB)`,
      );
      row(
        'peakRssMb',
        `${result.scale.peakRssMb} (modules loaded: ${d.startRssMb}; floor process: ${d.floor.peakRssMb})`,
      );
    }
    if (result.api) {
      const d = details.api;
      lines.push(
        `api (GET /api/capa/accounts/{id}/trust, ${connections} connections × ${duration} s)`,
      );
      row('p50Ms', result.api.p50Ms);
      row('p99Ms', `${result.api.p99Ms} (max ${d.maxMs})`);
      row(
        'rps',
        `${result.api.rps} (${d.requests} requests, ${d.non2xx} non-2xx, ${
          d.errors
        } errors; response ~${Math.round(d.responseBytes / 1024)} KB)`,
      );
    }
    lines.push('targets');
    for (const v of verdicts)
      lines.push(`  ${v.ok ? 'met   ' : 'MISSED'} ${v.name}: ${v.text}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (has('--details'))
    process.stderr.write(`${JSON.stringify(details, null, 2)}\n`);
  process.exitCode = check && missed.length > 0 ? 1 : 0;
}

main().catch(e => {
  process.stderr.write(`bench: ${e?.stack ?? e}\n`);
  process.exitCode = 2;
});
