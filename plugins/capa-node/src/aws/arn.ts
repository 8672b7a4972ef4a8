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

/** The region to call global / partition-scoped services (IAM, Organizations, STS) in for a partition. */
export function partitionRegion(
  partition: string | undefined,
  preferred: string,
): string {
  const expected: Record<string, string> = {
    'aws-cn': 'cn-north-1',
    'aws-us-gov': 'us-gov-west-1',
    'aws-iso': 'us-iso-east-1',
    'aws-iso-b': 'us-isob-east-1',
  };
  // Unknown partition: the configured region is the best guess.
  if (!partition) return preferred;
  if (partition === 'aws') {
    return /^(cn|us-gov|us-iso|us-isob)-/.test(preferred)
      ? 'us-east-1'
      : preferred;
  }
  const home = expected[partition];
  if (!home) return preferred;
  const prefix = home.replace(/-[a-z]+-\d+$/, '');
  return preferred.startsWith(`${prefix}-`) ? preferred : home;
}
