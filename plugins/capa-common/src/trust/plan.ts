/*
 * The evidence plan: what live verification must ask AWS for a fleet (trust policies, policy simulations, the
 * chains to assume, the EKS clusters to describe), and the chain key LiveEvidence.assumeResults is keyed by.
 */
import type {
  ChainPlan,
  EksClusterPlan,
  EvidencePlan,
  FleetInput,
  IdentityRef,
} from '../types';
import { accountOfArn } from '../iam/arn';
import { ROLE_IDENTITY_KIND } from '../model/objects';
import { hopsOf } from './chain';
import type { MgmtContext } from './context';
import { evaluateChain } from './evaluateChain';
import { newEngine } from './newEngine';
import { eksLookupOf } from './reports/clusterReport';
import type { ChainEvaluation } from './types';

type Simulation = EvidencePlan['simulations'][number];

class PlanBuilder {
  readonly roleArns = new Set<string>();
  readonly simulations = new Map<string, Simulation>();
  readonly chains = new Map<string, ChainPlan>();
  readonly eksClusters = new Map<string, EksClusterPlan>();

  /** The chain to assume, and a simulation of each hop of a controller-rooted chain (principal -> role). */
  addChain(mgmt: MgmtContext, ev: ChainEvaluation) {
    if (ev.plan && !this.chains.has(ev.plan.key))
      this.chains.set(ev.plan.key, ev.plan);
    if (
      ev.chain.root !== 'controller' ||
      ev.chain.problems.some(p => p.kind === 'cycle')
    )
      return;
    let principal: string | undefined = mgmt.principalArn;
    for (const h of hopsOf(ev.chain)) {
      const roleArn = h.identity.roleArn;
      if (!roleArn || !accountOfArn(roleArn)) break;
      if (principal) {
        const key = `${principal} -> ${roleArn}`;
        if (!this.simulations.has(key))
          this.simulations.set(key, { key, principalArn: principal, roleArn });
      }
      principal = roleArn;
    }
  }

  addEksCluster(eks: EksClusterPlan | undefined) {
    if (eks && !this.eksClusters.has(eks.key))
      this.eksClusters.set(eks.key, eks);
  }

  build(): EvidencePlan {
    const byKey = (a: { key: string }, b: { key: string }) =>
      a.key.localeCompare(b.key);
    return {
      roleArns: [...this.roleArns].sort(),
      simulations: [...this.simulations.values()].sort(byKey),
      chains: [...this.chains.values()].sort(byKey),
      eksClusters: [...this.eksClusters.values()].sort(byKey),
    };
  }
}

/**
 * What live verification must ask AWS for this fleet: trust policies, simulations, chains to assume.
 *
 * @public
 */
export function planEvidence(input: FleetInput): EvidencePlan {
  let engine;
  try {
    engine = newEngine(input, undefined, new Date(0));
  } catch {
    return { roleArns: [], simulations: [], chains: [], eksClusters: [] };
  }
  const plan = new PlanBuilder();
  for (const mgmt of engine.fleet.mgmts) {
    for (const identity of mgmt.parsed.identities) {
      try {
        if (
          identity.kind === ROLE_IDENTITY_KIND &&
          identity.roleArn &&
          accountOfArn(identity.roleArn)
        )
          plan.roleArns.add(identity.roleArn);
        const ev = evaluateChain(engine, mgmt, {
          kind: identity.kind,
          name: identity.name,
        });
        plan.addChain(mgmt, ev);
      } catch {
        // never throw
      }
    }
    for (const unit of mgmt.units) {
      if (!unit.identityRef) continue;
      try {
        const ev = evaluateChain(engine, mgmt, unit.identityRef);
        plan.addChain(mgmt, ev);
        plan.addEksCluster(eksLookupOf(unit, ev));
      } catch {
        // never throw
      }
    }
  }
  return plan.build();
}

/** The stable key of the chain an identity starts, as used by `LiveEvidence.assumeResults`. */
export function chainKey(
  input: FleetInput,
  managementCluster: string,
  identityRef: IdentityRef,
): string | undefined {
  try {
    const engine = newEngine(input, undefined, new Date(0));
    const mgmt = engine.fleet.mgmts.find(m => m.name === managementCluster);
    if (!mgmt) return undefined;
    return evaluateChain(engine, mgmt, identityRef).key;
  } catch {
    return undefined;
  }
}
