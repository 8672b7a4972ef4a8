/*
 * Catalog vocabulary (docs/contracts.md §3): entity types, annotations and labels that capa-portal writes and reads.
 * A contract: the frontend finds its data through these, and so may other plugins.
 */

/** `spec.type` of the Resource entities capa-portal emits. */
export const ENTITY_TYPE_ACCOUNT = 'cloud-account';
export const ENTITY_TYPE_CLUSTER = 'kubernetes-cluster';
export const ENTITY_TYPE_IDENTITY = 'aws-cluster-identity';

/** The AWS account id, on accounts, clusters and identities. */
export const ANNOTATION_ACCOUNT_ID = 'amazonaws.com/account-id';
/** The management cluster (config name) that owns a workload cluster or identity. */
export const ANNOTATION_MANAGEMENT_CLUSTER =
  'capa-portal.io/management-cluster';
/** The namespace of a workload cluster in its management cluster. */
export const ANNOTATION_NAMESPACE = 'capa-portal.io/namespace';
/** The Kubernetes name of a workload cluster or identity (entity names may be shortened). */
export const ANNOTATION_OBJECT_NAME = 'capa-portal.io/name';
/** `Kind/name` of the identity a workload cluster uses (after CAPA's defaulting). */
export const ANNOTATION_IDENTITY_REF = 'capa-portal.io/identity-ref';
/** The kind of an identity entity: AWSClusterRoleIdentity, AWSClusterControllerIdentity, AWSClusterStaticIdentity. */
export const ANNOTATION_IDENTITY_KIND = 'capa-portal.io/identity-kind';
/** The role ARN an AWSClusterRoleIdentity assumes. */
export const ANNOTATION_ROLE_ARN = 'capa-portal.io/role-arn';
/** The trust verdict when the entity was last emitted (the live one comes from the API). */
export const ANNOTATION_VERDICT = 'capa-portal.io/verdict';
/** Label on management cluster entities: `capa-portal.io/role: management`. */
export const LABEL_ROLE = 'capa-portal.io/role';

/** Annotations owners put on CAPI Cluster objects so the catalog reads owner and system back. */
export const OBJECT_ANNOTATION_OWNER = 'capa-portal.io/owner';
export const OBJECT_ANNOTATION_SYSTEM = 'capa-portal.io/system';

/** Entity name of an AWS account: `aws-<accountId>`. */
export function accountEntityName(accountId: string): string {
  return `aws-${accountId}`;
}
