/*
 * STS's input constraints that capa-portal checks before AWS does (AWS STS API reference, AssumeRole).
 */

/**
 * RoleSessionName: 2..64 characters of `[\w+=,.@-]`.
 *
 * @public
 */
export const ROLE_SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

/**
 * ExternalId: 2..1224 characters of `[\w+=,.@:/-]`.
 *
 * @public
 */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

export function isRoleSessionName(v: string): boolean {
  return ROLE_SESSION_NAME_PATTERN.test(v);
}
