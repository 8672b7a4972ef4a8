import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import {
  accountEntityName,
  ANNOTATION_ACCOUNT_ID,
  ANNOTATION_IDENTITY_KIND,
  ANNOTATION_IDENTITY_REF,
  ANNOTATION_MANAGEMENT_CLUSTER,
  ANNOTATION_NAMESPACE,
  ANNOTATION_OBJECT_NAME,
  ANNOTATION_ROLE_ARN,
  ANNOTATION_VERDICT,
  CatalogAccount,
  CatalogCluster,
  CatalogFleetView,
  CatalogIdentity,
  ENTITY_TYPE_ACCOUNT,
  ENTITY_TYPE_CLUSTER,
  ENTITY_TYPE_IDENTITY,
  LABEL_ROLE,
  ManagementClusterStatus,
  clusterEntityName,
  identityEntityName,
  managementClusterEntityName,
  IDENTITY_KIND_SHORT as KIND_SHORT,
} from '@capa-portal/plugin-capa-common';

export {
  entityName,
  clusterEntityName,
  identityEntityName,
  managementClusterEntityName,
} from '@capa-portal/plugin-capa-common';

/**
 * Catalog defaults for entities whose source names no owner or system.
 *
 * @public
 */
export interface EntityDefaults {
  owner: string;
  system?: string;
  /**
   * The entity ref of an account's entity, for relations. Default: capa's own `resource:default/aws-<id>`; with
   * `capa.catalog.accountEntities: attach` or `none`, the `cloud-account` entity another provider emits for it.
   */
  accountRef?: (accountId: string) => string;
  /** Lifecycle of Resource entities is not a Backstage field; tier goes into a label instead. */
}

const FLAVOUR_TITLE: Record<string, string> = {
  eks: 'EKS',
  kubeadm: 'kubeadm',
  rosa: 'ROSA',
};

/** `stringifyEntityRef({ kind: 'resource', namespace: 'default', name })`, without the intermediate object. */
const ref = (name: string) => `resource:default/${name.toLowerCase()}`;

/** capa's own account entity ref. */
export const capaAccountRef = (accountId: string) =>
  ref(accountEntityName(accountId));
const accountRef = (defaults: EntityDefaults, accountId: string) =>
  (defaults.accountRef ?? capaAccountRef)(accountId);

/**
 * A Resource entity with the location annotations added; the metadata's annotations are always its own fresh
 * object (or none).
 */
function resourceEntity(
  metadata: Entity['metadata'],
  spec: NonNullable<Entity['spec']>,
  location: string,
): Entity {
  const annotations = metadata.annotations ?? {};
  annotations[ANNOTATION_LOCATION] = location;
  annotations[ANNOTATION_ORIGIN_LOCATION] = location;
  metadata.annotations = annotations;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata,
    spec,
  };
}

/** The non-empty string values of `o`, in order. */
function prune<T extends Record<string, unknown>>(
  o: T,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    const v = o[k];
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

const TAG_CHARS = /[^a-z0-9+#-]+/g;
const TAG_EDGES = /^-+|-+$/g;

function tags(...values: Array<string | undefined>): string[] {
  // Distinct normalised values first (as a Set would), then trimmed and cut; no intermediate arrays.
  const distinct: string[] = [];
  for (const v of values) {
    if (!v) continue;
    const n = v.toLowerCase().replace(TAG_CHARS, '-');
    if (!distinct.includes(n)) distinct.push(n);
  }
  let out = 0;
  for (const n of distinct) {
    const t = n.replace(TAG_EDGES, '').slice(0, 63);
    if (t) distinct[out++] = t;
  }
  distinct.length = out;
  return distinct;
}

/** The Resource entity of an AWS account. */
export function accountEntity(
  account: CatalogAccount,
  defaults: EntityDefaults,
  location: string,
): Entity {
  return resourceEntity(
    {
      name: accountEntityName(account.accountId),
      title: account.name
        ? `${account.name} (${account.accountId})`
        : `AWS account ${account.accountId}`,
      description: `AWS account ${account.accountId}${
        account.tier ? `, tier ${account.tier}` : ''
      }${account.email ? `, ${account.email}` : ''}`,
      annotations: prune({
        [ANNOTATION_ACCOUNT_ID]: account.accountId,
        [ANNOTATION_VERDICT]: account.verdict,
      }),
      labels: prune({
        'capa-portal.io/tier': account.tier
          ?.toLowerCase()
          .replace(/[^a-z0-9-]/g, '-'),
      }),
      tags: tags(
        'aws',
        account.tier,
        account.status === 'SUSPENDED' ? 'suspended' : undefined,
      ),
    },
    prune({
      type: ENTITY_TYPE_ACCOUNT,
      owner: account.owner ?? defaults.owner,
      system: defaults.system,
    }),
    location,
  );
}

/** The Resource entity of a management cluster, depending on its account. */
export function managementClusterEntity(
  status: ManagementClusterStatus,
  options: { owner?: string; system?: string },
  defaults: EntityDefaults,
  location: string,
): Entity {
  return resourceEntity(
    {
      name: managementClusterEntityName(status.name),
      title: status.name,
      description: `CAPI/CAPA management cluster in AWS account ${status.accountId}; controllers run as ${status.controllerPrincipalArn}`,
      labels: { [LABEL_ROLE]: 'management' },
      annotations: prune({
        [ANNOTATION_ACCOUNT_ID]: status.accountId,
        'capa-portal.io/controller-principal': status.controllerPrincipalArn,
        'capa-portal.io/source': `${status.source.type}:${status.source.target}`,
      }),
      tags: tags('capi', 'capa', 'management-cluster'),
    },
    {
      type: ENTITY_TYPE_CLUSTER,
      owner: options.owner ?? defaults.owner,
      ...(options.system ?? defaults.system
        ? { system: options.system ?? defaults.system }
        : {}),
      dependsOn: [accountRef(defaults, status.accountId)],
    },
    location,
  );
}

/** The Resource entity of an identity, depending on its source identity and its target account. */
export function identityEntity(
  identity: CatalogIdentity,
  defaults: EntityDefaults & { managementOwner?: string },
  location: string,
): Entity {
  const dependsOn: string[] = [];
  const source = identity.chain[1];
  if (source && !source.missing) {
    dependsOn.push(
      ref(
        identityEntityName({
          managementCluster: identity.managementCluster,
          kind: source.kind,
          name: source.name,
        }),
      ),
    );
  } else {
    // The root of a chain (the controller or a static identity) runs in the management cluster.
    dependsOn.push(
      ref(managementClusterEntityName(identity.managementCluster)),
    );
  }
  if (identity.accountId)
    dependsOn.push(accountRef(defaults, identity.accountId));
  const spec: NonNullable<Entity['spec']> = {
    type: ENTITY_TYPE_IDENTITY,
    owner: defaults.managementOwner ?? defaults.owner,
  };
  if (defaults.system) spec.system = defaults.system;
  spec.dependsOn = dependsOn;
  return resourceEntity(
    {
      name: identityEntityName(identity),
      title: `${identity.name} (${identity.kind.replace(/^AWSCluster/, '')})`,
      description: `${identity.kind} "${identity.name}" in management cluster ${
        identity.managementCluster
      }${identity.roleArn ? `; assumes ${identity.roleArn}` : ''}`,
      annotations: prune({
        [ANNOTATION_MANAGEMENT_CLUSTER]: identity.managementCluster,
        [ANNOTATION_IDENTITY_KIND]: identity.kind,
        [ANNOTATION_OBJECT_NAME]: identity.name,
        [ANNOTATION_ROLE_ARN]: identity.roleArn,
        [ANNOTATION_ACCOUNT_ID]: identity.accountId,
        [ANNOTATION_VERDICT]: identity.verdict,
      }),
      tags: tags('capa', 'identity', KIND_SHORT[identity.kind]),
    },
    spec,
    location,
  );
}

/** The Resource entity of a workload cluster, with the annotations the Kubernetes plugin needs for EKS. */
export function clusterEntity(
  cluster: CatalogCluster,
  defaults: EntityDefaults & {
    managementOwner?: string;
    managementSystem?: string;
  },
  location: string,
): Entity {
  const identityName = identityEntityName({
    managementCluster: cluster.managementCluster,
    kind: cluster.identityRef.kind,
    name: cluster.identityRef.name,
  });
  const dependsOn = cluster.accountId
    ? [
        ref(identityName),
        accountRef(defaults, cluster.accountId),
        ref(managementClusterEntityName(cluster.managementCluster)),
      ]
    : [
        ref(identityName),
        ref(managementClusterEntityName(cluster.managementCluster)),
      ];
  const first = cluster.chain[0];
  // One object, pruned once (the Kubernetes plugin's annotations last, as before).
  const annotations: Record<string, string | undefined> = {
    [ANNOTATION_ACCOUNT_ID]: cluster.accountId,
    [ANNOTATION_MANAGEMENT_CLUSTER]: cluster.managementCluster,
    [ANNOTATION_NAMESPACE]: cluster.namespace,
    [ANNOTATION_OBJECT_NAME]: cluster.name,
    [ANNOTATION_IDENTITY_REF]: `${cluster.identityRef.kind}/${cluster.identityRef.name}`,
    [ANNOTATION_VERDICT]: cluster.verdict,
    'capa-portal.io/region': cluster.region,
    'capa-portal.io/kubernetes-version': cluster.kubernetesVersion,
    'capa-portal.io/phase': cluster.phase,
  };
  if (cluster.apiServer) {
    annotations['kubernetes.io/api-server'] = cluster.apiServer.startsWith(
      'http',
    )
      ? cluster.apiServer
      : `https://${cluster.apiServer}`;
    annotations['kubernetes.io/api-server-certificate-authority'] =
      cluster.apiServerCaData;
    if (cluster.flavour === 'eks') {
      annotations['kubernetes.io/auth-provider'] = 'aws';
      annotations['kubernetes.io/aws-assume-role'] = first?.roleArn;
      annotations['kubernetes.io/aws-external-id'] = first?.externalId;
      annotations['kubernetes.io/x-k8s-aws-id'] =
        cluster.eksClusterName ?? cluster.name;
    }
  }
  const spec: NonNullable<Entity['spec']> = {
    type: ENTITY_TYPE_CLUSTER,
    owner: cluster.owner ?? defaults.managementOwner ?? defaults.owner,
  };
  const system = cluster.system ?? defaults.managementSystem ?? defaults.system;
  if (system) spec.system = system;
  spec.dependsOn = dependsOn;
  return resourceEntity(
    {
      name: clusterEntityName(cluster),
      title: cluster.name,
      description: `${FLAVOUR_TITLE[cluster.flavour] ?? 'CAPA'} cluster ${
        cluster.namespace
      }/${cluster.name}${cluster.region ? ` in ${cluster.region}` : ''}${
        cluster.accountId ? `, account ${cluster.accountId}` : ''
      }, managed by ${cluster.managementCluster}`,
      annotations: prune(annotations),
      labels: prune({ 'capa-portal.io/flavour': cluster.flavour }),
      tags: tags('capa', cluster.flavour, cluster.region),
    },
    spec,
    location,
  );
}

/**
 * Every entity of one management cluster: itself, its identities, its workload clusters.
 *
 * @public
 */
export function managementClusterEntities(
  report: Pick<CatalogFleetView, 'sources' | 'identities' | 'clusters'>,
  name: string,
  options: { owner?: string; system?: string },
  defaults: EntityDefaults,
): Entity[] {
  const status = report.sources.find(s => s.name === name);
  if (!status) return [];
  const location = `capa:management-cluster/${name}`;
  const scoped = {
    ...defaults,
    managementOwner: options.owner,
    managementSystem: options.system,
  };
  // One array, no filtered or mapped copies of the fleet's identities and clusters.
  const entities: Entity[] = [
    managementClusterEntity(status, options, defaults, location),
  ];
  for (const i of report.identities)
    if (i.managementCluster === name)
      entities.push(identityEntity(i, scoped, location));
  for (const c of report.clusters)
    if (c.managementCluster === name)
      entities.push(clusterEntity(c, scoped, location));
  return entities;
}

/**
 * Every account entity: derived from identities, merged with Organizations and config by the engine.
 *
 * @public
 */
export function accountEntities(
  report: Pick<CatalogFleetView, 'accounts'>,
  defaults: EntityDefaults,
  options?: { skip?: (accountId: string) => boolean },
): Entity[] {
  const entities: Entity[] = [];
  for (const a of report.accounts)
    if (!options?.skip?.(a.accountId))
      entities.push(accountEntity(a, defaults, 'capa:accounts'));
  return entities;
}
