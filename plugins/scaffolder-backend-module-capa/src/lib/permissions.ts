import type { PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { capaClusterCreatePermission } from '@capa-portal/plugin-capa-common';

/**
 * Asks the permission policy whether the user who runs the template may do `what` on one capa resource
 * (`capaResourceRef`); throws NotAllowedError naming the permission when not. Called before anything is
 * written or applied. With a resource ref, the permission backend decides conditional policies itself: it asks
 * the capa backend for the resource (owner, tier, management clusters) and applies the policy's conditions.
 */
export async function requireCapaPermission(
  permissions: PermissionsService | undefined,
  ctx: Pick<ActionContext<any, any, any>, 'getInitiatorCredentials'>,
  request: {
    /** One of capa's permissions (all are resource permissions of `capa-resource`). */
    permission: typeof capaClusterCreatePermission;
    resourceRef: string;
    what: string;
  },
): Promise<void> {
  if (!permissions) return;
  const [decision] = await permissions.authorize(
    [{ permission: request.permission, resourceRef: request.resourceRef }],
    { credentials: await ctx.getInitiatorCredentials() },
  );
  if (decision.result !== 'ALLOW') {
    throw new NotAllowedError(
      `you may not ${request.what} (permission ${request.permission.name} on ${request.resourceRef}); nothing was written or applied`,
    );
  }
}
