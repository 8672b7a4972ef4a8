import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  capaAccountReadPermission,
  CapaPermissionResource,
  ENTITY_TYPE_ACCOUNT,
  ENTITY_TYPE_CLUSTER,
  ENTITY_TYPE_IDENTITY,
  FleetReport,
} from '@capa-portal/plugin-capa-common';
import type { ReportView } from '../services/TrustService';
import { CapaResourceIndex, ResourceOwnership } from './resources';
import { filterReport } from './filterReport';

/**
 * Which catalog entities to ask the catalog about: all of capa's (list routes: one `getEntities` call), or the
 * named refs (single-resource routes: one `getEntitiesByRefs` call).
 */
export type CatalogScope = 'all' | string[];

const CAPA_ENTITY_FILTER = {
  kind: 'resource',
  'spec.type': [ENTITY_TYPE_ACCOUNT, ENTITY_TYPE_CLUSTER, ENTITY_TYPE_IDENTITY],
};
const REF_FIELDS = ['kind', 'metadata.namespace', 'metadata.name'];

/**
 * What one caller may do with capa's trust data: the policy's decisions on capa's permissions (definitive or
 * conditional, conditions applied here with capa's rules) and, unless switched off, what the catalog lets the
 * caller read (`catalog.entity.read`). A resource is readable when both allow it.
 */
export class CallerAccess {
  readonly #decisions: Map<string, PolicyDecision>;
  readonly #authorize: (
    d: PolicyDecision,
    r: CapaPermissionResource,
  ) => boolean;
  /** undefined: every catalog entity is visible; otherwise the visible entity refs. */
  readonly #catalogVisible?: ReadonlySet<string>;
  readonly index: CapaResourceIndex;

  constructor(options: {
    decisions: Map<string, PolicyDecision>;
    authorize: (d: PolicyDecision, r: CapaPermissionResource) => boolean;
    catalogVisible?: ReadonlySet<string>;
    index: CapaResourceIndex;
  }) {
    this.#decisions = options.decisions;
    this.#authorize = options.authorize;
    this.#catalogVisible = options.catalogVisible;
    this.index = options.index;
  }

  /** The caller reads everything: no filtering needed (the policy allows outright, the catalog hides nothing). */
  get unrestricted(): boolean {
    return (
      this.#catalogVisible === undefined &&
      this.#decisions.get(capaAccountReadPermission.name)?.result ===
        AuthorizeResult.ALLOW
    );
  }

  /** Whether the policy allows `permission` (asked for in `CapaAccessControl.forCaller`) on `resource`. */
  may(
    permission: ResourcePermission,
    resource: CapaPermissionResource | undefined,
  ): boolean {
    const decision = this.#decisions.get(permission.name);
    if (!decision || !resource) return false;
    return this.#authorize(decision, resource);
  }

  /** `capa.account.read` allows it and its catalog entity is visible to the caller. */
  canRead(resource: CapaPermissionResource | undefined): boolean {
    if (!resource) return false;
    if (this.#catalogVisible && !this.#catalogVisible.has(resource.entityRef))
      return false;
    return this.may(capaAccountReadPermission, resource);
  }

  /** The filter of the report for this caller; undefined when unrestricted (the hot path serves as is). */
  get view(): ReportView | undefined {
    if (this.unrestricted) return undefined;
    return report => filterReport(report, this);
  }
}

/**
 * Builds a {@link CallerAccess} per request: one `authorizeConditional` call for every permission the route
 * needs (plus `catalog.entity.read`), and, only when the catalog's decision is conditional, one catalog call with
 * the caller's credentials (the catalog applies its policy's conditions in its database query).
 */
export class CapaAccessControl {
  readonly #permissions: PermissionsService;
  readonly #catalog: CatalogService;
  readonly #ruleset: PermissionRuleset<CapaPermissionResource>;
  readonly #ownership: ResourceOwnership;
  readonly #catalogVisibility: boolean;

  private constructor(options: {
    permissions: PermissionsService;
    catalog: CatalogService;
    ruleset: PermissionRuleset<CapaPermissionResource>;
    ownership: ResourceOwnership;
    catalogVisibility: boolean;
  }) {
    this.#permissions = options.permissions;
    this.#catalog = options.catalog;
    this.#ruleset = options.ruleset;
    this.#ownership = options.ownership;
    this.#catalogVisibility = options.catalogVisibility;
  }

  static create(options: {
    permissions: PermissionsService;
    catalog: CatalogService;
    ruleset: PermissionRuleset<CapaPermissionResource>;
    ownership: ResourceOwnership;
    /** Also require `catalog.entity.read` on the resource's entity (default true). */
    catalogVisibility?: boolean;
  }): CapaAccessControl {
    return new CapaAccessControl({
      ...options,
      catalogVisibility: options.catalogVisibility ?? true,
    });
  }

  /** The resource index of a report (for `getResources` of the permissions registry). */
  index(report: FleetReport): CapaResourceIndex {
    return CapaResourceIndex.of(report, this.#ownership);
  }

  /**
   * The caller's access. Throws NotAllowedError (403) when the policy denies `capa.account.read` outright: the
   * caller may read no trust data at all, which reveals nothing about any one resource.
   */
  async forCaller(
    credentials: BackstageCredentials,
    report: FleetReport,
    options: {
      /** Computed only when the catalog's decision is conditional (it names the entities to ask about). */
      scope: CatalogScope | (() => CatalogScope);
      also?: ResourcePermission[];
    },
  ): Promise<CallerAccess> {
    const permissions = [capaAccountReadPermission, ...(options.also ?? [])];
    const queries = [
      ...permissions.map(permission => ({ permission })),
      ...(this.#catalogVisibility
        ? [{ permission: catalogEntityReadPermission }]
        : []),
    ];
    const answers = await this.#permissions.authorizeConditional(queries, {
      credentials,
    });
    const decisions = new Map<string, PolicyDecision>();
    permissions.forEach((p, i) => decisions.set(p.name, answers[i]));
    if (
      decisions.get(capaAccountReadPermission.name)!.result ===
      AuthorizeResult.DENY
    ) {
      throw new NotAllowedError(
        `Permission ${capaAccountReadPermission.name} is required`,
      );
    }
    const index = this.index(report);
    const catalogDecision = this.#catalogVisibility
      ? answers[permissions.length]
      : undefined;
    const catalogVisible = await this.#catalogVisible(
      catalogDecision,
      credentials,
      options.scope,
    );
    const authorizer = createConditionAuthorizer(this.#ruleset);
    return new CallerAccess({
      decisions,
      authorize: (d, r) => authorizer(d, r),
      catalogVisible,
      index,
    });
  }

  async #catalogVisible(
    decision: PolicyDecision | undefined,
    credentials: BackstageCredentials,
    scopeOf: CatalogScope | (() => CatalogScope),
  ): Promise<ReadonlySet<string> | undefined> {
    if (!decision || decision.result === AuthorizeResult.ALLOW)
      return undefined;
    if (decision.result === AuthorizeResult.DENY) return new Set();
    const scope = typeof scopeOf === 'function' ? scopeOf() : scopeOf;
    if (scope === 'all') {
      const { items } = await this.#catalog.getEntities(
        { filter: CAPA_ENTITY_FILTER, fields: REF_FIELDS },
        { credentials },
      );
      return new Set(items.map(refOf));
    }
    if (scope.length === 0) return new Set();
    const { items } = await this.#catalog.getEntitiesByRefs(
      { entityRefs: scope, fields: REF_FIELDS },
      { credentials },
    );
    return new Set(items.flatMap(e => (e ? [refOf(e)] : [])));
  }
}

function refOf(entity: {
  kind: string;
  metadata: { namespace?: string; name: string };
}) {
  return `${entity.kind.toLowerCase()}:${(
    entity.metadata.namespace ?? 'default'
  ).toLowerCase()}/${entity.metadata.name.toLowerCase()}`;
}
