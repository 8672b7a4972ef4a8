/*
 * capa-portal's permissions (DESIGN.md §10: the names are a contract). All four are resource permissions of one
 * resource type, `capa-resource`, so a policy can answer any of them with a conditional decision built from
 * capa-backend's rules (`capaConditions`, `createCapaConditionalDecision`).
 *
 * Why one resource type for accounts, workload clusters, identities and management clusters: a Backstage
 * resource permission has exactly one resource type, and `capa.account.read` governs all trust data (an
 * account's report, a cluster's, an identity chain), as `capa.trust.verify` and `capa.cluster.create` are checked
 * against accounts and clusters alike. With two types `capa.account.read` would need a sibling
 * `capa.cluster.read` and every policy two conditions for one intent ("what my groups own"). The resource
 * carries its `kind`, so a policy that must tell them apart uses the `IS_KIND` rule.
 */
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The resource type of capa-portal's trust data: accounts, workload clusters, identities, management clusters.
 *
 * @public
 */
export const CAPA_RESOURCE_TYPE = 'capa-resource';

/**
 * Read trust reports: an account's (with the clusters and identities that target it), a cluster's, an identity
 * chain. Conditional per resource; lists hold only what the caller may read.
 *
 * @public
 */
export const capaAccountReadPermission = createPermission({
  name: 'capa.account.read',
  attributes: { action: 'read' },
  resourceType: CAPA_RESOURCE_TYPE,
});

/**
 * Re-verify an account's trust live with AWS now (STS and IAM calls). Conditional per account.
 *
 * @public
 */
export const capaTrustVerifyPermission = createPermission({
  name: 'capa.trust.verify',
  attributes: { action: 'update' },
  resourceType: CAPA_RESOURCE_TYPE,
});

/**
 * Create a workload cluster in an account from a management cluster (`capa:cluster:apply`, and
 * `capa:cluster:render` when it writes files for a pull request). Checked against the account, as seen from
 * that management cluster (resource ref `account:<id>@<management cluster>`): conditional on owner, tier and
 * management cluster.
 *
 * @public
 */
export const capaClusterCreatePermission = createPermission({
  name: 'capa.cluster.create',
  attributes: { action: 'create' },
  resourceType: CAPA_RESOURCE_TYPE,
});

/**
 * Onboard an AWS account (`capa:account:bootstrap`): checked against the account (`account:<id>`), which may be
 * new to the fleet; a new account has no owner and no tier, so only an unconditional allow, or a condition that
 * does not need them (`IS_KIND`, `IN_MANAGEMENT_CLUSTER` with `account:<id>@<management cluster>`), admits it.
 *
 * @public
 */
export const capaAccountOnboardPermission = createPermission({
  name: 'capa.account.onboard',
  attributes: { action: 'create' },
  resourceType: CAPA_RESOURCE_TYPE,
});

/** @public */
export const capaPermissions = [
  capaAccountReadPermission,
  capaTrustVerifyPermission,
  capaClusterCreatePermission,
  capaAccountOnboardPermission,
];

/**
 * What a `capa-resource` is.
 *
 * @public
 */
export type CapaResourceKind =
  | 'account'
  | 'cluster'
  | 'identity'
  | 'management-cluster';

/**
 * A `capa-resource` as the permission rules see it: what a policy's conditions are decided on. capa-backend
 * builds it from the trust report and the fleet config; the owner is resolved exactly as the catalog module
 * resolves `spec.owner` of the same entity, so ownership in capa and in the catalog agree.
 *
 * @public
 */
export interface CapaPermissionResource {
  kind: CapaResourceKind;
  /** Its resource ref (see {@link capaResourceRef}). */
  resourceRef: string;
  /** The account: the account itself, the account a cluster or identity targets, a management cluster's own. */
  accountId?: string;
  /** The tier of `accountId` (fleet config), lower case. */
  tier?: string;
  /** The owner's full entity ref (`group:default/ml-team`), as the catalog entity's `spec.owner` resolves. */
  owner?: string;
  /**
   * Management clusters involved: a cluster's or identity's own; for an account, those that target it with a
   * cluster or identity or that run in it (or just the one named by `account:<id>@<management cluster>`).
   */
  managementClusters: string[];
  /** The catalog entity ref of the resource (`resource:default/aws-444444444444`). */
  entityRef: string;
}

/**
 * Resource refs of `capa-resource`s, as passed to `permissions.authorize({ permission, resourceRef })` and
 * `usePermission`. `account:<id>@<management cluster>` is an account as seen from one management cluster (the
 * one a cluster would be created from).
 *
 * @public
 */
export const capaResourceRef = {
  account: (accountId: string, managementCluster?: string) =>
    managementCluster
      ? `account:${accountId}@${managementCluster}`
      : `account:${accountId}`,
  cluster: (managementCluster: string, namespace: string, name: string) =>
    `cluster:${managementCluster}/${namespace}/${name}`,
  identity: (managementCluster: string, kind: string, name: string) =>
    `identity:${managementCluster}/${kind}/${name}`,
  managementCluster: (name: string) => `management-cluster:${name}`,
};

/**
 * A parsed `capa-resource` ref.
 *
 * @public
 */
export type ParsedCapaResourceRef =
  | { kind: 'account'; accountId: string; managementCluster?: string }
  | {
      kind: 'cluster';
      managementCluster: string;
      namespace: string;
      name: string;
    }
  | {
      kind: 'identity';
      managementCluster: string;
      identityKind: string;
      name: string;
    }
  | { kind: 'management-cluster'; name: string };

/**
 * Parses a {@link capaResourceRef}; undefined when it is not one.
 *
 * @public
 */
export function parseCapaResourceRef(
  ref: string,
): ParsedCapaResourceRef | undefined {
  const colon = ref.indexOf(':');
  if (colon < 0) return undefined;
  const kind = ref.slice(0, colon);
  const rest = ref.slice(colon + 1);
  const parts = rest.split('/');
  switch (kind) {
    case 'account': {
      const [accountId, managementCluster] = rest.split('@');
      if (!/^[0-9]{12}$/.test(accountId)) return undefined;
      return managementCluster
        ? { kind, accountId, managementCluster }
        : { kind, accountId };
    }
    case 'cluster':
      return parts.length === 3 && parts.every(Boolean)
        ? {
            kind,
            managementCluster: parts[0],
            namespace: parts[1],
            name: parts[2],
          }
        : undefined;
    case 'identity':
      return parts.length === 3 && parts.every(Boolean)
        ? {
            kind,
            managementCluster: parts[0],
            identityKind: parts[1],
            name: parts[2],
          }
        : undefined;
    case 'management-cluster':
      return rest ? { kind, name: rest } : undefined;
    default:
      return undefined;
  }
}
