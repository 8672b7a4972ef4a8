import { readFileSync } from 'node:fs';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  Configuration,
  createConfiguration,
  KubeConfig,
  KubernetesObjectApi,
  RequestContext,
  ResponseContext,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { KeepAliveAgents } from './keepAlive';

/** Default per-request timeout. */
export const DEFAULT_KUBERNETES_TIMEOUT_MS = 10_000;
/**
 * Default `limit` of every LIST request: client-go's (and kubectl's) 500. The reader streams each page item by
 * item, so the page size costs next to nothing in memory; pages of 250 measured the same peak RSS on the bench
 * (`./portal bench`) with 47 % more requests.
 *
 * @public
 */
export const DEFAULT_KUBERNETES_PAGE_SIZE = 500;

/**
 * A kubeconfig file (paths in it relative to the file), optionally one of its contexts.
 *
 * @public
 */
export interface KubeconfigFileConnection {
  kubeconfigPath: string;
  /** Defaults to the file's `current-context`. */
  context?: string;
}

/**
 * An API server URL with a service account token (and the CA that signed the server's certificate).
 *
 * @public
 */
export interface TokenConnection {
  url: string;
  serviceAccountToken: string;
  /** Base64 PEM of the cluster CA, as in a kubeconfig's `certificate-authority-data`. */
  caData?: string;
  skipTLSVerify?: boolean;
}

/**
 * The pod's own service account (`KUBERNETES_SERVICE_HOST`, the mounted token and CA).
 *
 * @public
 */
export interface InClusterConnection {
  inCluster: true;
}

/**
 * How requests to a management cluster behave, whatever the connection.
 *
 * @public
 */
export interface KubernetesRequestOptions {
  /** Bound on each HTTP request, response body included. Default 10 000 ms. */
  timeoutMs?: number;
  /** `limit` of every LIST request. Default {@link DEFAULT_KUBERNETES_PAGE_SIZE} (500). */
  pageSize?: number;
}

/**
 * How capa-portal reaches a management cluster (docs/contracts.md §5: `managementClusters[].kubernetes`).
 *
 * @public
 */
export type ManagementClusterConnection = (
  | KubeconfigFileConnection
  | TokenConnection
  | InClusterConnection
) &
  KubernetesRequestOptions;

function isFile(
  c: ManagementClusterConnection,
): c is KubeconfigFileConnection & KubernetesRequestOptions {
  return typeof (c as KubeconfigFileConnection).kubeconfigPath === 'string';
}
function isToken(
  c: ManagementClusterConnection,
): c is TokenConnection & KubernetesRequestOptions {
  return typeof (c as TokenConnection).url === 'string';
}
function isInCluster(
  c: ManagementClusterConnection,
): c is InClusterConnection & KubernetesRequestOptions {
  return (c as InClusterConnection).inCluster === true;
}

/** A description of the connection that is safe to log: never a token or CA data. */
export function describeConnection(
  connection: ManagementClusterConnection,
): string {
  if (isFile(connection)) {
    return `kubeconfig ${connection.kubeconfigPath}${
      connection.context ? ` (context ${connection.context})` : ''
    }`;
  }
  if (isToken(connection)) return `${connection.url} (service account token)`;
  if (isInCluster(connection)) return 'in-cluster service account';
  return 'invalid connection';
}

/**
 * Builds the client-node KubeConfig for a connection. Throws an InputError when the connection is not usable
 * (missing context, bad shape); the message never contains credentials.
 */
export function kubeConfigFor(
  connection: ManagementClusterConnection,
): KubeConfig {
  const kc = new KubeConfig();
  if (!connection || typeof connection !== 'object') {
    throw new InputError('kubernetes connection must be an object');
  }
  if (isFile(connection)) {
    try {
      kc.loadFromFile(connection.kubeconfigPath);
    } catch (e) {
      throw new InputError(
        `cannot read kubeconfig ${connection.kubeconfigPath}: ${
          (e as Error).message
        }`,
      );
    }
    if (connection.context) {
      if (!kc.getContextObject(connection.context)) {
        const available = kc.getContexts().map(c => c.name);
        throw new InputError(
          `kubeconfig ${connection.kubeconfigPath} has no context "${
            connection.context
          }" (available: ${available.join(', ') || 'none'})`,
        );
      }
      kc.setCurrentContext(connection.context);
    }
    if (!kc.getCurrentCluster()) {
      throw new InputError(
        `kubeconfig ${connection.kubeconfigPath} has no usable current context${
          connection.context ? ` "${connection.context}"` : ''
        } (set current-context or name a context)`,
      );
    }
    return kc;
  }
  if (isToken(connection)) {
    if (!connection.url) throw new InputError('kubernetes.url is empty');
    if (!connection.serviceAccountToken)
      throw new InputError('kubernetes.serviceAccountToken is empty');
    kc.loadFromOptions({
      clusters: [
        {
          name: 'management-cluster',
          server: connection.url,
          caData: connection.caData,
          skipTLSVerify: connection.skipTLSVerify ?? false,
        },
      ],
      users: [{ name: 'capa-portal', token: connection.serviceAccountToken }],
      contexts: [
        {
          name: 'capa-portal',
          cluster: 'management-cluster',
          user: 'capa-portal',
        },
      ],
      currentContext: 'capa-portal',
    });
    return kc;
  }
  if (isInCluster(connection)) {
    kc.loadFromCluster();
    return kc;
  }
  throw new InputError(
    'kubernetes connection needs one of: { kubeconfigPath, context? }, { url, serviceAccountToken, caData? }, { inCluster: true }',
  );
}

/**
 * Reads a `kubernetes:` config block (docs/contracts.md §5) into a connection. Paths are taken as given: resolve
 * `kubeconfigPath` against the file that names it before calling this, or pass `resolvePath`.
 */
export function readManagementClusterConnection(
  config: Config,
  options?: { resolvePath?: (path: string) => string },
): ManagementClusterConnection {
  const common: KubernetesRequestOptions = {
    timeoutMs: config.getOptionalNumber('timeoutMs'),
    pageSize: config.getOptionalNumber('pageSize'),
  };
  const prune = <T extends object>(o: T): T =>
    Object.fromEntries(
      Object.entries(o).filter(([, v]) => v !== undefined),
    ) as T;
  const kubeconfigPath = config.getOptionalString('kubeconfigPath');
  if (kubeconfigPath) {
    return prune({
      kubeconfigPath: options?.resolvePath
        ? options.resolvePath(kubeconfigPath)
        : kubeconfigPath,
      context: config.getOptionalString('context'),
      ...common,
    });
  }
  const url = config.getOptionalString('url');
  if (url) {
    return prune({
      url,
      serviceAccountToken: readServiceAccountToken(
        config,
        options?.resolvePath,
      ),
      caData: config.getOptionalString('caData'),
      skipTLSVerify: config.getOptionalBoolean('skipTLSVerify'),
      ...common,
    });
  }
  if (config.getOptionalBoolean('inCluster'))
    return prune({ inCluster: true as const, ...common });
  throw new InputError(
    'kubernetes needs one of: kubeconfigPath (and context), url and serviceAccountToken, or inCluster: true',
  );
}

/**
 * The token of a `{ url, ... }` connection, from exactly one of: `serviceAccountToken` (inline: in app-config use
 * Backstage's `$env` / `$file` substitution), `serviceAccountTokenFile` (a file, relative to the file that names
 * it; read once at start) or `serviceAccountTokenEnv` (the name of an environment variable). So a fleet.yaml never
 * has to hold a token in plain text. Errors name the key, the file or the variable, never the token.
 */
function readServiceAccountToken(
  config: Config,
  resolvePath?: (path: string) => string,
): string {
  const inline = config.getOptionalString('serviceAccountToken');
  const file = config.getOptionalString('serviceAccountTokenFile');
  const env = config.getOptionalString('serviceAccountTokenEnv');
  const given = [inline, file, env].filter(v => v !== undefined).length;
  if (given !== 1)
    throw new InputError(
      `kubernetes with url needs exactly one of serviceAccountToken, serviceAccountTokenFile or serviceAccountTokenEnv (got ${given})`,
    );
  if (file !== undefined) {
    const resolved = resolvePath ? resolvePath(file) : file;
    try {
      return readFileSync(resolved, 'utf8').trim();
    } catch (e) {
      throw new InputError(
        `kubernetes.serviceAccountTokenFile: cannot read ${resolved} (${
          (e as NodeJS.ErrnoException).code ?? 'error'
        })`,
      );
    }
  }
  if (env !== undefined) {
    const value = process.env[env];
    if (!value)
      throw new InputError(
        `kubernetes.serviceAccountTokenEnv: environment variable ${env} is not set`,
      );
    return value.trim();
  }
  return inline!;
}

/** The server URL of a KubeConfig's current cluster (no credentials in it). */
export function serverOf(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InputError('kubeconfig has no current cluster');
  return cluster.server;
}

/**
 * A client-node Configuration for a KubeConfig whose every request carries an AbortSignal that fires after
 * `timeoutMs` (node-fetch aborts the request and the body read).
 */
export function clientConfiguration(
  kc: KubeConfig,
  timeoutMs: number,
): Configuration {
  return createConfiguration({
    baseServer: new ServerConfiguration<{}>(serverOf(kc), {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (ctx: RequestContext) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return ctx;
        },
        post: async (rsp: ResponseContext) => rsp,
      },
    ],
  });
}

/**
 * What capa-node talks to a management cluster with: the client-node KubeConfig (server, TLS, credentials; the
 * reader streams its LISTs with it, see `streamList`) and client-node's object API (the applier's server-side
 * apply), both bounded by the same per-request timeout.
 */
export interface KubernetesClients {
  kubeConfig: KubeConfig;
  objects: KubernetesObjectApi;
  timeoutMs: number;
  pageSize: number;
  server: string;
  /** The keep-alive connections of the reader's streamed LISTs (see `streamList`). */
  agents: KeepAliveAgents;
  /** Whether the current cluster is reached through a proxy (then client-node's proxy agent is used). */
  proxied: boolean;
}

export function makeKubernetesClients(
  connection: ManagementClusterConnection,
): KubernetesClients {
  const kubeConfig = kubeConfigFor(connection);
  const timeoutMs = connection.timeoutMs ?? DEFAULT_KUBERNETES_TIMEOUT_MS;
  const pageSize = connection.pageSize ?? DEFAULT_KUBERNETES_PAGE_SIZE;
  if (!(timeoutMs > 0))
    throw new InputError(
      `kubernetes.timeoutMs must be positive, got ${timeoutMs}`,
    );
  if (!(pageSize >= 1) || !Number.isInteger(pageSize)) {
    throw new InputError(
      `kubernetes.pageSize must be a positive integer, got ${pageSize}`,
    );
  }
  const configuration = clientConfiguration(kubeConfig, timeoutMs);
  return {
    kubeConfig,
    objects: new KubernetesObjectApi(configuration),
    timeoutMs,
    pageSize,
    server: serverOf(kubeConfig),
    agents: new KeepAliveAgents(),
    proxied: Boolean(kubeConfig.getCurrentCluster()?.proxyUrl),
  };
}
