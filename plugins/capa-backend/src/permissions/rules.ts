/*
 * The permission rules of `capa-resource` (capa-common's permissions), and the condition exports a permission
 * policy builds conditional decisions with:
 *
 *   createCapaConditionalDecision(permission, capaConditions.isOwner({ claims: user.ownershipEntityRefs }))
 *
 * Rules are pure: what they decide on is the resource capa-backend builds from the trust report and the fleet
 * config (`CapaPermissionResource`, see ./resources.ts). Resources are filtered in memory, so a rule's query
 * form is the same predicate as its `apply`.
 */
import type {
  PermissionCriteria,
  PermissionRuleParams,
} from '@backstage/plugin-permission-common';
import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
  PermissionRule,
} from '@backstage/plugin-permission-node';
import {
  CAPA_RESOURCE_TYPE,
  CapaPermissionResource,
} from '@capa-portal/plugin-capa-common';
import { z } from 'zod/v3';

/**
 * The query form of a rule: a predicate over resources (capa filters its report in memory).
 *
 * @public
 */
export type CapaResourcePredicate = (
  resource: CapaPermissionResource,
) => boolean;

/**
 * The resource type `capa-resource`, owned by the `capa` plugin.
 *
 * @public
 */
export const capaPermissionResourceRef = createPermissionResourceRef<
  CapaPermissionResource,
  CapaResourcePredicate
>().with({ pluginId: 'capa', resourceType: CAPA_RESOURCE_TYPE });

const lower = (values: string[]) => values.map(v => v.toLowerCase());

/**
 * `createPermissionRule` for `capa-resource` with the params type given explicitly: letting TypeScript infer it
 * from a zod v3 schema through createPermissionRule's overloads (Standard Schema first) instantiates types
 * "excessively deep" and takes gigabytes. The schema is still checked at runtime by createPermissionRule.
 */
function capaRule<TParams extends PermissionRuleParams>(rule: {
  name: string;
  description: string;
  paramsSchema: z.ZodTypeAny;
  apply(resource: CapaPermissionResource, params: TParams): boolean;
  toQuery(params: TParams): PermissionCriteria<CapaResourcePredicate>;
}): PermissionRule<
  CapaPermissionResource,
  CapaResourcePredicate,
  typeof CAPA_RESOURCE_TYPE,
  TParams
> {
  return (createPermissionRule as any)({
    ...rule,
    resourceRef: capaPermissionResourceRef,
  });
}

const isOwner = capaRule<{ claims: string[] }>({
  name: 'IS_OWNER',
  description:
    'Allow accounts, clusters and identities owned by one of the given entity refs (pass the user ownership claims)',
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe(
        'Entity refs (group:default/ml-team, user:default/ada) to match the owner against',
      ),
  }),
  apply: (resource, { claims }) =>
    resource.owner !== undefined &&
    lower(claims).includes(resource.owner.toLowerCase()),
  toQuery:
    ({ claims }) =>
    resource =>
      resource.owner !== undefined &&
      lower(claims).includes(resource.owner.toLowerCase()),
});

const hasTier = capaRule<{ tiers: string[] }>({
  name: 'HAS_TIER',
  description:
    'Allow accounts whose tier (fleet config) is one of the given tiers; clusters and identities by the tier of the account they target',
  paramsSchema: z.object({
    tiers: z.array(z.string()).describe('Tiers, e.g. sandbox, development'),
  }),
  apply: (resource, { tiers }) =>
    resource.tier !== undefined && lower(tiers).includes(resource.tier),
  toQuery:
    ({ tiers }) =>
    resource =>
      resource.tier !== undefined && lower(tiers).includes(resource.tier),
});

const inManagementCluster = capaRule<{ managementClusters: string[] }>({
  name: 'IN_MANAGEMENT_CLUSTER',
  description:
    'Allow clusters and identities of the given management clusters, and accounts those management clusters reach (or run in)',
  paramsSchema: z.object({
    managementClusters: z
      .array(z.string())
      .describe('Management cluster names (fleet config)'),
  }),
  apply: (resource, { managementClusters }) =>
    resource.managementClusters.some(m => managementClusters.includes(m)),
  toQuery:
    ({ managementClusters }) =>
    resource =>
      resource.managementClusters.some(m => managementClusters.includes(m)),
});

const isKind = capaRule<{ kinds: CapaPermissionResource['kind'][] }>({
  name: 'IS_KIND',
  description:
    'Allow resources of the given kinds: account, cluster, identity, management-cluster',
  paramsSchema: z.object({
    kinds: z
      .array(z.enum(['account', 'cluster', 'identity', 'management-cluster']))
      .describe('Resource kinds'),
  }),
  apply: (resource, { kinds }) => kinds.includes(resource.kind),
  toQuery:
    ({ kinds }) =>
    resource =>
      kinds.includes(resource.kind),
});

const inAccount = capaRule<{ accountIds: string[] }>({
  name: 'IN_ACCOUNT',
  description:
    'Allow the given AWS accounts, and the clusters and identities that target them',
  paramsSchema: z.object({
    accountIds: z.array(z.string()).describe('12-digit AWS account ids'),
  }),
  apply: (resource, { accountIds }) =>
    resource.accountId !== undefined && accountIds.includes(resource.accountId),
  toQuery:
    ({ accountIds }) =>
    resource =>
      resource.accountId !== undefined &&
      accountIds.includes(resource.accountId),
});

/**
 * Every rule of `capa-resource`, registered with the permissions registry by the capa plugin.
 *
 * @public
 */
export const capaPermissionRules = {
  isOwner,
  hasTier,
  inManagementCluster,
  isKind,
  inAccount,
};

const exported = createConditionExports({
  resourceRef: capaPermissionResourceRef,
  rules: capaPermissionRules,
});

/**
 * Conditions on `capa-resource`s for permission policies: `isOwner({ claims })`, `hasTier({ tiers })`,
 * `inManagementCluster({ managementClusters })`, `isKind({ kinds })`, `inAccount({ accountIds })`.
 *
 * @public
 */
export const capaConditions = exported.conditions;

/**
 * Wraps conditions on `capa-resource`s into a conditional decision for one of capa's permissions.
 *
 * @public
 */
export const createCapaConditionalDecision = exported.createConditionalDecision;
