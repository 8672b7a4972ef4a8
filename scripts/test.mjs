#!/usr/bin/env node
// `./portal test`: type check, lint, prettier check and every package's tests, then one summary line
// `N passed, N failed` that adds up every suite (each static check counts as one test), with `, N skipped` when
// jest skipped any test (each one is listed above the line).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServices } from './services.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.portal');
mkdirSync(out, { recursive: true });
const ci = process.env.CI === 'true';
const only = process.argv.slice(2); // optional: test path patterns passed to jest

function run(name, cmd, args, extraEnv = {}) {
  return new Promise(resolve => {
    const started = Date.now();
    console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...extraEnv },
    });
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `=== ${name}: ${
          code === 0 ? 'ok' : `failed (${signal ?? `exit ${code}`})`
        } in ${seconds}s`,
      );
      resolve(code === 0);
    });
  });
}

const results = [];
let passed = 0;
let failed = 0;
let skippedTests = [];
const count = (name, ok) => {
  results.push([name, ok ? 'passed' : 'FAILED']);
  ok ? passed++ : failed++;
};

if (only.length === 0) {
  count(
    'typecheck',
    await run('typecheck', 'tsc', ['--noEmit', '--incremental', 'false']),
  );
  // Each published package's report.api.md must match its exports: an unreviewed API change fails here
  // (update with `./portal yarn build:api-reports` and add a changeset). The reports are made from their own
  // compile (repo-tools' --tsc, over the published packages only): the order in which inferred types print
  // follows the order tsc checks them in, so the check compiles exactly as the update does.
  count(
    'api-reports',
    await run('api-reports', 'yarn', ['build:api-reports', '--ci']),
  );
  count('lint', await run('lint', 'backstage-cli', ['repo', 'lint']));
  count('deps', await run('deps', 'node', ['scripts/check-deps.mjs']));
  count(
    'prettier',
    await run('prettier', 'prettier', ['--check', '.', '--loglevel', 'warn']),
  );
  // The backend's generated OpenAPI module must match openapi.yaml (the source of truth).
  count(
    'openapi',
    await run('openapi', 'node', ['scripts/openapi.mjs', '--check']),
  );
}

const jestJson = join(out, 'jest.json');
rmSync(jestJson, { force: true });
// PostgreSQL and Redis for the scale-out suite (scripts/services.mjs); required in CI, skipped loudly elsewhere
// when they cannot be installed. Stopped after jest.
if (ci) process.env.CAPA_TEST_REQUIRE_SERVICES = '1';
let services;
try {
  services = await startServices();
} catch (e) {
  console.log(`services: ${e.message}`);
  services = { env: {}, stop: async () => {} };
  count('services', false);
}
const jestOk = await run(
  'jest',
  'backstage-cli',
  [
    'repo',
    'test',
    '--json',
    `--outputFile=${jestJson}`,
    ...(ci ? ['--ci'] : []),
    '--watchAll=false',
    // testTimeout is a global jest option: the packages' own `jest.testTimeout` is ignored when the repo runs
    // them as projects, which left every test at jest's 5 s default on a loaded machine.
    '--testTimeout=60000',
    ...only,
  ],
  {
    ...services.env,
    CI: 'true',
    NODE_OPTIONS: `${
      process.env.NODE_OPTIONS ?? ''
    } --max-old-space-size=4096`.trim(),
  },
);
await services.stop();
if (existsSync(jestJson)) {
  const report = JSON.parse(readFileSync(jestJson, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skippedTests = report.testResults.flatMap(suite =>
    suite.assertionResults
      .filter(a => a.status === 'pending' || a.status === 'todo')
      .map(a => `${suite.name.slice(root.length)}: ${a.fullName}`),
  );
  // A suite that failed to run (syntax error, failing import) has no failed test: count it as one.
  const brokenSuites = report.testResults.filter(
    s =>
      s.status === 'failed' &&
      s.assertionResults.every(a => a.status !== 'failed'),
  );
  failed += brokenSuites.length;
  for (const s of brokenSuites)
    console.log(`suite failed to run: ${s.name}\n${s.message}`);
  results.push([
    'jest',
    `${report.numPassedTests} passed, ${report.numFailedTests} failed in ${report.numTotalTestSuites} suites`,
  ]);
  if (!jestOk && report.numFailedTests === 0 && brokenSuites.length === 0) {
    failed++;
    results.push(['jest', 'exited non-zero']);
  }
} else {
  failed++;
  results.push(['jest', 'FAILED: no report written']);
}

if (skippedTests.length) {
  console.log(`\nSkipped (${skippedTests.length}):`);
  for (const t of skippedTests) console.log(`  - ${t}`);
}

console.log('\nSummary');
for (const [name, status] of results)
  console.log(`  ${name.padEnd(10)} ${status}`);
console.log(
  `${passed} passed, ${failed} failed${
    skippedTests.length ? `, ${skippedTests.length} skipped` : ''
  }`,
);
process.exit(failed > 0 ? 1 : 0);
