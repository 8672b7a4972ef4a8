/*
 * Catalog vocabulary (docs/contracts.md §3): entity types, annotations and labels that capa-portal writes and reads.
 * A contract: the frontend finds its data through these, and so may other plugins.
 */

/**
 * `spec.type` of the Resource entities capa-portal emits.
 *
 * @public
 */
export const ENTITY_TYPE_ACCOUNT = 'cloud-account';
/** @public */
export const ENTITY_TYPE_CLUSTER = 'kubernetes-cluster';
/** @public */
export const ENTITY_TYPE_IDENTITY = 'aws-cluster-identity';

/**
 * The AWS account id, on accounts, clusters and identities.
 *
 * @public
 */
export const ANNOTATION_ACCOUNT_ID = 'amazonaws.com/account-id';
/**
 * The management cluster (config name) that owns a workload cluster or identity.
 *
 * @public
 */
export const ANNOTATION_MANAGEMENT_CLUSTER =
  'capa-portal.io/management-cluster';
/**
 * The namespace of a workload cluster in its management cluster.
 *
 * @public
 */
export const ANNOTATION_NAMESPACE = 'capa-portal.io/namespace';
/**
 * The Kubernetes name of a workload cluster or identity (entity names may be shortened).
 *
 * @public
 */
export const ANNOTATION_OBJECT_NAME = 'capa-portal.io/name';
/**
 * `Kind/name` of the identity a workload cluster uses (after CAPA's defaulting).
 *
 * @public
 */
export const ANNOTATION_IDENTITY_REF = 'capa-portal.io/identity-ref';
/**
 * The kind of an identity entity: AWSClusterRoleIdentity, AWSClusterControllerIdentity, AWSClusterStaticIdentity.
 *
 * @public
 */
export const ANNOTATION_IDENTITY_KIND = 'capa-portal.io/identity-kind';
/**
 * The role ARN an AWSClusterRoleIdentity assumes.
 *
 * @public
 */
export const ANNOTATION_ROLE_ARN = 'capa-portal.io/role-arn';
/**
 * The trust verdict when the entity was last emitted (the live one comes from the API).
 *
 * @public
 */
export const ANNOTATION_VERDICT = 'capa-portal.io/verdict';
/**
 * Label on management cluster entities: `capa-portal.io/role: management`.
 *
 * @public
 */
export const LABEL_ROLE = 'capa-portal.io/role';

/**
 * Annotations owners put on CAPI Cluster objects so the catalog reads owner and system back.
 *
 * @public
 */
export const OBJECT_ANNOTATION_OWNER = 'capa-portal.io/owner';
/** @public */
export const OBJECT_ANNOTATION_SYSTEM = 'capa-portal.io/system';

/**
 * Entity name of an AWS account: `aws-<accountId>`.
 *
 * @public
 */
export function accountEntityName(accountId: string): string {
  return `aws-${accountId}`;
}

const MAX_NAME = 63;

/** A tiny stable hash (FNV-1a, 32 bit) for shortening names without collisions. */
function shortHash(value: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A part that is already a valid name: `[a-z0-9]` runs separated by single `-`, `_` or `.`. */
const CLEAN_PART = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * A valid, stable, unique Backstage entity name from parts: `[a-z0-9]` runs separated by single `-`, `_` or `.`,
 * at most 63 characters. Longer names keep their start and end with a hash of the whole, so two long names
 * never collide and a name never changes between refreshes. (The catalog module names its entities with it,
 * and capa-backend finds an account's or cluster's entity with it.)
 *
 * @public
 */

export function entityName(...parts: string[]): string {
  // The common case: every part is already clean, so the normalisation below would return them joined by `.`.
  let clean = parts.length > 0;
  let length = parts.length - 1;
  for (const p of parts) {
    if (!CLEAN_PART.test(p)) {
      clean = false;
      break;
    }
    length += p.length;
  }
  if (clean && length <= MAX_NAME) return parts.join('.');
  const joined = parts
    .map(p =>
      p
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-')
        .replace(/^[._-]+|[._-]+$/g, ''),
    )
    .filter(Boolean)
    .join('.')
    .replace(/[._-]{2,}/g, m => m[0])
    .replace(/^[._-]+|[._-]+$/g, '');
  if (joined.length <= MAX_NAME)
    return joined || `x-${shortHash(parts.join('/'))}`;
  const hash = shortHash(parts.join('/'));
  const head = joined
    .slice(0, MAX_NAME - hash.length - 1)
    .replace(/[._-]+$/g, '');
  return `${head}-${hash}`;
}

/**
 * Entity name of a workload cluster: `<name>.<namespace>.<management cluster>`, shortened when needed.
 *
 * @public
 */
export function clusterEntityName(c: {
  name: string;
  namespace: string;
  managementCluster: string;
}): string {
  return entityName(c.name, c.namespace, c.managementCluster);
}

/**
 * The short kind of an identity in its entity name.
 *
 * @public
 */
export const IDENTITY_KIND_SHORT: Record<string, string> = {
  AWSClusterRoleIdentity: 'role',
  AWSClusterControllerIdentity: 'controller',
  AWSClusterStaticIdentity: 'static',
};

/**
 * Entity name of an identity: `<management cluster>.<role|controller|static>.<name>`.
 *
 * @public
 */
export function identityEntityName(i: {
  managementCluster: string;
  kind: string;
  name: string;
}): string {
  return entityName(
    i.managementCluster,
    IDENTITY_KIND_SHORT[i.kind] ?? i.kind,
    i.name,
  );
}

/** @public */
export function managementClusterEntityName(name: string): string {
  return entityName(name);
}
