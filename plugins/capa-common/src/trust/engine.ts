/*
 * The trust engine: FleetInput (+ LiveEvidence) -> FleetReport. Pure and total: it never throws.
 *
 * Work is shared: chains are resolved once per (management cluster, identity); the policy checks of a chain
 * (source-permission, target-trust, external-id, session-duration, live-assume, account-known, ...) once per
 * chain; `namespace-allowed` once per (chain, namespace). Clusters then only assemble shared check objects.
 * Every memo lives in the evaluation's `Engine` (types.ts), none in the module.
 *
 * One module per check id in checks/ (its evaluation, message and fix; the fixes' snippets in checks/fixes.ts);
 * evaluateChain.ts collects a chain's checks, hops.ts walks its AssumeRole hops, reports/ assembles the
 * cluster, identity and account reports, plan.ts plans live verification.
 */
import type {
  AccountReport,
  ClusterReport,
  FleetInput,
  FleetReport,
  IdentityReport,
  InputProblem,
  LiveEvidence,
  ManagementClusterReport,
} from '../types';
import { identityKey, ParsedIdentity } from '../model/objects';
import type { ClusterUnit, MgmtContext } from './context';
import { newEngine } from './newEngine';
import { accountReports, ClusterOwn } from './reports/accountReports';
import { ClusterAssessment, clusterReport } from './reports/clusterReport';
import { identityReport, IdentityUsers } from './reports/identityReport';
import type { Engine } from './types';
import { ref } from './checks/check';

export { DEFAULTED_SESSION_NAME } from './hops';
export { planEvidence, chainKey } from './plan';
export type { CheckStatus } from '../types';

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function clusterProblem(
  mgmt: MgmtContext,
  unit: ClusterUnit,
  e: unknown,
): InputProblem {
  return {
    source:
      unit.cluster?.location.source ??
      unit.carrier?.location.source ??
      mgmt.name,
    line: unit.cluster?.location.line,
    object: `Cluster/${unit.namespace}/${unit.name}`,
    message: `cluster could not be evaluated: ${String(e)}`,
    severity: 'error',
  };
}

/** A management cluster's units evaluated: each unit's assessment (undefined when it could not be evaluated). */
export interface UnitsEvaluation {
  assessments: Array<ClusterAssessment | undefined>;
  usage: IdentityUsers;
  problems: InputProblem[];
}

/**
 * The cluster reports of one management cluster, in its units' order; what cannot be evaluated becomes a problem.
 * `reuse` may hand back a unit's assessment from an earlier evaluation (incremental evaluation).
 */
export function evaluateUnits(
  engine: Engine,
  mgmt: MgmtContext,
  reuse?: (unit: ClusterUnit, index: number) => ClusterAssessment | undefined,
): UnitsEvaluation {
  const usage: IdentityUsers = { users: new Map(), direct: new Map() };
  const assessments: Array<ClusterAssessment | undefined> = [];
  const problems: InputProblem[] = [];
  mgmt.units.forEach((unit, index) => {
    let assessment = reuse?.(unit, index);
    if (!assessment) {
      engine.counter.clusters++;
      try {
        assessment = clusterReport(engine, mgmt, unit);
      } catch (e) {
        problems.push(clusterProblem(mgmt, unit, e));
      }
    }
    assessments.push(assessment);
    if (assessment && unit.identityRef) {
      push(usage.direct, identityKey(unit.identityRef), unit);
      for (const l of assessment.report.chain)
        push(usage.users, ref(l.kind, l.name), unit);
    }
  });
  return { assessments, usage, problems };
}

/**
 * The identity reports of one management cluster, in its identities' order. `reuse` may hand back an identity's
 * report from an earlier evaluation (incremental evaluation).
 */
export function evaluateIdentities(
  engine: Engine,
  mgmt: MgmtContext,
  usage: IdentityUsers,
  reuse?: (identity: ParsedIdentity) => IdentityReport | undefined,
): { reports: Array<IdentityReport | undefined>; problems: InputProblem[] } {
  const reports: Array<IdentityReport | undefined> = [];
  const problems: InputProblem[] = [];
  for (const identity of mgmt.parsed.identities) {
    let report = reuse?.(identity);
    if (!report) {
      engine.counter.identities++;
      try {
        report = identityReport(engine, mgmt, identity, usage);
      } catch (e) {
        problems.push({
          source: identity.location.source,
          line: identity.location.line,
          object: identityKey(identity),
          message: `identity could not be evaluated: ${String(e)}`,
          severity: 'error',
        });
      }
    }
    reports.push(report);
  }
  return { reports, problems };
}

/** One management cluster evaluated: what the fleet report and an incremental evaluation are assembled from. */
export interface MgmtEvaluation {
  mgmt: MgmtContext;
  units: Array<ClusterAssessment | undefined>;
  identities: Array<IdentityReport | undefined>;
  /** Units and identities that could not be evaluated, in that order. */
  problems: InputProblem[];
}

function evaluateManagementCluster(
  engine: Engine,
  mgmt: MgmtContext,
): MgmtEvaluation {
  const units = evaluateUnits(engine, mgmt);
  const identities = evaluateIdentities(engine, mgmt, units.usage);
  return {
    mgmt,
    units: units.assessments,
    identities: identities.reports,
    problems: [...units.problems, ...identities.problems],
  };
}

/**
 * The fleet report from its management clusters' evaluations, in the fleet's order. `reuseAccount` may hand back
 * an account's report from an earlier evaluation (incremental evaluation).
 */
export function assembleReport(
  engine: Engine,
  evaluations: MgmtEvaluation[],
  reuseAccount?: Parameters<typeof accountReports>[4],
): FleetReport {
  const clusters: ClusterReport[] = [];
  const own = new Map<ClusterReport, ClusterOwn>();
  const identities: IdentityReport[] = [];
  const problems = [...engine.fleet.problems];
  const managementClusters: ManagementClusterReport[] = [];
  for (const {
    mgmt,
    units,
    identities: ids,
    problems: failed,
  } of evaluations) {
    for (const a of units) {
      if (!a) continue;
      clusters.push(a.report);
      own.set(a.report, a.via ? { own: a.own, via: a.via } : { own: a.own });
    }
    for (const i of ids) if (i) identities.push(i);
    problems.push(...failed);
    managementClusters.push({
      name: mgmt.name,
      accountId: mgmt.accountId,
      controllerPrincipalArn: mgmt.principalArn,
      clusterCount: mgmt.units.length,
      identityCount: mgmt.parsed.identities.length,
    });
  }
  let accounts: AccountReport[] = [];
  try {
    accounts = accountReports(
      engine.fleet,
      clusters,
      identities,
      own,
      reuseAccount,
      engine.counter,
    );
  } catch (e) {
    problems.push({
      source: 'accounts',
      message: `accounts could not be aggregated: ${String(e)}`,
      severity: 'error',
    });
  }
  return {
    accounts,
    clusters,
    identities,
    managementClusters,
    problems,
    generatedAt: engine.now.toISOString(),
  };
}

function unreadable(e: unknown, now: Date): FleetReport {
  return {
    accounts: [],
    clusters: [],
    identities: [],
    managementClusters: [],
    problems: [
      {
        source: 'input',
        message: `input could not be read: ${String(e)}`,
        severity: 'error',
      },
    ],
    generatedAt: now.toISOString(),
  };
}

/** A usable `now`: the option when it is a valid date, else the current time. */
export function nowOf(options?: { now?: Date }): Date {
  return options?.now instanceof Date && !Number.isNaN(options.now.getTime())
    ? options.now
    : new Date();
}

/** Every management cluster evaluated from scratch; undefined with the unreadable report when the input is unusable. */
export function evaluateFully(
  input: FleetInput,
  live: LiveEvidence | undefined,
  now: Date,
):
  | { engine: Engine; evaluations: MgmtEvaluation[]; report: FleetReport }
  | { report: FleetReport; engine?: undefined } {
  let engine: Engine;
  try {
    engine = newEngine(input, live, now);
  } catch (e) {
    return { report: unreadable(e, now) };
  }
  const evaluations = engine.fleet.mgmts.map(mgmt =>
    evaluateManagementCluster(engine, mgmt),
  );
  return { engine, evaluations, report: assembleReport(engine, evaluations) };
}

/**
 * Evaluates a fleet. Never throws: unusable input ends up in `problems`.
 *
 * @public
 */
export function evaluateFleet(
  input: FleetInput,
  live?: LiveEvidence,
  options?: { now?: Date },
): FleetReport {
  return evaluateFully(input, live, nowOf(options)).report;
}
