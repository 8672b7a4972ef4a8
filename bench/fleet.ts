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
 * The parts are in bench/fleet/, one file per concept.
 *
 * Why not the scaffolder's manifest builder (scaffolder-backend-module-capa/src/lib/manifests.ts
 * `buildClusterObjects`): it builds what a user applies, and this builds what an API server returns after the
 * controllers reconciled it. The specs differ where it counts (defaulted and controller-filled fields such as
 * `controlPlaneEndpoint`, `network`, EKS addons and `eksClusterName`; seeded per-cluster choices such as
 * `endpointAccess.public` drawn between the other draws), and every object carries status and managedFields.
 * Building from that builder would change the bench fleet and the reports hashed by
 * scripts/report-snapshot.ts, and it would load the scaffolder module (Backstage backend APIs, the CRD
 * schema registry) into every bench phase whose memory `./portal bench` measures.
 */
import type { AccountInput, KubeObject } from '@capa-portal/plugin-capa-common';
import { generateAccounts } from './fleet/accounts';
import { capiOperatorObjects } from './fleet/capiOperator';
import { eksClusterObjects } from './fleet/eksCluster';
import {
  CONTROLLERS_ROLE,
  type IdentityPlan,
  identityObjects,
  planIdentities,
} from './fleet/identities';
import { namespaceObjects } from './fleet/namespaces';
import { rng, type Rng } from './fleet/random';
import { unmanagedClusterObjects } from './fleet/unmanagedCluster';
import { clusterObject, planWorkloadCluster } from './fleet/workloadCluster';

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

/**
 * Each management cluster's objects in the order the generator has always drawn them (the seeded stream is
 * shared, so the order is part of the output): namespaces, identities, the CAPI Operator install on the last
 * one, then its share of the workload clusters, dealt round robin.
 */
function managementClusterObjects(
  r: Rng,
  o: FleetOptions,
  m: number,
  M: number,
  ids: IdentityPlan[],
): KubeObject[] {
  const objects = [
    ...namespaceObjects(r, ids),
    ...identityObjects(r, ids, o.nestedRatio),
  ];
  // The last management cluster installs CAPA with the CAPI Operator, the others with clusterctl.
  if (m === M - 1) objects.push(...capiOperatorObjects(r));
  const users = ids.filter(i => i.namespace);
  const share = Math.floor(o.clusters / M) + (m < o.clusters % M ? 1 : 0);
  for (let c = 0; c < share; c++) {
    const plan = planWorkloadCluster(r, users, c, c * M + m, o.eksRatio);
    objects.push(clusterObject(r, plan));
    objects.push(
      ...(plan.eks
        ? eksClusterObjects(r, plan, o.allKinds)
        : unmanagedClusterObjects(r, plan, o.allKinds)),
    );
  }
  return objects;
}

function countKinds(
  managementClusters: GeneratedManagementCluster[],
): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const mgmt of managementClusters)
    for (const { kind } of mgmt.objects) kinds[kind] = (kinds[kind] ?? 0) + 1;
  return kinds;
}

export function generateFleet(
  partial: Partial<FleetOptions> = {},
): GeneratedFleet {
  const o: FleetOptions = { ...DEFAULT_FLEET_OPTIONS, ...partial };
  const M = Math.max(1, o.managementClusters);
  const r = rng(o.seed);
  const nAccounts = Math.max(M, o.accounts);
  const accounts = generateAccounts(nAccounts, M);
  const managementAccountIds = accounts.slice(0, M).map(a => a.accountId);
  const identities = planIdentities(
    Math.max(M, o.identities),
    nAccounts,
    managementAccountIds,
  );
  const managementClusters = managementAccountIds.map((accountId, m) => ({
    name: `mgmt-${m}`,
    accountId,
    controllerPrincipalArn: `arn:aws:iam::${accountId}:role/${CONTROLLERS_ROLE}`,
    objects: managementClusterObjects(r, o, m, M, identities[m]),
  }));
  return {
    managementClusters,
    accounts,
    kinds: countKinds(managementClusters),
  };
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
