/**
 * The Kubernetes resources capa-portal knows by name: what the fleet reader lists from a management cluster,
 * and what the test API server serves. Group/versions are those the upstream CRDs serve:
 * CAPI (`cluster.x-k8s.io`) serves v1beta1 and v1beta2, CAPA serves v1beta2 only, the CAPI Operator v1alpha2.
 *
 * @public
 */
export interface KubernetesResourceType {
  /** API group; `''` for the core group. */
  group: string;
  /** Served versions, in order of preference (the first is tried first). */
  versions: string[];
  kind: string;
  /** Lower-case plural, the REST path segment. */
  plural: string;
  namespaced: boolean;
}

/** `awsclusters.infrastructure.cluster.x-k8s.io`, or `namespaces` for the core group: the name RBAC rules use. */
export function resourceName(
  type: Pick<KubernetesResourceType, 'group' | 'plural'>,
): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** The REST path of a kind across all namespaces: what the reader lists and the watcher watches. */
export function clusterWidePath(
  type: Pick<KubernetesResourceType, 'group' | 'plural'>,
  version: string,
): string {
  return type.group
    ? `/apis/${type.group}/${version}/${type.plural}`
    : `/api/${version}/${type.plural}`;
}

/** `infrastructure.cluster.x-k8s.io/v1beta2`, or `v1` for the core group. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

const CAPI = 'cluster.x-k8s.io';
const INFRA = 'infrastructure.cluster.x-k8s.io';
const CONTROL_PLANE = 'controlplane.cluster.x-k8s.io';
const BOOTSTRAP = 'bootstrap.cluster.x-k8s.io';
const OPERATOR = 'operator.cluster.x-k8s.io';

/** The versions served, in order of preference. */
const V1 = ['v1'];
const V1BETA2 = ['v1beta2'];
const V1BETA2_V1BETA1 = ['v1beta2', 'v1beta1'];
const V1ALPHA2 = ['v1alpha2'];

/** `[group, versions, kind, plural, scope]`: one row of a resource table. */
type ResourceRow = [
  group: string,
  versions: readonly string[],
  kind: string,
  plural: string,
  scope: 'Namespaced' | 'Cluster',
];

/** Frozen resource types from table rows, each with its own `versions` array. */
function resourceTypes(rows: ResourceRow[]): KubernetesResourceType[] {
  return rows.map(([group, versions, kind, plural, scope]) =>
    Object.freeze({
      group,
      versions: [...versions],
      kind,
      plural,
      namespaced: scope === 'Namespaced',
    }),
  );
}

/** The rows of {@link MANAGEMENT_CLUSTER_KINDS}, in the order of the reads. */
// prettier-ignore
const MANAGEMENT_CLUSTER_ROWS: ResourceRow[] = [
  ['', V1, 'Namespace', 'namespaces', 'Cluster'],
  [CAPI, V1BETA2_V1BETA1, 'Cluster', 'clusters', 'Namespaced'],
  [INFRA, V1BETA2, 'AWSCluster', 'awsclusters', 'Namespaced'],
  [INFRA, V1BETA2, 'AWSClusterTemplate', 'awsclustertemplates', 'Namespaced'],
  [INFRA, V1BETA2, 'AWSClusterControllerIdentity', 'awsclustercontrolleridentities', 'Cluster'],
  [INFRA, V1BETA2, 'AWSClusterRoleIdentity', 'awsclusterroleidentities', 'Cluster'],
  [INFRA, V1BETA2, 'AWSClusterStaticIdentity', 'awsclusterstaticidentities', 'Cluster'],
  [CONTROL_PLANE, V1BETA2, 'AWSManagedControlPlane', 'awsmanagedcontrolplanes', 'Namespaced'],
  [CONTROL_PLANE, V1BETA2, 'AWSManagedControlPlaneTemplate', 'awsmanagedcontrolplanetemplates', 'Namespaced'],
  [CONTROL_PLANE, V1BETA2, 'ROSAControlPlane', 'rosacontrolplanes', 'Namespaced'],
  [OPERATOR, V1ALPHA2, 'InfrastructureProvider', 'infrastructureproviders', 'Namespaced'],
];
/**
 * What {@link KubernetesFleetReader} lists from every management cluster: one paginated, cluster-wide LIST per
 * entry and read. Order is the order of the reads.
 *
 * @public
 */
export const MANAGEMENT_CLUSTER_KINDS: readonly KubernetesResourceType[] =
  Object.freeze(resourceTypes(MANAGEMENT_CLUSTER_ROWS));

/** What capa-portal knows besides `MANAGEMENT_CLUSTER_ROWS`. */
// prettier-ignore
const OTHER_KNOWN_ROWS: ResourceRow[] = [
  ['', V1, 'Secret', 'secrets', 'Namespaced'],
  ['', V1, 'ConfigMap', 'configmaps', 'Namespaced'],
  [CAPI, V1BETA2_V1BETA1, 'ClusterClass', 'clusterclasses', 'Namespaced'],
  [CAPI, V1BETA2_V1BETA1, 'MachineDeployment', 'machinedeployments', 'Namespaced'],
  [CAPI, V1BETA2_V1BETA1, 'MachinePool', 'machinepools', 'Namespaced'],
  [CAPI, V1BETA2_V1BETA1, 'Machine', 'machines', 'Namespaced'],
  [CAPI, V1BETA2_V1BETA1, 'MachineHealthCheck', 'machinehealthchecks', 'Namespaced'],
  [INFRA, V1BETA2, 'AWSMachine', 'awsmachines', 'Namespaced'],
  [INFRA, V1BETA2, 'AWSMachineTemplate', 'awsmachinetemplates', 'Namespaced'],
  [INFRA, V1BETA2, 'AWSMachinePool', 'awsmachinepools', 'Namespaced'],
  [INFRA, V1BETA2, 'AWSManagedMachinePool', 'awsmanagedmachinepools', 'Namespaced'],
  [INFRA, V1BETA2, 'AWSManagedCluster', 'awsmanagedclusters', 'Namespaced'],
  [INFRA, V1BETA2, 'ROSACluster', 'rosaclusters', 'Namespaced'],
  [INFRA, V1BETA2, 'ROSAMachinePool', 'rosamachinepools', 'Namespaced'],
  [CONTROL_PLANE, V1BETA2_V1BETA1, 'KubeadmControlPlane', 'kubeadmcontrolplanes', 'Namespaced'],
  [CONTROL_PLANE, V1BETA2_V1BETA1, 'KubeadmControlPlaneTemplate', 'kubeadmcontrolplanetemplates', 'Namespaced'],
  [BOOTSTRAP, V1BETA2_V1BETA1, 'KubeadmConfig', 'kubeadmconfigs', 'Namespaced'],
  [BOOTSTRAP, V1BETA2_V1BETA1, 'KubeadmConfigTemplate', 'kubeadmconfigtemplates', 'Namespaced'],
  [BOOTSTRAP, V1BETA2, 'EKSConfig', 'eksconfigs', 'Namespaced'],
  [BOOTSTRAP, V1BETA2, 'EKSConfigTemplate', 'eksconfigtemplates', 'Namespaced'],
  [OPERATOR, V1ALPHA2, 'CoreProvider', 'coreproviders', 'Namespaced'],
  [OPERATOR, V1ALPHA2, 'BootstrapProvider', 'bootstrapproviders', 'Namespaced'],
  [OPERATOR, V1ALPHA2, 'ControlPlaneProvider', 'controlplaneproviders', 'Namespaced'],
];
/**
 * Every resource type capa-portal knows: the reader's kinds plus what `capa:cluster:render` produces and
 * `capa:cluster:apply` applies (machines, bootstrap configs, Secrets, ...). The test API server serves these.
 */
export const KNOWN_RESOURCE_TYPES: readonly KubernetesResourceType[] =
  Object.freeze([
    ...MANAGEMENT_CLUSTER_KINDS,
    ...resourceTypes(OTHER_KNOWN_ROWS),
  ]);

/** The known type of `apiVersion` + `kind` (any served version of its group), or undefined. */
export function findResourceType(
  apiVersion: string,
  kind: string,
  types: readonly KubernetesResourceType[] = KNOWN_RESOURCE_TYPES,
): KubernetesResourceType | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return types.find(
    t => t.group === group && t.kind === kind && t.versions.includes(version),
  );
}
