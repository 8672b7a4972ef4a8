/*
 * One chain (management cluster + identityRef) evaluated once per evaluation: every check that does not depend
 * on the cluster's namespace, the account it lands in, and the plan live verification follows. Clusters and
 * identities using the chain then only assemble these shared check objects.
 */
import type { ChainPlan, Check, CheckId, IdentityRef } from '../types';
import { accountOfArn, isAccountId } from '../iam/arn';
import { ANNOTATION_ACCOUNT_ID } from '../catalog';
import { identityKey, ParsedIdentity } from '../model/objects';
import type { ResolvedChain } from './chain';
import { chainFor, MgmtContext, ParsedIdentityX } from './context';
import { hopChecks, walkHops, WalkedHops } from './hops';
import { chainKeyOf } from './keys';
import type { ChainEvaluation, Engine } from './types';
import { ref } from './checks/check';
import { accountKnownCheck } from './checks/accountKnown';
import { identityApiVersionCheck } from './checks/apiVersion';
import { chainValidCheck } from './checks/chainValid';
import { controllerIdentityNameCheck } from './checks/controllerIdentityName';
import { identityExistsCheck } from './checks/identityExists';
import { liveAssumeCheck } from './checks/liveAssume';
import { chainStaticCredentialsCheck } from './checks/staticCredentials';

/**
 * The account a chain without role hops lands in: the controller's own account, or for a static identity the
 * account its `amazonaws.com/account-id` annotation names (its keys' account can't be read from the object).
 */
function rootAccountId(
  chain: ResolvedChain,
  mgmt: MgmtContext,
): string | undefined {
  if (chain.root === 'controller')
    return accountOfArn(mgmt.principalArn) ?? mgmt.accountId;
  if (chain.root === 'static') {
    const annotated =
      chain.identities[chain.identities.length - 1]?.annotations?.[
        ANNOTATION_ACCOUNT_ID
      ];
    return annotated && isAccountId(annotated) ? annotated : undefined;
  }
  return undefined;
}

/** What live verification assumes for a complete chain that lands in a known account; undefined otherwise. */
function chainPlanOf(
  mgmt: MgmtContext,
  chain: ResolvedChain,
  walked: WalkedHops,
  key: string,
  accountId: string | undefined,
): ChainPlan | undefined {
  if (!isComplete(chain, walked) || !accountId) return undefined;
  const plan: ChainPlan = {
    key,
    hops: walked.plan,
    expectedAccountId: accountId,
    managementCluster: mgmt.name,
  };
  if (chain.root === 'static')
    plan.rootStaticSecret = chain.links[chain.links.length - 1]?.secretRef;
  else plan.rootPrincipalArn = mgmt.principalArn;
  return plan;
}

function isComplete(chain: ResolvedChain, walked: WalkedHops): boolean {
  return (
    chain.complete &&
    walked.usable &&
    walked.hops.every(h => !!accountOfArn(h.identity.roleArn))
  );
}

export function evaluateChain(
  engine: Engine,
  mgmt: MgmtContext,
  identityRef: IdentityRef,
): ChainEvaluation {
  const cacheKey = `${mgmt.name}\u0000${identityKey(identityRef)}`;
  const cached = engine.chainEvalCache.get(cacheKey);
  if (cached) return cached;
  engine.counter.chains++;
  const chain = chainFor(mgmt, identityRef);
  const identities = chain.identities.filter((x): x is ParsedIdentity => !!x);
  const declared = identities.filter(i => !(i as ParsedIdentityX).synthetic);
  const hasSynthetic = declared.length !== identities.length;

  const walked = walkHops(engine, mgmt, chain);
  const lastHop = walked.hops[walked.hops.length - 1];
  const accountId = lastHop
    ? accountOfArn(lastHop.identity.roleArn)
    : rootAccountId(chain, mgmt);
  const key = chainKeyOf(mgmt, chain, walked.plan);
  const plan = chainPlanOf(mgmt, chain, walked, key, accountId);

  const checks = new Map<CheckId, Check>([
    [
      'identity-exists',
      identityExistsCheck(chain, identities, hasSynthetic, mgmt.name),
    ],
    ['chain-valid', chainValidCheck(chain, identities)],
    ['controller-identity-name', controllerIdentityNameCheck(chain)],
    ...hopChecks(walked, chain, mgmt),
    [
      'live-assume',
      liveAssumeCheck(engine.fleet.live, plan, isComplete(chain, walked)),
    ],
    [
      'account-known',
      accountKnownCheck(
        engine.fleet,
        accountId,
        chain.root === 'static' && !walked.hops.length,
      ),
    ],
  ]);
  const apiVersions = [...new Set(declared.map(i => i.apiVersion))];
  const result: ChainEvaluation = {
    chain,
    key,
    plan,
    accountId,
    checks,
    apiVersions,
    apiVersionCheck: identityApiVersionCheck(declared, apiVersions),
    staticCheck: chainStaticCredentialsCheck(chain),
    hasSynthetic,
    sig: `${mgmt.name}\u0000${chain.links
      .map(l => ref(l.kind, l.name))
      .join(',')}`,
  };
  engine.chainEvalCache.set(cacheKey, result);
  return result;
}
