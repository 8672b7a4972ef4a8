#!/usr/bin/env node
// `./portal test:install`: capa-portal installed the way an adopter installs it (issue 11).
//
//  1. build    `tsc` (declarations) and `backstage-cli repo build`: every publishable package's dist/
//  2. pack     `yarn pack` each one into a tarball (prepack/postpack point main/types/exports at dist/)
//  3. app      a throwaway Backstage app in a temp folder outside the workspace (scripts/install-proof/app.mjs):
//              Backstage packages from the registry at our yarn.lock's versions, ours from the tarballs
//  4. install  `yarn install` there (the committed Yarn release, this Node)
//  5. doctor   the packed `capa-doctor` on the demo fleet: exit 1 (broken verdicts on purpose), 0 on a fleet with
//              nothing broken, 2 on a folder without fleet.yaml (DESIGN.md §6)
//  6. backend  started on the demo fleet; then migrations, /api/capa/accounts, the catalog's capa entities and
//              templates, the five scaffolder actions, MCP tools/list and tools/call (scripts/install-proof/checks.mjs)
//  7. bad input the backend started with a misspelt key under capa:, and without @capa-portal/plugin-capa-backend
//              beside the modules that read it: both refused at start, the key or the package named
//  8. bundle   the app built with `backstage-cli package build`; feature discovery must have bundled the plugin
// Each step prints its time; the last line is `N passed, N failed`. INSTALL_PROOF_KEEP=1 keeps the temp app.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeApp } from './install-proof/app.mjs';
import {
  checkAccounts,
  checkCatalog,
  checkMcp,
  checkMigrations,
  checkScaffolderActions,
  client,
  waitFor,
} from './install-proof/checks.mjs';
import { cleanBuildOutput, packAll } from './install-proof/pack.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.portal', 'install-proof');
const started = Date.now();
const port = Number(process.env.INSTALL_PROOF_PORT ?? 7117);
const seconds = since => `${((Date.now() - since) / 1000).toFixed(1)}s`;
let passed = 0;
let failed = 0;
const results = [];

/** A command; its output goes to .portal/install-proof/<log>.log, its last lines to the console on failure. */
function run(name, cmd, args, { cwd = root, env = {}, log = 'steps' } = {}) {
  const logFile = join(out, `${log}.log`);
  const fd = openSync(logFile, 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...env },
    });
    child.on('close', code => {
      if (code === 0) return resolve();
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-25);
      reject(
        new Error(
          `${name}: exit ${code}; end of ${logFile}:\n${tail.join('\n')}`,
        ),
      );
    });
  });
}

async function step(name, fn) {
  const t = Date.now();
  try {
    const detail = await fn();
    passed++;
    results.push([name, 'ok', seconds(t)]);
    console.log(
      `install-proof: ${name}: ok in ${seconds(t)}${
        detail ? ` (${detail})` : ''
      }`,
    );
    return true;
  } catch (e) {
    failed++;
    results.push([name, 'FAILED', seconds(t)]);
    console.log(
      `install-proof: ${name}: FAILED in ${seconds(t)}\n${e.message}`,
    );
    return false;
  }
}

function doctor(appDir, args) {
  return new Promise(resolve => {
    const child = spawn(join(appDir, 'node_modules/.bin/capa-doctor'), args, {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', d => (output += d));
    child.stderr.on('data', d => (output += d));
    child.on('close', code => resolve({ code, output }));
  });
}

async function checkDoctor(appDir) {
  const ok = join(appDir, 'fleet-ok');
  mkdirSync(join(ok, 'clusters'), { recursive: true });
  writeFileSync(
    join(ok, 'fleet.yaml'),
    "managementClusters:\n  - name: mgmt\n    accountId: '111111111111'\n    manifests: clusters\n",
  );
  mkdirSync(join(appDir, 'fleet-none'), { recursive: true });
  const cases = [
    ['demo-fleet', 1],
    ['fleet-ok', 0],
    ['fleet-none', 2],
  ];
  const seen = [];
  for (const [dir, want] of cases) {
    const { code, output } = await doctor(appDir, [dir]);
    if (code !== want)
      throw new Error(
        `capa-doctor ${dir}: exit ${code}, want ${want}\n${output}`,
      );
    if (/^\s+at /m.test(output))
      throw new Error(`capa-doctor ${dir}: a stack trace\n${output}`);
    seen.push(`${dir} → ${code}`);
  }
  return seen.join(', ');
}

function startBackend(
  appDir,
  { script = 'index.js', args = [], log = 'backend' } = {},
) {
  const fd = openSync(join(out, `${log}.log`), 'w');
  const child = spawn(process.execPath, [script, ...args], {
    cwd: join(appDir, 'packages', 'backend'),
    stdio: ['ignore', fd, fd],
    detached: true,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  child.on('exit', code => {
    child.exitCode ??= code;
  });
  return child;
}

function stop(child) {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise(resolve => {
    child.once('exit', resolve);
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 10_000).unref();
  });
}

/**
 * A start that must be refused: Backstage's BackendStartupError names `want`, and the backend never reports
 * ready. (Backstage keeps the process alive after a failed start and logs the error as JSON; the message is the
 * part meant for people, its `stack` field Backstage's own.)
 */
async function checkRefusedStart(appDir, { script, args = [], log, want }) {
  const child = startBackend(appDir, { script, args, log });
  try {
    let failure;
    await waitFor('the start to fail', 120, async () => {
      failure = readFileSync(join(out, `${log}.log`), 'utf8')
        .split('\n')
        .filter(l => l.startsWith('{'))
        .map(l => JSON.parse(l))
        .find(l => l.name === 'BackendStartupError');
      return failure !== undefined;
    });
    if (!want.test(failure.message))
      throw new Error(
        `the start failed, but not with ${want}: ${failure.message}`,
      );
    const ready = await fetch(
      `http://127.0.0.1:${port}/.backstage/health/v1/readiness`,
    ).then(
      r => r.ok,
      () => false,
    );
    if (ready) throw new Error('the backend reports ready');
    return failure.message.split('\n')[1].trim();
  } finally {
    await stop(child);
  }
}

/** A misspelt key under capa: Backstage itself starts anyway (it checks schemas only in `config:check --strict`). */
function checkUnknownKey(appDir) {
  writeFileSync(
    join(appDir, 'app-config.typo.yaml'),
    'capa:\n  refersh:\n    frequency: { minutes: 5 }\n',
  );
  return checkRefusedStart(appDir, {
    args: [
      '--config',
      '../../app-config.yaml',
      '--config',
      '../../app-config.typo.yaml',
    ],
    log: 'backend-typo',
    want: /Plugin 'capa' startup failed; caused by InputError: app-config: unknown key capa\.refersh/,
  });
}

/** The catalog and scaffolder modules without the backend plugin they read. */
function checkWithoutCapaBackend(appDir) {
  return checkRefusedStart(appDir, {
    script: 'index-without-capa-backend.js',
    log: 'backend-without-capa',
    want: /plugin-catalog-backend-module-capa needs capa-portal's backend plugin.*add @capa-portal\/plugin-capa-backend/,
  });
}

const templateNames = () =>
  readdirSync(
    join(root, 'plugins/scaffolder-backend-module-capa/templates'),
  ).map(
    t =>
      readFileSync(
        join(
          root,
          'plugins/scaffolder-backend-module-capa/templates',
          t,
          'template.yaml',
        ),
        'utf8',
      ).match(/^ {2}name: (\S+)$/m)[1],
  );

rmSync(out, { recursive: true, force: true, maxRetries: 3 });
mkdirSync(join(out, 'tarballs'), { recursive: true });
const appDir = mkdtempSync(join(tmpdir(), 'capa-install-proof-'));
console.log(
  `install-proof: the throwaway app is ${appDir}; logs in .portal/install-proof/`,
);
let backend;
let tarballs;
try {
  const built = await step('build', async () => {
    await run('tsc', 'tsc', ['--incremental', 'false']);
    await run('repo build', 'backstage-cli', ['repo', 'build']);
  });
  if (built)
    await step('pack', async () => {
      tarballs = await packAll({ run, outDir: join(out, 'tarballs') });
      return Object.values(tarballs)
        .map(f => f.split('/').pop())
        .join(', ');
    });
  cleanBuildOutput(root);
  const installed =
    tarballs &&
    (await step('install', async () => {
      writeApp({
        root,
        dir: appDir,
        tarballs,
        port,
        cacheDir: join(root, '.portal', 'install-proof-cache'),
      });
      await run('yarn install', 'yarn', ['install'], {
        cwd: appDir,
        log: 'install',
        env: { YARN_ENABLE_IMMUTABLE_INSTALLS: 'false', CI: '' },
      });
    }));
  if (installed) {
    await step('doctor', () => checkDoctor(appDir));
    backend = startBackend(appDir);
    const api = client(`http://127.0.0.1:${port}`);
    const up = await step('backend start', () =>
      waitFor('backend ready', 240, async () => {
        if (backend.exitCode !== null)
          throw new Error(
            `the backend exited (${backend.exitCode}); see .portal/install-proof/backend.log`,
          );
        const r = await fetch(
          `http://127.0.0.1:${port}/.backstage/health/v1/readiness`,
        );
        return r.ok;
      }),
    );
    if (up) {
      await step('migrations', () =>
        checkMigrations({ appDir, dbDir: join(appDir, 'db') }),
      );
      await step('capa accounts', () =>
        checkAccounts(api, join(appDir, 'demo-fleet', 'fleet.yaml')),
      );
      await step('catalog', () =>
        checkCatalog(api, {
          entities: [
            'aws-444444444444',
            'mgmt-eu',
            'checkout-staging.staging.mgmt-eu',
          ],
          templates: templateNames(),
        }),
      );
      await step('scaffolder actions', () => checkScaffolderActions(api));
      await step('mcp', () => checkMcp(api, '444444444444'));
    }
    await stop(backend);
    await step('unknown config key', () => checkUnknownKey(appDir));
    await step('without capa-backend', () => checkWithoutCapaBackend(appDir));
    await step('app bundle', async () => {
      await run('app build', 'yarn', ['build'], {
        cwd: join(appDir, 'packages', 'app'),
        log: 'bundle',
      });
      const js = join(appDir, 'packages/app/dist/static');
      const bundled = readdirSync(js).some(
        f =>
          f.endsWith('.js') &&
          readFileSync(join(js, f), 'utf8').includes('plugin.capa.'),
      );
      if (!existsSync(join(appDir, 'packages/app/dist/index.html')) || !bundled)
        throw new Error(
          'dist/ holds no index.html, or no chunk with the capa plugin',
        );
      return 'dist/index.html, a chunk with the capa plugin';
    });
  }
} catch (e) {
  console.log(`install-proof: ${e.message}`);
  failed++;
} finally {
  await stop(backend);
  cleanBuildOutput(root);
}

console.log('\nSummary');
for (const [name, status, time] of results)
  console.log(`  ${name.padEnd(20)} ${status.padEnd(7)} ${time}`);
console.log(`install-proof: whole run ${seconds(started)}`);
if (process.env.INSTALL_PROOF_KEEP === '1') {
  console.log(`install-proof: kept ${appDir}`);
} else {
  // Removing ~1.9 GB of node_modules took 4 minutes on a loaded 2-core machine: done in the background.
  const rm = spawn('rm', ['-rf', appDir], { detached: true, stdio: 'ignore' });
  rm.unref();
  console.log(
    `install-proof: removing the temp app in the background (pid ${rm.pid})`,
  );
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
