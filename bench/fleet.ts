/* eslint-disable no-nested-ternary */
/*
 * A deterministic, seeded synthetic CAPA fleet for `./portal bench`: management clusters, target accounts,
 * identities (controller, role identities sourced from the controller or from a hub role identity, static),
 * namespaces with labels, and workload clusters with a realistic mix of EKS (Cluster + AWSManagedControlPlane
 * + AWSManagedCluster + MachinePool + AWSManagedMachinePool) and kubeadm (Cluster + AWSCluster +
 * KubeadmControlPlane + MachineDeployment + AWSMachineTemplate + KubeadmConfigTemplate).
 *
 * Objects look like what a real API server returns: status with conditions, finalizers, ownerReferences,
 * `metadata.managedFields` (FieldsV1 trees for the applying manager and the controller's status updates) and,
 * for objects applied with kubectl, the `kubectl.kubernetes.io/last-applied-configuration` annotation.
 */
import type { AccountInput, KubeObject } from '@capa-portal/plugin-capa-common';

export interface FleetOptions {
  seed: number;
  managementClusters: number;
  accounts: number;
  identities: number;
  clusters: number;
  /** Share of EKS clusters (the rest are kubeadm). */
  eksRatio: number;
  /** Share of role identities sourced from a hub role identity (a two-hop chain) rather than the controller. */
  nestedRatio: number;
  /**
   * Generate every kind of a cluster (MachinePools, KubeadmControlPlane, templates, ...) and not only the kinds
   * the fleet reader lists. They do not change the ingest (never listed); they cost the API server double memory.
   */
  allKinds: boolean;
}

export const DEFAULT_FLEET_OPTIONS: FleetOptions = {
  seed: 42,
  managementClusters: 5,
  accounts: 1000,
  identities: 1000,
  clusters: 10000,
  eksRatio: 0.6,
  nestedRatio: 0.3,
  allKinds: false,
};

export interface GeneratedManagementCluster {
  name: string;
  accountId: string;
  controllerPrincipalArn: string;
  objects: KubeObject[];
}

export interface GeneratedFleet {
  managementClusters: GeneratedManagementCluster[];
  accounts: AccountInput[];
  /** Counts per kind over all management clusters. */
  kinds: Record<string, number>;
}

const CAPI = 'cluster.x-k8s.io/v1beta2';
const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta2';
const CP = 'controlplane.cluster.x-k8s.io/v1beta2';
const CP_KUBEADM = 'controlplane.cluster.x-k8s.io/v1beta2';
const BOOTSTRAP = 'bootstrap.cluster.x-k8s.io/v1beta2';
const OPERATOR = 'operator.cluster.x-k8s.io/v1alpha2';
const CONTROLLERS_ROLE = 'controllers.cluster-api-provider-aws.sigs.k8s.io';
const REGIONS = [
  'eu-west-1',
  'eu-central-1',
  'us-east-1',
  'us-west-2',
  'ap-southeast-1',
  'ap-northeast-1',
];
const TIERS = ['production', 'staging', 'development', 'sandbox'];
const TEAMS = [
  'payments',
  'checkout',
  'search',
  'ml',
  'data',
  'retail',
  'identity',
  'platform',
  'media',
  'ads',
];

/** mulberry32: small, fast, good enough for test data. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)],
    chance: (p: number) => next() < p,
    hex: (n: number) => {
      let s = '';
      while (s.length < n)
        s += Math.floor(next() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      return s.slice(0, n);
    },
  };
}
type Rng = ReturnType<typeof rng>;

function uuid(r: Rng): string {
  const h = r.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(
    17,
    20,
  )}-${h.slice(20, 32)}`;
}

function time(r: Rng, base = Date.UTC(2025, 0, 1)): string {
  return new Date(base + r.int(400 * 24 * 3600) * 1000)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * A FieldsV1 tree as the API server records it in managedFields: `f:<field>` for map keys, `k:{...}` for
 * list items with a merge key (conditions by type, addons by name), `v:` for set items, `.: {}` for maps.
 */
function fieldsOf(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const item of value) {
      if (item && typeof item === 'object') {
        const o = item as Record<string, unknown>;
        const keyField = ['type', 'name', 'id'].find(k => k in o);
        const key = keyField
          ? `k:${JSON.stringify({ [keyField]: o[keyField] })}`
          : `i:${Object.keys(out).length}`;
        out[key] = { '.': {}, ...fieldsOf(o) };
      } else {
        out[`v:${JSON.stringify(item)}`] = {};
      }
    }
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[`f:${k}`] =
        v && typeof v === 'object'
          ? { ...(Array.isArray(v) ? {} : { '.': {} }), ...fieldsOf(v) }
          : {};
    }
    return out;
  }
  return {};
}

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: unknown[];
  finalizers?: string[];
}

/**
 * An object as a real API server returns it: server-populated metadata, managedFields for the applying
 * manager (kubectl client-side apply with its last-applied annotation, Argo CD, or the CAPI topology
 * controller) and the controller's status subresource updates.
 */
function kubeObject(
  r: Rng,
  apiVersion: string,
  kind: string,
  meta: Meta,
  spec: Record<string, unknown> | undefined,
  status: Record<string, unknown> | undefined,
  controllerManager: string,
): KubeObject {
  const created = time(r);
  const applier = r.pick([
    'kubectl-client-side-apply',
    'argocd-controller',
    'capi-topology',
  ]);
  const annotations: Record<string, string> = { ...meta.annotations };
  const applied = {
    apiVersion,
    kind,
    metadata: {
      name: meta.name,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
    },
    ...(spec ? { spec } : {}),
  };
  if (applier === 'kubectl-client-side-apply') {
    annotations[
      'kubectl.kubernetes.io/last-applied-configuration'
    ] = `${JSON.stringify(applied)}\n`;
  } else if (applier === 'argocd-controller') {
    annotations['argocd.argoproj.io/tracking-id'] = `${
      meta.namespace ?? 'cluster'
    }:${apiVersion.split('/')[0]}/${kind}:${meta.namespace ?? ''}/${meta.name}`;
  }
  const managedFields: unknown[] = [
    {
      manager: applier,
      operation: applier === 'kubectl-client-side-apply' ? 'Update' : 'Apply',
      apiVersion,
      time: created,
      fieldsType: 'FieldsV1',
      fieldsV1: fieldsOf(applied.metadata.labels || spec ? applied : {}),
    },
  ];
  if (meta.finalizers || meta.ownerReferences) {
    managedFields.push({
      manager: controllerManager,
      operation: 'Update',
      apiVersion,
      time: time(r, Date.parse(created)),
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': {
          ...(meta.finalizers
            ? {
                'f:finalizers': {
                  '.': {},
                  ...fieldsOf(meta.finalizers),
                },
              }
            : {}),
          ...(meta.ownerReferences
            ? { 'f:ownerReferences': fieldsOf(meta.ownerReferences) }
            : {}),
        },
      },
    });
  }
  if (status) {
    managedFields.push({
      manager: controllerManager,
      operation: 'Update',
      apiVersion,
      time: time(r, Date.parse(created)),
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { '.': {}, ...fieldsOf(status) } },
      subresource: 'status',
    });
  }
  return {
    apiVersion,
    kind,
    metadata: {
      name: meta.name,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      uid: uuid(r),
      generation: 1 + r.int(12),
      creationTimestamp: created,
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(meta.ownerReferences
        ? { ownerReferences: meta.ownerReferences }
        : {}),
      ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
      managedFields,
    },
    ...(spec ? { spec } : {}),
    ...(status ? { status } : {}),
  };
}

function conditions(
  r: Rng,
  types: string[],
  healthy: boolean,
  v1beta2 = false,
): unknown[] {
  return types.map((type, i) => {
    const ok = healthy || i > 0;
    return {
      type,
      status: ok ? 'True' : 'False',
      ...(v1beta2
        ? {
            reason: ok ? (i === 0 ? 'Available' : 'Ready') : 'NotReady',
            message: ok ? '' : `${type} is not ready yet`,
            observedGeneration: 1 + r.int(8),
          }
        : ok
        ? {}
        : {
            reason: 'WaitingForControlPlane',
            severity: 'Info',
            message: `${type} is not ready yet`,
          }),
      lastTransitionTime: time(r),
    };
  });
}

/** Account ids: 12 digits, deterministic. Index 0..M-1 are the management accounts. */
export function accountIdOf(i: number): string {
  return String(210000000000 + i * 1009);
}

interface IdentityPlan {
  kind:
    | 'AWSClusterControllerIdentity'
    | 'AWSClusterRoleIdentity'
    | 'AWSClusterStaticIdentity';
  name: string;
  accountId: string;
  /** The namespace its clusters live in (undefined: no clusters). */
  namespace?: string;
  hub?: boolean;
}

export function generateFleet(
  partial: Partial<FleetOptions> = {},
): GeneratedFleet {
  const o: FleetOptions = { ...DEFAULT_FLEET_OPTIONS, ...partial };
  const M = Math.max(1, o.managementClusters);
  const r = rng(o.seed);
  const kinds: Record<string, number> = {};
  const count = (k: string) => {
    kinds[k] = (kinds[k] ?? 0) + 1;
  };

  const accounts: AccountInput[] = [];
  const nAccounts = Math.max(M, o.accounts);
  for (let i = 0; i < nAccounts; i++) {
    accounts.push({
      accountId: accountIdOf(i),
      name: i < M ? `platform-mgmt-${i}` : `${TEAMS[i % TEAMS.length]}-${i}`,
      tier: i < M ? 'management' : TIERS[i % TIERS.length],
      owner: `group:default/${
        i < M ? 'platform' : TEAMS[i % TEAMS.length]
      }-team`,
    });
  }

  const mgmts: GeneratedManagementCluster[] = [];
  const identities: IdentityPlan[][] = [];
  for (let m = 0; m < M; m++) {
    const accountId = accountIdOf(m);
    mgmts.push({
      name: `mgmt-${m}`,
      accountId,
      controllerPrincipalArn: `arn:aws:iam::${accountId}:role/${CONTROLLERS_ROLE}`,
      objects: [],
    });
    identities.push([]);
  }

  // Identities, round robin over management clusters: per management cluster the controller identity first,
  // then two hubs (role identities in the management account, sourced from the controller: nested chains
  // start from them), then role identities targeting the other accounts, with a static identity every 40.
  let targetCursor = M;
  const nIdentities = Math.max(M, o.identities);
  for (let j = 0; j < nIdentities; j++) {
    const m = j % M;
    const local = Math.floor(j / M);
    const mgmt = mgmts[m];
    const list = identities[m];
    if (local === 0) {
      list.push({
        kind: 'AWSClusterControllerIdentity',
        name: 'default',
        accountId: mgmt.accountId,
        namespace: 'capa-system',
      });
    } else if (local <= 2) {
      list.push({
        kind: 'AWSClusterRoleIdentity',
        name: `hub-${local}`,
        accountId: mgmt.accountId,
        hub: true,
      });
    } else {
      const accountIndex = targetCursor;
      targetCursor = targetCursor + 1 >= nAccounts ? M : targetCursor + 1;
      const accountId = accountIdOf(accountIndex);
      const team = TEAMS[accountIndex % TEAMS.length];
      const isStatic = local % 40 === 39;
      list.push({
        kind: isStatic ? 'AWSClusterStaticIdentity' : 'AWSClusterRoleIdentity',
        name: `${team}-${accountIndex}${isStatic ? '-static' : ''}`,
        accountId,
        namespace: `${team}-${accountIndex}`,
      });
    }
  }

  for (let m = 0; m < M; m++) {
    const mgmt = mgmts[m];
    const push = (obj: KubeObject) => {
      mgmt.objects.push(obj);
      count(obj.kind);
    };
    const controllerManager = 'manager';

    // Namespaces.
    for (const name of [
      'default',
      'kube-system',
      'kube-public',
      'capa-system',
      'capi-system',
      'cert-manager',
    ]) {
      push(
        kubeObject(
          r,
          'v1',
          'Namespace',
          {
            name,
            labels: { 'kubernetes.io/metadata.name': name },
          },
          { finalizers: ['kubernetes'] },
          { phase: 'Active' },
          'kube-apiserver',
        ),
      );
    }
    const ids = identities[m];
    for (const id of ids) {
      if (!id.namespace || id.namespace === 'capa-system') continue;
      const accountIndex = (Number(id.accountId) - 210000000000) / 1009;
      push(
        kubeObject(
          r,
          'v1',
          'Namespace',
          {
            name: id.namespace,
            labels: {
              'kubernetes.io/metadata.name': id.namespace,
              'capa-portal.io/account': id.accountId,
              'capa-portal.io/environment': TIERS[accountIndex % TIERS.length],
              team: TEAMS[accountIndex % TEAMS.length],
            },
            annotations: {
              'capa-portal.io/owner': `group:default/${
                TEAMS[accountIndex % TEAMS.length]
              }-team`,
            },
          },
          { finalizers: ['kubernetes'] },
          { phase: 'Active' },
          'kube-apiserver',
        ),
      );
    }

    // Identities.
    const hubs = ids.filter(i => i.hub);
    for (const id of ids) {
      if (id.kind === 'AWSClusterControllerIdentity') {
        push(
          kubeObject(
            r,
            INFRA,
            id.kind,
            { name: 'default' },
            { allowedNamespaces: {} },
            undefined,
            controllerManager,
          ),
        );
        continue;
      }
      const mode = r.next();
      const allowedNamespaces = !id.namespace
        ? {} // hubs: every namespace (CAPA checks each identity of a chain)
        : mode < 0.6
        ? {
            list: [id.namespace, ...(r.chance(0.2) ? ['shared-tools'] : [])],
          }
        : mode < 0.95
        ? {
            selector: {
              matchLabels: { 'capa-portal.io/account': id.accountId },
            },
          }
        : {
            selector: {
              matchExpressions: [
                {
                  key: 'team',
                  operator: 'In',
                  values: [id.namespace.split('-')[0]],
                },
              ],
            },
          };
      if (id.kind === 'AWSClusterStaticIdentity') {
        push(
          kubeObject(
            r,
            INFRA,
            id.kind,
            {
              name: id.name,
              annotations: { 'amazonaws.com/account-id': id.accountId },
            },
            { secretRef: `${id.name}-credentials`, allowedNamespaces },
            undefined,
            controllerManager,
          ),
        );
        continue;
      }
      const nested = !id.hub && hubs.length > 0 && r.chance(o.nestedRatio);
      const source = nested
        ? { kind: 'AWSClusterRoleIdentity', name: r.pick(hubs).name }
        : { kind: 'AWSClusterControllerIdentity', name: 'default' };
      push(
        kubeObject(
          r,
          INFRA,
          id.kind,
          {
            name: id.name,
            labels: { 'capa-portal.io/account': id.accountId },
          },
          {
            allowedNamespaces,
            roleARN: id.hub
              ? `arn:aws:iam::${id.accountId}:role/capa-${id.name}`
              : `arn:aws:iam::${id.accountId}:role/${CONTROLLERS_ROLE}`,
            sourceIdentityRef: source,
            ...(r.chance(0.3) ? { externalID: `ext-${r.hex(16)}` } : {}),
            durationSeconds: r.pick([900, 3600]),
            sessionName: `capa-${id.name}`.slice(0, 64),
          },
          undefined,
          controllerManager,
        ),
      );
    }

    // The last management cluster installs CAPA with the CAPI Operator (which the engine reads as static
    // credentials: a warning on its clusters); the others with clusterctl.
    if (m === M - 1) {
      push(
        kubeObject(
          r,
          OPERATOR,
          'InfrastructureProvider',
          { name: 'aws', namespace: 'capa-system' },
          // Controllers on IRSA / EKS Pod Identity: no configSecret with static credentials.
          { version: 'v2.9.0' },
          {
            installedVersion: 'v2.9.0',
            observedGeneration: 1,
            conditions: conditions(r, ['Ready', 'PreflightCheckPassed'], true),
          },
          'capi-operator',
        ),
      );
    }

    // Workload clusters of this management cluster.
    const users = ids.filter(i => i.namespace);
    const share = Math.floor(o.clusters / M) + (m < o.clusters % M ? 1 : 0);
    for (let c = 0; c < share; c++) {
      const id = users[c % users.length];
      const clusterNo = c * M + m;
      // About 1 in 100 clusters sits in a namespace its identity does not allow (a broken verdict).
      const namespace =
        r.chance(0.01) && users.length > 1
          ? users[(c + 1) % users.length].namespace!
          : id.namespace!;
      const name = `${namespace.split('-')[0]}-${
        r.chance(0.5) ? 'prod' : 'dev'
      }-${clusterNo}`;
      const eks = r.chance(o.eksRatio);
      const region = r.pick(REGIONS);
      const healthy = r.chance(0.93);
      const version = r.pick(['v1.30.8', 'v1.31.6', 'v1.32.3', 'v1.33.1']);
      const clusterLabels = {
        'cluster.x-k8s.io/cluster-name': name,
        'capa-portal.io/environment': namespace.includes('-')
          ? TIERS[clusterNo % TIERS.length]
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
      const identityRef = { kind: id.kind, name: id.name };
      const host = eks
        ? `https://${r.hex(32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`
        : `${name}-apiserver-${r.int(1e9)}.elb.${region}.amazonaws.com`;
      const cpName = eks ? `${name}-control-plane` : `${name}-control-plane`;
      push(
        kubeObject(
          r,
          CAPI,
          'Cluster',
          {
            name,
            namespace,
            labels: clusterLabels,
            annotations: {
              'capa-portal.io/owner': `group:default/${
                namespace.split('-')[0]
              }-team`,
            },
            finalizers: ['cluster.cluster.x-k8s.io'],
          },
          {
            clusterNetwork: {
              pods: { cidrBlocks: ['192.168.0.0/16'] },
              services: { cidrBlocks: ['10.128.0.0/12'] },
            },
            controlPlaneEndpoint: { host, port: eks ? 443 : 6443 },
            controlPlaneRef: {
              apiGroup: 'controlplane.cluster.x-k8s.io',
              kind: eks ? 'AWSManagedControlPlane' : 'KubeadmControlPlane',
              name: cpName,
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
            controlPlane: {
              desiredReplicas: 3,
              replicas: 3,
              readyReplicas: healthy ? 3 : 1,
              availableReplicas: healthy ? 3 : 1,
              upToDateReplicas: 3,
            },
            workers: {
              desiredReplicas: 6,
              replicas: 6,
              readyReplicas: healthy ? 6 : 2,
              availableReplicas: healthy ? 6 : 2,
              upToDateReplicas: 6,
            },
          },
          'manager',
        ),
      );
      if (eks) {
        push(
          kubeObject(
            r,
            CP,
            'AWSManagedControlPlane',
            {
              name: cpName,
              namespace,
              labels: { 'cluster.x-k8s.io/cluster-name': name },
              ownerReferences: owner,
              finalizers: [
                'awsmanagedcontrolplane.controlplane.cluster.x-k8s.io',
              ],
            },
            {
              eksClusterName: `${namespace}_${name}`.slice(0, 100),
              region,
              version,
              identityRef,
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
                vpc: {
                  id: `vpc-${r.hex(17)}`,
                  cidrBlock: '10.0.0.0/16',
                  availabilityZoneUsageLimit: 3,
                  availabilityZoneSelection: 'Ordered',
                },
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
              controlPlaneEndpoint: { host, port: 443 },
              tokenMethod: 'iam-authenticator',
              roleName: `${name}-iam-service-role`.slice(0, 64),
            },
            {
              ready: healthy,
              initialized: true,
              externalManagedControlPlane: true,
              oidcProvider: {
                arn: `arn:aws:iam::${
                  id.accountId
                }:oidc-provider/oidc.eks.${region}.amazonaws.com/id/${r
                  .hex(32)
                  .toUpperCase()}`,
                trustPolicy: '',
              },
              addons: ['vpc-cni', 'coredns', 'kube-proxy'].map(n => ({
                name: n,
                version: 'v1.0.0-eksbuild.1',
                arn: `arn:aws:eks:${region}:${
                  id.accountId
                }:addon/${name}/${n}/${r.hex(36)}`,
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
                healthy,
              ),
            },
            'manager',
          ),
        );
        if (o.allKinds) {
          push(
            kubeObject(
              r,
              INFRA,
              'AWSManagedCluster',
              { name, namespace, ownerReferences: owner },
              { controlPlaneEndpoint: { host, port: 443 } },
              { ready: true, failureDomains: {} },
              'manager',
            ),
          );
          push(
            kubeObject(
              r,
              'cluster.x-k8s.io/v1beta2',
              'MachinePool',
              {
                name: `${name}-pool-0`,
                namespace,
                labels: { 'cluster.x-k8s.io/cluster-name': name },
                ownerReferences: owner,
              },
              {
                clusterName: name,
                replicas: 3,
                template: {
                  spec: {
                    clusterName: name,
                    version,
                    bootstrap: { dataSecretName: '' },
                    infrastructureRef: {
                      apiGroup: 'infrastructure.cluster.x-k8s.io',
                      kind: 'AWSManagedMachinePool',
                      name: `${name}-pool-0`,
                    },
                  },
                },
              },
              {
                phase: 'Running',
                replicas: 3,
                readyReplicas: 3,
                conditions: conditions(
                  r,
                  ['Ready', 'InfrastructureReady'],
                  healthy,
                ),
              },
              'manager',
            ),
          );
          push(
            kubeObject(
              r,
              INFRA,
              'AWSManagedMachinePool',
              { name: `${name}-pool-0`, namespace, ownerReferences: owner },
              {
                eksNodegroupName: `${name}-pool-0`,
                instanceType: r.pick([
                  'm6i.large',
                  'm6i.xlarge',
                  'c6i.2xlarge',
                ]),
                scaling: { minSize: 1, maxSize: 10 },
                capacityType: r.pick(['onDemand', 'spot']),
                amiType: 'AL2023_x86_64_STANDARD',
                diskSize: 80,
              },
              {
                ready: true,
                replicas: 3,
                conditions: conditions(
                  r,
                  ['Ready', 'EKSNodegroupReady'],
                  healthy,
                ),
              },
              'manager',
            ),
          );
        }
      } else {
        const subnets = [0, 1, 2].flatMap(az => [
          {
            id: `subnet-${r.hex(17)}`,
            resourceID: `subnet-${r.hex(17)}`,
            cidrBlock: `10.0.${az * 64}.0/19`,
            availabilityZone: `${region}${'abc'[az]}`,
            isPublic: false,
            routeTableId: `rtb-${r.hex(17)}`,
            tags: {
              Name: `${name}-subnet-private-${region}${'abc'[az]}`,
              [`sigs.k8s.io/cluster-api-provider-aws/cluster/${name}`]: 'owned',
              'sigs.k8s.io/cluster-api-provider-aws/role': 'private',
            },
          },
          {
            id: `subnet-${r.hex(17)}`,
            resourceID: `subnet-${r.hex(17)}`,
            cidrBlock: `10.0.${az * 64 + 32}.0/20`,
            availabilityZone: `${region}${'abc'[az]}`,
            isPublic: true,
            natGatewayId: `nat-${r.hex(17)}`,
            routeTableId: `rtb-${r.hex(17)}`,
            tags: {
              Name: `${name}-subnet-public-${region}${'abc'[az]}`,
              [`sigs.k8s.io/cluster-api-provider-aws/cluster/${name}`]: 'owned',
              'sigs.k8s.io/cluster-api-provider-aws/role': 'public',
            },
          },
        ]);
        push(
          kubeObject(
            r,
            INFRA,
            'AWSCluster',
            {
              name,
              namespace,
              labels: { 'cluster.x-k8s.io/cluster-name': name },
              ownerReferences: owner,
              finalizers: ['awscluster.infrastructure.cluster.x-k8s.io'],
            },
            {
              region,
              identityRef,
              sshKeyName: 'default',
              controlPlaneEndpoint: { host, port: 6443 },
              controlPlaneLoadBalancer: {
                loadBalancerType: 'nlb',
                scheme: 'internet-facing',
                healthCheckProtocol: 'TCP',
              },
              network: {
                vpc: {
                  id: `vpc-${r.hex(17)}`,
                  cidrBlock: '10.0.0.0/16',
                  availabilityZoneUsageLimit: 3,
                  availabilityZoneSelection: 'Ordered',
                  emptyRoutesDefaultVPCSecurityGroup: true,
                },
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
              s3Bucket: r.chance(0.3)
                ? {
                    name: `${name}-ignition`,
                    controlPlaneIAMInstanceProfile:
                      'control-plane.cluster-api-provider-aws.sigs.k8s.io',
                  }
                : undefined,
            },
            {
              ready: healthy,
              failureDomains: Object.fromEntries(
                [0, 1, 2].map(az => [
                  `${region}${'abc'[az]}`,
                  { controlPlane: true },
                ]),
              ),
              networkStatus: {
                subnets,
                securityGroups: Object.fromEntries(
                  ['apiserver-lb', 'bastion', 'controlplane', 'lb', 'node'].map(
                    role => [
                      role,
                      {
                        id: `sg-${r.hex(17)}`,
                        name: `${name}-${role}`,
                        ingressRule:
                          role === 'node' || role === 'controlplane'
                            ? [
                                {
                                  description: 'Kubernetes API',
                                  protocol: 'tcp',
                                  fromPort: 6443,
                                  toPort: 6443,
                                  sourceSecurityGroupIDs: [`sg-${r.hex(17)}`],
                                },
                                {
                                  description: 'etcd',
                                  protocol: 'tcp',
                                  fromPort: 2379,
                                  toPort: 2379,
                                  sourceSecurityGroupIDs: [`sg-${r.hex(17)}`],
                                },
                              ]
                            : [],
                        tags: {
                          Name: `${name}-${role}`,
                          [`sigs.k8s.io/cluster-api-provider-aws/cluster/${name}`]:
                            'owned',
                        },
                      },
                    ],
                  ),
                ),
                apiServerElb: {
                  name: `${name}-apiserver`.slice(0, 32),
                  dnsName: host,
                  scheme: 'internet-facing',
                  loadBalancerType: 'nlb',
                  availabilityZones: [0, 1, 2].map(
                    az => `${region}${'abc'[az]}`,
                  ),
                  subnetIds: subnets.filter(s => s.isPublic).map(s => s.id),
                  attributes: { crossZoneLoadBalancing: false },
                },
                natGatewaysIPs: [0, 1, 2].map(
                  () =>
                    `${r.int(200) + 3}.${r.int(255)}.${r.int(255)}.${r.int(
                      255,
                    )}`,
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
                healthy,
              ),
            },
            'manager',
          ),
        );
        if (o.allKinds) {
          push(
            kubeObject(
              r,
              CP_KUBEADM,
              'KubeadmControlPlane',
              {
                name: cpName,
                namespace,
                labels: { 'cluster.x-k8s.io/cluster-name': name },
                ownerReferences: owner,
              },
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
                    apiServer: {
                      extraArgs: [
                        { name: 'cloud-provider', value: 'external' },
                      ],
                    },
                    controllerManager: {
                      extraArgs: [
                        { name: 'cloud-provider', value: 'external' },
                      ],
                    },
                  },
                  initConfiguration: {
                    nodeRegistration: {
                      name: '{{ ds.meta_data.local_hostname }}',
                      kubeletExtraArgs: [
                        { name: 'cloud-provider', value: 'external' },
                      ],
                    },
                  },
                  joinConfiguration: {
                    nodeRegistration: {
                      name: '{{ ds.meta_data.local_hostname }}',
                      kubeletExtraArgs: [
                        { name: 'cloud-provider', value: 'external' },
                      ],
                    },
                  },
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
            ),
          );
          push(
            kubeObject(
              r,
              CAPI,
              'MachineDeployment',
              {
                name: `${name}-md-0`,
                namespace,
                labels: { 'cluster.x-k8s.io/cluster-name': name },
                ownerReferences: owner,
              },
              {
                clusterName: name,
                replicas: 6,
                selector: { matchLabels: {} },
                template: {
                  spec: {
                    clusterName: name,
                    version,
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
                conditions: conditions(
                  r,
                  ['Available', 'MachinesReady'],
                  healthy,
                  true,
                ),
              },
              'manager',
            ),
          );
          for (const t of ['control-plane', 'md-0']) {
            push(
              kubeObject(
                r,
                INFRA,
                'AWSMachineTemplate',
                { name: `${name}-${t}`, namespace, ownerReferences: owner },
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
          }
          push(
            kubeObject(
              r,
              BOOTSTRAP,
              'KubeadmConfigTemplate',
              { name: `${name}-md-0`, namespace, ownerReferences: owner },
              {
                template: {
                  spec: {
                    joinConfiguration: {
                      nodeRegistration: {
                        name: '{{ ds.meta_data.local_hostname }}',
                        kubeletExtraArgs: [
                          { name: 'cloud-provider', value: 'external' },
                        ],
                      },
                    },
                  },
                },
              },
              undefined,
              'manager',
            ),
          );
        }
      }
    }
  }
  return { managementClusters: mgmts, accounts, kinds };
}

/** `--flag value` / `--flag=value` options of the fleet, from argv. */
export function fleetOptionsFromArgs(argv: string[]): FleetOptions {
  const o: FleetOptions = { ...DEFAULT_FLEET_OPTIONS };
  const num = (flag: string): number | undefined => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === flag && i + 1 < argv.length) return Number(argv[i + 1]);
      if (a.startsWith(`${flag}=`)) return Number(a.slice(flag.length + 1));
    }
    return undefined;
  };
  const set = (flag: string, key: keyof FleetOptions, integer = true) => {
    const v = num(flag);
    if (v === undefined) return;
    if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v)))
      throw new Error(
        `${flag} needs a ${integer ? 'non-negative integer' : 'number'}`,
      );
    (o as any)[key] = v;
  };
  set('--seed', 'seed');
  set('--management-clusters', 'managementClusters');
  set('--accounts', 'accounts');
  set('--identities', 'identities');
  set('--clusters', 'clusters');
  set('--eks-ratio', 'eksRatio', false);
  set('--nested-ratio', 'nestedRatio', false);
  if (argv.includes('--all-kinds')) o.allKinds = true;
  if (o.managementClusters < 1)
    throw new Error('--management-clusters must be at least 1');
  return o;
}
