import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient, STSClientConfig } from '@aws-sdk/client-sts';

/**
 * Credentials for an SDK client: a provider (from integration-aws-node) or a hop's temporary credentials.
 *
 * @public
 */
export type AwsClientCredentials = NonNullable<STSClientConfig['credentials']>;

/**
 * What a client is created for.
 *
 * @public
 */
export interface AwsClientOptions {
  /** Region of the client (STS: the regional endpoint; IAM / Organizations: the partition's home region). */
  region: string;
  credentials: AwsClientCredentials;
  /**
   * Whose credentials these are, for tests and wrappers: the account of a configured provider, or
   * `hop:<n>:<roleArn>` for the temporary credentials of a chain's hop n.
   */
  principal: string;
}

/**
 * Creates the AWS SDK v3 clients the evidence gatherer uses. Replace it to point at a test endpoint or wrap clients.
 *
 * @public
 */
export interface AwsClientFactory {
  sts(options: AwsClientOptions): STSClient;
  iam(options: AwsClientOptions): IAMClient;
  organizations(options: AwsClientOptions): OrganizationsClient;
  /** EKS DescribeCluster (the API server CA of EKS clusters). Without it, EKS clusters are not looked up. */
  eks?(options: AwsClientOptions): EKSClient;
}

/** @public */
export interface DefaultAwsClientFactoryOptions {
  /** Send every request to this endpoint (a local test double), e.g. `http://127.0.0.1:4566`. */
  endpoint?: string;
  /** Per-service endpoints (VPC interface endpoints, FIPS, a proxy); each wins over `endpoint`. */
  endpoints?: {
    sts?: string;
    iam?: string;
    organizations?: string;
    eks?: string;
  };
  /** Per-request timeout in milliseconds (default 10 s). */
  requestTimeoutMs?: number;
}

/**
 * The default factory: real SDK v3 clients with the SDK's own retries turned off (`maxAttempts: 1`) since the
 * gatherer retries throttling itself with backoff and jitter, and a request timeout.
 *
 * @public
 */
export function createDefaultAwsClientFactory(
  options: DefaultAwsClientFactoryOptions = {},
): AwsClientFactory {
  const common = (
    o: AwsClientOptions,
    service: 'sts' | 'iam' | 'organizations' | 'eks',
  ) => {
    const endpoint = options.endpoints?.[service] ?? options.endpoint;
    return {
      region: o.region,
      credentials: o.credentials,
      maxAttempts: 1,
      customUserAgent: 'capa-portal',
      ...(endpoint ? { endpoint } : {}),
      // Without throwOnRequestTimeout the SDK's node handler only logs a warning and the request hangs on.
      requestHandler: {
        requestTimeout: options.requestTimeoutMs ?? 10_000,
        throwOnRequestTimeout: true,
      },
    };
  };
  return {
    sts: o => new STSClient(common(o, 'sts')),
    iam: o => new IAMClient(common(o, 'iam')),
    organizations: o => new OrganizationsClient(common(o, 'organizations')),
    eks: o => new EKSClient(common(o, 'eks')),
  };
}
