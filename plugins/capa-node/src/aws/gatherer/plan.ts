/*
 * Reading an evidence plan: which management account's credentials start each chain, which accounts' own
 * credentials a plan uses, and the plumbing that turns per-item results into LiveEvidence records.
 */
import type { ChainPlan, EvidencePlan } from '@capa-portal/plugin-capa-common';
import { isAccountId, parseArn } from '@capa-portal/plugin-capa-common';
import { simulationSourceArn } from '../arn';
import type { ChainSourceAccount } from './types';

/** The accounts whose own credentials a plan uses: target roles' (GetRole), principals' (simulation), chains' roots. */
export function involvedAccounts(
  plan: EvidencePlan,
  source: ChainSourceAccount | undefined,
): Set<string> {
  const accounts = new Set<string>();
  const add = (arnText: string) => {
    const arn = parseArn(arnText, { complete: true });
    if (arn && isAccountId(arn.accountId)) accounts.add(arn.accountId);
  };
  plan.roleArns.forEach(add);
  for (const s of plan.simulations) add(simulationSourceArn(s.principalArn));
  for (const chain of plan.chains) {
    if (chain.rootStaticSecret) continue;
    const account = sourceAccountFor(chain, source);
    if (account) accounts.add(account);
  }
  return accounts;
}

export function sourceAccountFor(
  chain: ChainPlan,
  source: ChainSourceAccount | undefined,
): string | undefined {
  if (!source) {
    const root = chain.rootPrincipalArn
      ? parseArn(chain.rootPrincipalArn, { complete: true })
      : undefined;
    return root && isAccountId(root.accountId) ? root.accountId : undefined;
  }
  if (typeof source === 'string') return source;
  if (typeof source === 'function') return source(chain);
  return source[chain.key];
}

export function dedupeBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

export function collect<T>(
  entries: ReadonlyArray<readonly [string, T | undefined]>,
): Record<string, T> | undefined {
  const out: Record<string, T> = {};
  let any = false;
  for (const [k, v] of entries) {
    if (v !== undefined) {
      out[k] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}
