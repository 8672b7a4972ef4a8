/*
 * The CAPA identities of the bench fleet: which identity each management cluster holds (the plan, no
 * randomness) and the AWSCluster*Identity objects made from it.
 */
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { accountIdOf, teamOf } from './accounts';
import { INFRA, kubeObject } from './kubeObject';
import type { Rng } from './random';

/** The IAM role CAPA's controllers run as (clusterawsadm's default name). */
export const CONTROLLERS_ROLE =
  'controllers.cluster-api-provider-aws.sigs.k8s.io';

/** The controller manager of every CAPA / CAPI object (the field manager of its status updates). */
const MANAGER = 'manager';

export interface IdentityPlan {
  kind:
    | 'AWSClusterControllerIdentity'
    | 'AWSClusterRoleIdentity'
    | 'AWSClusterStaticIdentity';
  name: string;
  accountId: string;
  /** The namespace its clusters live in (undefined: no clusters). */
  namespace?: string;
  hub?: boolean;
}

/**
 * Identities, round robin over management clusters: per management cluster the controller identity first,
 * then two hubs (role identities in the management account, sourced from the controller: nested chains
 * start from them), then role identities targeting the other accounts, with a static identity every 40.
 * Target accounts are dealt in turn, wrapping around past the last account to the first non-management one.
 */
export function planIdentities(
  count: number,
  accountCount: number,
  managementAccountIds: string[],
): IdentityPlan[][] {
  const M = managementAccountIds.length;
  const identities: IdentityPlan[][] = managementAccountIds.map(() => []);
  let targetCursor = M;
  for (let j = 0; j < count; j++) {
    const local = Math.floor(j / M);
    const managementAccountId = managementAccountIds[j % M];
    const list = identities[j % M];
    if (local === 0) {
      list.push({
        kind: 'AWSClusterControllerIdentity',
        name: 'default',
        accountId: managementAccountId,
        namespace: 'capa-system',
      });
    } else if (local <= 2) {
      list.push({
        kind: 'AWSClusterRoleIdentity',
        name: `hub-${local}`,
        accountId: managementAccountId,
        hub: true,
      });
    } else {
      const accountIndex = targetCursor;
      targetCursor = targetCursor + 1 >= accountCount ? M : targetCursor + 1;
      const team = teamOf(accountIndex);
      const isStatic = local % 40 === 39;
      list.push({
        kind: isStatic ? 'AWSClusterStaticIdentity' : 'AWSClusterRoleIdentity',
        name: `${team}-${accountIndex}${isStatic ? '-static' : ''}`,
        accountId: accountIdOf(accountIndex),
        namespace: `${team}-${accountIndex}`,
      });
    }
  }
  return identities;
}

/**
 * The namespaces an identity allows: hubs every namespace (CAPA checks each identity of a chain), the others
 * mostly a list, often a label selector on the account label, now and then a matchExpressions on the team.
 */
function allowedNamespacesOf(r: Rng, id: IdentityPlan) {
  const mode = r.next();
  if (!id.namespace) return {};
  if (mode < 0.6)
    return {
      list: [id.namespace, ...(r.chance(0.2) ? ['shared-tools'] : [])],
    };
  if (mode < 0.95)
    return {
      selector: {
        matchLabels: { 'capa-portal.io/account': id.accountId },
      },
    };
  return {
    selector: {
      matchExpressions: [
        {
          key: 'team',
          operator: 'In',
          values: [id.namespace.split('-')[0]],
        },
      ],
    },
  };
}

function roleIdentityObject(
  r: Rng,
  id: IdentityPlan,
  allowedNamespaces: unknown,
  hubs: IdentityPlan[],
  nestedRatio: number,
): KubeObject {
  const nested = !id.hub && hubs.length > 0 && r.chance(nestedRatio);
  const source = nested
    ? { kind: 'AWSClusterRoleIdentity', name: r.pick(hubs).name }
    : { kind: 'AWSClusterControllerIdentity', name: 'default' };
  return kubeObject(
    r,
    INFRA,
    id.kind,
    {
      name: id.name,
      labels: { 'capa-portal.io/account': id.accountId },
    },
    {
      allowedNamespaces,
      roleARN: id.hub
        ? `arn:aws:iam::${id.accountId}:role/capa-${id.name}`
        : `arn:aws:iam::${id.accountId}:role/${CONTROLLERS_ROLE}`,
      sourceIdentityRef: source,
      ...(r.chance(0.3) ? { externalID: `ext-${r.hex(16)}` } : {}),
      durationSeconds: r.pick([900, 3600]),
      sessionName: `capa-${id.name}`.slice(0, 64),
    },
    undefined,
    MANAGER,
  );
}

/** The identity objects of one management cluster, in plan order. */
export function identityObjects(
  r: Rng,
  ids: IdentityPlan[],
  nestedRatio: number,
): KubeObject[] {
  const hubs = ids.filter(i => i.hub);
  return ids.map(id => {
    if (id.kind === 'AWSClusterControllerIdentity')
      return kubeObject(
        r,
        INFRA,
        id.kind,
        { name: 'default' },
        { allowedNamespaces: {} },
        undefined,
        MANAGER,
      );
    const allowedNamespaces = allowedNamespacesOf(r, id);
    if (id.kind === 'AWSClusterStaticIdentity')
      return kubeObject(
        r,
        INFRA,
        id.kind,
        {
          name: id.name,
          annotations: { 'amazonaws.com/account-id': id.accountId },
        },
        { secretRef: `${id.name}-credentials`, allowedNamespaces },
        undefined,
        MANAGER,
      );
    return roleIdentityObject(r, id, allowedNamespaces, hubs, nestedRatio);
  });
}
