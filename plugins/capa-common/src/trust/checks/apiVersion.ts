/*
 * api-version: a warning on manifests in API versions CAPA / CAPI no longer serve (v1alpha3, v1alpha4, CAPA
 * v1beta1); deprecated but served versions pass with a note. See model/apiVersions.ts.
 */
import type { Check } from '../../types';
import { classifyApiVersion } from '../../model/apiVersions';
import type { ParsedIdentity } from '../../model/objects';
import type { ObjectApiVersion } from '../types';
import { check, identityEvidence, ref } from './check';

/** For a chain: the apiVersions of its identities (the auto-created controller identity has none). */
export function identityApiVersionCheck(
  identities: ParsedIdentity[],
  apiVersions: string[],
): Check {
  const unserved = identities
    .map(i => ({ i, v: classifyApiVersion(i.apiVersion, i.kind) }))
    .filter(x => x.v.status === 'unserved');
  if (!unserved.length) {
    return check('api-version', {
      status: 'pass',
      message: apiVersions.length
        ? `${apiVersions.join(', ')} served`
        : 'no manifests to check',
    });
  }
  return check('api-version', {
    status: 'warn',
    message: unserved
      .map(x => `${ref(x.i.kind, x.i.name)}: ${x.v.message}`)
      .join('; '),
    evidence: unserved.map(x =>
      identityEvidence(
        x.i,
        `${x.i.location.source}: apiVersion ${x.i.apiVersion}`,
      ),
    ),
    fix: {
      summary:
        'Rewrite the manifests with apiVersion infrastructure.cluster.x-k8s.io/v1beta2 (the fields are the same for identities).',
    },
  });
}

/**
 * For a cluster: the apiVersions of its Cluster and infrastructure object, with the chain's warning folded in.
 * The common case (everything served) is shared between clusters through `memo` (one evaluation's).
 */
export function objectApiVersionCheck(
  objects: ObjectApiVersion[],
  identityCheck: Check | undefined,
  memo: Map<string, Check>,
): Check {
  const identityWarnings =
    identityCheck?.status === 'warn' ? [identityCheck] : [];
  if (identityWarnings.length)
    return objectApiVersionCheckUncached(objects, identityWarnings);
  let memoKey = '';
  for (let i = 0; i < objects.length; i++)
    memoKey += `${i ? '|' : ''}${objects[i].kind}@${objects[i].apiVersion}`;
  const shared = memo.get(memoKey);
  if (shared) return shared;
  const computed = objectApiVersionCheckUncached(objects, []);
  if (computed.status === 'pass') memo.set(memoKey, computed);
  return computed;
}

function objectApiVersionCheckUncached(
  objects: ObjectApiVersion[],
  identityWarnings: Check[],
): Check {
  const classified = objects.map(o => ({
    o,
    v: classifyApiVersion(o.apiVersion, o.kind),
  }));
  const bad = classified.filter(x => x.v.status === 'unserved');
  const deprecated = classified.filter(x => x.v.status === 'deprecated');
  if (!bad.length && !identityWarnings.length) {
    return check('api-version', {
      status: 'pass',
      message: deprecated.length
        ? `served (${deprecated.map(x => x.v.message).join('; ')})`
        : `${
            [...new Set(objects.map(o => o.apiVersion))].join(', ') ||
            'no manifests'
          } served`,
    });
  }
  const messages = [
    ...bad.map(x => `${x.o.kind}/${x.o.name}: ${x.v.message}`),
    ...identityWarnings.map(w => w.message),
  ];
  return check('api-version', {
    status: 'warn',
    message: messages.join('; '),
    evidence: [
      ...bad.map(x => ({
        source: `${x.o.kind}/${x.o.name}`,
        line: x.o.line,
        detail: `${x.o.source}: apiVersion ${x.o.apiVersion}`,
      })),
      ...identityWarnings.flatMap(w => w.evidence ?? []),
    ],
    fix: {
      summary:
        'Migrate the manifests to infrastructure.cluster.x-k8s.io/v1beta2 / controlplane.cluster.x-k8s.io/v1beta2 (CAPA) and cluster.x-k8s.io/v1beta2 (CAPI).',
    },
  });
}
