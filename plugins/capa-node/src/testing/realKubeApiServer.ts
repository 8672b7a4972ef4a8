import { randomBytes } from 'crypto';
import https from 'https';
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import type { TokenConnection } from '../kubernetes/connection';

/**
 * The real Kubernetes API server of the `kube-apiserver` suites: kube-apiserver and etcd built from the
 * official Go modules and started by `scripts/kube.mjs` (through `./portal test`, or
 * `node scripts/kube.mjs start -- <jest command>`), with the vendored CRDs installed and the RBAC authorizer on.
 * Its address, an admin token and its CA come in CAPA_TEST_KUBE_URL / _TOKEN / _CA_DATA.
 *
 * The suites share one server (jest runs them in parallel): each works in namespaces and cluster-scoped objects
 * named with {@link uniqueName}, and reads back only its own. No controllers run (no kube-controller-manager),
 * so a deleted Namespace stays `Terminating` and no object is ever reconciled.
 *
 * @public
 */
export interface RealKubeApiServer {
  url: string;
  /** The server's version (`v1.35.4`). */
  version: string;
  /** A connection as capa-portal's config would give it; the admin token unless another is given. */
  connection(
    token?: string,
    options?: { pageSize?: number; timeoutMs?: number },
  ): TokenConnection & { pageSize?: number; timeoutMs?: number };
  /** One request as the admin (group system:masters); `body` parsed when JSON. Never throws on a status. */
  request(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: any }>;
  /** Creates the objects as the admin, in order (POST); throws naming the first refused one. */
  create(objects: KubeObject[]): Promise<void>;
  /** The REST path of an object's collection (`/apis/<group>/<version>/namespaces/<ns>/<plural>`). */
  collectionPath(object: KubeObject, plural: string): string;
  /**
   * A service account in `namespace` bound (ClusterRoleBinding) to a ClusterRole with `rules`, and a token the
   * server itself issues for it (TokenRequest): an identity with exactly those rights.
   */
  serviceAccountToken(
    namespace: string,
    name: string,
    rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>,
  ): Promise<string>;
}

/**
 * A name no other test or suite uses on the shared server: `<prefix>-<8 hex>`.
 *
 * @public
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

const env = {
  url: process.env.CAPA_TEST_KUBE_URL,
  token: process.env.CAPA_TEST_KUBE_TOKEN,
  caData: process.env.CAPA_TEST_KUBE_CA_DATA,
  version: process.env.CAPA_TEST_KUBE_VERSION ?? '',
};

function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/')
    ? `/apis/${apiVersion}`
    : `/api/${apiVersion}`;
}

function connect(
  url: string,
  token: string,
  caData: string,
): RealKubeApiServer {
  const ca = Buffer.from(caData, 'base64').toString('utf8');
  const request: RealKubeApiServer['request'] = (
    method,
    path,
    body,
    contentType,
  ) =>
    new Promise((resolve, reject) => {
      const req = https.request(
        `${url}${path}`,
        {
          method,
          ca,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body !== undefined
              ? { 'content-type': contentType ?? 'application/json' }
              : {}),
          },
        },
        res => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', d => {
            text += d;
          });
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // a text answer (healthz)
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', reject);
      if (body !== undefined)
        req.write(typeof body === 'string' ? body : JSON.stringify(body));
      req.end();
    });
  const server: RealKubeApiServer = {
    url,
    version: env.version,
    connection: (t = token, options = {}) => ({
      url,
      serviceAccountToken: t,
      caData,
      ...options,
    }),
    request,
    collectionPath: (object, plural) =>
      `${groupVersionPath(object.apiVersion)}${
        object.metadata.namespace
          ? `/namespaces/${object.metadata.namespace}`
          : ''
      }/${plural}`,
    async create(objects) {
      for (const o of objects) {
        const plural = await pluralOf(o);
        const r = await request('POST', server.collectionPath(o, plural), o);
        if (r.status !== 201)
          throw new Error(
            `creating ${o.kind}/${o.metadata.namespace ?? ''}/${
              o.metadata.name
            } failed: HTTP ${r.status} ${r.body?.message ?? ''}`,
          );
      }
    },
    async serviceAccountToken(namespace, name, rules) {
      const sa = {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace },
      };
      const role = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: `${namespace}-${name}` },
        rules,
      };
      const binding = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `${namespace}-${name}` },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: role.metadata.name,
        },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      };
      await server.create([sa, role, binding] as KubeObject[]);
      const r = await request(
        'POST',
        `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: 3600 },
        },
      );
      if (r.status !== 201 || !r.body?.status?.token)
        throw new Error(
          `TokenRequest for ${namespace}/${name} failed: HTTP ${r.status}`,
        );
      return r.body.status.token as string;
    },
  };
  // Plurals from discovery, as kubectl finds them.
  const plurals = new Map<string, Promise<Map<string, string>>>();
  async function pluralOf(o: KubeObject): Promise<string> {
    const gv = groupVersionPath(o.apiVersion);
    if (!plurals.has(gv))
      plurals.set(
        gv,
        request('GET', gv).then(
          r =>
            new Map(
              (r.body?.resources ?? [])
                .filter((res: { name: string }) => !res.name.includes('/'))
                .map((res: { kind: string; name: string }) => [
                  res.kind,
                  res.name,
                ]),
            ),
        ),
      );
    const plural = (await plurals.get(gv)!).get(o.kind);
    if (!plural)
      throw new Error(`${o.apiVersion} ${o.kind} is not served by ${url}`);
    return plural;
  }
  return server;
}

/**
 * `describe` for a suite that runs against the real API server: its name must say `kube-apiserver`, so the
 * test report shows what ran against the real server. Without the server the suite is skipped, loudly (a
 * banner with the reason), unless CAPA_TEST_REQUIRE_SERVICES=1 (CI): then every test fails, naming why.
 *
 * @public
 */
export function describeWithKubeApiServer(
  name: string,
  fn: (server: () => RealKubeApiServer) => void,
): void {
  if (!name.includes('kube-apiserver'))
    throw new Error(
      `a real-server suite's name must contain "kube-apiserver": ${name}`,
    );
  const { url, token, caData } = env;
  const available = Boolean(url && token && caData);
  const required = process.env.CAPA_TEST_REQUIRE_SERVICES === '1';
  if (!available) {
    const why =
      process.env.CAPA_TEST_KUBE_SKIPPED ??
      'CAPA_TEST_KUBE_URL / _TOKEN / _CA_DATA are not set (run through ./portal test, or node scripts/kube.mjs start -- <jest command>)';
    if (!required) {
      const banner = '!'.repeat(100);
      // eslint-disable-next-line no-console
      console.warn(
        `${banner}\nSKIPPED "${name}": no real kube-apiserver: ${why}\n${banner}`,
      );
      // A wrapper of describe: the title is the caller's, and skipping is the point (loudly, above).
      // eslint-disable-next-line jest/valid-title, jest/no-disabled-tests
      describe.skip(name, () => {
        fn(() => undefined as never);
      });
      return;
    }
    // eslint-disable-next-line jest/valid-title
    describe(name, () => {
      beforeAll(() => {
        throw new Error(
          `CAPA_TEST_REQUIRE_SERVICES=1 but no real kube-apiserver is available (${why}): the kube-apiserver suites must run in CI`,
        );
      });
      fn(() => undefined as never);
    });
    return;
  }
  const server = connect(url!, token!, caData!);
  // eslint-disable-next-line jest/valid-title
  describe(name, () => {
    // Real requests to a server on a loaded two-core machine: generous per-test bound, never asserted on.
    jest.setTimeout(120_000);
    fn(() => server);
  });
}
