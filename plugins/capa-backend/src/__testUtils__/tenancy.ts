/*
 * Two users on the demo fleet, a permission policy and a catalog for the tenancy tests.
 *
 * - `policyPermissions` is a test double of the permissions service that does what the permission backend
 *   does with a policy: calls `handle` per query with the caller and returns its decisions (definitive or
 *   conditional). Service principals are allowed, as Backstage's permissions service allows them.
 * - `visibilityCatalog` is a test double of the catalog service: it answers `getEntities` and
 *   `getEntitiesByRefs` with the entities a user may read, as the catalog does once it applied its policy's
 *   conditions, and counts the calls.
 */
import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  capaPermissions,
  ENTITY_TYPE_ACCOUNT,
  type ManagementClustersResponse,
} from '@capa-portal/plugin-capa-common';
import supertest from 'supertest';
import { capaPlugin } from '../plugin';
import {
  capaConditions,
  createCapaConditionalDecision,
} from '../permissions/rules';

export const PLATFORM_USER = 'user:default/platform-engineer';
export const ML_USER = 'user:default/ml-engineer';

/** Ownership claims per user (what the user info service gives the policy): the user and their groups. */
export const CLAIMS: Record<string, string[]> = {
  [PLATFORM_USER]: [PLATFORM_USER, 'group:default/platform-team'],
  [ML_USER]: [ML_USER, 'group:default/ml-team'],
};

export const header = (userRef: string) => mockCredentials.user.header(userRef);

export type TestPolicy = (
  permission: { name: string; resourceType?: string },
  claims: string[],
) => PolicyDecision;

function userOf(credentials: BackstageCredentials): string | undefined {
  const p = credentials.principal as { type?: string; userEntityRef?: string };
  return p.type === 'user' ? p.userEntityRef : undefined;
}

/** A permissions service double that asks `policy` (see the file comment). */
export function policyPermissions(policy: TestPolicy) {
  const calls: string[][] = [];
  const decide = async (
    requests: Array<{ permission: { name: string; resourceType?: string } }>,
    options: { credentials: BackstageCredentials },
  ) => {
    calls.push(requests.map(r => r.permission.name));
    const user = userOf(options.credentials);
    return requests.map(r =>
      user
        ? policy(r.permission, CLAIMS[user] ?? [user])
        : { result: AuthorizeResult.ALLOW },
    ) as any;
  };
  const service: PermissionsService = {
    authorize: async (requests, options) =>
      (await decide(requests as any, options)).map((d: PolicyDecision) => ({
        result:
          d.result === AuthorizeResult.ALLOW
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      })),
    authorizeConditional: decide as any,
  };
  return {
    calls,
    factory: createServiceFactory({
      service: coreServices.permissions,
      deps: {},
      factory: () => service,
    }),
  };
}

/** A catalog `catalog.entity.read` decision that is conditional (the conditions are the catalog's business). */
export const CATALOG_CONDITIONAL: PolicyDecision = {
  result: AuthorizeResult.CONDITIONAL,
  pluginId: 'catalog',
  resourceType: 'catalog-entity',
  conditions: {
    rule: 'IS_ENTITY_OWNER',
    resourceType: 'catalog-entity',
    params: { claims: [] },
  },
};

/**
 * The catalog entities each user may read, by entity ref, as named in the README's entity table
 * (`aws-<accountId>`, `<name>.<namespace>.<management cluster>`) for what examples/demo-fleet says ml-team owns:
 * the ml-sandbox account (fleet.yaml) and the clusters annotated `capa-portal.io/owner: group:default/ml-team`.
 */
export const ML_ENTITIES = [
  'resource:default/aws-444444444444',
  'resource:default/ml-training-sandbox.ml-sandbox.mgmt-eu',
  'resource:default/experiments-dev.dev-experiments.mgmt-eu',
];

/** A catalog service double (see the file comment); `visible` lists each user's entity refs. */
export function visibilityCatalog(visible: Record<string, string[]>) {
  const calls: Array<{ method: string; user?: string; refs?: string[] }> = [];
  const entity = (ref: string) => {
    const [kind, rest] = ref.split(':');
    const [namespace, name] = rest.split('/');
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: kind === 'resource' ? 'Resource' : kind,
      metadata: { namespace, name },
      spec: { type: ENTITY_TYPE_ACCOUNT },
    };
  };
  const service = {
    async getEntities(
      _request: unknown,
      options: { credentials: BackstageCredentials },
    ) {
      const user = userOf(options.credentials);
      calls.push({ method: 'getEntities', user });
      return { items: (visible[user ?? ''] ?? []).map(entity) };
    },
    async getEntitiesByRefs(
      request: { entityRefs: string[] },
      options: { credentials: BackstageCredentials },
    ) {
      const user = userOf(options.credentials);
      calls.push({
        method: 'getEntitiesByRefs',
        user,
        refs: request.entityRefs,
      });
      const mine = new Set(visible[user ?? ''] ?? []);
      return {
        items: request.entityRefs.map(r =>
          mine.has(r) ? entity(r) : undefined,
        ),
      };
    },
  };
  return {
    calls,
    factory: createServiceFactory({
      service: catalogServiceRef,
      deps: {},
      factory: () => service as any,
    }),
  };
}

export const capaPermission = (name: string) =>
  capaPermissions.find(p => p.name === name);

/** The demo's rule: platform-team sees and does everything, others what their groups own. */
export const ownerPolicy: TestPolicy = (permission, claims) => {
  if (claims.includes('group:default/platform-team'))
    return { result: AuthorizeResult.ALLOW };
  const capa = capaPermission(permission.name);
  if (capa)
    return createCapaConditionalDecision(
      capa,
      capaConditions.isOwner({ claims }),
    );
  if (permission.name === 'catalog.entity.read') return CATALOG_CONDITIONAL;
  return { result: AuthorizeResult.ALLOW };
};

/**
 * The real capa plugin on a fleet file with the policy and catalog doubles above, once every management cluster
 * has been read (the calls made while starting are forgotten).
 */
export async function startTenancyBackend(
  policy: TestPolicy,
  options: { fleetFile: string; catalogVisible?: Record<string, string[]> },
) {
  const permissions = policyPermissions(policy);
  const catalog = visibilityCatalog(
    options.catalogVisible ?? { [ML_USER]: ML_ENTITIES },
  );
  const { server } = await startTestBackend({
    features: [
      capaPlugin,
      mockServices.rootConfig.factory({
        data: { capa: { fleetFile: options.fleetFile } },
      }),
      permissions.factory,
      catalog.factory,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
    ],
  });
  for (let i = 0; i < 100; i++) {
    const res = await supertest(server)
      .get('/api/capa/management-clusters')
      .set('Authorization', mockCredentials.service.header());
    const body = res.body as ManagementClustersResponse;
    if (
      res.status === 200 &&
      body.items.length === 2 &&
      body.items.every(m => m.lastSync)
    )
      break;
    await new Promise(r => setTimeout(r, 50));
  }
  permissions.calls.length = 0;
  catalog.calls.length = 0;
  return { server, permissions, catalog };
}
