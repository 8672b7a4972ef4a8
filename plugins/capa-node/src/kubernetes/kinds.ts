/**
 * The Kubernetes resources capa-portal knows by name: what the fleet reader lists from a management cluster,
 * and what the test API server serves. Group/versions are those the upstream CRDs serve:
 * CAPI (`cluster.x-k8s.io`) serves v1beta1 and v1beta2, CAPA serves v1beta2 only, the CAPI Operator v1alpha2.
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

/** `infrastructure.cluster.x-k8s.io/v1beta2`, or `v1` for the core group. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

const CAPI = 'cluster.x-k8s.io';
const INFRA = 'infrastructure.cluster.x-k8s.io';
const CONTROL_PLANE = 'controlplane.cluster.x-k8s.io';
const BOOTSTRAP = 'bootstrap.cluster.x-k8s.io';
const OPERATOR = 'operator.cluster.x-k8s.io';

/**
 * What {@link KubernetesFleetReader} lists from every management cluster: one paginated, cluster-wide LIST per
 * entry and read. Order is the order of the reads.
 */
export const MANAGEMENT_CLUSTER_KINDS: readonly KubernetesResourceType[] =
  Object.freeze(
    [
      {
        group: '',
        versions: ['v1'],
        kind: 'Namespace',
        plural: 'namespaces',
        namespaced: false,
      },
      {
        group: CAPI,
        versions: ['v1beta2', 'v1beta1'],
        kind: 'Cluster',
        plural: 'clusters',
        namespaced: true,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'AWSCluster',
        plural: 'awsclusters',
        namespaced: true,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'AWSClusterTemplate',
        plural: 'awsclustertemplates',
        namespaced: true,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'AWSClusterControllerIdentity',
        plural: 'awsclustercontrolleridentities',
        namespaced: false,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'AWSClusterRoleIdentity',
        plural: 'awsclusterroleidentities',
        namespaced: false,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'AWSClusterStaticIdentity',
        plural: 'awsclusterstaticidentities',
        namespaced: false,
      },
      {
        group: CONTROL_PLANE,
        versions: ['v1beta2'],
        kind: 'AWSManagedControlPlane',
        plural: 'awsmanagedcontrolplanes',
        namespaced: true,
      },
      {
        group: CONTROL_PLANE,
        versions: ['v1beta2'],
        kind: 'AWSManagedControlPlaneTemplate',
        plural: 'awsmanagedcontrolplanetemplates',
        namespaced: true,
      },
      {
        group: CONTROL_PLANE,
        versions: ['v1beta2'],
        kind: 'ROSAControlPlane',
        plural: 'rosacontrolplanes',
        namespaced: true,
      },
      {
        group: OPERATOR,
        versions: ['v1alpha2'],
        kind: 'InfrastructureProvider',
        plural: 'infrastructureproviders',
        namespaced: true,
      },
    ].map(t => Object.freeze(t)),
  );

/**
 * Every resource type capa-portal knows: the reader's kinds plus what `capa:cluster:render` produces and
 * `capa:cluster:apply` applies (machines, bootstrap configs, Secrets, ...). The test API server serves these.
 */
export const KNOWN_RESOURCE_TYPES: readonly KubernetesResourceType[] =
  Object.freeze(
    [
      ...MANAGEMENT_CLUSTER_KINDS,
      {
        group: '',
        versions: ['v1'],
        kind: 'Secret',
        plural: 'secrets',
        namespaced: true,
      },
      {
        group: '',
        versions: ['v1'],
        kind: 'ConfigMap',
        plural: 'configmaps',
        namespaced: true,
      },
      {
        group: CAPI,
        versions: ['v1beta2', 'v1beta1'],
        kind: 'ClusterClass',
        plural: 'clusterclasses',
        namespaced: true,
      },
      {
        group: CAPI,
        versions: ['v1beta2', 'v1beta1'],
        kind: 'MachineDeployment',
        plural: 'machinedeployments',
        namespaced: true,
      },
      {
        group: CAPI,
        versions: ['v1beta2', 'v1beta1'],
        kind: 'MachinePool',
        plural: 'machinepools',
        namespaced: true,
      },
      {
        group: CAPI,
        versions: ['v1beta2', 'v1beta1'],
        kind: 'Machine',
        plural: 'machines',
        namespaced: true,
      },
      {
        group: CAPI,
        versions: ['v1beta2', 'v1beta1'],
        kind: 'MachineHealthCheck',
        plural: 'machinehealthchecks',
        namespaced: true,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'AWSMachine',
        plural: 'awsmachines',
        namespaced: true,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'AWSMachineTemplate',
        plural: 'awsmachinetemplates',
        namespaced: true,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'AWSMachinePool',
        plural: 'awsmachinepools',
        namespaced: true,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'AWSManagedMachinePool',
        plural: 'awsmanagedmachinepools',
        namespaced: true,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'AWSManagedCluster',
        plural: 'awsmanagedclusters',
        namespaced: true,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'ROSACluster',
        plural: 'rosaclusters',
        namespaced: true,
      },
      {
        group: INFRA,
        versions: ['v1beta2'],
        kind: 'ROSAMachinePool',
        plural: 'rosamachinepools',
        namespaced: true,
      },
      {
        group: CONTROL_PLANE,
        versions: ['v1beta2', 'v1beta1'],
        kind: 'KubeadmControlPlane',
        plural: 'kubeadmcontrolplanes',
        namespaced: true,
      },
      {
        group: CONTROL_PLANE,
        versions: ['v1beta2', 'v1beta1'],
        kind: 'KubeadmControlPlaneTemplate',
        plural: 'kubeadmcontrolplanetemplates',
        namespaced: true,
      },
      {
        group: BOOTSTRAP,
        versions: ['v1beta2', 'v1beta1'],
        kind: 'KubeadmConfig',
        plural: 'kubeadmconfigs',
        namespaced: true,
      },
      {
        group: BOOTSTRAP,
        versions: ['v1beta2', 'v1beta1'],
        kind: 'KubeadmConfigTemplate',
        plural: 'kubeadmconfigtemplates',
        namespaced: true,
      },
      {
        group: BOOTSTRAP,
        versions: ['v1beta2'],
        kind: 'EKSConfig',
        plural: 'eksconfigs',
        namespaced: true,
      },
      {
        group: BOOTSTRAP,
        versions: ['v1beta2'],
        kind: 'EKSConfigTemplate',
        plural: 'eksconfigtemplates',
        namespaced: true,
      },
      {
        group: OPERATOR,
        versions: ['v1alpha2'],
        kind: 'CoreProvider',
        plural: 'coreproviders',
        namespaced: true,
      },
      {
        group: OPERATOR,
        versions: ['v1alpha2'],
        kind: 'BootstrapProvider',
        plural: 'bootstrapproviders',
        namespaced: true,
      },
      {
        group: OPERATOR,
        versions: ['v1alpha2'],
        kind: 'ControlPlaneProvider',
        plural: 'controlplaneproviders',
        namespaced: true,
      },
    ].map(t => Object.freeze(t)),
  );

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
