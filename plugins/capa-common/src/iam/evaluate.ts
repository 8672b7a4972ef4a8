/* eslint-disable no-nested-ternary */
/*
 * A small, honest IAM policy evaluator for the one question the trust engine asks:
 * "may this principal call sts:AssumeRole on that role?" (identity policies and trust policies).
 *
 * Rules (AWS IAM policy evaluation logic, restricted to a single policy set):
 * - an explicit Deny that matches wins; a Deny that *might* match makes the result `unknown`;
 * - otherwise an Allow that matches allows; an Allow that might match makes the result `unknown`;
 * - otherwise the request is implicitly denied.
 * Condition keys the caller did not describe, operators we do not implement, and policy variables
 * (`${aws:username}`) make a statement `unknown`: we never guess a pass.
 */
import type { PolicyDocument, PolicyStatement } from '../types';
import {
  arnLike,
  globMatch,
  isAccountId,
  parseArn,
  roleArnOfAssumedRole,
} from './arn';

/**
 * A request context value: a string / list of strings, or `null` when the key is known to be absent.
 *
 * @public
 */
export type ContextValue = string | string[] | null;

/** @public */
export interface PolicyPrincipal {
  /** `AWS` for IAM users / roles / sessions, `Service` for AWS services, `Federated` for OIDC / SAML. */
  type?: 'AWS' | 'Service' | 'Federated';
  /** IAM ARN of the principal (a role ARN for role sessions, a user ARN for users). */
  arn?: string;
  /** STS session ARN (`arn:aws:sts::…:assumed-role/name/session`) when known. */
  sessionArn?: string;
  accountId?: string;
  /** The caller's partition (`aws`, `aws-cn`, ...); read from `arn` / `sessionArn` when not given. */
  partition?: string;
  /** For `Service` / `Federated`: the service or provider name. */
  id?: string;
}

/** @public */
export interface PolicyRequest {
  /** The calling principal. Required to evaluate `Principal` / `NotPrincipal` (resource and trust policies). */
  principal?: PolicyPrincipal;
  action: string;
  /** The resource ARN. Trust policies have no `Resource` element; leave it out for them. */
  resource?: string;
  /**
   * The partition the policy lives in (for a trust policy, the role's). A bare account id in `Principal` names the
   * account of that partition, and no principal of another partition matches: partitions are separate instances
   * of IAM. Left out: partitions are compared only where the policy's ARNs spell them.
   */
  partition?: string;
  /**
   * Condition keys (case-insensitive). A key that is not listed is *unknown*; list it with `null` when it
   * is known to be absent from the request (e.g. `sts:ExternalId` when no external id is sent).
   */
  context?: Record<string, ContextValue>;
}

/** @public */
export type Tri = 'yes' | 'no' | 'unknown';
/** @public */
export type PolicyDecision =
  | 'allowed'
  | 'explicitDeny'
  | 'implicitDeny'
  | 'unknown';

/**
 * A statement with where it came from, so checks can cite it.
 *
 * @public
 */
export interface SourcedStatement {
  statement: PolicyStatement;
  /** e.g. `iam/staging.yaml: clusterAPIControllers.trustStatements[0]` or `iam:GetRole arn:…`. */
  source?: string;
  line?: number;
  index?: number;
}

/** @public */
export interface StatementResult extends SourcedStatement {
  effect: 'Allow' | 'Deny';
  result: Tri;
  /** Why `no` / `unknown` (first reason). */
  reason?: string;
}

/** @public */
export interface PolicyEvaluation {
  decision: PolicyDecision;
  /** Allow statements that matched. */
  allowedBy: StatementResult[];
  /** Deny statements that matched. */
  deniedBy: StatementResult[];
  /** Statements whose result is unknown, with the reason. */
  undecided: StatementResult[];
  /** All statement results, in order. */
  statements: StatementResult[];
  /** A one-line explanation. */
  reason: string;
}

/** Normalises a document, a statement or a list of (sourced) statements to sourced statements. */
export function toStatements(
  policy:
    | PolicyDocument
    | PolicyStatement
    | Array<PolicyStatement | SourcedStatement>
    | undefined
    | null,
  source?: string,
): SourcedStatement[] {
  if (!policy || typeof policy !== 'object') return [];
  let list: unknown[];
  if (Array.isArray(policy)) list = policy;
  else if ('Statement' in policy) {
    const s = (policy as PolicyDocument).Statement;
    list = Array.isArray(s) ? s : s && typeof s === 'object' ? [s] : [];
  } else list = [policy];
  const out: SourcedStatement[] = [];
  list.forEach((item, index) => {
    if (!item || typeof item !== 'object') return;
    if (
      'statement' in (item as any) &&
      (item as any).statement &&
      typeof (item as any).statement === 'object'
    ) {
      const s = item as SourcedStatement;
      out.push({ ...s, index: s.index ?? index, source: s.source ?? source });
    } else {
      out.push({ statement: item as PolicyStatement, source, index });
    }
  });
  return out;
}

function asList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(x => String(x));
  return [String(v)];
}

function and(a: Tri, b: Tri): Tri {
  if (a === 'no' || b === 'no') return 'no';
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return 'yes';
}

function hasPolicyVariable(s: string): boolean {
  return /\$\{(?!\*\}|\?\}|\$\})[^}]*\}/.test(s);
}

function matchAction(patterns: string[], action: string): Tri {
  for (const p of patterns) {
    if (p === '*' || globMatch(p, action, true)) return 'yes';
  }
  return 'no';
}

function matchResource(patterns: string[], resource: string | undefined): Tri {
  if (resource === undefined) return 'unknown';
  let unknown = false;
  for (const p of patterns) {
    if (p === '*') return 'yes';
    if (hasPolicyVariable(p)) {
      unknown = true;
      continue;
    }
    if (globMatch(p, resource)) return 'yes';
  }
  return unknown ? 'unknown' : 'no';
}

/** The caller's partition: given, or read from its ARN. */
function partitionOfPrincipal(principal: PolicyPrincipal): string | undefined {
  return (
    principal.partition ??
    parseArn(principal.arn)?.partition ??
    parseArn(principal.sessionArn)?.partition
  );
}

/**
 * Partitions are separate instances of IAM: "a credential issued in one partition isn't valid in another. As a
 * result, direct role assumption with the AssumeRole API doesn't work across partition boundaries"
 * (IAM User Guide, id_roles_providers_outbound_cross_partition.html). So an account id means one account per
 * partition: `arn:aws:iam::111122223333:root` and `arn:aws-cn:iam::111122223333:root` are different accounts.
 * `yes` when both partitions are known and equal, `no` when both are known and differ.
 */
function samePartition(a: string | undefined, b: string | undefined): Tri {
  if (!a || !b) return 'yes';
  return a === b ? 'yes' : 'no';
}

function matchPrincipalValue(
  type: string,
  value: string,
  principal: PolicyPrincipal,
  policyPartition: string | undefined,
): Tri {
  if (value === '*')
    return type === 'AWS' || type === '*'
      ? 'yes'
      : principal.type === type
      ? 'yes'
      : 'no';
  const ptype = principal.type ?? 'AWS';
  if (type !== ptype) return 'no';
  if (type !== 'AWS')
    return principal.id && principal.id === value
      ? 'yes'
      : principal.id
      ? 'no'
      : 'unknown';
  const callerPartition = partitionOfPrincipal(principal);
  // "AWS": "123456789012" is the same as "arn:<partition>:iam::123456789012:root" in the policy's own partition
  // (reference_policies_elements_principal.html#principal-accounts: "The account ARN and the shortened account
  // ID behave the same way").
  if (isAccountId(value)) {
    if (!principal.accountId) return 'unknown';
    if (principal.accountId !== value) return 'no';
    return samePartition(policyPartition, callerPartition);
  }
  const parsed = parseArn(value);
  if (parsed && parsed.service === 'iam' && parsed.resource === 'root') {
    if (!principal.accountId) return 'unknown';
    if (principal.accountId !== parsed.accountId) return 'no';
    return samePartition(parsed.partition, callerPartition);
  }
  if (!principal.arn && !principal.sessionArn) return 'unknown';
  if (principal.arn && value === principal.arn) return 'yes';
  if (principal.sessionArn && value === principal.sessionArn) return 'yes';
  // An assumed-role ARN in a policy names one session of a role.
  if (
    parsed &&
    parsed.service === 'sts' &&
    principal.arn &&
    !principal.sessionArn
  ) {
    const role = roleArnOfAssumedRole(value);
    if (
      role &&
      principal.arn.endsWith(`/${role.split('/').pop()}`) &&
      parsed.accountId === principal.accountId &&
      samePartition(parsed.partition, callerPartition) === 'yes'
    ) {
      return 'unknown';
    }
  }
  return 'no';
}

function matchPrincipal(
  spec: unknown,
  principal: PolicyPrincipal | undefined,
  policyPartition: string | undefined,
): Tri {
  if (!principal) return 'unknown';
  // No principal of another partition reaches the policy's role at all, whatever the policy names ("*" included).
  if (samePartition(policyPartition, partitionOfPrincipal(principal)) === 'no')
    return 'no';
  if (spec === '*') return 'yes';
  if (!spec || typeof spec !== 'object') return 'no';
  let result: Tri = 'no';
  for (const [type, raw] of Object.entries(spec as Record<string, unknown>)) {
    for (const v of asList(raw) ?? []) {
      const r = matchPrincipalValue(type, v, principal, policyPartition);
      if (r === 'yes') return 'yes';
      if (r === 'unknown') result = 'unknown';
    }
  }
  return result;
}

/**
 * NotPrincipal, as AWS documents it (IAM User Guide, reference_policies_elements_notprincipal.html):
 * "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported", and "You
 * cannot use the NotPrincipal element in an IAM identity-based policy nor in an IAM role trust policy": the only
 * two policy types this evaluator reads. So:
 * - with Allow it grants nobody (`no`);
 * - with Deny, AWS documents no meaning in a trust policy (neither that IAM refuses to store one nor how STS reads
 *   one that exists). Every reading agrees that it does not deny a caller it names (`no`); for any other caller
 *   the older "everyone except" reading denies and an ignored statement does not, so `unknown`.
 */
function matchNotPrincipal(
  statement: PolicyStatement,
  request: PolicyRequest,
): { result: Tri; reason: string } {
  const who = request.principal?.arn ?? 'the caller';
  if (statement.Effect !== 'Deny') {
    return {
      result: 'no',
      reason: `NotPrincipal with Effect Allow grants nobody: AWS supports NotPrincipal only with Deny, and not in a role trust policy at all`,
    };
  }
  const callerPartition = request.principal
    ? partitionOfPrincipal(request.principal)
    : undefined;
  if (samePartition(request.partition, callerPartition) === 'no')
    return { result: 'no', reason: principalMismatch(request) };
  const m = matchPrincipal(
    statement.NotPrincipal,
    request.principal,
    request.partition,
  );
  if (m === 'yes') return { result: 'no', reason: `NotPrincipal names ${who}` };
  return {
    result: 'unknown',
    reason: `NotPrincipal cannot be used in a role trust policy and AWS documents no meaning for this Deny there, so whether it denies ${who} is unknown`,
  };
}

/**
 * Whether a statement uses NotPrincipal, which AWS does not support in role trust policies (see
 * matchNotPrincipal).
 */
export function usesNotPrincipal(statement: PolicyStatement): boolean {
  return (
    !!statement &&
    typeof statement === 'object' &&
    statement.NotPrincipal !== undefined
  );
}

const NEGATED = new Set([
  'stringnotequals',
  'stringnotequalsignorecase',
  'stringnotlike',
  'arnnotequals',
  'arnnotlike',
  'numericnotequals',
]);

type BaseMatcher = (ctx: string, pv: string) => boolean | 'unknown';

const BASE_MATCHERS: Record<string, BaseMatcher> = {
  stringequals: (c, p) => c === p,
  stringnotequals: (c, p) => c === p,
  stringequalsignorecase: (c, p) => c.toLowerCase() === p.toLowerCase(),
  stringnotequalsignorecase: (c, p) => c.toLowerCase() === p.toLowerCase(),
  stringlike: (c, p) => globMatch(p, c),
  stringnotlike: (c, p) => globMatch(p, c),
  arnequals: (c, p) => c === p,
  arnnotequals: (c, p) => c === p,
  arnlike: (c, p) => arnLike(p, c),
  arnnotlike: (c, p) => arnLike(p, c),
  bool: (c, p) => c.toLowerCase() === p.toLowerCase(),
  numericequals: (c, p) => numeric(c, p, (a, b) => a === b),
  numericnotequals: (c, p) => numeric(c, p, (a, b) => a === b),
  numericlessthan: (c, p) => numeric(c, p, (a, b) => a < b),
  numericlessthanequals: (c, p) => numeric(c, p, (a, b) => a <= b),
  numericgreaterthan: (c, p) => numeric(c, p, (a, b) => a > b),
  numericgreaterthanequals: (c, p) => numeric(c, p, (a, b) => a >= b),
};

function numeric(
  c: string,
  p: string,
  f: (a: number, b: number) => boolean,
): boolean | 'unknown' {
  const a = Number(c);
  const b = Number(p);
  if (Number.isNaN(a) || Number.isNaN(b)) return 'unknown';
  return f(a, b);
}

/** Looks a key up case-insensitively. `undefined`: unknown; `null`: known absent. */
function lookup(
  context: Record<string, ContextValue> | undefined,
  key: string,
): ContextValue | undefined {
  if (!context) return undefined;
  const lower = key.toLowerCase();
  if (lower in context) return context[lower];
  for (const k of Object.keys(context)) {
    if (k.toLowerCase() === lower) return context[k];
  }
  return undefined;
}

/** Evaluates one condition operator block entry. Exported for checks that look at a single key. */
export function evaluateCondition(
  operator: string,
  key: string,
  rawValues: unknown,
  context: Record<string, ContextValue> | undefined,
): { result: Tri; reason?: string } {
  let op = operator;
  let setOp: 'any' | 'all' | undefined;
  if (/^forAnyValue:/i.test(op)) {
    setOp = 'any';
    op = op.slice('forAnyValue:'.length);
  } else if (/^forAllValues:/i.test(op)) {
    setOp = 'all';
    op = op.slice('forAllValues:'.length);
  }
  let ifExists = false;
  if (/IfExists$/i.test(op)) {
    ifExists = true;
    op = op.slice(0, -'IfExists'.length);
  }
  const opl = op.toLowerCase();
  const values = asList(rawValues) ?? [];
  const ctx = lookup(context, key);

  if (opl === 'null') {
    if (ctx === undefined)
      return { result: 'unknown', reason: `condition key ${key} is not known` };
    const wantAbsent = values.some(v => v.toLowerCase() === 'true');
    const absent = ctx === null || (Array.isArray(ctx) && ctx.length === 0);
    return {
      result: wantAbsent === absent ? 'yes' : 'no',
      reason: `Null ${key}`,
    };
  }
  const base = BASE_MATCHERS[opl];
  if (!base)
    return {
      result: 'unknown',
      reason: `condition operator ${operator} is not evaluated`,
    };
  if (ctx === undefined)
    return { result: 'unknown', reason: `condition key ${key} is not known` };
  if (values.some(hasPolicyVariable)) {
    return {
      result: 'unknown',
      reason: `policy variable in ${operator} ${key}`,
    };
  }
  const negated = NEGATED.has(opl);
  const ctxValues = ctx === null ? [] : Array.isArray(ctx) ? ctx : [ctx];
  if (ctxValues.length === 0) {
    // The key is absent from the request.
    if (ifExists) return { result: 'yes' };
    if (setOp === 'all') return { result: 'yes' };
    if (setOp === 'any') return { result: 'no', reason: `${key} is absent` };
    return negated
      ? { result: 'yes' }
      : { result: 'no', reason: `${key} is absent from the request` };
  }
  let sawUnknown = false;
  const matchesAny = (cv: string): boolean => {
    for (const pv of values) {
      const m = base(cv, pv);
      if (m === 'unknown') sawUnknown = true;
      else if (m) return true;
    }
    return false;
  };
  const holds = (cv: string) => (negated ? !matchesAny(cv) : matchesAny(cv));
  let ok: boolean;
  if (setOp === 'all') ok = ctxValues.every(holds);
  else if (setOp === 'any') ok = ctxValues.some(holds);
  else
    ok = negated
      ? !ctxValues.some(cv => matchesAny(cv))
      : ctxValues.some(cv => matchesAny(cv));
  if (!ok && sawUnknown)
    return {
      result: 'unknown',
      reason: `${operator} ${key} could not be compared`,
    };
  return ok
    ? { result: 'yes' }
    : {
        result: 'no',
        reason: `${operator} ${key}: ${JSON.stringify(
          ctx,
        )} does not satisfy ${JSON.stringify(rawValues)}`,
      };
}

function matchConditions(
  cond: unknown,
  context: Record<string, ContextValue> | undefined,
): { result: Tri; reason?: string } {
  if (cond === undefined || cond === null) return { result: 'yes' };
  if (typeof cond !== 'object' || Array.isArray(cond))
    return { result: 'unknown', reason: 'malformed Condition' };
  let result: Tri = 'yes';
  let reason: string | undefined;
  for (const [operator, block] of Object.entries(
    cond as Record<string, unknown>,
  )) {
    if (!block || typeof block !== 'object' || Array.isArray(block)) {
      return {
        result: 'unknown',
        reason: `malformed condition block ${operator}`,
      };
    }
    for (const [key, values] of Object.entries(
      block as Record<string, unknown>,
    )) {
      const r = evaluateCondition(operator, key, values, context);
      if (r.result === 'no') return r;
      if (r.result === 'unknown' && result === 'yes') {
        result = 'unknown';
        reason = r.reason;
      }
    }
  }
  return { result, reason };
}

function principalMismatch(request: PolicyRequest): string {
  const who = request.principal?.arn ?? 'the caller';
  const callerPartition = request.principal
    ? partitionOfPrincipal(request.principal)
    : undefined;
  if (samePartition(request.partition, callerPartition) === 'no')
    return `${who} is in partition ${callerPartition} and the policy in ${request.partition}: no principal matches across partitions`;
  return `Principal does not name ${who}`;
}

/** Evaluates a single statement against a request (effect not applied). */
export function matchStatement(
  statement: PolicyStatement,
  request: PolicyRequest,
): { result: Tri; reason?: string } {
  if (!statement || typeof statement !== 'object')
    return { result: 'no', reason: 'not a statement' };
  let result = 'yes' as Tri;
  let reason: string | undefined;
  const step = (r: Tri, why: string) => {
    const next = and(result, r);
    if (next !== result) reason = why;
    result = next;
  };
  // Action / NotAction
  const actions = asList(statement.Action);
  const notActions = asList(statement.NotAction);
  if (actions)
    step(
      matchAction(actions, request.action),
      `Action does not include ${request.action}`,
    );
  else if (notActions) {
    const m = matchAction(notActions, request.action);
    step(m === 'yes' ? 'no' : 'yes', `NotAction excludes ${request.action}`);
  } else step('no', 'statement has no Action');
  if ((result as Tri) === 'no') return { result, reason };
  // Resource / NotResource (absent in trust policies)
  const resources = asList(statement.Resource);
  const notResources = asList(statement.NotResource);
  if (resources && request.resource !== undefined) {
    step(
      matchResource(resources, request.resource),
      `Resource does not include ${request.resource}`,
    );
  } else if (notResources && request.resource !== undefined) {
    const m = matchResource(notResources, request.resource);
    step(
      m === 'yes' ? 'no' : m === 'no' ? 'yes' : 'unknown',
      `NotResource excludes ${request.resource}`,
    );
  } else if (
    !resources &&
    !notResources &&
    request.resource !== undefined &&
    !statement.Principal &&
    !statement.NotPrincipal
  ) {
    step('no', 'identity policy statement has no Resource');
  }
  if ((result as Tri) === 'no') return { result, reason };
  // Principal / NotPrincipal
  if (statement.Principal !== undefined) {
    step(
      matchPrincipal(statement.Principal, request.principal, request.partition),
      principalMismatch(request),
    );
  } else if (statement.NotPrincipal !== undefined) {
    const m = matchNotPrincipal(statement, request);
    step(m.result, m.reason);
  }
  if ((result as Tri) === 'no') return { result, reason };
  const c = matchConditions(statement.Condition, request.context);
  step(c.result, c.reason ?? 'Condition');
  return { result, reason };
}

function effectOf(raw: string): 'Allow' | 'Deny' | undefined {
  if (raw === 'Deny') return 'Deny';
  if (raw === 'Allow') return 'Allow';
  return undefined;
}

/**
 * Evaluates policy statements for one request. Never throws.
 * `policy` may be a document, a single statement, or a list of statements (optionally sourced).
 *
 * @public
 */
export function evaluatePolicy(
  policy:
    | PolicyDocument
    | PolicyStatement
    | Array<PolicyStatement | SourcedStatement>
    | undefined
    | null,
  request: PolicyRequest,
): PolicyEvaluation {
  const statements: StatementResult[] = [];
  let sourced: ReturnType<typeof toStatements>;
  try {
    sourced = toStatements(policy);
  } catch (e) {
    return {
      decision: 'unknown',
      allowedBy: [],
      deniedBy: [],
      undecided: [],
      statements,
      reason: `policy could not be evaluated: ${String(e)}`,
    };
  }
  for (const s of sourced) {
    // Each statement on its own: one that can't be read is `unknown`, and never hides a definite Deny of another.
    try {
      const effectRaw = String((s.statement as any)?.Effect ?? '');
      const effect = effectOf(effectRaw);
      if (!effect) {
        statements.push({
          ...s,
          effect: 'Allow',
          result: 'no',
          reason: `invalid Effect ${JSON.stringify(effectRaw)}`,
        });
        continue;
      }
      const m = matchStatement(s.statement, request);
      statements.push({ ...s, effect, result: m.result, reason: m.reason });
    } catch (e) {
      const effect =
        effectOf(String((s.statement as any)?.Effect ?? '')) ?? 'Deny';
      statements.push({
        ...s,
        effect,
        result: 'unknown',
        reason: `statement could not be evaluated: ${String(e)}`,
      });
    }
  }
  const deniedBy = statements.filter(
    s => s.effect === 'Deny' && s.result === 'yes',
  );
  const allowedBy = statements.filter(
    s => s.effect === 'Allow' && s.result === 'yes',
  );
  const denyUnknown = statements.filter(
    s => s.effect === 'Deny' && s.result === 'unknown',
  );
  const allowUnknown = statements.filter(
    s => s.effect === 'Allow' && s.result === 'unknown',
  );
  const label = (s: StatementResult) =>
    `statement ${s.index ?? '?'}${
      s.statement.Sid ? ` (${s.statement.Sid})` : ''
    }`;
  if (deniedBy.length) {
    return {
      decision: 'explicitDeny',
      allowedBy,
      deniedBy,
      undecided: denyUnknown,
      statements,
      reason: `explicitly denied by ${label(deniedBy[0])}`,
    };
  }
  if (denyUnknown.length) {
    return {
      decision: 'unknown',
      allowedBy,
      deniedBy,
      undecided: denyUnknown,
      statements,
      reason: `Deny ${label(denyUnknown[0])} may apply: ${
        denyUnknown[0].reason
      }`,
    };
  }
  if (allowedBy.length) {
    return {
      decision: 'allowed',
      allowedBy,
      deniedBy,
      undecided: [],
      statements,
      reason: `allowed by ${label(allowedBy[0])}`,
    };
  }
  if (allowUnknown.length) {
    return {
      decision: 'unknown',
      allowedBy,
      deniedBy,
      undecided: allowUnknown,
      statements,
      reason: `${label(allowUnknown[0])} may allow it: ${
        allowUnknown[0].reason
      }`,
    };
  }
  return {
    decision: 'implicitDeny',
    allowedBy,
    deniedBy,
    undecided: [],
    statements,
    reason: statements.length
      ? 'no statement allows it'
      : 'the policy has no statements',
  };
}
