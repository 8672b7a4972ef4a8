/* eslint-disable no-nested-ternary */
/*
 * chain-valid: role identities have a source (CAPA's webhook), the chain has no cycle (CAPA has no cycle
 * detection: it would recurse forever), ends in a controller or static identity, and what CAPA passes to
 * sts:AssumeRole verbatim is valid (sessionName, inlinePolicy). policyARNs is a warning: CAPA never sends it.
 */
import type { Check } from '../../types';
import { isRoleSessionName } from '../../iam/sts';
import { ParsedIdentity, ROLE_IDENTITY_KIND } from '../../model/objects';
import type { ResolvedChain } from '../chain';
import type { PartialCheck } from '../types';
import { check, combine, identityEvidence, ref } from './check';
import { sourceIdentityRefYaml } from './fixes';
import { missingLinks } from './identityExists';

function policyArnsWarning(i: ParsedIdentity): PartialCheck {
  return {
    status: 'warn',
    message: `${ref(
      i.kind,
      i.name,
    )} sets policyARNs, which CAPA never sends to sts:AssumeRole: they have no effect`,
    evidence: [
      identityEvidence(i, `spec.policyARNs: ${i.policyArns!.join(', ')}`),
    ],
    fix: {
      summary: `Remove spec.policyARNs from ${ref(
        i.kind,
        i.name,
      )}; use spec.inlinePolicy (sent as the session policy) or the role's own policies.`,
    },
  };
}

/** What STS rejects in the parameters CAPA passes from the identity. */
function assumeRoleInputErrors(i: ParsedIdentity): string[] {
  const errors: string[] = [];
  if (
    i.kind === ROLE_IDENTITY_KIND &&
    i.sessionName &&
    !isRoleSessionName(i.sessionName)
  ) {
    // CAPA passes spec.sessionName to sts:AssumeRole as RoleSessionName verbatim (no CRD pattern checks it).
    errors.push(
      `${ref(i.kind, i.name)}: spec.sessionName ${JSON.stringify(
        i.sessionName,
      )} is not a valid RoleSessionName (2..64 characters of [A-Za-z0-9_+=,.@-]); STS rejects the AssumeRole`,
    );
  }
  if (i.inlinePolicy) {
    try {
      JSON.parse(i.inlinePolicy);
    } catch {
      errors.push(
        `${ref(
          i.kind,
          i.name,
        )}: spec.inlinePolicy is not valid JSON; STS rejects the AssumeRole`,
      );
    }
  }
  return errors;
}

function structuralFailure(
  chain: ResolvedChain,
  structural: ResolvedChain['problems'],
  inputErrors: string[],
): Check {
  const first = structural[0];
  const firstLink = first
    ? chain.links[Math.max(0, first.linkIndex)]
    : undefined;
  return check('chain-valid', {
    status: 'fail',
    message: [...structural.map(p => p.message), ...inputErrors].join('; '),
    evidence: firstLink
      ? [{ source: ref(firstLink.kind, firstLink.name), detail: first.kind }]
      : undefined,
    fix:
      first?.kind === 'cycle'
        ? {
            summary:
              'Break the cycle: the last role identity of a chain must name AWSClusterControllerIdentity/default (or a static identity) as sourceIdentityRef.',
          }
        : first?.kind === 'no-source'
        ? {
            summary:
              'Set spec.sourceIdentityRef (usually the controller identity).',
            snippet: sourceIdentityRefYaml(),
            language: 'yaml',
          }
        : undefined,
  });
}

export function chainValidCheck(
  chain: ResolvedChain,
  identities: ParsedIdentity[],
): Check {
  const structural = chain.problems.filter(
    p =>
      p.kind === 'cycle' || p.kind === 'no-source' || p.kind === 'unknown-kind',
  );
  const policyArnWarnings = identities
    .filter(i => i.policyArns && i.policyArns.length)
    .map(policyArnsWarning);
  const inputErrors = identities.flatMap(assumeRoleInputErrors);
  if (structural.length || inputErrors.length)
    return structuralFailure(chain, structural, inputErrors);
  const missing = missingLinks(chain);
  if (missing.length) {
    return check('chain-valid', {
      status: 'skip',
      message: `the chain ends at a missing identity (${missing[0].message}); it cannot be validated beyond it`,
    });
  }
  if (policyArnWarnings.length) {
    return combine(
      'chain-valid',
      policyArnWarnings.map(p => ({ label: 'policyARNs', p })),
      policyArnWarnings[0],
    );
  }
  return check('chain-valid', {
    status: 'pass',
    message: `${chain.links.map(l => ref(l.kind, l.name)).join(' -> ')} (${
      chain.links.length
    } link${chain.links.length === 1 ? '' : 's'}, ends in ${
      chain.root === 'static'
        ? 'static credentials'
        : "the controller's credentials"
    })`,
  });
}
