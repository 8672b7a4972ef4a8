/*
 * The partition rule of every AssumeRole hop, shared by target-trust and source-permission. AWS partitions (aws,
 * aws-cn, aws-us-gov, aws-iso*, aws-eusc) "are hard isolation boundaries with independent instances of AWS
 * Identity and Access Management (IAM), so a credential issued in one partition isn't valid in another. As a
 * result, direct role assumption with the AssumeRole API doesn't work across partition boundaries" (IAM User
 * Guide, id_roles_providers_outbound_cross_partition.html). CAPA only calls sts:AssumeRole, so a chain whose
 * source principal and target role are in different partitions can never work, whatever the policies say.
 */
import { parseArn } from '../../iam/arn';
import type { HopInput, PartialCheck } from '../types';
import { roleName } from './check';

const CROSS_PARTITION_DOC =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_cross_partition.html';

/** The two partitions when the hop's source principal and target role are known to be in different ones. */
export function crossPartition(
  hop: HopInput,
): { source: string; target: string } | undefined {
  const source = parseArn(hop.source.arn)?.partition;
  const target = parseArn(hop.roleArn)?.partition;
  return source && target && source !== target ? { source, target } : undefined;
}

/** The failing check for a hop across partitions, worded for the check that reports it. */
export function crossPartitionCheck(
  hop: HopInput,
  partitions: { source: string; target: string },
  id: 'target-trust' | 'source-permission',
): PartialCheck {
  const { source, target } = partitions;
  const who = hop.source.arn ?? hop.source.identity;
  const identity = `${hop.identity.kind}/${hop.identity.name}`;
  const message =
    id === 'target-trust'
      ? `${who} is in partition ${source} and ${roleName(
          hop.roleArn,
        )} in ${target}: sts:AssumeRole never crosses a partition, so no trust policy of ${target} can let it in`
      : `${who} is in partition ${source}: its credentials are not valid in ${target}, where ${hop.roleArn} is (sts:AssumeRole never crosses a partition)`;
  return {
    status: 'fail',
    message,
    evidence: [
      { source: identity, detail: `spec.roleARN ${hop.roleArn}` },
      { source: hop.source.identity, detail: `principal ${who}` },
      { source: CROSS_PARTITION_DOC, detail: 'AWS: partitions' },
    ],
    fix: {
      summary: `Use a management cluster whose controllers run in partition ${target} for account ${
        parseArn(hop.roleArn)?.accountId ?? '?'
      }, or correct the partition of spec.roleARN in ${identity} if it is a typo (the same 12 digits in another partition are another account). CAPA only calls sts:AssumeRole, which never crosses a partition.`,
    },
  };
}
