/* One trust-policy question asked of the IAM evaluator, turned into a check part with its evidence. */
import {
  evaluatePolicy,
  PolicyRequest,
  toStatements,
} from '../../iam/evaluate';
import type { PolicyDocument } from '../../types';
import { stmtEvidence } from '../../trust/checks/check';
import type { PartialCheck } from '../../trust/types';

export function askTrustPolicy(
  doc: PolicyDocument,
  source: string,
  request: PolicyRequest,
  what: string,
): PartialCheck & { allowed: boolean } {
  const e = evaluatePolicy(toStatements(doc, source), request);
  const cite = [...e.deniedBy, ...e.allowedBy, ...e.undecided].map(s =>
    stmtEvidence(s),
  );
  if (e.decision === 'allowed')
    return {
      status: 'pass',
      allowed: true,
      message: `allows ${what} (${e.reason})`,
      evidence: cite,
    };
  if (e.decision === 'unknown')
    return {
      status: 'warn',
      allowed: false,
      message: `may not allow ${what}: ${e.reason}`,
      evidence: cite,
    };
  const why =
    e.decision === 'explicitDeny'
      ? e.reason
      : e.statements.find(s => s.effect === 'Allow' && s.reason)?.reason ??
        e.reason;
  return {
    status: 'fail',
    allowed: false,
    message: `does not allow ${what}: ${why}`,
    evidence: e.statements.length
      ? e.statements.map(s => stmtEvidence(s, s.reason))
      : cite,
  };
}
