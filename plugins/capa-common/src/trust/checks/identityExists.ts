/*
 * identity-exists: the identityRef (or the defaulted controller identity) resolves, for every link of the chain.
 * CAPA's AutoControllerIdentityCreator (a feature gate, on by default) creates AWSClusterControllerIdentity/default
 * when a cluster references it: a warning, not a failure.
 */
import type { Check } from '../../types';
import {
  CONTROLLER_IDENTITY_KIND,
  ParsedIdentity,
  ROLE_IDENTITY_KIND,
} from '../../model/objects';
import type { ResolvedChain } from '../chain';
import { check, identityEvidence, ref } from './check';
import { controllerIdentityYaml, roleIdentityYaml } from './fixes';

/** The chain problems that mean a link's identity is not there (or not usable as one). */
export function missingLinks(chain: ResolvedChain) {
  return chain.problems.filter(
    p =>
      p.kind === 'missing' ||
      p.kind === 'malformed' ||
      p.kind === 'unknown-kind',
  );
}

/** The object to create for a missing link, when its kind is one capa-portal can write. */
function missingIdentityYaml(link: {
  kind: string;
  name: string;
}): string | undefined {
  if (link.kind === CONTROLLER_IDENTITY_KIND) return controllerIdentityYaml();
  if (link.kind === ROLE_IDENTITY_KIND) return roleIdentityYaml(link.name);
  return undefined;
}

export function identityExistsCheck(
  chain: ResolvedChain,
  identities: ParsedIdentity[],
  hasSynthetic: boolean,
  managementCluster: string,
): Check {
  const missing = missingLinks(chain);
  if (missing.length) {
    const link = chain.links[missing[0].linkIndex];
    const isController = link.kind === CONTROLLER_IDENTITY_KIND;
    return check('identity-exists', {
      status: 'fail',
      message: missing.map(m => m.message).join('; '),
      evidence: [
        { source: ref(link.kind, link.name), detail: missing[0].kind },
      ],
      fix: {
        summary: isController
          ? `Create AWSClusterControllerIdentity/default (allowedNamespaces decides which namespaces may use it).`
          : `Create ${link.kind}/${link.name} in management cluster ${managementCluster}, or point the reference at an existing identity.`,
        snippet: missingIdentityYaml(link),
        language: 'yaml',
      },
    });
  }
  if (hasSynthetic) {
    return check('identity-exists', {
      status: 'warn',
      message: `AWSClusterControllerIdentity/default is not in the input; CAPA's AutoControllerIdentityCreator (feature gate, on by default) creates it with allowedNamespaces: {} because a cluster references it`,
      evidence: [
        {
          source: 'AWSClusterControllerIdentity/default',
          detail: 'not found; auto-created by CAPA',
        },
      ],
      fix: {
        summary:
          'Declare the controller identity explicitly so its allowedNamespaces is under review.',
        snippet: controllerIdentityYaml(),
        language: 'yaml',
      },
    });
  }
  return check('identity-exists', {
    status: 'pass',
    message: `${chain.links.map(l => ref(l.kind, l.name)).join(' -> ')} exist${
      chain.links.length === 1 ? 's' : ''
    }`,
    evidence: identities.map(i => identityEvidence(i)),
  });
}

/** A cluster whose AWS infrastructure object is missing: its identityRef, and so its chain, is unknown. */
export function identityRefUnknownCheck(missingCarrier?: {
  kind: string;
  name: string;
}): Check {
  const msg = `${
    missingCarrier
      ? `${missingCarrier.kind}/${missingCarrier.name}`
      : 'the AWS infrastructure object'
  } was not found: identityRef unknown`;
  return { id: 'identity-exists', status: 'skip', message: msg };
}

/** The chain's check with a note on where the cluster's identityRef came from (e.g. a ClusterClass variable). */
export function withIdentityRefNote(c: Check, note: string | undefined): Check {
  return note ? { ...c, message: `${c.message} (${note})` } : c;
}
