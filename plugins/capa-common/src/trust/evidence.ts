/*
 * The evidence a hop is judged on: the target role's trust policy (live iam:GetRole, else the clusterawsadm
 * configuration of its account), the source principal's permission statements (clusterawsadm), and the request
 * context CAPA's sts:AssumeRole call carries.
 */
import { accountOfArn, parseArn } from '../iam/arn';
import {
  ContextValue,
  PolicyPrincipal,
  SourcedStatement,
  toStatements,
} from '../iam/evaluate';
import {
  CLUSTERAWSADM_MAX_SESSION_DURATION,
  ClusterawsadmRole,
  ParsedIamConfiguration,
  ROLE_SECTIONS,
  roleForArn,
} from '../clusterawsadm/iamConfiguration';
import type { FleetContext } from './context';
import type { HopSource } from './types';

/** Permission statements of a principal, from the clusterawsadm configuration of its account. */
export function permissionsOf(
  fleet: FleetContext,
  principalArn: string | undefined,
):
  | {
      statements: SourcedStatement[];
      opaque: string[];
      role?: ClusterawsadmRole;
      cfg: ParsedIamConfiguration;
      section: string;
    }
  | undefined {
  if (!principalArn) return undefined;
  const account = accountOfArn(principalArn);
  if (!account) return undefined;
  const cfg = fleet.iamConfigs.get(account);
  if (!cfg) return undefined;
  const role = roleForArn(cfg, principalArn);
  if (role)
    return {
      statements: role.permissionStatements,
      opaque: role.opaquePolicies,
      role,
      cfg,
      section: ROLE_SECTIONS[role.key],
    };
  const p = parseArn(principalArn);
  if (
    p &&
    p.service === 'iam' &&
    p.resource.startsWith('user/') &&
    cfg.bootstrapUser
  ) {
    const name = p.resource.split('/').pop();
    if (name === cfg.bootstrapUser.name) {
      return {
        statements: cfg.bootstrapUser.permissionStatements,
        opaque: cfg.bootstrapUser.opaquePolicies,
        cfg,
        section: 'bootstrapUser',
      };
    }
  }
  return undefined;
}

export interface TrustEvidence {
  kind: 'live' | 'config' | 'missing';
  statements: SourcedStatement[];
  source: string;
  role?: ClusterawsadmRole;
  cfg?: ParsedIamConfiguration;
  maxSessionDuration?: number;
  message?: string;
  /** Live lookup failed and config was used: why. */
  note?: string;
}

export function trustOf(
  fleet: FleetContext,
  roleArn: string,
): TrustEvidence | undefined {
  const lookup = fleet.live.targetRoles?.[roleArn];
  let note: string | undefined;
  if (lookup) {
    if (lookup.status === 'found' && lookup.trustPolicy) {
      const source = `iam:GetRole ${roleArn} (${lookup.checkedAt})`;
      return {
        kind: 'live',
        statements: toStatements(lookup.trustPolicy, source),
        source,
        maxSessionDuration:
          typeof lookup.maxSessionDuration === 'number'
            ? lookup.maxSessionDuration
            : undefined,
      };
    }
    if (lookup.status === 'not-found') {
      return {
        kind: 'missing',
        statements: [],
        source: `iam:GetRole ${roleArn} (${lookup.checkedAt})`,
        message: lookup.message,
      };
    }
    note = `iam:GetRole ${lookup.status}${
      lookup.message ? `: ${lookup.message}` : ''
    }`;
  }
  const account = accountOfArn(roleArn);
  const cfg = account ? fleet.iamConfigs.get(account) : undefined;
  if (!cfg) return undefined;
  const role = roleForArn(cfg, roleArn);
  if (!role) return undefined;
  return {
    kind: 'config',
    statements: role.trustStatements,
    source: cfg.source,
    role,
    cfg,
    maxSessionDuration: CLUSTERAWSADM_MAX_SESSION_DURATION,
    note,
  };
}

export function principalOf(source: HopSource): PolicyPrincipal {
  return { type: 'AWS', arn: source.arn, accountId: source.accountId };
}

/** The request context CAPA's AssumeRole call carries. Keys not listed are unknown. */
export function requestContext(
  source: HopSource,
  roleArn: string,
  externalId: string | undefined,
  sessionName: string | undefined,
): {
  context: Record<string, ContextValue>;
  fallback: (key: string) => ContextValue | undefined;
} {
  const context: Record<string, ContextValue> = {
    'sts:externalid': externalId ? externalId : null,
    // Set only when an AWS service calls on behalf of a resource: never for CAPA's own AssumeRole.
    'aws:sourceaccount': null,
    'aws:sourcearn': null,
    'aws:sourceorgid': null,
    'aws:sourceorgpaths': null,
    // CAPA passes no session tags, no MFA, no source identity.
    'aws:tagkeys': null,
    'sts:transitivetagkeys': null,
    'aws:multifactorauthpresent': null,
    'aws:multifactorauthage': null,
    'sts:sourceidentity': null,
    'aws:securetransport': 'true',
  };
  const ra = accountOfArn(roleArn);
  if (ra) context['aws:resourceaccount'] = ra;
  if (source.arn) context['aws:principalarn'] = source.arn;
  if (source.accountId) context['aws:principalaccount'] = source.accountId;
  if (source.kind !== 'static') context['aws:principaltype'] = 'AssumedRole';
  if (sessionName) context['sts:rolesessionname'] = sessionName;
  const tags = source.tags;
  const lowerTags = tags
    ? new Map(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]))
    : undefined;
  const fallback = (key: string): ContextValue | undefined => {
    const k = key.toLowerCase();
    if (k.startsWith('aws:principaltag/')) {
      if (!lowerTags) return undefined;
      return lowerTags.get(k.slice('aws:principaltag/'.length)) ?? null;
    }
    if (k.startsWith('aws:requesttag/')) return null;
    return undefined;
  };
  return { context, fallback };
}

/** Builds a context object whose unknown keys are resolved through `fallback` (Proxy-free). */
export function withFallback(
  statements: SourcedStatement[],
  ctx: {
    context: Record<string, ContextValue>;
    fallback: (k: string) => ContextValue | undefined;
  },
): Record<string, ContextValue> {
  const out = { ...ctx.context };
  for (const s of statements) {
    const cond = s.statement?.Condition;
    if (!cond || typeof cond !== 'object') continue;
    for (const block of Object.values(cond)) {
      if (!block || typeof block !== 'object') continue;
      for (const key of Object.keys(block)) {
        const k = key.toLowerCase();
        if (k in out) continue;
        const v = ctx.fallback(k);
        if (v !== undefined) out[k] = v;
      }
    }
  }
  return out;
}
