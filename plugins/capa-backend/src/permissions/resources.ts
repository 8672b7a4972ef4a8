import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  accountEntityName,
  AccountReport,
  CapaPermissionResource,
  capaResourceRef,
  ClusterReport,
  clusterEntityName,
  FleetReport,
  IdentityReport,
  identityEntityName,
  managementClusterEntityName,
  parseCapaResourceRef,
} from '@capa-portal/plugin-capa-common';

/**
 * Who owns what when the trust report names no owner: the same defaults the catalog module gives the entities
 * (`capa.catalog.defaultOwner`, then each management cluster's `owner` from the fleet config), so a resource's
 * owner here is its catalog entity's `spec.owner`.
 */
export interface ResourceOwnership {
  /** `owner` of each management cluster in the fleet config. */
  managementOwners: ReadonlyMap<string, string | undefined>;
  /** `capa.catalog.defaultOwner` (the catalog module's default, `unknown` when unset). */
  defaultOwner: string;
}

const resourceEntityRef = (name: string) => `resource:default/${name}`;

/** `spec.owner` as the catalog resolves it into the `ownedBy` relation: kind Group, namespace default. */
function ownerRef(owner: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

export const clusterKey = (c: {
  managementCluster: string;
  namespace: string;
  name: string;
}) => `${c.managementCluster}/${c.namespace}/${c.name}`;
export const identityKey = (i: {
  managementCluster: string;
  kind: string;
  name: string;
}) => `${i.managementCluster}/${i.kind}/${i.name}`;

/**
 * The `capa-resource`s of one trust report, built once per report (a report is replaced, never changed).
 */
export class CapaResourceIndex {
  readonly #accounts = new Map<string, CapaPermissionResource>();
  readonly #clusters = new Map<string, CapaPermissionResource>();
  readonly #identities = new Map<string, CapaPermissionResource>();
  readonly #managementClusters = new Map<string, CapaPermissionResource>();

  private constructor() {}

  static #byReport = new WeakMap<FleetReport, CapaResourceIndex>();

  /** The index of `report`, built on first use. */
  static of(
    report: FleetReport,
    ownership: ResourceOwnership,
  ): CapaResourceIndex {
    let index = CapaResourceIndex.#byReport.get(report);
    if (!index) {
      index = CapaResourceIndex.#build(report, ownership);
      CapaResourceIndex.#byReport.set(report, index);
    }
    return index;
  }

  static #build(report: FleetReport, ownership: ResourceOwnership) {
    const index = new CapaResourceIndex();
    const owner = (...candidates: Array<string | undefined>) =>
      ownerRef(candidates.find(Boolean) ?? ownership.defaultOwner);
    const mgmtOwner = (name: string) => ownership.managementOwners.get(name);
    const tierOf = new Map(
      report.accounts.map(a => [a.accountId, a.tier?.toLowerCase()]),
    );
    const reaching = new Map<string, Set<string>>();
    const reach = (accountId: string | undefined, mgmt: string) => {
      if (!accountId) return;
      const set = reaching.get(accountId) ?? new Set<string>();
      set.add(mgmt);
      reaching.set(accountId, set);
    };
    for (const c of report.clusters) reach(c.accountId, c.managementCluster);
    for (const i of report.identities) reach(i.accountId, i.managementCluster);
    for (const m of report.managementClusters) reach(m.accountId, m.name);

    for (const a of report.accounts) {
      index.#accounts.set(a.accountId, {
        kind: 'account',
        resourceRef: capaResourceRef.account(a.accountId),
        accountId: a.accountId,
        tier: tierOf.get(a.accountId),
        owner: owner(a.owner),
        managementClusters: [...(reaching.get(a.accountId) ?? [])],
        entityRef: resourceEntityRef(accountEntityName(a.accountId)),
      });
    }
    for (const m of report.managementClusters) {
      index.#managementClusters.set(m.name, {
        kind: 'management-cluster',
        resourceRef: capaResourceRef.managementCluster(m.name),
        accountId: m.accountId,
        tier: tierOf.get(m.accountId),
        owner: owner(mgmtOwner(m.name)),
        managementClusters: [m.name],
        entityRef: resourceEntityRef(managementClusterEntityName(m.name)),
      });
    }
    for (const i of report.identities) {
      index.#identities.set(identityKey(i), {
        kind: 'identity',
        resourceRef: capaResourceRef.identity(
          i.managementCluster,
          i.kind,
          i.name,
        ),
        accountId: i.accountId,
        tier: i.accountId ? tierOf.get(i.accountId) : undefined,
        owner: owner(mgmtOwner(i.managementCluster)),
        managementClusters: [i.managementCluster],
        entityRef: resourceEntityRef(identityEntityName(i)),
      });
    }
    for (const c of report.clusters) {
      index.#clusters.set(clusterKey(c), {
        kind: 'cluster',
        resourceRef: capaResourceRef.cluster(
          c.managementCluster,
          c.namespace,
          c.name,
        ),
        accountId: c.accountId,
        tier: c.accountId ? tierOf.get(c.accountId) : undefined,
        owner: owner(c.owner, mgmtOwner(c.managementCluster)),
        managementClusters: [c.managementCluster],
        entityRef: resourceEntityRef(clusterEntityName(c)),
      });
    }
    return index;
  }

  account(accountId: string): CapaPermissionResource | undefined {
    return this.#accounts.get(accountId);
  }

  cluster(c: Pick<ClusterReport, 'managementCluster' | 'namespace' | 'name'>) {
    return this.#clusters.get(clusterKey(c));
  }

  identity(i: Pick<IdentityReport, 'managementCluster' | 'kind' | 'name'>) {
    return this.#identities.get(identityKey(i));
  }

  managementCluster(name: string): CapaPermissionResource | undefined {
    return this.#managementClusters.get(name);
  }

  accountOf(a: AccountReport) {
    return this.account(a.accountId);
  }

  /**
   * The resource a ref names (`getResources` of the permissions registry). `account:<id>@<mgmt>` is the account
   * as seen from that management cluster; an account new to the fleet is a resource with no owner and no tier.
   */
  resolve(ref: string): CapaPermissionResource | undefined {
    const parsed = parseCapaResourceRef(ref);
    switch (parsed?.kind) {
      case 'account': {
        const known = this.account(parsed.accountId);
        const base: CapaPermissionResource = known ?? {
          kind: 'account',
          resourceRef: capaResourceRef.account(parsed.accountId),
          accountId: parsed.accountId,
          managementClusters: [],
          entityRef: resourceEntityRef(accountEntityName(parsed.accountId)),
        };
        return parsed.managementCluster
          ? {
              ...base,
              resourceRef: ref,
              managementClusters: [parsed.managementCluster],
            }
          : base;
      }
      case 'cluster':
        return this.cluster(parsed);
      case 'identity':
        return this.identity({ ...parsed, kind: parsed.identityKind });
      case 'management-cluster':
        return this.managementCluster(parsed.name);
      default:
        return undefined;
    }
  }
}
