import { promises as fs } from 'node:fs';
import path from 'node:path';
import type {
  LoggerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { Config, ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  parseOrganizationSnapshot,
  parseWorkloadAccess,
  type AccountInput,
  type InputProblem,
  type OrganizationSnapshot,
  type WorkloadAccessSnapshot,
} from '@capa-portal/plugin-capa-common';
import { parse } from 'yaml';
import {
  FleetConfig,
  FleetConfigManagementCluster,
  isUrl,
  parseFleetConfig,
} from '../fleet/loadFleet';
import {
  describeConnection,
  KubernetesFleetReader,
  KubernetesFleetWatcher,
  KubernetesFleetWatcherOptions,
  KubernetesRequestError,
  ManagementClusterConnection,
  readManagementClusterConnection,
} from '../kubernetes';
import { readManifestsFromDirectory, readManifestsFromUrl } from '../manifests';
import {
  ConfiguredManagementCluster,
  FleetSources,
  ManagementClusterSource,
  SourceRead,
  SourceReadOptions,
} from './types';
import { directoryFingerprint } from './fingerprint';
import type { CapaFleetSourceFactory } from '../extensions';

/** Reads a management cluster's manifests from a local folder (a GitOps checkout). */
class DirectorySource implements ManagementClusterSource {
  readonly type = 'manifests' as const;
  constructor(
    readonly name: string,
    readonly target: string,
    private readonly dir: string,
  ) {}

  #fingerprint?: string;

  async read(options?: SourceReadOptions): Promise<SourceRead> {
    // A folder that vanished is a failed read (keep the last good data), not an empty management cluster. Asked
    // again after the read: a folder moved away while it was walked yields only the files read before.
    const gone = async () => !(await fs.stat(this.dir).catch(() => undefined));
    if (await gone())
      throw new InputError(`manifests folder ${this.target} does not exist`);
    const fingerprint = await directoryFingerprint(this.dir);
    if (!options?.full && fingerprint === this.#fingerprint)
      return { objects: [], problems: [], unchanged: true };
    const read = await readManifestsFromDirectory(this.dir, this.target);
    if (await gone())
      throw new InputError(
        `manifests folder ${this.target} disappeared while it was read`,
      );
    // A folder that changed while it was read is read again next time, whatever it looks like then.
    this.#fingerprint =
      (await directoryFingerprint(this.dir).catch(() => undefined)) ===
      fingerprint
        ? fingerprint
        : undefined;
    return read;
  }
}

/** Reads a management cluster's manifests through Backstage's UrlReaderService (GitHub, GitLab, ...). */
class UrlSource implements ManagementClusterSource {
  readonly type = 'manifests' as const;
  constructor(
    readonly name: string,
    readonly target: string,
    private readonly reader: UrlReaderService,
  ) {}

  #etag?: string;

  async read(options?: SourceReadOptions): Promise<SourceRead> {
    try {
      const read = await readManifestsFromUrl(this.reader, this.target, {
        etag: options?.full ? undefined : this.#etag,
      });
      this.#etag = read.etag;
      return { objects: read.objects, problems: read.problems };
    } catch (e) {
      // The reader's own answer to a matching ETag (Backstage's UrlReaderService contract).
      if ((e as Error)?.name === 'NotModifiedError')
        return { objects: [], problems: [], unchanged: true };
      throw e;
    }
  }
}

/** Reads a live management cluster with one paginated LIST per kind. */
class KubernetesSource implements ManagementClusterSource {
  readonly type = 'kubernetes' as const;
  constructor(
    readonly name: string,
    readonly target: string,
    private readonly reader: KubernetesFleetReader,
  ) {}

  read(): Promise<SourceRead> {
    return this.reader.read();
  }
}

/**
 * Keeps a live management cluster's objects current with a {@link KubernetesFleetWatcher}: the first read lists
 * every kind, later reads answer from the watches (no request), and subscribers hear of each change.
 */
class WatchedKubernetesSource implements ManagementClusterSource {
  readonly type = 'kubernetes' as const;
  readonly #listeners = new Set<() => void>();
  readonly #options: Omit<KubernetesFleetWatcherOptions, 'onChange'>;
  #watcher: KubernetesFleetWatcher;

  constructor(
    readonly name: string,
    readonly target: string,
    options: Omit<KubernetesFleetWatcherOptions, 'onChange'>,
  ) {
    this.#options = options;
    this.#watcher = this.#newWatcher();
  }

  #newWatcher(): KubernetesFleetWatcher {
    return new KubernetesFleetWatcher({
      ...this.#options,
      onChange: () => this.#listeners.forEach(listener => listener()),
    });
  }

  #seen = -1;

  async read(options?: SourceReadOptions): Promise<SourceRead> {
    try {
      const read = await this.#watcher.read();
      const { events, relists } = this.#watcher.stats;
      const seen = events + relists;
      if (!options?.full && seen === this.#seen)
        return { objects: [], problems: [], listCalls: 0, unchanged: true };
      this.#seen = seen;
      return read;
    } catch (e) {
      // A failed LIST says what it says; failing watches also say how to do without them.
      if (e instanceof KubernetesRequestError) throw e;
      throw new InputError(
        `${
          (e as Error).message
        } (set kubernetes.watch: false to list on every refresh instead)`,
      );
    }
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ends the watches; the next read lists everything again with a new watcher. */
  suspend(): void {
    this.#watcher.stop();
    this.#watcher = this.#newWatcher();
    this.#seen = -1;
  }

  close(): void {
    this.#listeners.clear();
    this.#watcher.stop();
  }
}

/** A source for a management cluster whose configuration is unusable: every read fails with the reason. */
class BrokenSource implements ManagementClusterSource {
  readonly type = 'manifests' as const;
  constructor(
    readonly name: string,
    readonly target: string,
    private readonly reason: string,
  ) {}

  async read(): Promise<SourceRead> {
    throw new InputError(this.reason);
  }
}

/** Where the fleet's configuration came from: a fleet.yaml file, or app-config's `capa` block. */
export interface FleetConfigOrigin {
  config: FleetConfig;
  problems: InputProblem[];
  /** The folder relative paths resolve from. */
  baseDir: string;
  /**
   * A management cluster's `kubernetes:` or `source:` block as Config (from app-config itself when the fleet is
   * inline, so secrets can come from its `$env` / `$file` substitution).
   */
  sectionConfig: (
    m: FleetConfigManagementCluster,
    key: 'kubernetes' | 'source',
  ) => Config | undefined;
}

async function readFleetConfig(
  config: Config,
): Promise<FleetConfigOrigin | undefined> {
  const capa = config.getOptionalConfig('capa');
  if (!capa) return undefined;
  const fleetFile = capa.getOptionalString('fleetFile');
  if (fleetFile) {
    const file = path.resolve(fleetFile);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      throw new InputError(
        `capa.fleetFile: cannot read ${file}: ${(e as Error).message}`,
      );
    }
    let value: unknown;
    try {
      value = parse(text, { prettyErrors: true });
    } catch (e) {
      throw new InputError(
        `capa.fleetFile: ${file} is not valid YAML: ${(e as Error).message}`,
      );
    }
    const { config: parsed, problems } = parseFleetConfig(value, fleetFile);
    return {
      config: parsed,
      problems,
      baseDir: path.dirname(file),
      sectionConfig: (m, key) =>
        m[key]
          ? new ConfigReader(m[key] as any, `${m.name}.${key}`)
          : undefined,
    };
  }
  const inline = {
    managementClusters: capa.getOptional('managementClusters') ?? [],
    accounts: capa.getOptional('accounts') ?? [],
    ...(capa.has('organization')
      ? { organization: capa.getOptional('organization') }
      : {}),
    ...(capa.has('workloadAccess')
      ? { workloadAccess: capa.getOptional('workloadAccess') }
      : {}),
  };
  const { config: parsed, problems } = parseFleetConfig(
    inline,
    'app-config capa',
  );
  const mcConfigs = capa.getOptionalConfigArray('managementClusters') ?? [];
  return {
    config: parsed,
    problems,
    baseDir: capa.getOptionalString('baseDir') ?? process.cwd(),
    sectionConfig: (m, key) =>
      mcConfigs
        .find(c => c.getOptionalString('name') === m.name)
        ?.getOptionalConfig(key),
  };
}

async function readIamConfiguration(
  baseDir: string,
  ref: string,
  reader: UrlReaderService,
): Promise<{ value?: unknown; problem?: string }> {
  try {
    const text = isUrl(ref)
      ? (await (await reader.readUrl(ref)).buffer()).toString('utf8')
      : await fs.readFile(path.resolve(baseDir, ref), 'utf8');
    return { value: parse(text) };
  } catch (e) {
    return { problem: `iamConfiguration ${ref}: ${(e as Error).message}` };
  }
}

/**
 * The fleet's configuration with every file it names read (the iamConfiguration documents), before any source
 * is built: what the fleet service reads once and shares between plugins.
 */
export interface FleetConfiguration {
  managementClusters: Array<{
    cluster: ConfiguredManagementCluster['cluster'];
    config: FleetConfigManagementCluster;
  }>;
  accounts: AccountInput[];
  problems: InputProblem[];
  organization?: OrganizationSnapshot;
  workloadAccess?: WorkloadAccessSnapshot;
  origin?: FleetConfigOrigin;
}

/**
 * Reads the fleet's configuration from app-config: `capa.fleetFile` (the same fleet.yaml the doctor reads) or
 * the management clusters and accounts listed inline under `capa`, and the iamConfiguration files and URLs they
 * name. Bad entries are reported as problems and left out; they never stop the others. Throws only when
 * `capa.fleetFile` cannot be read or parsed.
 */
export async function readFleetConfiguration(
  config: Config,
  options: { urlReader: UrlReaderService },
): Promise<FleetConfiguration> {
  const { urlReader } = options;
  const origin = await readFleetConfig(config);
  if (!origin) return { managementClusters: [], accounts: [], problems: [] };
  const problems = [...origin.problems];
  /** A snapshot file fleet.yaml names under `key` (organization, workloadAccess), parsed; its problems recorded. */
  const readSnapshotFile = async <T>(
    key: string,
    location: string | undefined,
    parseSnapshot: (
      value: unknown,
      source: string,
    ) => { snapshot?: T; problems: InputProblem[] },
  ): Promise<T | undefined> => {
    if (!location) return undefined;
    const read = await readIamConfiguration(
      origin.baseDir,
      location,
      urlReader,
    );
    const parsed = read.problem
      ? {
          snapshot: undefined,
          problems: [
            {
              source: `${key}: config`,
              message: read.problem.replace(/^iamConfiguration/, key),
              severity: 'error' as const,
            },
          ],
        }
      : parseSnapshot(read.value, location);
    problems.push(...parsed.problems);
    return parsed.snapshot;
  };

  const managementClusters: FleetConfiguration['managementClusters'] = [];
  for (const m of origin.config.managementClusters) {
    const cluster: ConfiguredManagementCluster['cluster'] = {
      name: m.name,
      accountId: m.accountId,
      controllerPrincipalArn: m.controllerPrincipalArn,
      controllerUsesRoleSession: m.controllerUsesRoleSession,
      owner: m.owner,
      system: m.system,
    };
    if (m.principalTags) (cluster as any).principalTags = m.principalTags;
    if (m.iamConfiguration) {
      const iam = await readIamConfiguration(
        origin.baseDir,
        m.iamConfiguration,
        urlReader,
      );
      if (iam.problem)
        problems.push({
          source: `${m.name}: config`,
          message: iam.problem,
          severity: 'error',
        });
      cluster.iamConfiguration = iam.value;
      cluster.iamConfigurationSource = m.iamConfiguration;
    }
    managementClusters.push({ cluster, config: m });
  }

  const accounts: AccountInput[] = [];
  for (const a of origin.config.accounts) {
    const account: AccountInput = {
      accountId: a.accountId,
      name: a.name,
      tier: a.tier,
      owner: a.owner,
    };
    if (a.iamConfiguration) {
      const iam = await readIamConfiguration(
        origin.baseDir,
        a.iamConfiguration,
        urlReader,
      );
      if (iam.problem) {
        problems.push({
          source: `account ${a.accountId}: config`,
          message: iam.problem,
          severity: 'error',
        });
      }
      account.iamConfiguration = iam.value;
      account.iamConfigurationSource = a.iamConfiguration;
    }
    accounts.push(account);
  }
  // Read as the iamConfiguration files are: a path relative to the fleet file, or a URL.
  const organization = await readSnapshotFile(
    'organization',
    origin.config.organization,
    parseOrganizationSnapshot,
  );
  const workloadAccess = await readSnapshotFile(
    'workloadAccess',
    origin.config.workloadAccess,
    parseWorkloadAccess,
  );
  return {
    managementClusters,
    accounts,
    problems,
    ...(organization ? { organization } : {}),
    ...(workloadAccess ? { workloadAccess } : {}),
    origin,
  };
}

/**
 * Gives each configured management cluster the source its configuration names: a manifests folder, a manifests
 * URL (through the UrlReaderService and its allow-list), a live cluster (`kubernetes:`), or a source of a type a
 * module provides (`source: { type }`, built by one of `sourceFactories`). Builds objects only; reads nothing.
 */
export function buildFleetSources(
  fleet: FleetConfiguration,
  options: {
    urlReader: UrlReaderService;
    logger: LoggerService;
    sourceFactories?: Iterable<CapaFleetSourceFactory>;
  },
): FleetSources {
  const factories = new Map(
    [...(options.sourceFactories ?? [])].map(f => [f.type, f]),
  );
  return {
    managementClusters: fleet.managementClusters.map(({ cluster, config }) => ({
      cluster,
      ...createSource(config, fleet.origin!, factories, options),
    })),
    accounts: fleet.accounts,
    problems: fleet.problems,
    ...(fleet.organization ? { organization: fleet.organization } : {}),
    ...(fleet.workloadAccess ? { workloadAccess: fleet.workloadAccess } : {}),
  };
}

/**
 * Builds the portal's fleet from app-config (`readFleetConfiguration` then `buildFleetSources`). Plugins get the
 * shared, once-read fleet from `capaFleetServiceRef` instead; this reads the configuration anew.
 *
 * @public
 */
export async function createFleetSourcesFromConfig(
  config: Config,
  options: {
    urlReader: UrlReaderService;
    logger: LoggerService;
    sourceFactories?: Iterable<CapaFleetSourceFactory>;
  },
): Promise<FleetSources> {
  const fleet = await readFleetConfiguration(config, options);
  for (const p of fleet.problems)
    options.logger.warn(`capa config: ${p.source}: ${p.message}`);
  return buildFleetSources(fleet, options);
}

function createSource(
  m: FleetConfigManagementCluster,
  origin: FleetConfigOrigin,
  factories: Map<string, CapaFleetSourceFactory>,
  deps: { urlReader: UrlReaderService; logger: LoggerService },
): {
  source: ManagementClusterSource;
  connection?: ManagementClusterConnection;
} {
  const { urlReader, logger } = deps;
  if (m.manifests) {
    const source =
      isUrl(m.manifests) && !m.manifests.startsWith('file://')
        ? new UrlSource(m.name, m.manifests, urlReader)
        : new DirectorySource(
            m.name,
            m.manifests,
            path.resolve(origin.baseDir, m.manifests.replace(/^file:\/\//, '')),
          );
    return { source };
  }
  const kubernetes = origin.sectionConfig(m, 'kubernetes');
  if (kubernetes) {
    try {
      const connection = readManagementClusterConnection(kubernetes, {
        resolvePath: p => path.resolve(origin.baseDir, p),
      });
      const target = describeConnection(connection);
      const source =
        kubernetes.getOptionalBoolean('watch') === false
          ? new KubernetesSource(
              m.name,
              target,
              KubernetesFleetReader.create({
                name: m.name,
                connection,
                logger,
              }),
            )
          : new WatchedKubernetesSource(m.name, target, {
              name: m.name,
              connection,
              logger,
            });
      return { source, connection };
    } catch (e) {
      return {
        source: new BrokenSource(
          m.name,
          'kubernetes',
          `kubernetes: ${(e as Error).message}`,
        ),
      };
    }
  }
  if (m.source)
    return { source: createModuleSource(m, origin, factories, deps) };
  return {
    source: new BrokenSource(
      m.name,
      '(none)',
      'neither manifests, kubernetes nor source is configured',
    ),
  };
}

/** A source of a type a module provides; a type no module provides, or a factory that throws, is a failing source. */
function createModuleSource(
  m: FleetConfigManagementCluster,
  origin: FleetConfigOrigin,
  factories: Map<string, CapaFleetSourceFactory>,
  deps: { urlReader: UrlReaderService; logger: LoggerService },
): ManagementClusterSource {
  const type = m.source!.type;
  const factory = factories.get(type);
  if (!factory) {
    const known = [...factories.keys()];
    return new BrokenSource(
      m.name,
      `source ${type}`,
      `source.type ${JSON.stringify(
        type,
      )}: no installed backend module provides this fleet source (${
        known.length ? `installed: ${known.join(', ')}` : 'none is installed'
      }); add the module that does to the backend`,
    );
  }
  try {
    const source = factory.create({
      name: m.name,
      config:
        origin.sectionConfig(m, 'source') ??
        new ConfigReader(m.source as any, `${m.name}.source`),
      baseDir: origin.baseDir,
      logger: deps.logger.child({ managementCluster: m.name }),
      urlReader: deps.urlReader,
    });
    if (source.name !== m.name)
      throw new Error(
        `the factory returned a source named ${JSON.stringify(source.name)}`,
      );
    return source;
  } catch (e) {
    return new BrokenSource(
      m.name,
      `source ${type}`,
      `source.type ${type}: ${(e as Error).message}`,
    );
  }
}
