/*
 * partitionRegion: a region of the ARN's partition. Expected values from the AWS SDK's partitions data
 * (@aws-sdk/core, util-endpoints partitions: each partition's `regionRegex`), not from the code:
 * aws `^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$`, aws-cn `^cn-\w+-\d+$`, aws-us-gov `^us-gov-\w+-\d+$`,
 * aws-iso `^us-iso-\w+-\d+$`, aws-iso-b `^us-isob-\w+-\d+$`, aws-iso-e `^eu-isoe-\w+-\d+$`,
 * aws-iso-f `^us-isof-\w+-\d+$`, aws-eusc `^eusc-(de)-\w+-\d+$`.
 */
import { partitionRegion } from './arn';

const REGION_OF: Record<string, RegExp> = {
  aws: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
  'aws-cn': /^cn-\w+-\d+$/,
  'aws-us-gov': /^us-gov-\w+-\d+$/,
  'aws-iso': /^us-iso-\w+-\d+$/,
  'aws-iso-b': /^us-isob-\w+-\d+$/,
  'aws-iso-e': /^eu-isoe-\w+-\d+$/,
  'aws-iso-f': /^us-isof-\w+-\d+$/,
  'aws-eusc': /^eusc-(de)-\w+-\d+$/,
};

describe('partitionRegion', () => {
  it.each(Object.entries(REGION_OF))(
    'gives a region of %s whatever region is configured',
    (partition, pattern) => {
      const configured = [
        'eu-west-1',
        'cn-northwest-1',
        'us-gov-east-1',
        'us-isof-south-1',
        'eusc-de-east-1',
      ];
      for (const c of configured)
        expect(partitionRegion(partition, c)).toMatch(pattern);
      // A configured region of the partition itself is kept.
      const own = configured.filter(c => pattern.test(c));
      expect(own.map(c => partitionRegion(partition, c))).toEqual(own);
    },
  );

  it('keeps the configured region for an unknown partition', () => {
    expect(partitionRegion(undefined, 'eu-west-1')).toBe('eu-west-1');
  });
});
