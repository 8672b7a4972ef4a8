/*
 * Identity chain resolution, as CAPA's buildProvidersForRef walks it (pkg/cloud/scope/session.go), but
 * without its failure modes: a cycle is reported (CAPA would recurse forever), a missing link ends the chain.
 */
import type { ChainLink, IdentityRef } from '../types';
import { accountOfArn } from '../iam/arn';
import { summarizeAllowedNamespaces } from '../model/allowedNamespaces';
import {
  CONTROLLER_IDENTITY_KIND,
  CONTROLLER_IDENTITY_NAME,
  identityKey,
  ParsedIdentity,
  ROLE_IDENTITY_KIND,
  STATIC_IDENTITY_KIND,
} from '../model/objects';

export type ChainProblemKind =
  | 'missing'
  | 'malformed'
  | 'cycle'
  | 'no-source'
  | 'unknown-kind'
  | 'controller-name';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** Index into `links` of the link the problem is about. */
  linkIndex: number;
  message: string;
}

export interface ResolvedChain {
  /** Cluster side first (the identity identityRef names), up to the root. */
  links: ChainLink[];
  /** The parsed identities of each link (undefined for missing links). */
  identities: Array<ParsedIdentity | undefined>;
  /** What the chain starts from: the controller's own credentials, a static Secret, or nothing usable. */
  root: 'controller' | 'static' | 'none';
  problems: ChainProblem[];
  /** True when every link exists and the chain is well formed (no cycle, sources present, known kinds). */
  complete: boolean;
}

/** Anything that can look identities up by `Kind/name`. */
export interface IdentityLookup {
  identityIndex: Map<string, ParsedIdentity>;
  malformedIdentities?: Set<string>;
}

function linkOf(
  ref: IdentityRef,
  identity: ParsedIdentity | undefined,
): ChainLink {
  if (!identity) return { kind: ref.kind, name: ref.name, missing: true };
  const link: ChainLink = {
    kind: identity.kind,
    name: identity.name,
    allowedNamespaces: identity.allowedNamespaces,
    allowedNamespacesSummary: summarizeAllowedNamespaces(
      identity.allowedNamespaces,
    ),
  };
  if (identity.kind === ROLE_IDENTITY_KIND) {
    link.roleArn = identity.roleArn;
    link.accountId = accountOfArn(identity.roleArn);
    if (identity.externalId) link.externalId = identity.externalId;
    link.durationSeconds = identity.durationSeconds || undefined;
    if (identity.sessionName) link.sessionName = identity.sessionName;
  }
  if (identity.kind === STATIC_IDENTITY_KIND)
    link.secretRef = identity.secretRef;
  return link;
}

/**
 * Resolves the chain that starts at `ref`. `lookup` is the parsed objects of one management cluster (or any
 * object with an `identityIndex`), or a plain list of parsed identities.
 */
export function resolveChain(
  lookup: IdentityLookup | ParsedIdentity[],
  ref: IdentityRef,
): ResolvedChain {
  const index = Array.isArray(lookup)
    ? new Map(lookup.map(i => [identityKey(i), i] as const))
    : lookup?.identityIndex ?? new Map();
  const malformed = Array.isArray(lookup)
    ? undefined
    : lookup?.malformedIdentities;
  const links: ChainLink[] = [];
  const identities: Array<ParsedIdentity | undefined> = [];
  const problems: ChainProblem[] = [];
  const visited = new Set<string>();
  let current: IdentityRef | undefined = ref;
  let root: ResolvedChain['root'] = 'none';
  // Bounded by the number of distinct identities: every iteration visits a new key or stops.
  while (current) {
    const key = identityKey(current);
    if (visited.has(key)) {
      problems.push({
        kind: 'cycle',
        linkIndex: links.length - 1,
        message: `cycle: ${[...links.map(l => `${l.kind}/${l.name}`), key].join(
          ' -> ',
        )} (CAPA would recurse forever)`,
      });
      root = 'none';
      break;
    }
    visited.add(key);
    const known = [
      CONTROLLER_IDENTITY_KIND,
      ROLE_IDENTITY_KIND,
      STATIC_IDENTITY_KIND,
    ].includes(current.kind);
    const identity = known ? index.get(key) : undefined;
    const link = linkOf(current, identity);
    links.push(link);
    identities.push(identity);
    const i = links.length - 1;
    if (!known) {
      problems.push({
        kind: 'unknown-kind',
        linkIndex: i,
        message: `${key}: CAPA knows no identity kind ${JSON.stringify(
          current.kind,
        )} ("No such provider known")`,
      });
      break;
    }
    if (
      current.kind === CONTROLLER_IDENTITY_KIND &&
      current.name !== CONTROLLER_IDENTITY_NAME
    ) {
      problems.push({
        kind: 'controller-name',
        linkIndex: i,
        message: `${key}: the controller identity is a singleton named "${CONTROLLER_IDENTITY_NAME}"; CAPA rejects any other name`,
      });
    }
    if (!identity) {
      const bad = malformed?.has(key);
      problems.push({
        kind: bad ? 'malformed' : 'missing',
        linkIndex: i,
        message: bad
          ? `${key} is malformed and was skipped (see input problems)`
          : `${key} does not exist`,
      });
      if (current.kind === CONTROLLER_IDENTITY_KIND) root = 'controller';
      break;
    }
    if (identity.kind === CONTROLLER_IDENTITY_KIND) {
      root = 'controller';
      break;
    }
    if (identity.kind === STATIC_IDENTITY_KIND) {
      root = 'static';
      break;
    }
    // Role identity
    if (!identity.sourceIdentityRef) {
      problems.push({
        kind: 'no-source',
        linkIndex: i,
        message: `${key} has no sourceIdentityRef: CAPA's webhook rejects it (CAPA would fall back to the controller's default credentials)`,
      });
      root = 'controller';
      break;
    }
    current = identity.sourceIdentityRef;
  }
  const complete = problems.length === 0 && root !== 'none';
  return { links, identities, root, problems, complete };
}

/** Role links in the order CAPA assumes them: from the root towards the cluster. */
export function hopsOf(
  chain: ResolvedChain,
): Array<{ link: ChainLink; identity: ParsedIdentity; linkIndex: number }> {
  const hops: Array<{
    link: ChainLink;
    identity: ParsedIdentity;
    linkIndex: number;
  }> = [];
  for (let i = chain.links.length - 1; i >= 0; i--) {
    const identity = chain.identities[i];
    if (identity && identity.kind === ROLE_IDENTITY_KIND)
      hops.push({ link: chain.links[i], identity, linkIndex: i });
  }
  return hops;
}
