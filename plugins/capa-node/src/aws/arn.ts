import { parseArn } from '@capa-portal/plugin-capa-common';

/** `arn:aws:iam::123:role/path/name` → `name` (GetRole takes the name, without the path). */
export function roleNameFromArn(roleArn: string): string | undefined {
  const arn = parseArn(roleArn, { complete: true });
  if (!arn || arn.service !== 'iam' || !arn.resource.startsWith('role/'))
    return undefined;
  const name = arn.resource.split('/').pop();
  return name || undefined;
}

/**
 * The IAM ARN to simulate for a principal. An assumed-role session ARN (controllers on IRSA / Pod Identity
 * are one, `arn:aws:sts::123:assumed-role/Name/session`) can't be a PolicySourceArn: its role is. The session
 * ARN has no role path, so a role with a path must be given by its role ARN.
 */
export function simulationSourceArn(principalArn: string): string {
  const arn = parseArn(principalArn, { complete: true });
  if (arn?.service === 'sts' && arn.resource.startsWith('assumed-role/')) {
    const roleName = arn.resource.split('/')[1];
    if (roleName)
      return `arn:${arn.partition}:iam::${arn.accountId}:role/${roleName}`;
  }
  return principalArn;
}

/**
 * A region of each partition other than `aws` to call partition-scoped services (IAM, Organizations, STS) in:
 * every partition of the AWS SDK's partitions data (@aws-sdk/core util-endpoints `partitions`: aws, aws-cn,
 * aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc), with a region that matches its `regionRegex`.
 */
const PARTITION_HOME_REGIONS: Record<string, string> = {
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-iso': 'us-iso-east-1',
  'aws-iso-b': 'us-isob-east-1',
  'aws-iso-e': 'eu-isoe-west-1',
  'aws-iso-f': 'us-isof-south-1',
  'aws-eusc': 'eusc-de-east-1',
};

/** The region prefixes of the partitions other than `aws` (`cn-`, `us-gov-`, `eusc-de-`, ...). */
const OTHER_PARTITION_PREFIXES = Object.values(PARTITION_HOME_REGIONS).map(r =>
  r.replace(/-[a-z]+-\d+$/, '-'),
);

/** The region to call global / partition-scoped services (IAM, Organizations, STS) in for a partition. */
export function partitionRegion(
  partition: string | undefined,
  preferred: string,
): string {
  // Unknown partition: the configured region is the best guess.
  if (!partition) return preferred;
  if (partition === 'aws') {
    return OTHER_PARTITION_PREFIXES.some(p => preferred.startsWith(p))
      ? 'us-east-1'
      : preferred;
  }
  const home = PARTITION_HOME_REGIONS[partition];
  if (!home) return preferred;
  const prefix = home.replace(/-[a-z]+-\d+$/, '-');
  return preferred.startsWith(prefix) ? preferred : home;
}
