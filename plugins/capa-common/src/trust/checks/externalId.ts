/*
 * external-id: the sts:ExternalId condition of the trust statements that would allow the principal matches the
 * identity's externalID (CAPA sends it only when non-empty).
 */
import type { PolicyStatement } from '../../types';
import {
  ContextValue,
  evaluateCondition,
  matchStatement,
  SourcedStatement,
} from '../../iam/evaluate';
import { principalOf, TrustEvidence } from '../evidence';
import type { HopInput, PartialCheck } from '../types';
import { roleName, stmtEvidence } from './check';
import { externalIdYaml } from './fixes';

/** sts:ExternalId conditions of the statements that would allow this principal (conditions aside). */
export function checkExternalId(
  hop: HopInput,
  trust: TrustEvidence | undefined,
): PartialCheck {
  const id = hop.externalId;
  if (!trust || trust.kind === 'missing') {
    return {
      status: 'skip',
      message: `no trust policy evidence for ${roleName(
        hop.roleArn,
      )}: the sts:ExternalId requirement is unknown${
        id ? ` (identity sends one)` : ''
      }`,
    };
  }
  const principal = principalOf(hop.source);
  const candidates: Array<{
    s: SourcedStatement;
    conds: Array<{ op: string; key: string; values: unknown }>;
  }> = [];
  for (const s of trust.statements) {
    const st = s.statement as PolicyStatement;
    if (st.Effect !== 'Allow') continue;
    const stripped = { ...st, Condition: undefined };
    const m = matchStatement(stripped, { principal, action: 'sts:AssumeRole' });
    if (m.result === 'no') continue;
    const conds: Array<{ op: string; key: string; values: unknown }> = [];
    for (const [op, block] of Object.entries(st.Condition ?? {})) {
      if (!block || typeof block !== 'object') continue;
      for (const [key, values] of Object.entries(block))
        if (key.toLowerCase() === 'sts:externalid')
          conds.push({ op, key, values });
    }
    candidates.push({ s, conds });
  }
  if (!candidates.length) {
    return {
      status: 'skip',
      message: `no statement of ${roleName(
        hop.roleArn,
      )}'s trust policy names this principal (see target-trust)`,
    };
  }
  const free = candidates.find(c => c.conds.length === 0);
  if (free) {
    return {
      status: 'pass',
      message: id
        ? `the trust policy does not require sts:ExternalId (the identity's externalID is sent and ignored)`
        : 'the trust policy does not require sts:ExternalId',
      evidence: [stmtEvidence(free.s)],
    };
  }
  const context: Record<string, ContextValue> = {
    'sts:externalid': id ? id : null,
  };
  let unknown: string | undefined;
  for (const c of candidates) {
    const results = c.conds.map(k =>
      evaluateCondition(k.op, k.key, k.values, context),
    );
    if (results.every(r => r.result === 'yes')) {
      return {
        status: 'pass',
        message: `the identity's externalID satisfies the trust policy's sts:ExternalId condition`,
        evidence: [stmtEvidence(c.s)],
      };
    }
    const u = results.find(r => r.result === 'unknown');
    if (u && !unknown) unknown = u.reason;
  }
  const expected = candidates.flatMap(c =>
    c.conds
      .filter(k => /^StringEquals/i.test(k.op))
      .flatMap(k =>
        Array.isArray(k.values) ? k.values.map(String) : [String(k.values)],
      ),
  );
  if (unknown) {
    return {
      status: 'warn',
      message: `cannot compare the externalID with the trust policy: ${unknown}`,
      evidence: candidates.map(c => stmtEvidence(c.s)),
    };
  }
  return {
    status: 'fail',
    message: `the trust policy of ${roleName(
      hop.roleArn,
    )} requires sts:ExternalId${
      expected.length
        ? ` ${expected.map(e => JSON.stringify(e)).join(' or ')}`
        : ''
    }; ${hop.identity.kind}/${hop.identity.name} ${
      id
        ? `sends ${JSON.stringify(id)}`
        : 'sends none (spec.externalID is empty)'
    }`,
    evidence: candidates.map(c =>
      stmtEvidence(c.s, 'sts:ExternalId condition'),
    ),
    fix:
      expected.length === 1
        ? {
            summary: `Set spec.externalID of ${hop.identity.kind}/${hop.identity.name} to the value the trust policy expects (or change the condition).`,
            snippet: externalIdYaml(expected[0]),
            language: 'yaml',
          }
        : {
            summary: `Make spec.externalID of ${hop.identity.kind}/${hop.identity.name} and the trust policy's sts:ExternalId condition agree.`,
          },
  };
}
