/*
 * A workload cluster of the bench fleet: what is drawn for it (name, namespace, flavour, region, health,
 * version, API endpoint) and its CAPI Cluster object. The flavour's own objects are in eksCluster.ts and
 * unmanagedCluster.ts.
 */
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { tierOf } from './accounts';
import type { IdentityPlan } from './identities';
import { CAPI, conditions, kubeObject, type Meta } from './kubeObject';
import { type Rng, uuid } from './random';

const REGIONS = [
  'eu-west-1',
  'eu-central-1',
  'us-east-1',
  'us-west-2',
  'ap-southeast-1',
  'ap-northeast-1',
];
const VERSIONS = ['v1.30.8', 'v1.31.6', 'v1.32.3', 'v1.33.1'];

export interface WorkloadClusterPlan {
  name: string;
  namespace: string;
  identity: IdentityPlan;
  eks: boolean;
  region: string;
  healthy: boolean;
  version: string;
  host: string;
  controlPlaneName: string;
  /** The owner reference every other object of the cluster carries (the Cluster, as its controller). */
  owner: unknown[];
  identityRef: { kind: string; name: string };
  labels: Record<string, string>;
}

/**
 * The draws for cluster number `clusterNo` using `users[index]`'s identity. About 1 in 100 clusters sits in
 * a namespace its identity does not allow (the next identity's): a broken verdict.
 */
export function planWorkloadCluster(
  r: Rng,
  users: IdentityPlan[],
  index: number,
  clusterNo: number,
  eksRatio: number,
): WorkloadClusterPlan {
  const identity = users[index % users.length];
  const namespace =
    r.chance(0.01) && users.length > 1
      ? users[(index + 1) % users.length].namespace!
      : identity.namespace!;
  const name = `${namespace.split('-')[0]}-${
    r.chance(0.5) ? 'prod' : 'dev'
  }-${clusterNo}`;
  const eks = r.chance(eksRatio);
  const region = r.pick(REGIONS);
  const healthy = r.chance(0.93);
  const version = r.pick(VERSIONS);
  const labels = {
    'cluster.x-k8s.io/cluster-name': name,
    'capa-portal.io/environment': namespace.includes('-')
      ? tierOf(clusterNo)
      : 'system',
    'capa-portal.io/flavour': eks ? 'eks' : 'kubeadm',
  };
  const owner = [
    {
      apiVersion: CAPI,
      kind: 'Cluster',
      name,
      uid: uuid(r),
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  const host = eks
    ? `https://${r.hex(32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`
    : `${name}-apiserver-${r.int(1e9)}.elb.${region}.amazonaws.com`;
  return {
    name,
    namespace,
    identity,
    eks,
    region,
    healthy,
    version,
    host,
    controlPlaneName: `${name}-control-plane`,
    owner,
    identityRef: { kind: identity.kind, name: identity.name },
    labels,
  };
}

/**
 * Metadata of an object the Cluster owns: in its namespace, with its owner reference, and the cluster-name
 * label on the kinds that carry it here.
 */
export function ownedMeta(
  c: WorkloadClusterPlan,
  name: string,
  extra: { labelled?: boolean; finalizers?: string[] } = {},
): Meta {
  return {
    name,
    namespace: c.namespace,
    ...(extra.labelled
      ? { labels: { 'cluster.x-k8s.io/cluster-name': c.name } }
      : {}),
    ownerReferences: c.owner,
    ...(extra.finalizers ? { finalizers: extra.finalizers } : {}),
  };
}

/** The VPC CAPA creates for a cluster (a managed VPC: no id given in the spec it was applied with). */
export function managedVpc(r: Rng) {
  return {
    id: `vpc-${r.hex(17)}`,
    cidrBlock: '10.0.0.0/16',
    availabilityZoneUsageLimit: 3,
    availabilityZoneSelection: 'Ordered',
  };
}

/** Replica counts of a healthy cluster, and of one whose control plane and workers are still coming up. */
function replicas(desired: number, ready: number) {
  return {
    desiredReplicas: desired,
    replicas: desired,
    readyReplicas: ready,
    availableReplicas: ready,
    upToDateReplicas: desired,
  };
}

/** The CAPI Cluster with v1beta2 status (initialization, conditions, control plane and worker counts). */
export function clusterObject(r: Rng, c: WorkloadClusterPlan): KubeObject {
  const { name, eks, healthy } = c;
  return kubeObject(
    r,
    CAPI,
    'Cluster',
    {
      name,
      namespace: c.namespace,
      labels: c.labels,
      annotations: {
        'capa-portal.io/owner': `group:default/${
          c.namespace.split('-')[0]
        }-team`,
      },
      finalizers: ['cluster.cluster.x-k8s.io'],
    },
    {
      clusterNetwork: {
        pods: { cidrBlocks: ['192.168.0.0/16'] },
        services: { cidrBlocks: ['10.128.0.0/12'] },
      },
      controlPlaneEndpoint: { host: c.host, port: eks ? 443 : 6443 },
      controlPlaneRef: {
        apiGroup: 'controlplane.cluster.x-k8s.io',
        kind: eks ? 'AWSManagedControlPlane' : 'KubeadmControlPlane',
        name: c.controlPlaneName,
      },
      infrastructureRef: {
        apiGroup: 'infrastructure.cluster.x-k8s.io',
        kind: eks ? 'AWSManagedCluster' : 'AWSCluster',
        name,
      },
    },
    {
      phase: healthy ? 'Provisioned' : 'Provisioning',
      observedGeneration: 3,
      initialization: {
        infrastructureProvisioned: true,
        controlPlaneInitialized: healthy,
      },
      conditions: conditions(
        r,
        [
          'Available',
          'InfrastructureReady',
          'ControlPlaneInitialized',
          'ControlPlaneAvailable',
          'WorkersAvailable',
          'RemoteConnectionProbe',
        ],
        healthy,
        true,
      ),
      controlPlane: replicas(3, healthy ? 3 : 1),
      workers: replicas(6, healthy ? 6 : 2),
    },
    'manager',
  );
}
