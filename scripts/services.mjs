#!/usr/bin/env node
// Throwaway PostgreSQL and Redis for the scale-out suite (two backend replicas on one database and one cache),
// and the real Kubernetes API server of the `kube-apiserver` suites (scripts/kube.mjs: built once per machine).
//
//   node scripts/services.mjs                 start both, print the env vars, stop on Ctrl-C
//   node scripts/services.mjs -- <cmd> [args]  start both, run the command with the env vars, stop, exit with its code
//
// Debian's `postgresql` and `redis-server` are used; when missing and running as root they are installed with
// apt-get (printed). Both listen on free loopback ports, keep their data in temp dirs (removed at the end), and
// stop when this process ends. PostgreSQL runs as the `postgres` user when started by root (it refuses root).
// Exports CAPA_TEST_PG_URL and CAPA_TEST_REDIS_URL; when the services cannot be provided it exports
// CAPA_TEST_SERVICES_SKIPPED=<reason> instead (the suite then skips, loudly), or fails when
// CAPA_TEST_REQUIRE_SERVICES=1 (CI). The API server does the same with its own variables (CAPA_TEST_KUBE_*).
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startKube } from './kube.mjs';
import { freePort, serveOrRun, waitForPort } from './net.mjs';

const log = (...a) => console.log('[services]', ...a);
const isRoot = process.getuid?.() === 0;

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function pgBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter(v => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : undefined;
}

function haveAll() {
  return Boolean(pgBinDir() && which('redis-server'));
}

/** Installs the Debian packages when root and apt-get exist. Returns a reason when it can't. */
function ensureInstalled() {
  if (haveAll()) return undefined;
  const missing = [
    !pgBinDir() && 'postgresql',
    !which('redis-server') && 'redis-server',
  ].filter(Boolean);
  if (!isRoot || !which('apt-get'))
    return `${missing.join(
      ' and ',
    )} not installed (install Debian packages: apt-get install -y ${missing.join(
      ' ',
    )})`;
  log(`installing ${missing.join(' ')} with apt-get (Debian packages)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], {
    stdio: 'inherit',
    env,
  });
  if (update.status !== 0) return 'apt-get update failed';
  const install = spawnSync(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', ...missing],
    { stdio: 'inherit', env },
  );
  if (install.status !== 0)
    return `apt-get install ${missing.join(' ')} failed`;
  return haveAll()
    ? undefined
    : `${missing.join(' ')} still missing after apt-get`;
}

/** Spawn options that run a command as the postgres user when root (postgres refuses to run as root). */
function asPostgres() {
  if (!isRoot) return {};
  const id = flag =>
    Number(
      spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim(),
    );
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0)
    throw new Error('no postgres user (it comes with the Debian package)');
  return { uid, gid, env: { ...process.env, HOME: os.tmpdir() } };
}

async function startPostgres(dirs) {
  const bin = pgBinDir();
  const dir = mkdtempSync(join(os.tmpdir(), 'capa-pg-'));
  dirs.push(dir);
  if (isRoot) {
    spawnSync('chown', ['-R', 'postgres:postgres', dir]);
    chmodSync(dir, 0o700);
  }
  const data = join(dir, 'data');
  const user = asPostgres();
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    { ...user, cwd: dir, encoding: 'utf8' },
  );
  if (init.status !== 0)
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
  ];
  const child = spawn(join(bin, 'postgres'), args, {
    ...user,
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', d => {
    stderr = (stderr + d).slice(-4000);
  });
  try {
    await waitForPort(port, 'postgres', child);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n${stderr}`);
  }
  log(`postgres on 127.0.0.1:${port} (data in ${data})`);
  return {
    child,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: 'SIGINT',
  };
}

async function startRedis(dirs) {
  const dir = mkdtempSync(join(os.tmpdir(), 'capa-redis-'));
  dirs.push(dir);
  const port = await freePort();
  const child = spawn(
    which('redis-server'),
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await waitForPort(port, 'redis-server', child);
  log(`redis on 127.0.0.1:${port}`);
  return { child, url: `redis://127.0.0.1:${port}`, stop: 'SIGTERM' };
}

/**
 * Starts PostgreSQL and Redis. Resolves to `{ env, stop }`: `env` holds CAPA_TEST_PG_URL and CAPA_TEST_REDIS_URL,
 * or CAPA_TEST_SERVICES_SKIPPED when they cannot be provided (and CAPA_TEST_REQUIRE_SERVICES is not 1).
 */
export async function startDatabases() {
  const required = process.env.CAPA_TEST_REQUIRE_SERVICES === '1';
  const skip = reason => {
    const banner = '!'.repeat(100);
    const text = `scale-out suite (2 replicas, PostgreSQL + Redis) cannot run: ${reason}`;
    if (required) throw new Error(text);
    console.log(
      `${banner}\n[services] ${text}\n[services] IT WILL BE SKIPPED\n${banner}`,
    );
    return {
      env: { CAPA_TEST_SERVICES_SKIPPED: reason },
      stop: async () => {},
    };
  };
  const reason = ensureInstalled();
  if (reason) return skip(reason);

  const dirs = [];
  const running = [];
  const stop = async () => {
    await Promise.all(
      running.map(
        s =>
          new Promise(resolve => {
            if (s.child.exitCode !== null) return resolve();
            const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
            s.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            s.child.kill(s.stop);
          }),
      ),
    );
    running.length = 0;
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    running.push(await startPostgres(dirs));
    running.push(await startRedis(dirs));
  } catch (e) {
    await stop();
    return skip(`could not start: ${e.message}`);
  }
  // Ends the servers if this process dies without calling stop.
  const killAll = () =>
    running.forEach(s => s.child.exitCode === null && s.child.kill('SIGKILL'));
  process.once('exit', killAll);
  return {
    env: {
      CAPA_TEST_PG_URL: running[0].url,
      CAPA_TEST_REDIS_URL: running[1].url,
    },
    stop: async () => {
      process.off('exit', killAll);
      await stop();
    },
  };
}

/**
 * Starts PostgreSQL, Redis and the real kube-apiserver (building it first when it is not cached). Resolves to
 * `{ env, stop }` with the variables of both (see startDatabases and scripts/kube.mjs); throws when one is
 * required (CAPA_TEST_REQUIRE_SERVICES=1) and cannot be provided.
 */
export async function startServices() {
  const databases = await startDatabases();
  let kube;
  try {
    kube = await startKube();
  } catch (e) {
    await databases.stop();
    throw e;
  }
  return {
    env: { ...databases.env, ...kube.env },
    stop: async () => {
      await kube.stop();
      await databases.stop();
    },
  };
}

// Standalone use.
if (import.meta.url === `file://${process.argv[1]}`) {
  const dash = process.argv.indexOf('--');
  const command = dash >= 0 ? process.argv.slice(dash + 1) : [];
  process.exit(await serveOrRun(await startServices(), command, log, 'them'));
}
