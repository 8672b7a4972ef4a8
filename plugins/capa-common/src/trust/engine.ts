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
import { identityKey } from '../model/objects';
import type { ClusterUnit, MgmtContext } from './context';
import { newEngine } from './newEngine';
import { accountReports, ClusterOwn } from './reports/accountReports';
import { clusterReport } from './reports/clusterReport';
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

/** The reports of one management cluster's clusters and identities; what cannot be evaluated becomes a problem. */
function evaluateManagementCluster(
  engine: Engine,
  mgmt: MgmtContext,
  out: {
    clusters: ClusterReport[];
    /** Each cluster's own checks and CAPI Operator provider (reachability.ts), beside its report. */
    own: Map<ClusterReport, ClusterOwn>;
    identities: IdentityReport[];
    problems: InputProblem[];
  },
) {
  const usage: IdentityUsers = { users: new Map(), direct: new Map() };
  for (const unit of mgmt.units) {
    try {
      const { report, own, via } = clusterReport(engine, mgmt, unit);
      out.clusters.push(report);
      out.own.set(report, via ? { own, via } : { own });
      if (unit.identityRef) {
        push(usage.direct, identityKey(unit.identityRef), unit);
        for (const l of report.chain)
          push(usage.users, ref(l.kind, l.name), unit);
      }
    } catch (e) {
      out.problems.push(clusterProblem(mgmt, unit, e));
    }
  }
  for (const identity of mgmt.parsed.identities) {
    try {
      out.identities.push(identityReport(engine, mgmt, identity, usage));
    } catch (e) {
      out.problems.push({
        source: identity.location.source,
        line: identity.location.line,
        object: identityKey(identity),
        message: `identity could not be evaluated: ${String(e)}`,
        severity: 'error',
      });
    }
  }
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
  const now =
    options?.now instanceof Date && !Number.isNaN(options.now.getTime())
      ? options.now
      : new Date();
  let engine: Engine;
  try {
    engine = newEngine(input, live, now);
  } catch (e) {
    return unreadable(e, now);
  }
  const fleet = engine.fleet;
  const out = {
    clusters: [] as ClusterReport[],
    own: new Map<ClusterReport, ClusterOwn>(),
    identities: [] as IdentityReport[],
    problems: [...fleet.problems],
  };
  const managementClusters: ManagementClusterReport[] = [];
  for (const mgmt of fleet.mgmts) {
    evaluateManagementCluster(engine, mgmt, out);
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
    accounts = accountReports(fleet, out.clusters, out.identities, out.own);
  } catch (e) {
    out.problems.push({
      source: 'accounts',
      message: `accounts could not be aggregated: ${String(e)}`,
      severity: 'error',
    });
  }
  return {
    accounts,
    clusters: out.clusters,
    identities: out.identities,
    managementClusters,
    problems: out.problems,
    generatedAt: now.toISOString(),
  };
}
