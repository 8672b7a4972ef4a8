import { ConfigReader } from '@backstage/config';
import { readAwsVerificationSettings } from './config';

const read = (verification: unknown) =>
  readAwsVerificationSettings(
    new ConfigReader({ capa: { verification } } as any),
  );

describe('readAwsVerificationSettings', () => {
  it('reads every setting', () => {
    expect(
      read({
        frequency: { minutes: 30 },
        concurrency: 16,
        cacheTtl: { minutes: 5 },
        maxAttempts: 3,
        requestTimeout: { seconds: 4 },
        region: 'eu-central-1',
        organizationAccountId: '123456789012',
        endpoints: {
          sts: 'https://vpce-1.sts.eu-central-1.vpce.amazonaws.com',
          iam: 'http://127.0.0.1:4566',
        },
      }),
    ).toEqual({
      concurrency: 16,
      ttlMs: 300_000,
      maxAttempts: 3,
      region: 'eu-central-1',
      organizationAccountId: '123456789012',
      clients: {
        requestTimeoutMs: 4000,
        endpoints: {
          sts: 'https://vpce-1.sts.eu-central-1.vpce.amazonaws.com',
          iam: 'http://127.0.0.1:4566',
        },
      },
    });
  });

  it.each([
    'us-gov-west-1',
    'cn-north-1',
    'ap-southeast-4',
    'eu-isoe-west-1',
    'eusc-de-east-1',
  ])('takes the region %s', region => {
    expect(read({ region }).region).toBe(region);
  });

  it('leaves out what is not set', () => {
    expect(readAwsVerificationSettings(new ConfigReader({}))).toEqual({
      clients: {},
    });
    expect(read({ frequency: { minutes: 30 } })).toEqual({
      concurrency: undefined,
      ttlMs: undefined,
      maxAttempts: undefined,
      region: undefined,
      organizationAccountId: undefined,
      clients: {},
    });
  });

  it.each([
    [
      { concurrency: 0 },
      /capa.verification.concurrency must be a whole number from 1 to 256, got 0/,
    ],
    [{ concurrency: 2.5 }, /concurrency must be a whole number/],
    [{ concurrency: 'many' }, /capa.verification.concurrency: .*number/],
    [
      { maxAttempts: 100 },
      /capa.verification.maxAttempts must be a whole number from 1 to 20/,
    ],
    [{ cacheTtl: 'soon' }, /capa.verification.cacheTtl/],
    [
      { cacheTtl: { minutes: 0 } },
      /capa.verification.cacheTtl must be longer than zero/,
    ],
    [{ requestTimeout: { fortnights: 1 } }, /capa.verification.requestTimeout/],
    [
      { requestTimeout: { days: 30 } },
      /capa.verification.requestTimeout must be at most one hour/,
    ],
    [
      { cacheTtl: { days: 30 } },
      /capa.verification.cacheTtl must be at most 7 days/,
    ],
    [
      { region: 'Europe' },
      /capa.verification.region must be an AWS region such as eu-west-1, got "Europe"/,
    ],
    [
      { organizationAccountId: '1234' },
      /organizationAccountId must be a 12-digit AWS account id/,
    ],
    [
      { endpoints: { sts: 'not a url' } },
      /capa.verification.endpoints.sts must be an http\(s\) URL, got "not a url"/,
    ],
    [
      { endpoints: { iam: 'ftp://example.com' } },
      /capa.verification.endpoints.iam must be an http\(s\) URL/,
    ],
  ])('rejects %j, naming the key', (verification, message) => {
    expect(() => read(verification)).toThrow(message);
  });
});
