/*
 * namespace-allowed: CAPA checks `allowedNamespaces` of every identity in the chain against the namespace of
 * the AWSCluster / AWSManagedControlPlane (model/allowedNamespaces.ts has the rules, in CAPA's order). For an
 * identity object, its own allowedNamespaces against the namespaces of the clusters whose chain includes it.
 */
import type { Check } from '../../types';
import {
  isNamespaceAllowed,
  NamespaceDecision,
  summarizeAllowedNamespaces,
} from '../../model/allowedNamespaces';
import { identityKey, ParsedIdentity } from '../../model/objects';
import type { ResolvedChain } from '../chain';
import { check, identityEvidence, ref } from './check';
import { allowedNamespacesListYaml } from './fixes';

type Labels = Record<string, string> | undefined;

interface LinkDecision {
  identity: ParsedIdentity;
  d: NamespaceDecision;
  summary: string;
}

function chainFailure(denied: LinkDecision[], namespace: string) {
  const an = denied[0].identity.allowedNamespaces as any;
  const list: string[] = an && Array.isArray(an.list) ? an.list : [];
  const usesSelector =
    an &&
    an.selector &&
    (an.selector.matchLabels || an.selector.matchExpressions);
  return {
    message: denied
      .map(
        p =>
          `${ref(
            p.identity.kind,
            p.identity.name,
          )} does not allow namespace ${namespace}: ${p.d.reason}`,
      )
      .join('; '),
    fix: {
      summary: `Allow namespace ${namespace} in spec.allowedNamespaces of ${denied
        .map(p => ref(p.identity.kind, p.identity.name))
        .join(', ')}${
        usesSelector
          ? ` (or label Namespace ${namespace} to match the selector)`
          : ''
      }. CAPA checks every identity of the chain.`,
      snippet: allowedNamespacesListYaml([
        ...list.filter(x => x !== namespace),
        namespace,
      ]),
      language: 'yaml' as const,
    },
  };
}

/** For a cluster: every identity of its chain admits the cluster's namespace. */
export function chainNamespaceCheck(
  chain: ResolvedChain,
  namespace: string,
  labels: Labels,
): Check {
  const parts: LinkDecision[] = [];
  chain.identities.forEach((identity, i) => {
    if (identity) {
      parts.push({
        identity,
        d: isNamespaceAllowed(identity.allowedNamespaces, namespace, labels),
        summary:
          chain.links[i].allowedNamespacesSummary ??
          summarizeAllowedNamespaces(identity.allowedNamespaces),
      });
    }
  });
  if (!parts.length) {
    return check('namespace-allowed', {
      status: 'skip',
      message: 'no identity of the chain exists',
    });
  }
  const denied = parts.filter(p => !p.d.allowed && !p.d.unknown);
  const unknown = parts.filter(p => p.d.unknown);
  const evidence = parts.map(p =>
    identityEvidence(
      p.identity,
      `allowedNamespaces: ${p.summary} -> ${p.d.reason}`,
    ),
  );
  if (denied.length) {
    const { message, fix } = chainFailure(denied, namespace);
    return check('namespace-allowed', {
      status: 'fail',
      message,
      evidence,
      fix,
    });
  }
  if (unknown.length) {
    return check('namespace-allowed', {
      status: 'warn',
      message: unknown
        .map(p => `${ref(p.identity.kind, p.identity.name)}: ${p.d.reason}`)
        .join('; '),
      evidence,
      fix: {
        summary: `Include the Namespace object ${namespace} in the manifests (or read it from the cluster) so its labels can be matched.`,
      },
    });
  }
  return check('namespace-allowed', {
    status: 'pass',
    message: parts
      .map(p => `${ref(p.identity.kind, p.identity.name)}: ${p.d.reason}`)
      .join('; '),
    evidence,
  });
}

/** For an identity object: its allowedNamespaces against the namespaces of the clusters whose chain includes it. */
export function identityNamespaceCheck(
  identity: ParsedIdentity,
  namespaces: string[],
  labelsOf: (namespace: string) => Labels,
): Check {
  const key = identityKey(identity);
  const summary = summarizeAllowedNamespaces(identity.allowedNamespaces);
  const ev0 = identityEvidence(identity, `allowedNamespaces: ${summary}`);
  const decisions = namespaces.map(ns => ({
    ns,
    d: isNamespaceAllowed(identity.allowedNamespaces, ns, labelsOf(ns)),
  }));
  const denied = decisions.filter(x => !x.d.allowed && !x.d.unknown);
  const unknown = decisions.filter(x => x.d.unknown);
  if (denied.length) {
    const listed: string[] = (identity.allowedNamespaces as any)?.list ?? [];
    return check('namespace-allowed', {
      status: 'fail',
      message: `clusters in namespace(s) ${denied
        .map(x => x.ns)
        .join(', ')} use this identity but it does not allow them: ${
        denied[0].d.reason
      }`,
      evidence: [ev0],
      fix: {
        summary: `Add the namespaces to spec.allowedNamespaces.list of ${key}.`,
        snippet: allowedNamespacesListYaml([
          ...new Set([...listed, ...denied.map(x => x.ns)]),
        ]),
        language: 'yaml',
      },
    });
  }
  if (unknown.length) {
    return check('namespace-allowed', {
      status: 'warn',
      message: unknown.map(x => x.d.reason).join('; '),
      evidence: [ev0],
    });
  }
  if (summary.startsWith('deny all')) {
    return check('namespace-allowed', {
      status: 'warn',
      message: `${key} allows no namespace (${summary}): no cluster can use it, not even through a chain`,
      evidence: [ev0],
      fix: {
        summary:
          'Set spec.allowedNamespaces: {} allows every namespace; a list restricts it.',
        snippet: allowedNamespacesListYaml(['<namespace>']),
        language: 'yaml',
      },
    });
  }
  return check('namespace-allowed', {
    status: 'pass',
    message: `allowedNamespaces: ${summary}${
      namespaces.length ? `; admits ${namespaces.join(', ')}` : ''
    }`,
    evidence: [ev0],
  });
}
