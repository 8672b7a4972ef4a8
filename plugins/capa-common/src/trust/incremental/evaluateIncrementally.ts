/*
 * Incremental trust: a new evaluation of the fleet from the previous one, evaluating again only what a change can
 * affect, with the same report a full evaluation gives (same order, counts and verdicts). What is affected:
 * objectChanges.ts (what changed in a management cluster, object by object), evidenceChanges.ts (which accounts'
 * live evidence changed), dependencyIndex.ts (what each identity, namespace and account reaches), affected.ts.
 * Anything else (configuration, AWS Organizations' accounts, a previous evaluation that could not read its
 * input) and changes that affect more than `maxAffectedShare` of the clusters are evaluated in full.
 */
import type { FleetInput, FleetReport, LiveEvidence } from '../../types';
import type { AccountReport } from '../../types';
import {
  assembleReport,
  evaluateFully,
  evaluateIdentities,
  evaluateUnits,
  MgmtEvaluation,
  nowOf,
} from '../engine';
import type { ParsedManagementCluster } from '../context';
import { newEngine } from '../newEngine';
import type { Engine } from '../types';
import {
  affectedAccounts,
  affectedIdentities,
  affectedUnits,
  AffectedUnits,
  identityReuse,
  unitReuse,
} from './affected';
import { deepEqual } from './deepEqual';
import { dependencyIndex } from './dependencyIndex';
import { EvidenceChanges, evidenceChanges } from './evidenceChanges';
import { ObjectChanges, objectChanges } from './objectChanges';

/**
 * What an evaluation did: `full` or `incremental` (and why it was full), and the work counted as it happened.
 *
 * @public
 */
export interface EvaluationStats {
  /** Chains evaluated (resolution, AssumeRole hops and their checks), each once per evaluation. */
  chains: number;
  /** Cluster reports assembled. */
  clusters: number;
  /** Identity reports assembled. */
  identities: number;
  /** Account reports aggregated. */
  accounts: number;
  /** `full`: everything was evaluated; `incremental`: only what the change could affect. */
  mode: 'full' | 'incremental';
  /** Why the evaluation was full. */
  reason?: string;
}

/**
 * A fleet's report and what the next incremental evaluation starts from.
 *
 * @public
 */
export interface FleetEvaluation {
  /** The same report `evaluateFleet` gives for the same input, evidence and `now`. */
  readonly report: FleetReport;
  /** What this evaluation did. */
  readonly stats: EvaluationStats;
}

/**
 * Options of {@link evaluateFleetIncrementally}.
 *
 * @public
 */
export interface IncrementalOptions {
  /** The report's `generatedAt` (default: now). */
  now?: Date;
  /**
   * Above this share of the previous evaluation's clusters affected (and more than 50), the fleet is evaluated in
   * full (default 0.25).
   */
  maxAffectedShare?: number;
}

interface State {
  input: FleetInput;
  live?: LiveEvidence;
  evaluations: Map<string, MgmtEvaluation>;
}

/** Each evaluation's state, private to this module (it holds the parsed objects and every report). */
const states = new WeakMap<FleetEvaluation, State>();

const DEFAULT_MAX_AFFECTED_SHARE = 0.25;
/** Up to this many affected clusters the evaluation stays incremental whatever their share (either is cheap). */
const ALWAYS_INCREMENTAL = 50;

function full(
  input: FleetInput,
  live: LiveEvidence | undefined,
  now: Date,
  reason: string,
): FleetEvaluation {
  const result = evaluateFully(input, live, now);
  const counter = result.engine?.counter ?? {
    chains: 0,
    clusters: 0,
    identities: 0,
    accounts: 0,
  };
  const evaluation: FleetEvaluation = {
    report: result.report,
    stats: { mode: 'full', reason, ...counter },
  };
  if (result.engine) {
    states.set(evaluation, {
      input,
      live,
      evaluations: new Map(result.evaluations.map(e => [e.mgmt.name, e])),
    });
  }
  return evaluation;
}

/** What differs outside the management clusters' objects (the configuration), in words; undefined when nothing. */
function configurationChange(
  before: FleetInput,
  after: FleetInput,
): string | undefined {
  // Every part of the input but the management clusters' objects and the input problems (only carried into
  // the report) is configuration: accounts, the organization snapshot, anything added later.
  const { managementClusters: a = [], problems: _pa, ...restA } = before;
  const { managementClusters: b = [], problems: _pb, ...restB } = after;
  for (const key of new Set([...Object.keys(restA), ...Object.keys(restB)])) {
    if (!deepEqual((restA as any)[key], (restB as any)[key]))
      return `${key} changed`;
  }
  if (a.length !== b.length) return 'management clusters added or removed';
  for (let i = 0; i < a.length; i++) {
    const { objects: _a, ...configA } = a[i] ?? ({} as any);
    const { objects: _b, ...configB } = b[i] ?? ({} as any);
    if (!deepEqual(configA, configB))
      return `the configuration of management cluster ${b[i]?.name} changed`;
  }
  return undefined;
}

function parsedOf(e: MgmtEvaluation): ParsedManagementCluster {
  const { parsed, units, autoControllerIdentity, chainCache } = e.mgmt;
  return { parsed, units, autoControllerIdentity, chainCache };
}

interface Planned {
  before: MgmtEvaluation;
  changes?: ObjectChanges;
  units: AffectedUnits;
}

/** Whether changed evidence reaches an identity's chain in this management cluster. */
function touchesIdentities(before: MgmtEvaluation, evidence: EvidenceChanges) {
  if (evidence.managementClusters.has(before.mgmt.name)) return true;
  const index = dependencyIndex(before);
  return [...evidence.accounts].some(a => index.identitiesByAccount.has(a));
}

/** One management cluster evaluated again where affected; the accounts it touched are added to `accounts`. */
function updateManagementCluster(
  engine: Engine,
  mgmt: MgmtEvaluation['mgmt'],
  { before, changes, units: affected }: Planned,
  evidence: EvidenceChanges,
  accounts: Set<string>,
): MgmtEvaluation {
  const untouched =
    !changes &&
    !affected.all &&
    affected.keys.size === 0 &&
    !touchesIdentities(before, evidence);
  if (untouched) return { ...before, mgmt };
  const reuseUnit = unitReuse(before, affected);
  const reused = new Set<number>();
  const units = evaluateUnits(engine, mgmt, (unit, i) => {
    const r = reuseUnit(unit);
    if (r) reused.add(i);
    return r;
  });
  const ids = affectedIdentities(
    before,
    mgmt,
    units,
    reused,
    changes,
    evidence,
  );
  const identities = evaluateIdentities(
    engine,
    mgmt,
    units.usage,
    identityReuse(before, ids),
  );
  const after: MgmtEvaluation = {
    mgmt,
    units: units.assessments,
    identities: identities.reports,
    problems: [...units.problems, ...identities.problems],
  };
  affectedAccounts(before, after, Boolean(changes?.reordered), accounts);
  return after;
}

/**
 * Evaluates the fleet again after a change, from the previous evaluation: the same report as `evaluateFleet`
 * (deep equal), with only what the change can affect evaluated again. Without a previous evaluation, or when the
 * change is of a kind it cannot follow, it evaluates in full (`stats.reason` says why). Never throws.
 *
 * A management cluster whose `objects` array is the previous one (the same reference) is not parsed again.
 *
 * @public
 */
export function evaluateFleetIncrementally(
  previous: FleetEvaluation | undefined,
  input: FleetInput,
  live?: LiveEvidence,
  options?: IncrementalOptions,
): FleetEvaluation {
  const now = nowOf(options);
  const state = previous ? states.get(previous) : undefined;
  if (!previous || !state)
    return full(input, live, now, 'no previous evaluation');
  try {
    return evaluateFrom(previous, state, input, live, now, options);
  } catch (e) {
    // Total, as evaluateFleet is: what the incremental path cannot handle is evaluated in full.
    return full(input, live, now, `incremental evaluation failed: ${e}`);
  }
}

function evaluateFrom(
  previous: FleetEvaluation,
  state: State,
  input: FleetInput,
  live: LiveEvidence | undefined,
  now: Date,
  options: IncrementalOptions | undefined,
): FleetEvaluation {
  const configChange = configurationChange(state.input, input);
  if (configChange) return full(input, live, now, configChange);
  let engine: Engine;
  try {
    engine = newEngine(input, live, now, m => {
      const e = state.evaluations.get(m.name);
      return e && e.mgmt.input.objects === m.objects ? parsedOf(e) : undefined;
    });
  } catch {
    return full(input, live, now, 'the input could not be read');
  }
  const principals = new Map<string, string[]>();
  for (const m of engine.fleet.mgmts)
    principals.set(m.principalArn, [
      ...(principals.get(m.principalArn) ?? []),
      m.name,
    ]);
  const evidence = evidenceChanges(state.live, live, principals);
  if (evidence.full) return full(input, live, now, evidence.full);
  const plans = new Map<string, Planned>();
  let affectedCount = 0;
  let total = 0;
  for (const mgmt of engine.fleet.mgmts) {
    const before = state.evaluations.get(mgmt.name);
    if (!before) return full(input, live, now, `${mgmt.name} is new`);
    const changes =
      before.mgmt.parsed === mgmt.parsed
        ? undefined
        : objectChanges(before.mgmt, mgmt);
    const units = affectedUnits(before, changes, evidence);
    plans.set(mgmt.name, { before, changes, units });
    total += before.units.length;
    affectedCount += units.all ? mgmt.units.length : units.keys.size;
  }
  const share = options?.maxAffectedShare ?? DEFAULT_MAX_AFFECTED_SHARE;
  if (affectedCount > Math.max(share * total, ALWAYS_INCREMENTAL))
    return full(
      input,
      live,
      now,
      `${affectedCount} of ${total} clusters affected`,
    );
  const accounts = new Set<string>();
  const evaluations = engine.fleet.mgmts.map(mgmt =>
    updateManagementCluster(
      engine,
      mgmt,
      plans.get(mgmt.name)!,
      evidence,
      accounts,
    ),
  );
  const previousAccounts = new Map(
    previous.report.accounts.map(a => [a.accountId, a]),
  );
  const report = assembleReport(
    engine,
    evaluations,
    (accountId: string, sources: AccountReport['sources']) => {
      if (accounts.has(accountId)) return undefined;
      const before = previousAccounts.get(accountId);
      return before && deepEqual(before.sources, sources) ? before : undefined;
    },
  );
  const evaluation: FleetEvaluation = {
    report,
    stats: { mode: 'incremental', ...engine.counter },
  };
  states.set(evaluation, {
    input,
    live,
    evaluations: new Map(evaluations.map(e => [e.mgmt.name, e])),
  });
  return evaluation;
}
