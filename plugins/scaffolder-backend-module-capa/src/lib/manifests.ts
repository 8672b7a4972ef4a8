/*
 * CAPA / CAPI manifests built as plain objects (never by string templating), validated against the vendored
 * CRD schemas, serialised as multi-document YAML and written into the scaffolder workspace.
 */
import { promises as fs } from 'fs';
import path from 'path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { IdentityRef, KubeObject } from '@capa-portal/plugin-capa-common';
import {
  OBJECT_ANNOTATION_OWNER,
  OBJECT_ANNOTATION_SYSTEM,
} from '@capa-portal/plugin-capa-common';
import { CrdSchemaRegistry, objectRef } from '@capa-portal/plugin-capa-node';
import { stringify } from 'yaml';

export const CAPI_GROUP = 'cluster.x-k8s.io';
export const INFRA_GROUP = 'infrastructure.cluster.x-k8s.io';
export const CONTROLPLANE_GROUP = 'controlplane.cluster.x-k8s.io';
export const BOOTSTRAP_GROUP = 'bootstrap.cluster.x-k8s.io';
export const CAPI_V1BETA2 = `${CAPI_GROUP}/v1beta2`;
export const INFRA_V1BETA2 = `${INFRA_GROUP}/v1beta2`;
export const CONTROLPLANE_V1BETA2 = `${CONTROLPLANE_GROUP}/v1beta2`;
export const BOOTSTRAP_V1BETA2 = `${BOOTSTRAP_GROUP}/v1beta2`;
export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
export const AUTOSCALER_MIN =
  'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size';
export const AUTOSCALER_MAX =
  'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size';
export const ROLE_SUFFIX = '.cluster-api-provider-aws.sigs.k8s.io';

/** Kinds without a vendored CRD that the actions still produce (their envelope is checked here). */
const UNVALIDATED_KINDS = new Set(['Namespace']);

export type Flavour = 'eks' | 'kubeadm';

export interface NodePoolSpec {
  name: string;
  instanceType: string;
  minSize: number;
  maxSize: number;
  diskSizeGiB?: number;
}

export interface ClusterSpec {
  name: string;
  namespace: string;
  flavour: Flavour;
  region: string;
  kubernetesVersion: string;
  identityRef: IdentityRef;
  nodePools: NodePoolSpec[];
  controlPlane?: { instanceType: string; replicas: number };
  owner?: string;
  system?: string;
  tags?: Record<string, string>;
  sshKeyName?: string;
  /** kubeadm only: kubelet flags added after `cloud-provider: external` on every node. */
  kubeletExtraArgs?: Array<{ name: string; value: string }>;
}

/** `v1.33.2` -> `v1.33.2`; `1.33` -> `v1.33`. */
export function withV(version: string): string {
  return version.startsWith('v') ? version : `v${version}`;
}

/** EKS takes major.minor: `v1.33.2` -> `v1.33`. */
export function eksVersion(version: string): string {
  const [major, minor] = withV(version).slice(1).split('.');
  return `v${major}.${minor}`;
}

function meta(
  spec: ClusterSpec,
  name: string,
  extra?: {
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  },
) {
  return {
    name,
    namespace: spec.namespace,
    labels: { [CLUSTER_NAME_LABEL]: spec.name, ...extra?.labels },
    ...(extra?.annotations && Object.keys(extra.annotations).length
      ? { annotations: extra.annotations }
      : {}),
  };
}

/** Metadata of a MachinePool / MachineDeployment: the cluster autoscaler reads its bounds from annotations. */
function scalableMeta(
  spec: ClusterSpec,
  name: string,
  pool: { minSize: number; maxSize: number },
) {
  return meta(spec, name, {
    annotations: {
      [AUTOSCALER_MIN]: String(pool.minSize),
      [AUTOSCALER_MAX]: String(pool.maxSize),
    },
  });
}

function ref(group: string, kind: string, name: string) {
  return { apiGroup: group, kind, name };
}

export function controlPlaneName(clusterName: string): string {
  return `${clusterName}-control-plane`;
}

export function poolObjectName(clusterName: string, pool: string): string {
  return `${clusterName}-${pool}`;
}

/** What every object of a cluster shares: the Cluster's annotations and labels, the tags, the control plane's name. */
interface ClusterParts {
  annotations: Record<string, string>;
  labels: Record<string, string>;
  tags?: Record<string, string>;
  controlPlaneName: string;
}

function identityRefOf(spec: ClusterSpec) {
  return { kind: spec.identityRef.kind, name: spec.identityRef.name };
}

/** The CAPI Cluster, pointing at the flavour's infrastructure cluster and control plane. */
function clusterObject(
  spec: ClusterSpec,
  parts: ClusterParts,
  infrastructureKind: string,
  controlPlaneKind: string,
): KubeObject {
  return {
    apiVersion: CAPI_V1BETA2,
    kind: 'Cluster',
    metadata: meta(spec, spec.name, {
      annotations: parts.annotations,
      labels: parts.labels,
    }),
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] } },
      infrastructureRef: ref(INFRA_GROUP, infrastructureKind, spec.name),
      controlPlaneRef: ref(
        CONTROLPLANE_GROUP,
        controlPlaneKind,
        parts.controlPlaneName,
      ),
    },
  };
}

/** An EKS node group: AWSManagedMachinePool and the MachinePool that scales it. */
function eksPoolObjects(
  spec: ClusterSpec,
  parts: ClusterParts,
  pool: NodePoolSpec,
  version: string,
): KubeObject[] {
  const name = poolObjectName(spec.name, pool.name);
  return [
    {
      apiVersion: INFRA_V1BETA2,
      kind: 'AWSManagedMachinePool',
      metadata: meta(spec, name),
      spec: {
        eksNodegroupName: name,
        instanceType: pool.instanceType,
        capacityType: 'onDemand',
        scaling: { minSize: pool.minSize, maxSize: pool.maxSize },
        ...(pool.diskSizeGiB ? { diskSize: pool.diskSizeGiB } : {}),
        ...(parts.tags ? { additionalTags: parts.tags } : {}),
      },
    },
    {
      apiVersion: CAPI_V1BETA2,
      kind: 'MachinePool',
      metadata: scalableMeta(spec, name, pool),
      spec: {
        clusterName: spec.name,
        replicas: pool.minSize,
        template: {
          spec: {
            clusterName: spec.name,
            version,
            bootstrap: { dataSecretName: '' },
            infrastructureRef: ref(INFRA_GROUP, 'AWSManagedMachinePool', name),
          },
        },
      },
    },
  ];
}

function eksObjects(spec: ClusterSpec, parts: ClusterParts): KubeObject[] {
  const version = eksVersion(spec.kubernetesVersion);
  return [
    {
      apiVersion: INFRA_V1BETA2,
      kind: 'AWSManagedCluster',
      metadata: meta(spec, spec.name),
      spec: {},
    },
    {
      apiVersion: CONTROLPLANE_V1BETA2,
      kind: 'AWSManagedControlPlane',
      metadata: meta(spec, parts.controlPlaneName),
      spec: {
        eksClusterName: spec.name,
        region: spec.region,
        version,
        identityRef: identityRefOf(spec),
        associateOIDCProvider: true,
        endpointAccess: { public: true, private: true },
        logging: {
          apiServer: true,
          audit: true,
          authenticator: true,
          controllerManager: false,
          scheduler: false,
        },
        ...(parts.tags ? { additionalTags: parts.tags } : {}),
      },
    },
    clusterObject(spec, parts, 'AWSManagedCluster', 'AWSManagedControlPlane'),
    ...spec.nodePools.flatMap(pool =>
      eksPoolObjects(spec, parts, pool, version),
    ),
  ];
}

/** What kubeadm needs on every node of a kubeadm cluster, and the cluster's version and SSH key. */
interface KubeadmParts extends ClusterParts {
  version: string;
  ssh: { sshKeyName?: string };
  nodeRegistration: () => Record<string, unknown>;
}

/** A worker pool: its AWSMachineTemplate, KubeadmConfigTemplate and the MachineDeployment using both. */
function kubeadmPoolObjects(
  spec: ClusterSpec,
  parts: KubeadmParts,
  pool: NodePoolSpec,
): KubeObject[] {
  const name = poolObjectName(spec.name, pool.name);
  const selectorLabels = () => ({
    [CLUSTER_NAME_LABEL]: spec.name,
    'cluster.x-k8s.io/deployment-name': name,
  });
  return [
    {
      apiVersion: INFRA_V1BETA2,
      kind: 'AWSMachineTemplate',
      metadata: meta(spec, name),
      spec: {
        template: {
          spec: {
            instanceType: pool.instanceType,
            iamInstanceProfile: `nodes${ROLE_SUFFIX}`,
            ...parts.ssh,
            ...(pool.diskSizeGiB
              ? { rootVolume: { size: pool.diskSizeGiB } }
              : {}),
          },
        },
      },
    },
    {
      apiVersion: BOOTSTRAP_V1BETA2,
      kind: 'KubeadmConfigTemplate',
      metadata: meta(spec, name),
      spec: {
        template: {
          spec: {
            joinConfiguration: { nodeRegistration: parts.nodeRegistration() },
          },
        },
      },
    },
    {
      apiVersion: CAPI_V1BETA2,
      kind: 'MachineDeployment',
      metadata: scalableMeta(spec, name, pool),
      spec: {
        clusterName: spec.name,
        replicas: pool.minSize,
        selector: { matchLabels: selectorLabels() },
        template: {
          metadata: { labels: selectorLabels() },
          spec: {
            clusterName: spec.name,
            version: parts.version,
            bootstrap: {
              configRef: ref(BOOTSTRAP_GROUP, 'KubeadmConfigTemplate', name),
            },
            infrastructureRef: ref(INFRA_GROUP, 'AWSMachineTemplate', name),
          },
        },
      },
    },
  ];
}

function kubeadmControlPlaneObjects(
  spec: ClusterSpec,
  parts: KubeadmParts,
): KubeObject[] {
  const cp = spec.controlPlane ?? { instanceType: 'm6i.large', replicas: 3 };
  const cpName = parts.controlPlaneName;
  return [
    {
      apiVersion: INFRA_V1BETA2,
      kind: 'AWSMachineTemplate',
      metadata: meta(spec, cpName),
      spec: {
        template: {
          spec: {
            instanceType: cp.instanceType,
            iamInstanceProfile: `control-plane${ROLE_SUFFIX}`,
            ...parts.ssh,
          },
        },
      },
    },
    {
      apiVersion: INFRA_V1BETA2,
      kind: 'AWSCluster',
      metadata: meta(spec, spec.name),
      spec: {
        region: spec.region,
        identityRef: identityRefOf(spec),
        controlPlaneLoadBalancer: {
          loadBalancerType: 'nlb',
          healthCheckProtocol: 'HTTPS',
        },
        ...parts.ssh,
        ...(parts.tags ? { additionalTags: parts.tags } : {}),
      },
    },
    {
      apiVersion: CONTROLPLANE_V1BETA2,
      kind: 'KubeadmControlPlane',
      metadata: meta(spec, cpName),
      spec: {
        replicas: cp.replicas,
        version: parts.version,
        machineTemplate: {
          spec: {
            infrastructureRef: ref(INFRA_GROUP, 'AWSMachineTemplate', cpName),
          },
        },
        kubeadmConfigSpec: {
          clusterConfiguration: {
            controllerManager: {
              extraArgs: [{ name: 'cloud-provider', value: 'external' }],
            },
          },
          initConfiguration: { nodeRegistration: parts.nodeRegistration() },
          joinConfiguration: { nodeRegistration: parts.nodeRegistration() },
        },
      },
    },
  ];
}

function kubeadmObjects(spec: ClusterSpec, clusterParts: ClusterParts) {
  // Names are not de-duplicated here: the KubeadmConfigSpec CRD's CEL rule (names must be unique) refuses
  // a repeated flag, as the API server would.
  const kubeletArgs = [
    { name: 'cloud-provider', value: 'external' },
    ...(spec.kubeletExtraArgs ?? []),
  ];
  const parts: KubeadmParts = {
    ...clusterParts,
    version: withV(spec.kubernetesVersion),
    ssh: spec.sshKeyName !== undefined ? { sshKeyName: spec.sshKeyName } : {},
    nodeRegistration: () => ({
      // A cloud-init (Jinja) expression CAPA's own templates use: a constant, never user input.
      name: '{{ ds.meta_data.local_hostname }}',
      kubeletExtraArgs: [...kubeletArgs],
    }),
  };
  return [
    ...kubeadmControlPlaneObjects(spec, parts),
    clusterObject(spec, parts, 'AWSCluster', 'KubeadmControlPlane'),
    ...spec.nodePools.flatMap(pool => kubeadmPoolObjects(spec, parts, pool)),
  ];
}

/** Builds the objects of one workload cluster, in dependency order (referenced objects first, Cluster, then workers). */
export function buildClusterObjects(spec: ClusterSpec): KubeObject[] {
  const annotations: Record<string, string> = {};
  if (spec.owner) annotations[OBJECT_ANNOTATION_OWNER] = spec.owner;
  if (spec.system) annotations[OBJECT_ANNOTATION_SYSTEM] = spec.system;
  const parts: ClusterParts = {
    annotations,
    labels: { 'capa-portal.io/flavour': spec.flavour },
    tags:
      spec.tags && Object.keys(spec.tags).length ? { ...spec.tags } : undefined,
    controlPlaneName: controlPlaneName(spec.name),
  };
  return spec.flavour === 'eks'
    ? eksObjects(spec, parts)
    : kubeadmObjects(spec, parts);
}

export interface RoleIdentitySpec {
  name: string;
  roleArn: string;
  allowedNamespaces: string[];
  sourceIdentityRef?: IdentityRef;
  externalId?: string;
  durationSeconds?: number;
  sessionName?: string;
  labels?: Record<string, string>;
}

/** An AWSClusterRoleIdentity (cluster-scoped) chained from the controller identity `default` unless told otherwise. */
export function buildRoleIdentity(spec: RoleIdentitySpec): KubeObject {
  return {
    apiVersion: INFRA_V1BETA2,
    kind: 'AWSClusterRoleIdentity',
    metadata: {
      name: spec.name,
      ...(spec.labels ? { labels: spec.labels } : {}),
    },
    spec: {
      allowedNamespaces: { list: [...spec.allowedNamespaces] },
      roleARN: spec.roleArn,
      sourceIdentityRef: spec.sourceIdentityRef
        ? {
            kind: spec.sourceIdentityRef.kind,
            name: spec.sourceIdentityRef.name,
          }
        : { kind: 'AWSClusterControllerIdentity', name: 'default' },
      ...(spec.externalId ? { externalID: spec.externalId } : {}),
      ...(spec.durationSeconds
        ? { durationSeconds: spec.durationSeconds }
        : {}),
      ...(spec.sessionName ? { sessionName: spec.sessionName } : {}),
    },
  };
}

let sharedRegistry: CrdSchemaRegistry | undefined;

/** The vendored CRDs (parsed once per process; validators compile lazily). */
export function defaultCrdRegistry(): CrdSchemaRegistry {
  sharedRegistry ??= CrdSchemaRegistry.fromDirectory();
  return sharedRegistry;
}

/** Every object's schema errors as `Kind/ns/name: path: message`. Empty when all pass. */
export function schemaErrors(
  objects: unknown[],
  registry: CrdSchemaRegistry = defaultCrdRegistry(),
): string[] {
  const errors: string[] = [];
  for (const o of objects) {
    const obj = o as KubeObject;
    const result = registry.validate(o, {
      requireNamespace: true,
      rejectUnknownFields: true,
    });
    if (result.ok) continue;
    if (result.reason === 'unknown-kind' && UNVALIDATED_KINDS.has(obj?.kind)) {
      if (typeof obj.metadata?.name !== 'string' || !obj.metadata.name)
        errors.push(`${objectRef(obj)}: metadata.name: is required`);
      continue;
    }
    for (const e of result.errors)
      errors.push(`${objectRef(obj)}: ${e.path || '(object)'}: ${e.message}`);
  }
  return errors;
}

/** Throws an InputError listing every field path that fails its CRD schema. */
export function assertValidObjects(
  objects: unknown[],
  what: string,
  registry?: CrdSchemaRegistry,
): void {
  const errors = schemaErrors(objects, registry);
  if (errors.length) {
    throw new InputError(
      `${what} failed CRD schema validation (${
        errors.length
      } error(s)): ${errors.join('; ')}`,
    );
  }
}

/** Multi-document YAML, one document per object, no anchors or aliases. */
export function toYaml(objects: unknown[]): string {
  return objects
    .map(o => stringify(o, { aliasDuplicateObjects: false, lineWidth: 0 }))
    .map(d => `---\n${d}`)
    .join('');
}

/** Writes files into the workspace; every path must stay inside it. Returns the relative paths written. */
export async function writeWorkspaceFiles(
  workspacePath: string,
  files: Array<{ path: string; content: string }>,
): Promise<string[]> {
  // Resolve every path before writing anything.
  const resolved = files.map(f => ({
    ...f,
    full: resolveSafeChildPath(workspacePath, f.path),
  }));
  for (const f of resolved) {
    await fs.mkdir(path.dirname(f.full), { recursive: true });
    await fs.writeFile(f.full, f.content, 'utf8');
  }
  return files.map(f => f.path);
}
