/*
 * static-credentials: a warning on long-lived keys: a chain rooted in an AWSClusterStaticIdentity (its Secret in
 * the CAPA namespace), or a cluster reconciled by a CAPI Operator InfrastructureProvider that runs CAPA with
 * static credentials (one provider per account, selected with a `watch-filter` label).
 */
import type { Check } from '../../types';
import type {
  ParsedInfrastructureProvider,
  ParsedIdentity,
} from '../../model/objects';
import type { ResolvedChain } from '../chain';
import { check, identityEvidence, ref } from './check';
import { roleIdentityYaml } from './fixes';

const WATCH_FILTER_LABEL = 'cluster.x-k8s.io/watch-filter';

/** For a chain: its root is static credentials. */
export function chainStaticCredentialsCheck(chain: ResolvedChain): Check {
  const rootIdentity: ParsedIdentity | undefined =
    chain.identities[chain.identities.length - 1];
  if (chain.root !== 'static' || !rootIdentity) {
    return check('static-credentials', {
      status: 'pass',
      message: 'no static credentials in the chain',
    });
  }
  return check('static-credentials', {
    status: 'warn',
    message: `${ref(
      rootIdentity.kind,
      rootIdentity.name,
    )} uses long-lived static credentials (Secret ${
      rootIdentity.secretRef ?? '?'
    } in the CAPA namespace)`,
    evidence: [
      identityEvidence(
        rootIdentity,
        `spec.secretRef: ${rootIdentity.secretRef}`,
      ),
    ],
    fix: {
      summary:
        'Prefer an AWSClusterRoleIdentity chained from the controller identity; it needs no long-lived keys.',
      snippet: roleIdentityYaml(`${rootIdentity.name}-role`),
      language: 'yaml',
    },
  });
}

/**
 * For a cluster whose chain ends in the controller: the first CAPI Operator provider that reconciles it (no
 * watch-filter, or the cluster's own) runs with static credentials; undefined when none does.
 */
/** The CAPI Operator provider whose watch-filter selects the cluster (or that watches every cluster), if any. */
export function operatorProviderFor(
  providers: ParsedInfrastructureProvider[],
  cluster: { labels?: Record<string, string> } | undefined,
  carrier: { labels?: Record<string, string> } | undefined,
): ParsedInfrastructureProvider | undefined {
  if (!providers.length) return undefined;
  const watchFilter =
    cluster?.labels?.[WATCH_FILTER_LABEL] ??
    carrier?.labels?.[WATCH_FILTER_LABEL];
  return providers.find(x => !x.watchFilter || x.watchFilter === watchFilter);
}

export function operatorStaticCredentialsCheck(
  providers: ParsedInfrastructureProvider[],
  cluster: { labels?: Record<string, string> } | undefined,
  carrier: { labels?: Record<string, string> } | undefined,
): Check | undefined {
  const p = operatorProviderFor(providers, cluster, carrier);
  if (!p) return undefined;
  return check('static-credentials', {
    status: 'warn',
    message: `CAPA for this cluster runs as CAPI Operator InfrastructureProvider ${
      p.namespace
    }/${p.name} with static credentials${
      p.configSecret ? ` (Secret ${p.configSecret})` : ''
    }${
      p.watchFilter ? `, watch-filter ${p.watchFilter}` : ''
    }: prefer AWSClusterRoleIdentity`,
    evidence: [
      {
        source: `InfrastructureProvider/${p.namespace}/${p.name}`,
        line: p.location.line,
        detail: p.location.source,
      },
    ],
    fix: {
      summary:
        'Run one CAPA with role-based credentials and give each account an AWSClusterRoleIdentity chained from AWSClusterControllerIdentity/default.',
    },
  });
}
