/*
 * The AssumeRole hops of a chain (source principal -> target role), walked from the chain's root: each hop's
 * source-permission, target-trust, external-id and session-duration (memoised per hop for the evaluation), and
 * the hop as live verification will call it.
 */
import type { AssumeHop, Check, CheckId } from '../types';
import { accountOfArn } from '../iam/arn';
import {
  CONTROLLER_IDENTITY_KIND,
  CONTROLLER_IDENTITY_NAME,
} from '../model/objects';
import { hopsOf, ResolvedChain } from './chain';
import type { FleetContext, MgmtContext } from './context';
import { permissionsOf, trustOf } from './evidence';
import { hopKeyOf } from './keys';
import type {
  Engine,
  HopInput,
  HopResult,
  HopSource,
  PartialCheck,
} from './types';
import { combine, ref } from './checks/check';
import { checkExternalId } from './checks/externalId';
import { checkSessionDuration } from './checks/sessionDuration';
import { checkSourcePermission } from './checks/sourcePermission';
import { checkTargetTrust } from './checks/targetTrust';

/** Placeholder session name when the identity sets none (CAPA's SDK then generates a timestamp). */
export const DEFAULTED_SESSION_NAME = 'capa-portal-verify';

export function evaluateHop(fleet: FleetContext, hop: HopInput): HopResult {
  const trust = trustOf(fleet, hop.roleArn);
  const targetTrust = checkTargetTrust(hop, trust);
  return {
    targetTrust: targetTrust.check,
    sourcePermission: checkSourcePermission(
      fleet,
      hop,
      trust,
      targetTrust.namesPrincipal,
    ),
    externalId: checkExternalId(hop, trust),
    sessionDuration: checkSessionDuration(hop, trust),
  };
}

function hopSourceForRoot(mgmt: MgmtContext, chain: ResolvedChain): HopSource {
  const rootLink = chain.links[chain.links.length - 1];
  const rootIdentity = chain.identities[chain.identities.length - 1];
  if (chain.root === 'static' && rootIdentity) {
    return {
      kind: 'static',
      roleSession: false,
      identity: ref(rootIdentity.kind, rootIdentity.name),
    };
  }
  return {
    kind: 'controller',
    arn: mgmt.principalArn,
    accountId: accountOfArn(mgmt.principalArn) ?? mgmt.accountId,
    roleSession: mgmt.principalUsesRoleSession,
    identity: rootLink
      ? ref(rootLink.kind, rootLink.name)
      : ref(CONTROLLER_IDENTITY_KIND, CONTROLLER_IDENTITY_NAME),
  };
}

function tagsForPrincipal(
  fleet: FleetContext,
  mgmt: MgmtContext | undefined,
  arn: string,
): Record<string, string> | undefined {
  const live = fleet.live.principalTags?.[arn];
  if (live) return live;
  if (mgmt && arn === mgmt.principalArn && mgmt.principalTags)
    return mgmt.principalTags;
  // A clusterawsadm role's tags are its configured tags (pod identity session tags are unknown).
  if (mgmt && arn === mgmt.principalArn && mgmt.principalUsesRoleSession)
    return undefined;
  const perms = permissionsOf(fleet, arn);
  return perms?.role ? perms.role.tags : undefined;
}

/** The hop as live verification calls it: CAPA's parameters, with the SDK's defaults made explicit. */
function assumeHopOf(hop: HopInput): AssumeHop {
  const identity = hop.identity;
  const assume: AssumeHop = {
    roleArn: hop.roleArn,
    sessionName: identity.sessionName || DEFAULTED_SESSION_NAME,
    durationSeconds: identity.durationSeconds || 900,
    identity: ref(identity.kind, identity.name),
  };
  if (!identity.sessionName) assume.sessionNameDefaulted = true;
  if (identity.externalId) assume.externalId = identity.externalId;
  if (identity.inlinePolicy) assume.policy = identity.inlinePolicy;
  return assume;
}

export interface WalkedHops {
  /** The chain's role hops (hopsOf), walked or not. */
  hops: ReturnType<typeof hopsOf>;
  /** The chain has a root and no cycle: its hops can be called. */
  usable: boolean;
  /** Each hop's checks, labelled with the hop. */
  parts: Array<{ label: string; r: HopResult }>;
  /** The hops as live verification calls them. */
  plan: AssumeHop[];
}

/** Walks the chain's hops from its root, each hop's target role becoming the next hop's source. */
export function walkHops(
  engine: Engine,
  mgmt: MgmtContext,
  chain: ResolvedChain,
): WalkedHops {
  const fleet = engine.fleet;
  const usable =
    chain.root !== 'none' && !chain.problems.some(p => p.kind === 'cycle');
  const hops = hopsOf(chain);
  const walked: WalkedHops = { hops, usable, parts: [], plan: [] };
  if (!usable) return walked;
  let source = hopSourceForRoot(mgmt, chain);
  if (source.kind === 'controller' && source.arn)
    source.tags = tagsForPrincipal(fleet, mgmt, source.arn);
  for (const h of hops) {
    const roleArn = h.identity.roleArn ?? '';
    const hop: HopInput = {
      source,
      identity: h.identity,
      roleArn,
      externalId: h.identity.externalId || undefined,
      sessionName: h.identity.sessionName || undefined,
      durationSeconds: h.identity.durationSeconds,
    };
    const key = hopKeyOf(source, hop);
    let r = engine.hopCache.get(key);
    if (!r) {
      r = evaluateHop(fleet, hop);
      engine.hopCache.set(key, r);
    }
    walked.parts.push({
      label: `${ref(h.identity.kind, h.identity.name)} (${roleArn})`,
      r,
    });
    walked.plan.push(assumeHopOf(hop));
    source = {
      kind: 'role',
      arn: roleArn,
      accountId: accountOfArn(roleArn),
      roleSession: true,
      tags: tagsForPrincipal(fleet, mgmt, roleArn),
      sessionPolicy: h.identity.inlinePolicy,
      identity: ref(h.identity.kind, h.identity.name),
    };
  }
  return walked;
}

const HOP_CHECKS: Array<[CheckId, keyof HopResult]> = [
  ['session-duration', 'sessionDuration'],
  ['external-id', 'externalId'],
  ['source-permission', 'sourcePermission'],
  ['target-trust', 'targetTrust'],
];

/** The four per-hop checks of a chain, each combined over its hops (a chain without hops passes them). */
export function hopChecks(
  walked: WalkedHops,
  chain: ResolvedChain,
  mgmt: MgmtContext,
): Array<[CheckId, Check]> {
  const noHop: PartialCheck = walked.usable
    ? {
        status: 'pass',
        message:
          chain.root === 'static'
            ? 'no AssumeRole: the static credentials are used directly'
            : `no AssumeRole: the controller's own credentials (${mgmt.principalArn}) are used`,
      }
    : {
        status: 'skip',
        message: 'the chain is not usable (see chain-valid / identity-exists)',
      };
  return HOP_CHECKS.map(([id, field]) => [
    id,
    combine(
      id,
      walked.parts.map(x => ({ label: x.label, p: x.r[field] })),
      noHop,
    ),
  ]);
}
