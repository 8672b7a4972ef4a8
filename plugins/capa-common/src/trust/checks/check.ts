/*
 * The pieces every check is built from: a check from its partial form, per-hop parts combined into one check,
 * and the evidence that points at an identity or a policy statement.
 */
import type { Check, CheckEvidence, CheckId } from '../../types';
import type { SourcedStatement } from '../../iam/evaluate';
import type { ParsedIdentity } from '../../model/objects';
import { parseRoleArn } from '../../iam/arn';
import type { PartialCheck } from '../types';
import { worstStatus } from '../verdict';

/** `Kind/name`, how reports name an object. */
export function ref(kind: string, name: string) {
  return `${kind}/${name}`;
}

/** The name of a role ARN, or the ARN when it is not one. */
export function roleName(arn: string): string {
  return parseRoleArn(arn)?.name ?? arn;
}

export function identityEvidence(
  identity: ParsedIdentity,
  detail?: string,
): CheckEvidence {
  return {
    source: ref(identity.kind, identity.name),
    line: identity.location.line,
    detail: detail ?? identity.location.source,
  };
}

export function stmtEvidence(
  s: SourcedStatement,
  detail?: string,
): CheckEvidence {
  return {
    source: s.source ?? 'policy',
    line: s.line,
    detail:
      detail ??
      `statement ${s.index ?? 0}${
        s.statement.Sid ? ` (${s.statement.Sid})` : ''
      }`,
    value: s.statement,
  };
}

/** A check from its partial form: `evidence` and `fix` only when there are some. */
export function check(id: CheckId, p: PartialCheck): Check {
  const c: Check = { id, status: p.status, message: p.message };
  if (p.evidence && p.evidence.length) c.evidence = p.evidence;
  if (p.fix) c.fix = p.fix;
  return c;
}

/** Combines per-hop partial checks into one check. */
export function combine(
  id: CheckId,
  parts: Array<{ label: string; p: PartialCheck }>,
  whenNone: PartialCheck,
): Check {
  if (!parts.length) return check(id, whenNone);
  if (parts.length === 1) return check(id, parts[0].p);
  const status = worstStatus(parts.map(x => x.p.status));
  const message = parts.map(x => `${x.label}: ${x.p.message}`).join('; ');
  const evidence = parts.flatMap(x => x.p.evidence ?? []);
  const fix =
    parts.find(x => x.p.status === status && x.p.fix)?.p.fix ??
    parts.find(x => x.p.fix)?.p.fix;
  return check(id, { status, message, evidence, fix });
}
