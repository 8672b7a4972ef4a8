// Starts a throwaway real Kubernetes API server for tests and the live demo: etcd and kube-apiserver (built by
// ./build.mjs), on free loopback ports, data and certificates in a temp dir (removed by stop()), with
// - TLS from a CA made here (./certs.mjs): clients verify the server with CAPA_TEST_KUBE_CA_DATA;
// - a static token file with one admin token (group system:masters) for the tests' own setup;
// - the RBAC authorizer, so any other identity gets exactly what Roles grant it: tests make service accounts
//   and ask the server itself for their tokens (TokenRequest, signed with the key made here);
// - the CRDs of plugins/capa-node/crds installed by server-side apply and waited for until Established and
//   served by discovery.
// No controllers run (no kube-controller-manager, no CAPI/CAPA): objects are stored and validated, never
// reconciled, so a Cluster stays in the phase it was created with.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import { basename, join } from 'node:path';
import { freePort, waitForPort } from '../net.mjs';
import { makeCerts } from './certs.mjs';

const root = new URL('../..', import.meta.url).pathname;
export const DEFAULT_CRDS_DIR = join(root, 'plugins', 'capa-node', 'crds');

/** A request to the server as the admin token; resolves to `{ status, body }` (body parsed when JSON). */
export function kubeRequest(server, method, path, body, contentType) {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${server.url}${path}`,
      {
        method,
        ca: server.caPem,
        headers: {
          authorization: `Bearer ${server.token}`,
          accept: 'application/json',
          ...(body !== undefined
            ? { 'content-type': contentType ?? 'application/json' }
            : {}),
        },
        timeout: 30_000,
      },
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', d => (text += d));
        res.on('end', () => {
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON (readyz answers text)
          }
          resolve({ status: res.statusCode, body: parsed });
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${path} timed out`)),
    );
    req.on('error', reject);
    if (body !== undefined)
      req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function startProcess(bin, args, logFile) {
  const log = createWriteStream(logFile);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return child;
}

async function startEtcd(etcdBin, dir) {
  const [client, peer] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const logFile = join(dir, 'etcd.log');
  const child = startProcess(
    etcdBin,
    [
      '--name=capa-test',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=capa-test=${peerUrl}`,
      // Test data: losing it on a crash costs nothing, and fsync is most of etcd's latency on a shared disk.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    logFile,
  );
  try {
    await waitForPort(client, 'etcd', child, 60_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n${tail(logFile)}`);
  }
  return { child, url: clientUrl, logFile };
}

async function waitReady(server, child, logFile, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(
        `kube-apiserver exited with code ${child.exitCode}:\n${tail(logFile)}`,
      );
    try {
      const r = await kubeRequest(server, 'GET', '/readyz');
      if (r.status === 200) return;
      last = `readyz ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await sleep(250);
  }
  throw new Error(
    `kube-apiserver was not ready within ${timeoutMs} ms (${last}):\n${tail(
      logFile,
    )}`,
  );
}

/** `infrastructure.cluster.x-k8s.io_awsclusters.yaml` -> `awsclusters.infrastructure.cluster.x-k8s.io` (controller-gen's file names). */
function crdNameOf(file) {
  const [group, plural] = basename(file, '.yaml').split('_');
  return `${plural}.${group}`;
}

/** Server-side applies every CRD file of `dir`, then waits until each is Established and in discovery. */
export async function installCrds(server, dir, timeoutMs = 60_000) {
  const files = readdirSync(dir).filter(f => f.endsWith('.yaml'));
  for (const f of files) {
    const name = crdNameOf(f);
    const r = await kubeRequest(
      server,
      'PATCH',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}?fieldManager=capa-portal-tests&force=true`,
      readFileSync(join(dir, f), 'utf8'),
      'application/apply-patch+yaml',
    );
    if (r.status !== 200 && r.status !== 201)
      throw new Error(
        `installing CRD ${f} failed (HTTP ${r.status}): ${
          r.body?.message ?? JSON.stringify(r.body).slice(0, 500)
        }`,
      );
  }
  const deadline = Date.now() + timeoutMs;
  for (const f of files) {
    const name = crdNameOf(f);
    for (;;) {
      const r = await kubeRequest(
        server,
        'GET',
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
      );
      const crd = r.body;
      const established = crd?.status?.conditions?.some(
        c => c.type === 'Established' && c.status === 'True',
      );
      const served = (crd?.spec?.versions ?? []).filter(v => v.served);
      let discovered = established;
      for (const v of established ? served : []) {
        const d = await kubeRequest(
          server,
          'GET',
          `/apis/${crd.spec.group}/${v.name}`,
        );
        discovered &&= (d.body?.resources ?? []).some(
          res => res.name === crd.spec.names.plural,
        );
      }
      if (discovered) break;
      if (Date.now() > deadline)
        throw new Error(
          `CRD ${name} was not Established and served within ${timeoutMs} ms: ${JSON.stringify(
            crd?.status?.conditions ?? r.body,
          )}`,
        );
      await sleep(200);
    }
  }
  return files.length;
}

/**
 * Starts etcd and kube-apiserver from `binaries` (see ./build.mjs) and installs the CRDs of `crdsDir`.
 * Resolves to `{ url, token, caPem, version, env, stop, kill }`; `env` holds CAPA_TEST_KUBE_URL, _TOKEN (admin),
 * _CA_DATA (base64 PEM, as a kubeconfig's certificate-authority-data) and _VERSION.
 */
export async function startKubeApiServer({
  binaries,
  crdsDir = DEFAULT_CRDS_DIR,
  log = console.log,
  readyTimeoutMs = 180_000,
}) {
  const dir = mkdtempSync(join(os.tmpdir(), 'capa-kube-'));
  const running = [];
  const stop = async () => {
    for (const child of running.reverse()) {
      if (child.exitCode !== null) continue;
      await new Promise(resolve => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    running.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  // For a process that exits without awaiting stop(): synchronous, so it works in an 'exit' handler.
  const kill = () => {
    for (const child of running)
      if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const started = Date.now();
  try {
    const certs = makeCerts(dir);
    const token = randomBytes(24).toString('hex');
    writeFileSync(
      join(dir, 'tokens.csv'),
      `${token},capa-test-admin,capa-test-admin,"system:masters"\n`,
      { mode: 0o600 },
    );
    const etcd = await startEtcd(binaries.etcd, dir);
    running.push(etcd.child);
    const port = await freePort();
    const logFile = join(dir, 'kube-apiserver.log');
    mkdirSync(join(dir, 'certs'));
    const apiserver = startProcess(
      binaries.apiserver,
      [
        `--etcd-servers=${etcd.url}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--tls-cert-file=${certs.certFile}`,
        `--tls-private-key-file=${certs.keyFile}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${certs.saPubFile}`,
        `--service-account-signing-key-file=${certs.saKeyFile}`,
        '--service-cluster-ip-range=10.96.0.0/24',
        // One client at a time, on a loaded machine: priority and fairness would only add work.
        '--enable-priority-and-fairness=false',
        '--profiling=false',
      ],
      logFile,
    );
    running.push(apiserver);
    const server = {
      url: `https://127.0.0.1:${port}`,
      token,
      caPem: certs.caPem,
      version: binaries.versions?.kubernetes,
      logFile,
      dir,
    };
    await waitReady(server, apiserver, logFile, readyTimeoutMs);
    const ready = Date.now();
    const crds = await installCrds(server, crdsDir);
    log(
      `kube-apiserver ${server.version ?? ''} on ${server.url}: ready in ${(
        (ready - started) /
        1000
      ).toFixed(1)} s, ${crds} CRDs Established in ${(
        (Date.now() - ready) /
        1000
      ).toFixed(1)} s (logs in ${dir})`,
    );
    return {
      ...server,
      env: {
        CAPA_TEST_KUBE_URL: server.url,
        CAPA_TEST_KUBE_TOKEN: token,
        CAPA_TEST_KUBE_CA_DATA: Buffer.from(certs.caPem).toString('base64'),
        CAPA_TEST_KUBE_VERSION: server.version ?? '',
      },
      stop,
      kill,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
