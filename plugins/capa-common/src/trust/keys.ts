/*
 * The keys the engine shares work and evidence by: a chain's key (LiveEvidence.assumeResults, the plan's chains)
 * and a hop's memo key. Secrets that take part (externalID, session policies, tags) enter as a short hash.
 */
import type { AssumeHop } from '../types';
import type { ResolvedChain } from './chain';
import type { MgmtContext } from './context';
import type { HopInput, HopSource } from './types';
import { ref } from './checks/check';

/** FNV-1a, 32 bits, hex. */
export function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** `<management cluster>><root>><hop>...`, each hop `roleArn(d=..,s=..,e=#,p=#)`. */
export function chainKeyOf(
  mgmt: MgmtContext,
  chain: ResolvedChain,
  hops: AssumeHop[],
): string {
  const root =
    chain.root === 'static'
      ? `static:${chain.links[chain.links.length - 1]?.name}`
      : `controller:${mgmt.principalArn}`;
  const parts = hops.map(h => {
    const opts = [`d=${h.durationSeconds}`];
    if (!h.sessionNameDefaulted) opts.push(`s=${h.sessionName}`);
    if (h.externalId) opts.push(`e=${hash(h.externalId)}`);
    if (h.policy) opts.push(`p=${hash(h.policy)}`);
    return `${h.roleArn}(${opts.join(',')})`;
  });
  return [`${mgmt.name}`, root, ...parts].join('>');
}

/** Everything a hop's four checks depend on. */
export function hopKeyOf(source: HopSource, hop: HopInput): string {
  return [
    source.arn ?? `static:${source.identity}`,
    source.roleSession ? 'rs' : 'nrs',
    source.sessionPolicy ? hash(source.sessionPolicy) : '',
    source.tags ? hash(JSON.stringify(source.tags)) : '?',
    hop.roleArn,
    hop.identity.externalId ?? '',
    hop.identity.sessionName ?? '',
    hop.identity.durationSeconds,
    ref(hop.identity.kind, hop.identity.name),
  ].join('\u0000');
}
