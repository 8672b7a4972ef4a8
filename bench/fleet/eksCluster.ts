/*
 * The objects of an EKS workload cluster besides its Cluster: AWSManagedControlPlane (with the status CAPA's
 * EKS controller writes: OIDC provider, addons, security groups) and, with `allKinds`, AWSManagedCluster,
 * MachinePool and AWSManagedMachinePool.
 */
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import {
  CAPI,
  CONTROL_PLANE,
  conditions,
  INFRA,
  kubeObject,
} from './kubeObject';
import { type Rng, time } from './random';
import {
  managedVpc,
  ownedMeta,
  type WorkloadClusterPlan,
} from './workloadCluster';

const ADDONS = ['vpc-cni', 'coredns', 'kube-proxy'];

function controlPlaneSpec(r: Rng, c: WorkloadClusterPlan) {
  const { name, version } = c;
  return {
    eksClusterName: `${c.namespace}_${name}`.slice(0, 100),
    region: c.region,
    version,
    identityRef: c.identityRef,
    associateOIDCProvider: true,
    endpointAccess: { public: r.chance(0.5), private: true },
    logging: {
      apiServer: true,
      audit: true,
      authenticator: true,
      controllerManager: false,
      scheduler: false,
    },
    network: {
      vpc: managedVpc(r),
      cni: { cniIngressRules: [] },
    },
    addons: [
      {
        name: 'vpc-cni',
        version: 'v1.19.6-eksbuild.1',
        conflictResolution: 'overwrite',
      },
      {
        name: 'coredns',
        version: 'v1.11.4-eksbuild.14',
        conflictResolution: 'overwrite',
      },
      {
        name: 'kube-proxy',
        version: `${version}-eksbuild.2`,
        conflictResolution: 'overwrite',
      },
    ],
    controlPlaneEndpoint: { host: c.host, port: 443 },
    tokenMethod: 'iam-authenticator',
    roleName: `${name}-iam-service-role`.slice(0, 64),
  };
}

function controlPlaneStatus(r: Rng, c: WorkloadClusterPlan) {
  const { name, region } = c;
  const accountId = c.identity.accountId;
  return {
    ready: c.healthy,
    initialized: true,
    externalManagedControlPlane: true,
    oidcProvider: {
      arn: `arn:aws:iam::${accountId}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/${r
        .hex(32)
        .toUpperCase()}`,
      trustPolicy: '',
    },
    addons: ADDONS.map(n => ({
      name: n,
      version: 'v1.0.0-eksbuild.1',
      arn: `arn:aws:eks:${region}:${accountId}:addon/${name}/${n}/${r.hex(36)}`,
      status: 'ACTIVE',
      createdAt: time(r),
      modifiedAt: time(r),
    })),
    networkStatus: {
      securityGroups: {
        cluster: {
          id: `sg-${r.hex(17)}`,
          name: `eks-cluster-sg-${name}`,
        },
        node: { id: `sg-${r.hex(17)}`, name: `${name}-node` },
      },
      apiServerElb: { dnsName: '', attributes: {} },
    },
    conditions: conditions(
      r,
      [
        'Ready',
        'EKSControlPlaneReady',
        'EKSAddonsConfigured',
        'EKSIdentityProviderConfigured',
        'IAMControlPlaneRolesReconciled',
        'SubnetsReady',
        'VpcReady',
      ],
      c.healthy,
    ),
  };
}

function controlPlaneObject(r: Rng, c: WorkloadClusterPlan): KubeObject {
  return kubeObject(
    r,
    CONTROL_PLANE,
    'AWSManagedControlPlane',
    ownedMeta(c, c.controlPlaneName, {
      labelled: true,
      finalizers: ['awsmanagedcontrolplane.controlplane.cluster.x-k8s.io'],
    }),
    controlPlaneSpec(r, c),
    controlPlaneStatus(r, c),
    'manager',
  );
}

/** The kinds the fleet reader does not list: the infrastructure cluster and one managed node group. */
function workerObjects(r: Rng, c: WorkloadClusterPlan): KubeObject[] {
  const { name, healthy } = c;
  const pool = `${name}-pool-0`;
  return [
    kubeObject(
      r,
      INFRA,
      'AWSManagedCluster',
      ownedMeta(c, name),
      { controlPlaneEndpoint: { host: c.host, port: 443 } },
      { ready: true, failureDomains: {} },
      'manager',
    ),
    kubeObject(
      r,
      CAPI,
      'MachinePool',
      ownedMeta(c, pool, { labelled: true }),
      {
        clusterName: name,
        replicas: 3,
        template: {
          spec: {
            clusterName: name,
            version: c.version,
            bootstrap: { dataSecretName: '' },
            infrastructureRef: {
              apiGroup: 'infrastructure.cluster.x-k8s.io',
              kind: 'AWSManagedMachinePool',
              name: pool,
            },
          },
        },
      },
      {
        phase: 'Running',
        replicas: 3,
        readyReplicas: 3,
        conditions: conditions(r, ['Ready', 'InfrastructureReady'], healthy),
      },
      'manager',
    ),
    kubeObject(
      r,
      INFRA,
      'AWSManagedMachinePool',
      ownedMeta(c, pool),
      {
        eksNodegroupName: pool,
        instanceType: r.pick(['m6i.large', 'm6i.xlarge', 'c6i.2xlarge']),
        scaling: { minSize: 1, maxSize: 10 },
        capacityType: r.pick(['onDemand', 'spot']),
        amiType: 'AL2023_x86_64_STANDARD',
        diskSize: 80,
      },
      {
        ready: true,
        replicas: 3,
        conditions: conditions(r, ['Ready', 'EKSNodegroupReady'], healthy),
      },
      'manager',
    ),
  ];
}

export function eksClusterObjects(
  r: Rng,
  c: WorkloadClusterPlan,
  allKinds: boolean,
): KubeObject[] {
  const controlPlane = controlPlaneObject(r, c);
  return allKinds ? [controlPlane, ...workerObjects(r, c)] : [controlPlane];
}
