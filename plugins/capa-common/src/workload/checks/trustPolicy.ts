/*
 * workload-trust-policy: the role's trust policy can be read as IAM reads it: a JSON document (iam:GetRole returns
 * it URL-encoded; the file may give it as a mapping or as JSON text) with a `Statement` of statements, each with an
 * `Effect` of Allow or Deny, an `Action` (or `NotAction`) and a `Principal` (IAM User Guide,
 * reference_policies_grammar.html; a role trust policy requires Principal: id_roles_terms-and-concepts.html).
 * A malformed policy is reported here and judged no further.
 */
import { isRecord } from '../../records';
import type { Check, PolicyDocument } from '../../types';
import { check } from '../../trust/checks/check';
import type { WorkloadRoleEvidence } from '../types';

export function readTrustPolicy(role: WorkloadRoleEvidence): {
  doc?: PolicyDocument;
  problem?: string;
} {
  if (role.trustPolicyProblem) return { problem: role.trustPolicyProblem };
  let raw = role.trustPolicy;
  if (raw === undefined || raw === null)
    return { problem: 'the role has no trust policy' };
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (e) {
      return {
        problem: `the trust policy is not JSON: ${(e as Error).message}`,
      };
    }
  }
  if (!isRecord(raw) || raw.Statement === undefined)
    return { problem: 'the trust policy is not a document with a Statement' };
  const list = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (!isRecord(s)) return { problem: `Statement[${i}] is not an object` };
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      return {
        problem: `Statement[${i}].Effect must be Allow or Deny, got ${JSON.stringify(
          s.Effect,
        )}`,
      };
    if (s.Action === undefined && s.NotAction === undefined)
      return { problem: `Statement[${i}] has no Action` };
    if (s.Principal === undefined && s.NotPrincipal === undefined)
      return {
        problem: `Statement[${i}] has no Principal (a role trust policy names who may assume it)`,
      };
    if (s.Condition !== undefined && !isRecord(s.Condition))
      return {
        problem: `Statement[${i}].Condition must be a mapping of operators`,
      };
  }
  return { doc: raw as PolicyDocument };
}

export function workloadTrustPolicyCheck(
  roles: Array<{ label: string; role: WorkloadRoleEvidence }>,
): { check: Check; docs: Map<string, PolicyDocument> } {
  const docs = new Map<string, PolicyDocument>();
  const bad: string[] = [];
  const evidence = [];
  for (const { label, role } of roles) {
    const r = readTrustPolicy(role);
    if (r.doc) docs.set(role.arn, r.doc);
    else {
      bad.push(`${label} ${role.arn}: ${r.problem}`);
      evidence.push({
        source: role.source,
        detail: r.problem,
        value: role.trustPolicy,
      });
    }
  }
  if (!roles.length)
    return {
      check: check('workload-trust-policy', {
        status: 'skip',
        message: 'no trust policy to read',
      }),
      docs,
    };
  if (!bad.length)
    return {
      check: check('workload-trust-policy', {
        status: 'pass',
        message: `${
          roles.length === 1 ? 'the trust policy is' : 'the trust policies are'
        } well-formed`,
      }),
      docs,
    };
  return {
    check: check('workload-trust-policy', {
      status: 'fail',
      message: bad.join('; '),
      evidence,
      fix: {
        summary:
          'Rewrite the trust policy as a JSON policy document: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {...}, "Action": ..., "Condition": {...}}]}.',
      },
    }),
    docs,
  };
}
