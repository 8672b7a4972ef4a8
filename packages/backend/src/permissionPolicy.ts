/*
 * The demo's permission policy, written to be copied: members of the platform team see and do everything;
 * everyone else sees, verifies and creates only in the AWS accounts and clusters their groups own.
 *
 * - capa's permissions (`capa.account.read`, `capa.trust.verify`, `capa.cluster.create`) get a conditional
 *   decision: the resource's owner is one of the user's ownership claims (the user and their groups). capa
 *   applies it per account, cluster and identity (capa-backend's `IS_OWNER` rule).
 * - `capa.account.onboard`: platform team only (a new account has no owner yet).
 * - `catalog.entity.read`: the same rule for `Resource` entities (accounts, clusters, identities, management
 *   clusters); every other kind (users, groups, systems, templates) stays visible to all. capa's API also
 *   requires this one (capa.permissions.catalogVisibility), so the two never disagree.
 * - everything else is allowed (the demo has no other restrictions).
 */
import {
  createBackendModule,
  coreServices,
} from '@backstage/backend-plugin-api';
import type { UserInfoService } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  capaConditions,
  createCapaConditionalDecision,
} from '@capa-portal/plugin-capa-backend';
import {
  capaAccountOnboardPermission,
  capaAccountReadPermission,
  capaClusterCreatePermission,
  capaTrustVerifyPermission,
} from '@capa-portal/plugin-capa-common';

/** The group whose members see and do everything. */
export const PLATFORM_TEAM = 'group:default/platform-team';

const OWNED_CAPA_PERMISSIONS = [
  capaAccountReadPermission,
  capaTrustVerifyPermission,
  capaClusterCreatePermission,
];

export class CapaDemoPermissionPolicy implements PermissionPolicy {
  readonly #userInfo: UserInfoService;

  constructor(options: { userInfo: UserInfoService }) {
    this.#userInfo = options.userInfo;
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    // Service-to-service calls never reach the policy (the permissions service allows them).
    if (!user) return { result: AuthorizeResult.ALLOW };
    const { ownershipEntityRefs: claims } = await this.#userInfo.getUserInfo(
      user.credentials,
    );
    if (claims.includes(PLATFORM_TEAM))
      return { result: AuthorizeResult.ALLOW };

    const permission = request.permission;
    for (const owned of OWNED_CAPA_PERMISSIONS) {
      if (isPermission(permission, owned))
        return createCapaConditionalDecision(
          owned,
          capaConditions.isOwner({ claims }),
        );
    }
    if (isPermission(permission, capaAccountOnboardPermission))
      return { result: AuthorizeResult.DENY };
    if (isPermission(permission, catalogEntityReadPermission))
      return createCatalogConditionalDecision(catalogEntityReadPermission, {
        anyOf: [
          { not: catalogConditions.isEntityKind({ kinds: ['resource'] }) },
          catalogConditions.isEntityOwner({ claims }),
        ],
      });
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs {@link CapaDemoPermissionPolicy} as the permission backend's policy. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'capa-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, userInfo }) {
        policy.setPolicy(new CapaDemoPermissionPolicy({ userInfo }));
      },
    });
  },
});
