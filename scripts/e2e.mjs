#!/usr/bin/env node
// `./portal e2e` (root script `test:e2e`): browser tests of the portal with the demo fleet.
//
// 1. Chromium: Debian's /usr/bin/chromium (installed with apt-get when missing and we are root).
// 2. The portal: reused when the app (:3000) and the backend (:7007) both answer, else started with
//    `backstage-cli repo start` in its own process group, and stopped at the end, also on failure.
//    E2E_BASE_URL (and E2E_BACKEND_URL) point the tests at a portal elsewhere; nothing is started then.
// 3. Waits until the backend is ready, capa has read every management cluster and the catalog holds the
//    entities the tests open.
// 4. Runs e2e/*.test.mjs with `node --test` (one file at a time: the CPU is shared with the dev server); with
//    arguments (`./portal e2e cluster trust-map`), only the files whose names contain one of them.
//    They save screenshots into docs/screenshots/ and, on failure, into .portal/e2e/failures/. The tenancy test
//    starts one more backend itself (on :7017, signed in as ml-engineer) and stops it when done.
// The last line is `N passed, N failed`; the exit code is 1 when a test failed or the portal did not come
// up, 2 when the machine lacks what the tests need (Chromium, playwright-core).
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.portal', 'e2e');
const portalLog = join(out, 'portal.log');
const tapFile = join(out, 'results.tap');
const started = Date.now();

const chromiumPath = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const externalPortal = !!process.env.E2E_BASE_URL;
const appUrl = (process.env.E2E_BASE_URL ?? 'http://localhost:3000').replace(
  /\/+$/,
  '',
);
// A production deployment serves the app from the backend: same origin unless told otherwise.
const backendUrl = (
  process.env.E2E_BACKEND_URL ??
  (externalPortal ? appUrl : 'http://localhost:7007')
).replace(/\/+$/, '');
const startTimeoutSeconds = Number(process.env.E2E_START_TIMEOUT_S ?? 480);

// Entities the tests open; the catalog must hold them before the tests start.
const ENTITIES = [
  'aws-444444444444',
  'checkout-staging.staging.mgmt-eu',
  'mgmt-us.role.retail-live-us',
  'mgmt-eu',
];

const log = message => console.log(`e2e: ${message}`);
const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Exit 2: the machine lacks something; nothing was tested. */
function unavailable(message) {
  console.error(`e2e: ${message}`);
  process.exit(2);
}

// 1. Chromium and playwright-core.
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function ensureChromium() {
  if (isExecutable(chromiumPath)) return;
  if (process.env.E2E_CHROMIUM) {
    unavailable(`E2E_CHROMIUM=${chromiumPath} is not an executable file`);
  }
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (!isRoot || !hasApt) {
    unavailable(
      `Chromium is missing (${chromiumPath}) and ${
        hasApt ? 'this user is not root' : 'apt-get is not available'
      }: install it with \`sudo apt-get install -y chromium\` (Debian), or set E2E_CHROMIUM to a Chromium ` +
        `binary. (\`npx playwright install\` cannot download browsers here.)`,
    );
  }
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    log(`Chromium is missing: running apt-get ${args.join(' ')}`);
    const result = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.status !== 0) {
      unavailable(
        `apt-get ${args.join(' ')} failed (exit ${
          result.status
        }): install Chromium by hand (\`apt-get install -y chromium\`)`,
      );
    }
  }
  if (!isExecutable(chromiumPath)) {
    unavailable(
      `apt-get installed chromium but ${chromiumPath} is still missing`,
    );
  }
}

function ensurePlaywright() {
  try {
    createRequire(join(root, 'package.json')).resolve('playwright-core');
  } catch {
    unavailable(
      'playwright-core is not installed: run `./portal yarn install` (it is a root devDependency)',
    );
  }
}

// 2. The portal.
async function get(url, options = {}) {
  const { timeout = 10_000, ...init } = options;
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeout) });
}

async function answers(url) {
  try {
    await get(url, { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

let portal; // the process group we started, if any

function startPortal() {
  mkdirSync(out, { recursive: true });
  const fd = openSync(portalLog, 'w');
  log(
    `starting the portal (backstage-cli repo start); its output goes to .portal/e2e/portal.log`,
  );
  portal = spawn('backstage-cli', ['repo', 'start'], {
    cwd: root,
    detached: true, // its own process group: stopped as a whole at the end
    stdio: ['ignore', fd, fd],
    env: { ...process.env, BROWSER: 'none', FORCE_COLOR: '0' },
  });
  portal.on('exit', () => {
    portal.exited = true;
  });
}

async function stopPortal() {
  if (!portal || portal.exited) return;
  log(`stopping the portal (process group ${portal.pid})`);
  const kill = signal => {
    try {
      process.kill(-portal.pid, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  for (let i = 0; i < 30 && !portal.exited; i++) await sleep(500);
  kill('SIGKILL'); // whatever is left of the group (the dev servers' children)
}

function portalLogTail(lines = 25) {
  if (!existsSync(portalLog)) return '';
  return readFileSync(portalLog, 'utf8').split('\n').slice(-lines).join('\n');
}

/** Waits for one readiness stage; returns its value. Throws with a clear message at the deadline. */
async function waitFor(stage, deadline, probe) {
  let last = '';
  for (;;) {
    if (portal?.exited) {
      throw new Error(
        `the portal exited (code ${
          portal.exitCode
        }) while waiting for ${stage}; last lines of .portal/e2e/portal.log:\n${portalLogTail()}`,
      );
    }
    try {
      const value = await probe();
      if (value) {
        log(`${stage}: ok (${elapsed()})`);
        return value;
      }
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${startTimeoutSeconds}s waiting for ${stage}${
          last ? ` (last error: ${last})` : ''
        }. ` +
          `The dev server's first compile takes 1–2 minutes on 2 cores; raise E2E_START_TIMEOUT_S if this machine is slower.` +
          (portal
            ? `\nLast lines of .portal/e2e/portal.log:\n${portalLogTail()}`
            : ''),
      );
    }
    await sleep(2_000);
  }
}

async function guestToken() {
  const response = await get(`${backendUrl}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!response.ok) throw new Error(`guest refresh: HTTP ${response.status}`);
  return (await response.json()).backstageIdentity?.token;
}

async function waitForPortal() {
  const deadline = Date.now() + startTimeoutSeconds * 1000;
  await waitFor('backend ready', deadline, async () => {
    const r = await get(`${backendUrl}/.backstage/health/v1/readiness`);
    return r.ok;
  });
  // The dev server holds requests until its first compile is done: allow each probe a long time.
  await waitFor('app served', deadline, async () => {
    const r = await get(`${appUrl}/`, { timeout: 60_000 });
    return r.ok && (await r.text()).includes('<div id="root"');
  });
  let token;
  await waitFor('capa synced every management cluster', deadline, async () => {
    token = await guestToken();
    const r = await get(`${backendUrl}/api/capa/management-clusters`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!r.ok) throw new Error(`management-clusters: HTTP ${r.status}`);
    const { items } = await r.json();
    return items.length > 0 && items.every(m => m.lastSync || m.lastAttempt);
  });
  await waitFor('catalog holds the demo fleet', deadline, async () => {
    token = await guestToken();
    for (const name of ENTITIES) {
      const r = await get(
        `${backendUrl}/api/catalog/entities/by-name/resource/default/${name}`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      if (!r.ok) throw new Error(`resource:default/${name}: HTTP ${r.status}`);
    }
    return true;
  });
}

// 4. The tests.
function runTests() {
  const only = process.argv.slice(2).filter(a => !a.startsWith('-'));
  const files = readdirSync(join(root, 'e2e'))
    .filter(f => f.endsWith('.test.mjs'))
    .filter(f => only.length === 0 || only.some(name => f.includes(name)))
    .sort()
    .map(f => join('e2e', f));
  // The portal may be one `./portal start` serves: nothing has made .portal/e2e on a fresh checkout, and
  // node's tap reporter does not create its destination's folder (ENOENT).
  mkdirSync(out, { recursive: true });
  rmSync(tapFile, { force: true });
  rmSync(join(out, 'failures'), { recursive: true, force: true });
  log(`running ${files.length} test files: ${files.join(' ')}`);
  return new Promise(resolve => {
    const child = spawn(
      process.execPath,
      [
        '--test',
        '--test-concurrency=1',
        `--test-timeout=${Number(process.env.E2E_TEST_TIMEOUT_MS ?? 300_000)}`,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tapFile}`,
        ...files,
      ],
      {
        cwd: root,
        stdio: 'inherit',
        env: {
          ...process.env,
          E2E_BASE_URL: appUrl,
          E2E_BACKEND_URL: backendUrl,
          E2E_CHROMIUM: chromiumPath,
        },
      },
    );
    child.on('close', code => resolve(code));
  });
}

function countResults() {
  if (!existsSync(tapFile)) return undefined;
  const tap = readFileSync(tapFile, 'utf8');
  const count = key =>
    Number(tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  return {
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
  };
}

// Main.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping`);
    await stopPortal();
    process.exit(130);
  });
}

ensurePlaywright();
ensureChromium();
const version = spawnSync(chromiumPath, ['--version'], { encoding: 'utf8' });
log(
  `browser: ${chromiumPath} (${
    (version.stdout || '').trim() || 'version unknown'
  })`,
);

let passed = 0;
let failed = 0;
let exitCode = 0;
try {
  if (externalPortal) {
    log(`testing the portal at ${appUrl} (backend ${backendUrl})`);
  } else {
    const probe = () =>
      Promise.all([
        answers(`${appUrl}/`),
        answers(`${backendUrl}/.backstage/health/v1/liveness`),
      ]);
    let [app, backend] = await probe();
    // A dev backend restarts on file changes for a few seconds: look again before calling it half up.
    for (let i = 0; i < 10 && app !== backend; i++) {
      await sleep(3_000);
      [app, backend] = await probe();
    }
    if (app && backend) {
      log(`reusing the portal that answers on ${appUrl} and ${backendUrl}`);
    } else if (app || backend) {
      throw new Error(
        `only ${
          app ? appUrl : backendUrl
        } answers: something else holds that port, or a portal is half up. ` +
          `Stop it, or point the tests at a running portal with E2E_BASE_URL (and E2E_BACKEND_URL).`,
      );
    } else {
      startPortal();
    }
  }
  await waitForPortal();
  const code = await runTests();
  const counts = countResults();
  if (counts) {
    ({ passed, failed } = counts);
  }
  if (code !== 0 && failed === 0) failed = 1; // a file that did not run at all
  exitCode = failed > 0 ? 1 : 0;
} catch (error) {
  console.error(`e2e: ${error.message}`);
  failed += 1;
  exitCode = 1;
} finally {
  await stopPortal();
}
log(`finished in ${elapsed()}; screenshots in docs/screenshots/`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode);
