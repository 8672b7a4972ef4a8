/*
 * controller-identity-name: the controller identity is a singleton named `default` (CAPA's webhook rejects any
 * other name), checked for the references of a chain and for an AWSClusterControllerIdentity object itself.
 */
import type { Check, CheckEvidence } from '../../types';
import {
  CONTROLLER_IDENTITY_KIND,
  CONTROLLER_IDENTITY_NAME,
  ParsedIdentity,
} from '../../model/objects';
import type { ResolvedChain } from '../chain';
import { check, identityEvidence, ref } from './check';
import { controllerIdentityRefYaml, metadataNameYaml } from './fixes';

function failure(
  message: string,
  evidence: CheckEvidence[],
  fix: { summary: string; snippet: string },
): Check {
  return check('controller-identity-name', {
    status: 'fail',
    message,
    evidence,
    fix: { ...fix, language: 'yaml' },
  });
}

/** For a chain: every reference to the controller identity names `default`. */
export function controllerIdentityNameCheck(chain: ResolvedChain): Check {
  const badName = chain.problems.filter(p => p.kind === 'controller-name');
  if (badName.length) {
    return failure(
      badName.map(p => p.message).join('; '),
      badName.map(p => ({
        source: ref(
          chain.links[p.linkIndex].kind,
          chain.links[p.linkIndex].name,
        ),
      })),
      {
        summary: `Reference AWSClusterControllerIdentity by the name "${CONTROLLER_IDENTITY_NAME}".`,
        snippet: controllerIdentityRefYaml(),
      },
    );
  }
  return check('controller-identity-name', {
    status: 'pass',
    message: chain.links.some(l => l.kind === CONTROLLER_IDENTITY_KIND)
      ? `the controller identity is named "${CONTROLLER_IDENTITY_NAME}"`
      : 'no controller identity in the chain',
  });
}

/** For an identity object: an AWSClusterControllerIdentity not named `default`, or undefined. */
export function controllerObjectNameCheck(
  identity: ParsedIdentity,
): Check | undefined {
  if (
    identity.kind !== CONTROLLER_IDENTITY_KIND ||
    identity.name === CONTROLLER_IDENTITY_NAME
  )
    return undefined;
  return failure(
    `AWSClusterControllerIdentity/${identity.name}: the controller identity is a singleton named "${CONTROLLER_IDENTITY_NAME}"; CAPA's webhook rejects this object`,
    [identityEvidence(identity)],
    {
      summary: `Rename it to ${CONTROLLER_IDENTITY_NAME}.`,
      snippet: metadataNameYaml(CONTROLLER_IDENTITY_NAME),
    },
  );
}
