import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_ACCOUNT_ID,
  ANNOTATION_IDENTITY_KIND,
  ANNOTATION_MANAGEMENT_CLUSTER,
  ANNOTATION_NAMESPACE,
  ANNOTATION_OBJECT_NAME,
  ENTITY_TYPE_ACCOUNT,
  ENTITY_TYPE_CLUSTER,
  ENTITY_TYPE_IDENTITY,
} from '@capa-portal/plugin-capa-common';

function isResourceOfType(entity: Entity, type: string): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    entity.spec?.type === type
  );
}

function annotation(entity: Entity, key: string): string | undefined {
  const value = entity.metadata.annotations?.[key];
  return value ? value : undefined;
}

/**
 * True for an AWS account entity: `Resource` of type `cloud-account` with the `amazonaws.com/account-id`
 * annotation.
 *
 * @public
 */
export function isCapaAccountEntity(entity: Entity): boolean {
  return (
    isResourceOfType(entity, ENTITY_TYPE_ACCOUNT) &&
    !!annotation(entity, ANNOTATION_ACCOUNT_ID)
  );
}

/**
 * True for a CAPA workload cluster entity: `Resource` of type `kubernetes-cluster` with the
 * `capa-portal.io/management-cluster` annotation (management clusters themselves carry no such annotation).
 *
 * @public
 */
export function isCapaClusterEntity(entity: Entity): boolean {
  return (
    isResourceOfType(entity, ENTITY_TYPE_CLUSTER) &&
    !!annotation(entity, ANNOTATION_MANAGEMENT_CLUSTER)
  );
}

/**
 * True for a CAPA workload cluster entity whose control plane is EKS (the catalog module's
 * `capa-portal.io/flavour: eks` label): the clusters the "Workload access" tab is for.
 *
 * @public
 */
export function isCapaEksClusterEntity(entity: Entity): boolean {
  return (
    isCapaClusterEntity(entity) &&
    entity.metadata.labels?.['capa-portal.io/flavour'] === 'eks'
  );
}

/**
 * True for a CAPA identity entity: `Resource` of type `aws-cluster-identity` with the
 * `capa-portal.io/management-cluster` annotation.
 *
 * @public
 */
export function isCapaIdentityEntity(entity: Entity): boolean {
  return (
    isResourceOfType(entity, ENTITY_TYPE_IDENTITY) &&
    !!annotation(entity, ANNOTATION_MANAGEMENT_CLUSTER)
  );
}

/**
 * True for any entity the capa "Trust" tab can show: an account, a workload cluster or an identity.
 *
 * @public
 */
export function isCapaEntity(entity: Entity): boolean {
  return (
    isCapaAccountEntity(entity) ||
    isCapaClusterEntity(entity) ||
    isCapaIdentityEntity(entity)
  );
}

/** What a capa entity points at in the capa API. */
export type CapaEntityTarget =
  | { type: 'account'; accountId: string }
  | {
      type: 'cluster';
      managementCluster: string;
      namespace: string;
      name: string;
      accountId?: string;
    }
  | {
      type: 'identity';
      managementCluster: string;
      name: string;
      kind?: string;
      accountId?: string;
    };

/** Reads the capa API coordinates of an entity from its annotations; undefined when it is not ours. */
export function getCapaEntityTarget(
  entity: Entity,
): CapaEntityTarget | undefined {
  const accountId = annotation(entity, ANNOTATION_ACCOUNT_ID);
  if (isCapaAccountEntity(entity)) {
    return { type: 'account', accountId: accountId! };
  }
  const managementCluster = annotation(entity, ANNOTATION_MANAGEMENT_CLUSTER);
  const name =
    annotation(entity, ANNOTATION_OBJECT_NAME) ?? entity.metadata.name;
  if (isCapaClusterEntity(entity)) {
    return {
      type: 'cluster',
      managementCluster: managementCluster!,
      namespace:
        annotation(entity, ANNOTATION_NAMESPACE) ??
        entity.metadata.namespace ??
        'default',
      name,
      accountId,
    };
  }
  if (isCapaIdentityEntity(entity)) {
    return {
      type: 'identity',
      managementCluster: managementCluster!,
      name,
      kind: annotation(entity, ANNOTATION_IDENTITY_KIND),
      accountId,
    };
  }
  return undefined;
}
