/*
 * Workload access across accounts (docs/contracts.md §4.1): for one EKS workload cluster, the roles its service
 * accounts can assume (IRSA, EKS Pod Identity and role chaining), judged by capa-common's evaluateWorkloadAccess on
 * the fleet's static `workloadAccess` evidence, the cluster's AWSManagedControlPlane (`status.oidcProvider.arn`),
 * and, when AWS credentials allow, live eks/iam answers (which win). Beside TrustService, which it asks for the
 * cluster (so the caller's view applies) and for the accounts the fleet knows.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  evaluateWorkloadAccess,
  type FleetReport,
  type LiveWorkloadEvidence,
  type WorkloadAccessReport,
  type ClusterReport,
} from '@capa-portal/plugin-capa-common';
import type {
  FleetSources,
  WorkloadAccessRequest,
} from '@capa-portal/plugin-capa-node';
import type { SnapshotStore } from './SnapshotStore';
import type { ReportView, TrustService } from './TrustService';

/** Reads eks/iam live for one cluster (capa-node's gatherer); undefined when AWS is not configured. */
export type LiveWorkloadReader = (
  request: WorkloadAccessRequest,
) => Promise<LiveWorkloadEvidence | undefined>;

/** @internal */
export class WorkloadAccessService {
  readonly #trust: TrustService;
  readonly #fleet: () => FleetSources;
  readonly #store: SnapshotStore;
  readonly #live?: LiveWorkloadReader;
  readonly #logger: LoggerService;

  private constructor(options: {
    trust: TrustService;
    fleet: () => FleetSources;
    store: SnapshotStore;
    live?: LiveWorkloadReader;
    logger: LoggerService;
  }) {
    this.#trust = options.trust;
    this.#fleet = options.fleet;
    this.#store = options.store;
    this.#live = options.live;
    this.#logger = options.logger;
  }

  static create(options: {
    trust: TrustService;
    /** The current fleet configuration (it changes when app-config does). */
    fleet: () => FleetSources;
    store: SnapshotStore;
    live?: LiveWorkloadReader;
    logger: LoggerService;
  }) {
    return new WorkloadAccessService(options);
  }

  /** The cluster's workload access; NotFoundError (from TrustService) when the caller may not read the cluster. */
  async clusterAccess(
    managementCluster: string,
    namespace: string,
    name: string,
    view?: ReportView,
  ): Promise<WorkloadAccessReport> {
    const cluster = await this.#trust.cluster(
      managementCluster,
      namespace,
      name,
      view,
    );
    const report = await this.#trust.report();
    const fleet = this.#fleet();
    const base = {
      cluster,
      manifestOidcProviderArn: await this.#manifestProviderArn(cluster),
      snapshot: fleet.workloadAccess,
      knownAccounts: knownAccounts(fleet, report),
      generatedAt: new Date().toISOString(),
    };
    const staticReport = evaluateWorkloadAccess(base);
    if (
      !this.#live ||
      !staticReport.applicable ||
      !cluster.accountId ||
      !cluster.region ||
      !cluster.eksClusterName
    )
      return staticReport;
    try {
      const live = await this.#live({
        accountId: cluster.accountId,
        region: cluster.region,
        eksClusterName: cluster.eksClusterName,
        roleArns: staticReport.roles.flatMap(x => [
          x.roleArn,
          ...(x.viaRoleArn ? [x.viaRoleArn] : []),
        ]),
      });
      return live ? evaluateWorkloadAccess({ ...base, live }) : staticReport;
    } catch (e) {
      this.#logger.warn(
        `capa: workload access of ${namespace}/${name}: live evidence failed: ${e}`,
      );
      return {
        ...staticReport,
        problems: [
          ...staticReport.problems,
          `live evidence failed: ${(e as Error).message}`,
        ],
      };
    }
  }

  /** `status.oidcProvider.arn` of the cluster's AWSManagedControlPlane, where CAPA records the provider it made. */
  async #manifestProviderArn(
    cluster: ClusterReport,
  ): Promise<string | undefined> {
    const ref = cluster.infrastructureRef;
    if (ref?.kind !== 'AWSManagedControlPlane') return undefined;
    const [snapshot] = await this.#store.snapshots([cluster.managementCluster]);
    const object = snapshot?.objects.find(
      o =>
        o.object.kind === ref.kind &&
        o.object.metadata?.name === ref.name &&
        (o.object.metadata?.namespace ?? 'default') === cluster.namespace,
    )?.object;
    const arn = object?.status?.oidcProvider?.arn;
    return typeof arn === 'string' && arn ? arn : undefined;
  }
}

/** Accounts the fleet knows: configured, in Organizations (file), or targeted by an identity; with their names. */
export function knownAccounts(
  fleet: FleetSources,
  report: FleetReport,
): Map<string, string | undefined> {
  const known = new Map<string, string | undefined>();
  const add = (id: string, name?: string) =>
    known.set(id, known.get(id) ?? name);
  for (const a of fleet.accounts) add(a.accountId, a.name);
  for (const a of fleet.organization?.accounts ?? []) add(a.accountId, a.name);
  for (const a of report.accounts) add(a.accountId, a.name);
  return known;
}
