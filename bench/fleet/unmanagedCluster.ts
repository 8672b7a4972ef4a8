/*
 * The objects of an unmanaged (kubeadm) workload cluster besides its Cluster: AWSCluster (with the network
 * status CAPA's controller writes: subnets, security groups, the API server load balancer, NAT gateways) and,
 * with `allKinds`, KubeadmControlPlane, MachineDeployment, two AWSMachineTemplates and a KubeadmConfigTemplate.
 */
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import {
  BOOTSTRAP,
  CAPI,
  CONTROL_PLANE,
  conditions,
  INFRA,
  kubeObject,
} from './kubeObject';
import type { Rng } from './random';
import {
  managedVpc,
  ownedMeta,
  type WorkloadClusterPlan,
} from './workloadCluster';

const AZS = [0, 1, 2];
const zoneOf = (region: string, az: number) => `${region}${'abc'[az]}`;
const ownedTag = (name: string) => ({
  [`sigs.k8s.io/cluster-api-provider-aws/cluster/${name}`]: 'owned',
});
/**
 * kubeadm flags on every node: the AWS cloud controller manager runs out of tree. Fresh objects each call, as
 * a decoded API response has (nothing is shared between objects a consumer might change).
 */
const externalCloudProvider = () => [
  { name: 'cloud-provider', value: 'external' },
];
const nodeRegistration = () => ({
  // A cloud-init (Jinja) expression CAPA's own templates use.
  name: '{{ ds.meta_data.local_hostname }}',
  kubeletExtraArgs: externalCloudProvider(),
});

/** A private and a public subnet per availability zone, as CAPA creates them for a managed VPC. */
function subnetsOf(r: Rng, name: string, region: string) {
  const subnet = (az: number, visibility: 'private' | 'public') => ({
    Name: `${name}-subnet-${visibility}-${zoneOf(region, az)}`,
    ...ownedTag(name),
    'sigs.k8s.io/cluster-api-provider-aws/role': visibility,
  });
  return AZS.flatMap(az => [
    {
      id: `subnet-${r.hex(17)}`,
      resourceID: `subnet-${r.hex(17)}`,
      cidrBlock: `10.0.${az * 64}.0/19`,
      availabilityZone: zoneOf(region, az),
      isPublic: false,
      routeTableId: `rtb-${r.hex(17)}`,
      tags: subnet(az, 'private'),
    },
    {
      id: `subnet-${r.hex(17)}`,
      resourceID: `subnet-${r.hex(17)}`,
      cidrBlock: `10.0.${az * 64 + 32}.0/20`,
      availabilityZone: zoneOf(region, az),
      isPublic: true,
      natGatewayId: `nat-${r.hex(17)}`,
      routeTableId: `rtb-${r.hex(17)}`,
      tags: subnet(az, 'public'),
    },
  ]);
}
type Subnet = ReturnType<typeof subnetsOf>[number];

function awsClusterSpec(r: Rng, c: WorkloadClusterPlan, subnets: Subnet[]) {
  const { name } = c;
  return {
    region: c.region,
    identityRef: c.identityRef,
    sshKeyName: 'default',
    controlPlaneEndpoint: { host: c.host, port: 6443 },
    controlPlaneLoadBalancer: {
      loadBalancerType: 'nlb',
      scheme: 'internet-facing',
      healthCheckProtocol: 'TCP',
    },
    network: {
      vpc: { ...managedVpc(r), emptyRoutesDefaultVPCSecurityGroup: true },
      subnets: subnets.map(s => ({
        id: s.id,
        cidrBlock: s.cidrBlock,
        availabilityZone: s.availabilityZone,
        isPublic: s.isPublic,
      })),
      cni: {
        cniIngressRules: [
          {
            description: 'bgp (calico)',
            protocol: 'tcp',
            fromPort: 179,
            toPort: 179,
          },
          {
            description: 'IP-in-IP (calico)',
            protocol: '4',
            fromPort: -1,
            toPort: 65535,
          },
        ],
      },
    },
    bastion: { enabled: false },
    // Present as a key even when undefined: the applier's managedFields record it (`f:s3Bucket`).
    s3Bucket: r.chance(0.3)
      ? {
          name: `${name}-ignition`,
          controlPlaneIAMInstanceProfile:
            'control-plane.cluster-api-provider-aws.sigs.k8s.io',
        }
      : undefined,
  };
}

/** CAPA's security groups by role; the control plane and nodes take the API server and etcd ports. */
function securityGroupsOf(r: Rng, name: string) {
  const ingressRule = (description: string, port: number) => ({
    description,
    protocol: 'tcp',
    fromPort: port,
    toPort: port,
    sourceSecurityGroupIDs: [`sg-${r.hex(17)}`],
  });
  return Object.fromEntries(
    ['apiserver-lb', 'bastion', 'controlplane', 'lb', 'node'].map(role => [
      role,
      {
        id: `sg-${r.hex(17)}`,
        name: `${name}-${role}`,
        ingressRule:
          role === 'node' || role === 'controlplane'
            ? [ingressRule('Kubernetes API', 6443), ingressRule('etcd', 2379)]
            : [],
        tags: { Name: `${name}-${role}`, ...ownedTag(name) },
      },
    ]),
  );
}

function awsClusterStatus(r: Rng, c: WorkloadClusterPlan, subnets: Subnet[]) {
  const { name, region } = c;
  return {
    ready: c.healthy,
    failureDomains: Object.fromEntries(
      AZS.map(az => [zoneOf(region, az), { controlPlane: true }]),
    ),
    networkStatus: {
      subnets,
      securityGroups: securityGroupsOf(r, name),
      apiServerElb: {
        name: `${name}-apiserver`.slice(0, 32),
        dnsName: c.host,
        scheme: 'internet-facing',
        loadBalancerType: 'nlb',
        availabilityZones: AZS.map(az => zoneOf(region, az)),
        subnetIds: subnets.filter(s => s.isPublic).map(s => s.id),
        attributes: { crossZoneLoadBalancing: false },
      },
      natGatewaysIPs: AZS.map(
        () => `${r.int(200) + 3}.${r.int(255)}.${r.int(255)}.${r.int(255)}`,
      ),
    },
    conditions: conditions(
      r,
      [
        'Ready',
        'ClusterSecurityGroupsReady',
        'InternetGatewayReady',
        'LoadBalancerReady',
        'NatGatewaysReady',
        'PrincipalCredentialRetrieved',
        'PrincipalUsageAllowed',
        'RouteTablesReady',
        'SubnetsReady',
        'VpcReady',
      ],
      c.healthy,
    ),
  };
}

function awsClusterObject(r: Rng, c: WorkloadClusterPlan): KubeObject {
  const subnets = subnetsOf(r, c.name, c.region);
  return kubeObject(
    r,
    INFRA,
    'AWSCluster',
    ownedMeta(c, c.name, {
      labelled: true,
      finalizers: ['awscluster.infrastructure.cluster.x-k8s.io'],
    }),
    awsClusterSpec(r, c, subnets),
    awsClusterStatus(r, c, subnets),
    'manager',
  );
}

function kubeadmControlPlaneObject(r: Rng, c: WorkloadClusterPlan): KubeObject {
  const { name, version, healthy } = c;
  return kubeObject(
    r,
    CONTROL_PLANE,
    'KubeadmControlPlane',
    ownedMeta(c, c.controlPlaneName, { labelled: true }),
    {
      replicas: 3,
      version,
      machineTemplate: {
        spec: {
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'AWSMachineTemplate',
            name: `${name}-control-plane`,
          },
        },
      },
      kubeadmConfigSpec: {
        clusterConfiguration: {
          apiServer: { extraArgs: externalCloudProvider() },
          controllerManager: { extraArgs: externalCloudProvider() },
        },
        initConfiguration: { nodeRegistration: nodeRegistration() },
        joinConfiguration: { nodeRegistration: nodeRegistration() },
      },
    },
    {
      replicas: 3,
      readyReplicas: healthy ? 3 : 1,
      version,
      initialization: { controlPlaneInitialized: true },
      conditions: conditions(
        r,
        ['Available', 'CertificatesAvailable', 'EtcdClusterHealthy'],
        healthy,
        true,
      ),
    },
    'manager',
  );
}

function machineDeploymentObject(r: Rng, c: WorkloadClusterPlan): KubeObject {
  const { name, healthy } = c;
  return kubeObject(
    r,
    CAPI,
    'MachineDeployment',
    ownedMeta(c, `${name}-md-0`, { labelled: true }),
    {
      clusterName: name,
      replicas: 6,
      selector: { matchLabels: {} },
      template: {
        spec: {
          clusterName: name,
          version: c.version,
          bootstrap: {
            configRef: {
              apiGroup: 'bootstrap.cluster.x-k8s.io',
              kind: 'KubeadmConfigTemplate',
              name: `${name}-md-0`,
            },
          },
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'AWSMachineTemplate',
            name: `${name}-md-0`,
          },
        },
      },
    },
    {
      phase: 'Running',
      replicas: 6,
      readyReplicas: healthy ? 6 : 2,
      conditions: conditions(r, ['Available', 'MachinesReady'], healthy, true),
    },
    'manager',
  );
}

/** The machine templates (control plane, workers) and the workers' bootstrap template. */
function templateObjects(r: Rng, c: WorkloadClusterPlan): KubeObject[] {
  const { name } = c;
  const machineTemplates = ['control-plane', 'md-0'].map(t =>
    kubeObject(
      r,
      INFRA,
      'AWSMachineTemplate',
      ownedMeta(c, `${name}-${t}`),
      {
        template: {
          spec: {
            instanceType: r.pick(['m6i.large', 'm6i.xlarge']),
            iamInstanceProfile: `${
              t === 'md-0' ? 'nodes' : 'control-plane'
            }.cluster-api-provider-aws.sigs.k8s.io`,
            sshKeyName: 'default',
            ami: { id: `ami-${r.hex(17)}` },
          },
        },
      },
      undefined,
      'manager',
    ),
  );
  const bootstrapTemplate = kubeObject(
    r,
    BOOTSTRAP,
    'KubeadmConfigTemplate',
    ownedMeta(c, `${name}-md-0`),
    {
      template: {
        spec: { joinConfiguration: { nodeRegistration: nodeRegistration() } },
      },
    },
    undefined,
    'manager',
  );
  return [...machineTemplates, bootstrapTemplate];
}

export function unmanagedClusterObjects(
  r: Rng,
  c: WorkloadClusterPlan,
  allKinds: boolean,
): KubeObject[] {
  const awsCluster = awsClusterObject(r, c);
  if (!allKinds) return [awsCluster];
  const controlPlane = kubeadmControlPlaneObject(r, c);
  const machineDeployment = machineDeploymentObject(r, c);
  return [
    awsCluster,
    controlPlane,
    machineDeployment,
    ...templateObjects(r, c),
  ];
}
