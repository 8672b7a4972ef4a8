/* The namespaces of a bench management cluster: the system ones, then one per identity that has clusters. */
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { accountIndexOf, teamOf, tierOf } from './accounts';
import type { IdentityPlan } from './identities';
import { kubeObject, type Meta } from './kubeObject';
import type { Rng } from './random';

const SYSTEM_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'capa-system',
  'capi-system',
  'cert-manager',
];

function namespaceObject(r: Rng, meta: Meta): KubeObject {
  return kubeObject(
    r,
    'v1',
    'Namespace',
    meta,
    { finalizers: ['kubernetes'] },
    { phase: 'Active' },
    'kube-apiserver',
  );
}

/** Team namespaces carry the labels and owner annotation the portal maps to accounts and owners. */
export function namespaceObjects(r: Rng, ids: IdentityPlan[]): KubeObject[] {
  const objects = SYSTEM_NAMESPACES.map(name =>
    namespaceObject(r, {
      name,
      labels: { 'kubernetes.io/metadata.name': name },
    }),
  );
  for (const id of ids) {
    if (!id.namespace || id.namespace === 'capa-system') continue;
    const accountIndex = accountIndexOf(id.accountId);
    objects.push(
      namespaceObject(r, {
        name: id.namespace,
        labels: {
          'kubernetes.io/metadata.name': id.namespace,
          'capa-portal.io/account': id.accountId,
          'capa-portal.io/environment': tierOf(accountIndex),
          team: teamOf(accountIndex),
        },
        annotations: {
          'capa-portal.io/owner': `group:default/${teamOf(accountIndex)}-team`,
        },
      }),
    );
  }
  return objects;
}
