/*
 * Reads a fleet directory for the doctor: `<dir>/fleet.yaml` (docs/contracts.md §5) and everything it names.
 * Paths are relative to the file that names them. Problems are collected, never thrown, except when the
 * input is unusable (no directory, no / invalid fleet.yaml): then a FleetLoadError.
 *
 * Problems that make a named input unusable (a `manifests` folder or `iamConfiguration` file that does not
 * exist or cannot be read, a manifest file that is not YAML, a URL the doctor cannot read) are also returned
 * as `unusable`: evaluating without them would report fewer clusters or weaker evidence than the fleet has,
 * and a typo in fleet.yaml must not turn a CI gate green. A malformed object in a readable file is not.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { LineCounter, parseDocument } from 'yaml';
import {
  dropDuplicateObjects,
  parseManifests,
  parseOrganizationSnapshot,
  parseWorkloadAccess,
} from '@capa-portal/plugin-capa-common';
import type {
  AccountInput,
  FleetInput,
  InputProblem,
  LocatedObject,
  ManagementClusterInput,
} from '@capa-portal/plugin-capa-common';

/**
 * One management cluster as configured.
 *
 * @public
 */
export interface FleetConfigManagementCluster {
  name: string;
  accountId: string;
  controllerPrincipalArn?: string;
  controllerUsesRoleSession?: boolean;
  principalTags?: Record<string, string>;
  /** A folder / file (relative to the config file) or a URL of manifests. */
  manifests?: string;
  kubernetes?: Record<string, unknown>;
  /**
   * A source of a type that a backend module provides through `capaFleetSourcesExtensionPoint` (an Argo CD or
   * Flux reader, ...): `type` picks the factory, the rest is the factory's own configuration.
   */
  source?: { type: string; [key: string]: unknown };
  iamConfiguration?: string;
  owner?: string;
  system?: string;
}

/** @public */
export interface FleetConfigAccount {
  accountId: string;
  name?: string;
  tier?: string;
  owner?: string;
  iamConfiguration?: string;
}

/**
 * The shape shared by fleet.yaml and app-config's `capa:` block.
 *
 * @public
 */
export interface FleetConfig {
  managementClusters: FleetConfigManagementCluster[];
  accounts: FleetConfigAccount[];
  /**
   * A snapshot of AWS Organizations (a file relative to the config file, or a URL the portal reads): the
   * accounts with status, OU path and tags, used when Organizations is not asked live.
   */
  organization?: string;
  /**
   * Static workload-access evidence (a file relative to the config file, or a URL the portal reads): EKS clusters'
   * OIDC issuers, IRSA service accounts and Pod Identity associations, accounts' OIDC providers and roles.
   */
  workloadAccess?: string;
}

/** @public */
export class FleetLoadError extends Error {
  readonly problems: InputProblem[];
  constructor(message: string, problems: InputProblem[] = []) {
    super(message);
    this.name = 'FleetLoadError';
    this.problems = problems;
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** @public */
export function isUrl(v: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(v);
}

/**
 * Validates the fleet configuration shape (pure). Errors name the field path, e.g.
 * `managementClusters[0].accountId`. The config is returned even with errors, with bad entries dropped.
 *
 * @public
 */
export function parseFleetConfig(
  obj: unknown,
  sourceName: string,
): { config: FleetConfig; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const err = (
    field: string,
    message: string,
    severity: 'error' | 'warning' = 'error',
  ) =>
    problems.push({
      source: sourceName,
      message: `${field}: ${message}`,
      severity,
    });
  const config: FleetConfig = { managementClusters: [], accounts: [] };
  if (obj === undefined || obj === null) {
    err(
      '(root)',
      'the configuration is empty; expected managementClusters and/or accounts',
    );
    return { config, problems };
  }
  if (!isObj(obj)) {
    err(
      '(root)',
      `must be a mapping with managementClusters and accounts, got ${
        Array.isArray(obj) ? 'a list' : typeof obj
      }`,
    );
    return { config, problems };
  }
  for (const key of Object.keys(obj)) {
    if (
      ![
        'managementClusters',
        'accounts',
        'organization',
        'workloadAccess',
      ].includes(key)
    )
      err(
        key,
        'unknown field (expected managementClusters, accounts, organization, workloadAccess)',
        'warning',
      );
  }
  const str = (
    v: unknown,
    field: string,
    required = false,
  ): string | undefined => {
    if (v === undefined || v === null) {
      if (required) err(field, 'is required');
      return undefined;
    }
    if (typeof v !== 'string' || (required && !v)) {
      err(
        field,
        `must be a${required ? ' non-empty' : ''} string, got ${JSON.stringify(
          v,
        )}`,
      );
      return undefined;
    }
    return v;
  };
  const accountId = (v: unknown, field: string): string | undefined => {
    if (typeof v === 'number') {
      err(
        field,
        `must be a 12-digit string: quote it ("${String(v).padStart(
          12,
          '0',
        )}"), YAML read it as the number ${v}`,
      );
      return undefined;
    }
    const s = str(v, field, true);
    if (s === undefined) return undefined;
    if (!ACCOUNT_ID.test(s)) {
      err(field, `must be exactly 12 digits, got ${JSON.stringify(s)}`);
      return undefined;
    }
    return s;
  };
  const mcs = obj.managementClusters;
  if (mcs !== undefined && mcs !== null && !Array.isArray(mcs))
    err('managementClusters', 'must be a list');
  const names = new Set<string>();
  (Array.isArray(mcs) ? mcs : []).forEach((m: unknown, i: number) => {
    const p = `managementClusters[${i}]`;
    if (!isObj(m)) {
      err(p, 'must be a mapping');
      return;
    }
    const known = new Set([
      'name',
      'accountId',
      'controllerPrincipalArn',
      'controllerUsesRoleSession',
      'principalTags',
      'manifests',
      'kubernetes',
      'source',
      'iamConfiguration',
      'owner',
      'system',
      'title',
      'description',
    ]);
    for (const k of Object.keys(m))
      if (!known.has(k)) err(`${p}.${k}`, 'unknown field', 'warning');
    const name = str(m.name, `${p}.name`, true);
    if (name && !NAME.test(name))
      err(
        `${p}.name`,
        `must be lowercase letters, digits, '-' and '.', got ${JSON.stringify(
          name,
        )}`,
      );
    if (name && names.has(name))
      err(
        `${p}.name`,
        `duplicate management cluster name ${JSON.stringify(name)}`,
      );
    const acct = accountId(m.accountId, `${p}.accountId`);
    const principal = str(
      m.controllerPrincipalArn,
      `${p}.controllerPrincipalArn`,
    );
    if (principal && !/^arn:[^:]+:(iam|sts)::\d{12}:/.test(principal)) {
      err(
        `${p}.controllerPrincipalArn`,
        `must be an IAM ARN (arn:aws:iam::<account>:role/<name>), got ${JSON.stringify(
          principal,
        )}`,
      );
    }
    if (
      m.controllerUsesRoleSession !== undefined &&
      typeof m.controllerUsesRoleSession !== 'boolean'
    ) {
      err(`${p}.controllerUsesRoleSession`, 'must be true or false');
    }
    let principalTags: Record<string, string> | undefined;
    if (m.principalTags !== undefined && m.principalTags !== null) {
      if (
        !isObj(m.principalTags) ||
        Object.values(m.principalTags).some(v => typeof v !== 'string')
      ) {
        err(`${p}.principalTags`, 'must be a map of strings');
      } else principalTags = m.principalTags as Record<string, string>;
    }
    const manifests = str(m.manifests, `${p}.manifests`);
    if (
      m.kubernetes !== undefined &&
      m.kubernetes !== null &&
      !isObj(m.kubernetes)
    )
      err(`${p}.kubernetes`, 'must be a mapping');
    let source: FleetConfigManagementCluster['source'];
    if (m.source !== undefined && m.source !== null) {
      if (!isObj(m.source)) err(`${p}.source`, 'must be a mapping');
      else if (typeof m.source.type !== 'string' || !m.source.type)
        err(
          `${p}.source.type`,
          `must name the type of source a backend module provides, got ${JSON.stringify(
            m.source.type,
          )}`,
        );
      else source = m.source as FleetConfigManagementCluster['source'];
    }
    const given = [
      manifests !== undefined && 'manifests',
      isObj(m.kubernetes) && 'kubernetes',
      source && 'source',
    ].filter(Boolean);
    if (given.length === 0) {
      err(
        p,
        'has neither manifests, kubernetes nor source: no objects will be read',
        'warning',
      );
    } else if (given.length > 1) {
      err(
        p,
        `names ${given.join(' and ')}: give one source of objects (${
          given[0]
        } is used)`,
        'warning',
      );
    }
    const iam = str(m.iamConfiguration, `${p}.iamConfiguration`);
    const owner = str(m.owner, `${p}.owner`);
    const system = str(m.system, `${p}.system`);
    // An entry whose name breaks the rules is reported above and left out, like one without a name: it used to
    // be kept (found by the fleet fuzz suite, seed 7401: a name " " reached the sources and the catalog).
    if (!name || !NAME.test(name) || !acct) return;
    names.add(name);
    config.managementClusters.push({
      name,
      accountId: acct,
      ...(principal ? { controllerPrincipalArn: principal } : {}),
      ...(m.controllerUsesRoleSession === true
        ? { controllerUsesRoleSession: true }
        : {}),
      ...(principalTags ? { principalTags } : {}),
      ...(manifests ? { manifests } : {}),
      ...(isObj(m.kubernetes) ? { kubernetes: m.kubernetes } : {}),
      ...(source ? { source } : {}),
      ...(iam ? { iamConfiguration: iam } : {}),
      ...(owner ? { owner } : {}),
      ...(system ? { system } : {}),
    });
  });
  const accts = obj.accounts;
  if (accts !== undefined && accts !== null && !Array.isArray(accts))
    err('accounts', 'must be a list');
  const ids = new Set<string>();
  (Array.isArray(accts) ? accts : []).forEach((a: unknown, i: number) => {
    const p = `accounts[${i}]`;
    if (!isObj(a)) {
      err(p, 'must be a mapping');
      return;
    }
    const known = new Set([
      'accountId',
      'name',
      'tier',
      'owner',
      'iamConfiguration',
      'title',
      'description',
      'email',
    ]);
    for (const k of Object.keys(a))
      if (!known.has(k)) err(`${p}.${k}`, 'unknown field', 'warning');
    const acct = accountId(a.accountId, `${p}.accountId`);
    const name = str(a.name, `${p}.name`);
    const tier = str(a.tier, `${p}.tier`);
    const owner = str(a.owner, `${p}.owner`);
    const iam = str(a.iamConfiguration, `${p}.iamConfiguration`);
    if (!acct) return;
    if (ids.has(acct)) {
      err(`${p}.accountId`, `duplicate account ${acct}`);
      return;
    }
    ids.add(acct);
    config.accounts.push({
      accountId: acct,
      ...(name ? { name } : {}),
      ...(tier ? { tier } : {}),
      ...(owner ? { owner } : {}),
      ...(iam ? { iamConfiguration: iam } : {}),
    });
  });
  if (!Array.isArray(mcs) && !Array.isArray(accts)) {
    err('(root)', 'neither managementClusters nor accounts is set');
  }
  const organization = str(obj.organization, 'organization');
  if (organization) config.organization = organization;
  const workloadAccess = str(obj.workloadAccess, 'workloadAccess');
  if (workloadAccess) config.workloadAccess = workloadAccess;
  return { config, problems };
}

function rel(root: string, file: string): string {
  const r = path.relative(root, file);
  return r && !r.startsWith('..') ? r.split(path.sep).join('/') : file;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await fs.readdir(dir, { withFileTypes: true });
  // Code-point order, as the portal's manifest reader and kubectl's lexical walk: the same on every machine, and
  // the order in which a later definition of an object wins over an earlier one.
  entries.sort((a, b) => (a.name < b.name ? -1 : Number(a.name > b.name)));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(full);
  }
  return out;
}

async function readYamlFile(
  file: string,
  source: string,
): Promise<{ value?: unknown; problems: InputProblem[] }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e: any) {
    return {
      problems: [
        {
          source,
          message: `cannot read ${source}: ${
            e?.code === 'ENOENT' ? 'no such file' : e?.message ?? String(e)
          }`,
          severity: 'error',
        },
      ],
    };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    return {
      problems: doc.errors.map(e => ({
        source,
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos?.[0] ?? 0).line,
        message: `invalid YAML in ${source}: ${e.message.split('\n')[0]}`,
        severity: 'error' as const,
      })),
    };
  }
  try {
    return { value: doc.toJS({ maxAliasCount: 1000 }), problems: [] };
  } catch (e) {
    return {
      problems: [
        {
          source,
          message: `cannot read ${source}: ${String(e)}`,
          severity: 'error',
        },
      ],
    };
  }
}

/**
 * parseManifests (capa-common) reports a document it cannot parse as `invalid YAML: ...` (or `not YAML: ...`
 * when the parser throws), without an object; a malformed object carries `object` / `skipped:`.
 */
function isUnparseable(p: InputProblem): boolean {
  return p.severity === 'error' && /^(invalid YAML|not YAML)\b/.test(p.message);
}

async function readManifests(
  root: string,
  base: string,
  ref: string,
): Promise<{
  objects: LocatedObject[];
  problems: InputProblem[];
  unusable: InputProblem[];
}> {
  const target = path.resolve(base, ref);
  const source = rel(root, target);
  let stat;
  try {
    stat = await fs.stat(target);
  } catch {
    const missing: InputProblem = {
      source,
      message: `manifests ${source}: no such file or directory`,
      severity: 'error',
    };
    return { objects: [], problems: [missing], unusable: [missing] };
  }
  const files = stat.isDirectory() ? await walk(target) : [target];
  if (stat.isDirectory() && files.length === 0) {
    return {
      objects: [],
      problems: [
        {
          source,
          message: `manifests folder ${source} has no *.yaml / *.yml files`,
          severity: 'warning',
        },
      ],
      unusable: [],
    };
  }
  const objects: LocatedObject[] = [];
  const problems: InputProblem[] = [];
  const unusable: InputProblem[] = [];
  for (const f of files) {
    const s = rel(root, f);
    let text: string;
    try {
      text = await fs.readFile(f, 'utf8');
    } catch (e: any) {
      const unreadable: InputProblem = {
        source: s,
        message: `cannot read ${s}: ${e?.message ?? String(e)}`,
        severity: 'error',
      };
      problems.push(unreadable);
      unusable.push(unreadable);
      continue;
    }
    const r = parseManifests(text, s);
    objects.push(...r.objects);
    problems.push(...r.problems);
    unusable.push(...r.problems.filter(isUnparseable));
  }
  // The folder as kubectl applies it: an object defined twice keeps its last definition (a problem, not unusable).
  const deduped = dropDuplicateObjects(objects);
  return {
    objects: deduped.objects,
    problems: [...problems, ...deduped.problems],
    unusable,
  };
}

/** A clusterawsadm AWSIAMConfiguration file named by fleet.yaml: every problem reading it is unusable input. */
async function readIamConfiguration(
  root: string,
  base: string,
  ref: string,
): Promise<{ value?: unknown; source: string; problems: InputProblem[] }> {
  const file = path.resolve(base, ref);
  const source = rel(root, file);
  const r = await readYamlFile(file, source);
  return { value: r.value, source, problems: r.problems };
}

/**
 * Loads `<dir>/fleet.yaml` and everything it names. Throws FleetLoadError only when the input is unusable
 * (missing directory, missing or invalid fleet.yaml).
 *
 * @public
 */
export async function loadFleetFromDirectory(dir: string): Promise<{
  input: FleetInput;
  problems: InputProblem[];
  /** The subset of `problems` that makes the input unusable (the doctor exits 2). */
  unusable: InputProblem[];
}> {
  const root = path.resolve(dir);
  let st;
  try {
    st = await fs.stat(root);
  } catch {
    throw new FleetLoadError(`${dir}: no such directory`);
  }
  if (!st.isDirectory()) throw new FleetLoadError(`${dir} is not a directory`);
  let fleetFile = path.join(root, 'fleet.yaml');
  try {
    await fs.access(fleetFile);
  } catch {
    const alt = path.join(root, 'fleet.yml');
    try {
      await fs.access(alt);
      fleetFile = alt;
    } catch {
      throw new FleetLoadError(`${path.join(dir, 'fleet.yaml')}: no such file`);
    }
  }
  const fleetSource = rel(root, fleetFile);
  const read = await readYamlFile(fleetFile, fleetSource);
  if (read.problems.length)
    throw new FleetLoadError(`${fleetSource} is not valid YAML`, read.problems);
  const { config, problems: configProblems } = parseFleetConfig(
    read.value,
    fleetSource,
  );
  const fatal = configProblems.filter(p => p.severity === 'error');
  if (fatal.length)
    throw new FleetLoadError(`${fleetSource} is invalid`, configProblems);
  const problems: InputProblem[] = [...configProblems];
  const unusable: InputProblem[] = [];
  const base = path.dirname(fleetFile);
  const notReadable = (message: string) => {
    const p: InputProblem = { source: fleetSource, message, severity: 'error' };
    problems.push(p);
    unusable.push(p);
  };

  const managementClusters: ManagementClusterInput[] = [];
  for (const m of config.managementClusters) {
    const mc: ManagementClusterInput = {
      name: m.name,
      accountId: m.accountId,
      objects: [],
      ...(m.controllerPrincipalArn
        ? { controllerPrincipalArn: m.controllerPrincipalArn }
        : {}),
      ...(m.controllerUsesRoleSession
        ? { controllerUsesRoleSession: true }
        : {}),
      ...(m.principalTags ? { principalTags: m.principalTags } : {}),
      ...(m.owner ? { owner: m.owner } : {}),
      ...(m.system ? { system: m.system } : {}),
    };
    if (m.manifests) {
      if (isUrl(m.manifests)) {
        notReadable(
          `managementClusters ${m.name}: manifests URL ${m.manifests} is not supported by the doctor (the portal backend reads URLs); no objects read`,
        );
      } else {
        const r = await readManifests(root, base, m.manifests);
        mc.objects = r.objects;
        problems.push(...r.problems);
        unusable.push(...r.unusable);
      }
    } else if (m.kubernetes) {
      problems.push({
        source: fleetSource,
        message: `managementClusters ${m.name}: the doctor reads manifests only; live Kubernetes sources are read by the portal backend (no objects read)`,
        severity: 'warning',
      });
    } else if (m.source) {
      problems.push({
        source: fleetSource,
        message: `managementClusters ${m.name}: the doctor reads manifests only; a source of type ${m.source.type} is read by the backend module that provides it (no objects read)`,
        severity: 'warning',
      });
    }
    if (m.iamConfiguration) {
      if (isUrl(m.iamConfiguration)) {
        notReadable(
          `managementClusters ${m.name}: iamConfiguration URL is not supported by the doctor`,
        );
      } else {
        const r = await readIamConfiguration(root, base, m.iamConfiguration);
        problems.push(...r.problems);
        unusable.push(...r.problems);
        if (r.value !== undefined) {
          mc.iamConfiguration = r.value;
          mc.iamConfigurationSource = r.source;
        }
      }
    }
    managementClusters.push(mc);
  }
  const accounts: AccountInput[] = [];
  for (const a of config.accounts) {
    const acc: AccountInput = {
      accountId: a.accountId,
      ...(a.name ? { name: a.name } : {}),
      ...(a.tier ? { tier: a.tier } : {}),
      ...(a.owner ? { owner: a.owner } : {}),
    };
    if (a.iamConfiguration) {
      if (isUrl(a.iamConfiguration)) {
        notReadable(
          `accounts ${a.accountId}: iamConfiguration URL is not supported by the doctor`,
        );
      } else {
        const r = await readIamConfiguration(root, base, a.iamConfiguration);
        problems.push(...r.problems);
        unusable.push(...r.problems);
        if (r.value !== undefined) {
          acc.iamConfiguration = r.value;
          acc.iamConfigurationSource = r.source;
        }
      }
    }
    accounts.push(acc);
  }
  /**
   * A snapshot file fleet.yaml names (`organization`, `workloadAccess`): read and parsed, every problem with it
   * unusable input (without it the checks that need it judge less than the fleet has).
   */
  async function readSnapshot<T>(
    key: 'organization' | 'workloadAccess',
    parse: (
      value: unknown,
      source: string,
    ) => { snapshot?: T; problems: InputProblem[] },
  ): Promise<T | undefined> {
    const named = config[key];
    if (!named) return undefined;
    if (isUrl(named)) {
      notReadable(`${key}: URL ${named} is not supported by the doctor`);
      return undefined;
    }
    const file = path.resolve(base, named);
    const source = rel(root, file);
    const r = await readYamlFile(file, source);
    const parsed = r.problems.length
      ? { problems: r.problems }
      : parse(r.value, source);
    problems.push(...parsed.problems);
    unusable.push(...parsed.problems);
    return parsed.snapshot;
  }
  const organization = await readSnapshot(
    'organization',
    parseOrganizationSnapshot,
  );
  const workloadAccess = await readSnapshot(
    'workloadAccess',
    parseWorkloadAccess,
  );
  return {
    input: {
      managementClusters,
      accounts,
      problems,
      ...(organization ? { organization } : {}),
      ...(workloadAccess ? { workloadAccess } : {}),
    },
    problems,
    unusable,
  };
}
