// Builds the real Kubernetes API server (kube-apiserver) and etcd that the `kube-apiserver` test suites run
// against, from the Go module proxy, with the build module in this folder (go.mod, go.sum):
//
// - k8s.io/kubernetes cannot be built with `go install k8s.io/kubernetes/cmd/kube-apiserver@vX`: its go.mod
//   `replace`s every k8s.io/* staging module with a folder of its own repository, which a module download does
//   not have. go.mod here requires k8s.io/kubernetes at a release and replaces each staging module with its
//   published v0.Y.Z of the same release (v1.35.4 -> v0.35.4); go.sum pins every module's hash.
// - etcd is go.etcd.io/etcd/server/v3 at the version that k8s.io/kubernetes itself requires (its `main`).
//
// Binaries are cached outside the clone, keyed by both versions: $CAPA_KUBE_CACHE, default
// ~/.cache/capa-portal/kube/<kubernetes>-etcd-<etcd>/bin. Go's module and build caches live next to them
// (<cache>/go), so a machine that built once (a developer's or CI's) never rebuilds, and a version bump only
// recompiles what changed. Nothing is written into the clone.
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUILD_MODULE = dirname(fileURLToPath(import.meta.url));

/** The pinned versions, read from the build module's go.mod `require` block (one source of truth). */
export function kubeVersions() {
  const gomod = readFileSync(join(BUILD_MODULE, 'go.mod'), 'utf8');
  const required = path => {
    const m = gomod.match(
      // `\tk8s.io/kubernetes v1.35.4` or `... v1.35.4 // indirect` (go mod tidy marks tool-only requirements)
      new RegExp(
        `^\\s+${path.replace(/[./]/g, '\\$&')} (v\\S+)(\\s+//.*)?$`,
        'm',
      ),
    );
    if (!m) throw new Error(`scripts/kube/go.mod requires no ${path}`);
    return m[1];
  };
  return {
    kubernetes: required('k8s.io/kubernetes'),
    etcd: required('go.etcd.io/etcd/server/v3'),
  };
}

export function cacheRoot() {
  return (
    process.env.CAPA_KUBE_CACHE ||
    join(os.homedir(), '.cache', 'capa-portal', 'kube')
  );
}

/** Where the binaries of these versions are (or will be) cached. */
export function binariesFor(versions = kubeVersions()) {
  const dir = join(
    cacheRoot(),
    `${versions.kubernetes}-etcd-${versions.etcd}`,
    'bin',
  );
  return {
    dir,
    apiserver: join(dir, 'kube-apiserver'),
    etcd: join(dir, 'etcd'),
    versions,
  };
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * The -X flags kubernetes' own build (hack/lib/version.sh) sets, so `kube-apiserver --version` and the
 * server's /version report the release instead of v0.0.0-master.
 */
function versionLdflags(kubernetes) {
  const [major, minor] = kubernetes.replace(/^v/, '').split('.');
  const pkg = 'k8s.io/component-base/version';
  return [
    `-X ${pkg}.gitVersion=${kubernetes}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ].join(' ');
}

function goBuild(args, logFile, env) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(logFile, { flags: 'a' });
    out.write(`$ go ${args.join(' ')}\n`);
    const child = spawn('go', args, {
      cwd: BUILD_MODULE,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('error', reject);
    child.on('close', code => {
      out.end();
      if (code === 0) resolve();
      else {
        const tail = readFileSync(logFile, 'utf8').split('\n').slice(-25);
        reject(
          new Error(
            `go ${args.slice(0, 1).join(' ')} ${args.at(
              -1,
            )} exited with ${code}:\n${tail.join(
              '\n',
            )}\n(whole log: ${logFile})`,
          ),
        );
      }
    });
  });
}

/**
 * Returns the cached binaries of the pinned versions, building them first when missing (`go build`, several
 * minutes the first time on two cores; see the README for measured times). Throws when Go is missing or
 * the build fails, with the end of the build log.
 */
export async function ensureKubeBinaries({ log = console.log } = {}) {
  const bins = binariesFor();
  const { kubernetes, etcd } = bins.versions;
  if (existsSync(bins.apiserver) && existsSync(bins.etcd))
    return { ...bins, built: false, seconds: 0 };
  if (!which('go'))
    throw new Error(
      "Go is not installed (needed once to build kube-apiserver and etcd; any Go >= 1.21, e.g. Debian's golang-go, fetches the Go 1.25 toolchain go.mod asks for)",
    );
  mkdirSync(bins.dir, { recursive: true });
  const goCache = join(cacheRoot(), 'go');
  const logFile = join(dirname(bins.dir), 'build.log');
  rmSync(logFile, { force: true });
  const env = {
    ...process.env,
    GOMODCACHE: join(goCache, 'mod'),
    GOCACHE: join(goCache, 'build'),
    GOFLAGS: '-mod=readonly -buildvcs=false',
    // go.mod asks for Go 1.25; an older Go fetches that toolchain from the module proxy (golang.org/toolchain)
    // instead of refusing, unless the caller chose otherwise.
    GOTOOLCHAIN: process.env.GOTOOLCHAIN || 'auto',
  };
  const started = Date.now();
  log(
    `building kube-apiserver ${kubernetes} and etcd ${etcd} from the Go module proxy into ${bins.dir} (once per machine and version; log: ${logFile})`,
  );
  // A temporary name per process, renamed when complete: a concurrent build or an interrupted one never
  // leaves a half-written binary under the final name.
  const targets = [
    [
      bins.apiserver,
      'k8s.io/kubernetes/cmd/kube-apiserver',
      `-s -w ${versionLdflags(kubernetes)}`,
    ],
    [bins.etcd, 'go.etcd.io/etcd/server/v3', '-s -w'],
  ];
  for (const [out, pkg, ldflags] of targets) {
    const tmp = `${out}.${process.pid}.tmp`;
    await goBuild(
      ['build', '-trimpath', '-ldflags', ldflags, '-o', tmp, pkg],
      logFile,
      env,
    );
    renameSync(tmp, out);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  log(`built kube-apiserver and etcd in ${seconds} s`);
  return { ...bins, built: true, seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const bins = await ensureKubeBinaries({
      log: (...a) => console.log('[kube]', ...a),
    });
    console.log(`[kube] kube-apiserver: ${bins.apiserver}`);
    console.log(`[kube] etcd:           ${bins.etcd}`);
  } catch (e) {
    console.error(`[kube] ${e.message}`);
    process.exit(1);
  }
}
