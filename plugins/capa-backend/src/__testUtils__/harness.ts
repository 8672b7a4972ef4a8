/*
 * Shared helpers of the backend's fault, security and scale-out suites: a capturing root logger, a module that
 * hands the test the capa plugin's scheduler, an unhandled-rejection recorder, recognisable fake secrets.
 */
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  LoggerService,
  RootLoggerService,
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import type {
  ClustersResponse,
  ManagementClustersResponse,
} from '@capa-portal/plugin-capa-common';
import request from 'supertest';

/** Every log line of a backend, as text with its meta (errors expanded), root logger and plugin loggers alike. */
export interface CapturedLog {
  lines: string[];
  factory: ServiceFactory<RootLoggerService, 'root'>;
}

function metaText(meta: unknown): string {
  if (meta === undefined) return '';
  return JSON.stringify(meta, (_k, v) =>
    v instanceof Error
      ? { ...v, name: v.name, message: v.message, stack: v.stack }
      : v,
  );
}

/** A root logger service that records every line (and every child's) with its meta. */
export function captureLogs(options: { echo?: boolean } = {}): CapturedLog {
  const lines: string[] = [];
  const make = (fields: Record<string, unknown>): LoggerService => {
    const log =
      (level: string) =>
      (message: string, meta?: Error | Record<string, unknown>) => {
        const line = `${level} ${message} ${metaText(fields)} ${metaText(
          meta,
        )}`;
        lines.push(line);
        // eslint-disable-next-line no-console
        if (options.echo) console.log(line);
      };
    return {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: meta => make({ ...fields, ...meta }),
    };
  };
  const root = make({});
  const factory = createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => root as RootLoggerService,
  });
  return { lines, factory };
}

/** A module of the capa plugin whose only job is to hand the test the plugin's own scheduler service. */
export function schedulerProbe() {
  const probe: { scheduler?: SchedulerService } = {};
  const module = createBackendModule({
    pluginId: 'capa',
    moduleId: 'test-scheduler-probe',
    register(env) {
      env.registerInit({
        deps: { scheduler: coreServices.scheduler },
        async init({ scheduler }) {
          probe.scheduler = scheduler;
        },
      });
    },
  });
  return {
    module,
    /** Runs `capa-refresh:<name>` now and waits for it (the mock scheduler's triggerTask awaits the task). */
    async refresh(...names: string[]) {
      if (!probe.scheduler) throw new Error('the capa plugin did not start');
      for (const name of names)
        await probe.scheduler.triggerTask(`capa-refresh:${name}`);
    },
    get scheduler() {
      return probe.scheduler!;
    },
  };
}

/** Records unhandled promise rejections while installed. */
export function recordUnhandledRejections() {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => void seen.push(reason);
  return {
    install: () => void process.on('unhandledRejection', listener),
    uninstall: () => void process.off('unhandledRejection', listener),
    seen,
  };
}

export const userHeader = () => mockCredentials.user.header();

export async function managementClusters(
  server: any,
): Promise<ManagementClustersResponse['items']> {
  const res = await request(server)
    .get('/api/capa/management-clusters')
    .set('Authorization', userHeader());
  if (res.status !== 200)
    throw new Error(`management-clusters answered ${res.status}`);
  return (res.body as ManagementClustersResponse).items;
}

/** Every workload cluster the API serves, as `<management cluster>/<namespace>/<name>`, sorted. */
export async function clusterKeys(server: any): Promise<string[]> {
  const res = await request(server)
    .get('/api/capa/clusters?limit=1000')
    .set('Authorization', userHeader());
  if (res.status !== 200) throw new Error(`clusters answered ${res.status}`);
  return (res.body as ClustersResponse).items
    .map(c => `${c.managementCluster}/${c.namespace}/${c.name}`)
    .sort();
}

/** Polls until `ok` holds (bounded). */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (value: T) => boolean,
  options: { tries?: number; intervalMs?: number } = {},
): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < (options.tries ?? 100); i++) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise(r => setTimeout(r, options.intervalMs ?? 50));
  }
  throw new Error(
    `${what}: never happened; last value ${JSON.stringify(last)}`,
  );
}

/** Polls until every management cluster has been read once (the scheduler runs the read tasks at start). */
export function everyManagementClusterRead(
  server: any,
): Promise<ManagementClustersResponse['items']> {
  return eventually(
    'every management cluster read',
    () => managementClusters(server).catch(() => []),
    items => items.length > 0 && items.every(m => m.lastAttempt),
  );
}

// Recognisable fake secrets: none of them may appear in any response or log line.
export const FAKE = {
  k8sTokenA: 'k8s-sa-token-FAKE-aaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  k8sTokenB: 'k8s-sa-token-FAKE-bbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  // base64 of a fake PEM: never sent anywhere (plain-HTTP test servers), still must never be shown.
  caData: Buffer.from(
    '-----BEGIN CERTIFICATE-----\nFAKECADATAFAKECADATA\n-----END CERTIFICATE-----\n',
  ).toString('base64'),
  mainKeyId: 'AKIAFAKEMAIN00000001',
  mainSecret: 'mainSecretFAKEmainSecretFAKEmainSecretFA',
  mgmtKeyId: 'AKIAFAKEMGMT00000001',
  mgmtSecret: 'mgmtSecretFAKEmgmtSecretFAKEmgmtSecretFK',
  targetKeyId: 'AKIAFAKETARGET000001',
  targetSecret: 'targetSecretFAKEtargetSecretFAKEtargetSe',
  hopKeyId: 'ASIAFAKEHOPONE000001',
  hopSecret: 'hop1SecretFAKEhop1SecretFAKEhop1SecretFA',
  // Real session tokens are long base64 runs (IQoJb3JpZ2luX2Vj...): this one has that shape.
  hopSessionToken:
    'IQoJb3JpZ2luX2VjFAKEhop1SessionTokenFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE+/=',
};
export const FAKE_SECRETS = Object.values(FAKE);

/** The secrets found in a text (to assert none). */
export function secretsIn(text: string): string[] {
  return FAKE_SECRETS.filter(s => text.includes(s));
}
