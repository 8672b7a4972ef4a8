#!/usr/bin/env node
// A real Kubernetes API server (kube-apiserver + etcd, built from the Go module proxy; see scripts/kube/) for the
// `kube-apiserver` test suites and `./portal start --live`.
//
//   node scripts/kube.mjs build                 build the binaries when not cached (prints where they are)
//   node scripts/kube.mjs start                 build if needed, start, print the env vars, stop on Ctrl-C
//   node scripts/kube.mjs start -- <cmd> [args]  same, run the command with the env vars, stop, exit with its code
//
// Env vars for tests: CAPA_TEST_KUBE_URL, CAPA_TEST_KUBE_TOKEN (an admin token), CAPA_TEST_KUBE_CA_DATA,
// CAPA_TEST_KUBE_VERSION; or CAPA_TEST_KUBE_SKIPPED=<reason> when the server cannot be provided (the suites then
// skip, loudly), unless CAPA_TEST_REQUIRE_SERVICES=1 (CI): then it is a failure.
import { ensureKubeBinaries } from './kube/build.mjs';
import { startKubeApiServer } from './kube/server.mjs';
import { serveOrRun } from './net.mjs';

const log = (...a) => console.log('[kube]', ...a);

/** Builds (when needed) and starts the server. Resolves to `{ env, stop }`, like startServices. */
export async function startKube() {
  const required = process.env.CAPA_TEST_REQUIRE_SERVICES === '1';
  const skip = reason => {
    const banner = '!'.repeat(100);
    const text = `the real kube-apiserver for the kube-apiserver suites cannot run: ${reason}`;
    if (required) throw new Error(text);
    console.log(
      `${banner}\n[kube] ${text}\n[kube] THOSE SUITES WILL BE SKIPPED\n${banner}`,
    );
    return {
      env: { CAPA_TEST_KUBE_SKIPPED: reason.split('\n')[0] },
      stop: async () => {},
    };
  };
  let binaries;
  try {
    binaries = await ensureKubeBinaries({ log });
  } catch (e) {
    return skip(`build failed: ${e.message}`);
  }
  let server;
  try {
    server = await startKubeApiServer({ binaries, log });
  } catch (e) {
    return skip(`could not start: ${e.message}`);
  }
  // Ends the servers if this process dies without calling stop.
  const kill = () => server.kill();
  process.once('exit', kill);
  return {
    env: server.env,
    server,
    stop: async () => {
      process.off('exit', kill);
      await server.stop();
    },
  };
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  if (cmd === 'build') {
    const bins = await ensureKubeBinaries({ log });
    log(`kube-apiserver ${bins.versions.kubernetes}: ${bins.apiserver}`);
    log(`etcd ${bins.versions.etcd}: ${bins.etcd}`);
    return 0;
  }
  if (cmd !== 'start') {
    console.error(
      'usage: node scripts/kube.mjs build | start [-- <cmd> [args]]',
    );
    return 2;
  }
  const dash = rest.indexOf('--');
  return serveOrRun(
    await startKube(),
    dash >= 0 ? rest.slice(dash + 1) : [],
    log,
    'it',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exit(await main(process.argv.slice(2)));
  } catch (e) {
    console.error(`[kube] ${e.message}`);
    process.exit(1);
  }
}
