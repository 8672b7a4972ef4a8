import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import type { DefaultAwsClientFactoryOptions } from './clients';
import { isAccountId } from '@capa-portal/plugin-capa-common';

/** The gatherer's settings from `capa.verification` in app-config (see config.d.ts). */
export interface AwsVerificationSettings {
  concurrency?: number;
  ttlMs?: number;
  maxAttempts?: number;
  region?: string;
  organizationAccountId?: string;
  eksClusters?: boolean;
  clients: DefaultAwsClientFactoryOptions;
}

const SERVICES = ['sts', 'iam', 'organizations', 'eks'] as const;

function wrap<T>(key: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new InputError(`capa.verification.${key}: ${(e as Error).message}`);
  }
}

function positiveInteger(
  config: Config,
  key: string,
  max: number,
): number | undefined {
  const value = wrap(key, () => config.getOptionalNumber(key));
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InputError(
      `capa.verification.${key} must be a whole number from 1 to ${max}, got ${value}`,
    );
  }
  return value;
}

function duration(
  config: Config,
  key: string,
  max: { ms: number; text: string },
): number | undefined {
  if (!config.has(key)) return undefined;
  const ms = wrap(key, () =>
    durationToMilliseconds(readDurationFromConfig(config, { key })),
  );
  if (!(ms > 0))
    throw new InputError(`capa.verification.${key} must be longer than zero`);
  if (ms > max.ms)
    throw new InputError(
      `capa.verification.${key} must be at most ${max.text}`,
    );
  return ms;
}

const HOUR = 3_600_000;

function url(config: Config, key: string): string | undefined {
  const value = wrap(key, () => config.getOptionalString(key));
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InputError(
      `capa.verification.${key} must be an http(s) URL, got "${value}"`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InputError(
      `capa.verification.${key} must be an http(s) URL, got "${value}"`,
    );
  }
  return value;
}

/**
 * Reads how live verification talks to AWS from `capa.verification`: requests in flight, cache lifetime,
 * attempts, the default STS region, the Organizations account, the request timeout and service endpoints
 * (VPC interface endpoints, FIPS or a proxy). Absent keys are absent (the gatherer's defaults apply); a wrong
 * value throws an InputError naming the key.
 */
export function readAwsVerificationSettings(
  config: Config,
): AwsVerificationSettings {
  const v = config.getOptionalConfig('capa.verification');
  if (!v) return { clients: {} };
  const region = wrap('region', () => v.getOptionalString('region'));
  if (region !== undefined && !/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(region)) {
    throw new InputError(
      `capa.verification.region must be an AWS region such as eu-west-1, got "${region}"`,
    );
  }
  const organizationAccountId = wrap('organizationAccountId', () =>
    v.getOptionalString('organizationAccountId'),
  );
  if (
    organizationAccountId !== undefined &&
    !isAccountId(organizationAccountId)
  ) {
    throw new InputError(
      `capa.verification.organizationAccountId must be a 12-digit AWS account id (quoted in YAML), got "${organizationAccountId}"`,
    );
  }
  const endpoints: NonNullable<DefaultAwsClientFactoryOptions['endpoints']> =
    {};
  for (const service of SERVICES) {
    const endpoint = url(v, `endpoints.${service}`);
    if (endpoint) endpoints[service] = endpoint;
  }
  const requestTimeoutMs = duration(v, 'requestTimeout', {
    ms: HOUR,
    text: 'one hour',
  });
  const settings: AwsVerificationSettings = {
    concurrency: positiveInteger(v, 'concurrency', 256),
    ttlMs: duration(v, 'cacheTtl', { ms: 7 * 24 * HOUR, text: '7 days' }),
    maxAttempts: positiveInteger(v, 'maxAttempts', 20),
    region,
    organizationAccountId,
    eksClusters: wrap('eksClusters', () => v.getOptionalBoolean('eksClusters')),
    clients: {
      ...(Object.keys(endpoints).length ? { endpoints } : {}),
      ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
    },
  };
  return settings;
}
