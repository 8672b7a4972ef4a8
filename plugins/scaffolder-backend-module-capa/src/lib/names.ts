/** Names of management clusters as configured (`mgmt-eu`). */
export const MANAGEMENT_CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const MANAGEMENT_CLUSTER_NAME_TEXT =
  'is not a management cluster name (letters, digits, . _ -; at most 63)';

/** The target role names CAPA's guides use: clusterawsadm's `controllers` role, or the DKP guide's `control-plane` role. */
export const NAMING_CONVENTIONS = [
  'controllers',
  'control-plane',
] as const satisfies readonly NamingConvention[];
/** @public */
export type NamingConvention = 'controllers' | 'control-plane';

export function targetRoleName(convention: NamingConvention): string {
  return `${convention}.cluster-api-provider-aws.sigs.k8s.io`;
}

export function targetRoleArn(
  partition: string,
  accountId: string,
  convention: NamingConvention,
): string {
  return `arn:${partition}:iam::${accountId}:role/${targetRoleName(
    convention,
  )}`;
}
