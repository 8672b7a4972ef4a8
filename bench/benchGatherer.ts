/*
 * The evidence gatherer of the bench's trust phase and of scripts/report-snapshot.ts: the real
 * DefaultAwsEvidenceGatherer with the real SDK clients, pointed at the AWS test double (bench/awsDouble.ts),
 * with static bench credentials for every account (`AKIABNCH<account>`): nothing leaves the machine.
 */
import { ConfigReader } from '@backstage/config';
import type { ChainPlan, FleetInput } from '@capa-portal/plugin-capa-common';
import {
  createDefaultAwsClientFactory,
  DefaultAwsEvidenceGatherer,
} from '@capa-portal/plugin-capa-node';
import type { AwsDouble } from './awsDouble';

export const silentLogger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

export function benchGatherer(
  double: AwsDouble,
  input: FleetInput,
  options: { concurrency?: number } = {},
) {
  const credentialsManager = {
    async getCredentialProvider(opts?: { accountId?: string }) {
      const accountId =
        opts?.accountId ?? input.managementClusters[0].accountId;
      const creds = {
        accessKeyId: `AKIABNCH${accountId}`,
        secretAccessKey: 'benchSecretFAKEbenchSecretFAKEbenchSecret',
      };
      return {
        accountId,
        stsRegion: 'us-east-1',
        sdkCredentialProvider: async () => creds,
      };
    },
  };
  const gatherer = DefaultAwsEvidenceGatherer.fromConfig(new ConfigReader({}), {
    logger: silentLogger as any,
    credentialsManager,
    clientFactory: createDefaultAwsClientFactory({ endpoint: double.endpoint }),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
  // As TrustService does: each chain starts from the credentials of its management cluster's account.
  const byName = new Map(
    input.managementClusters.map(m => [m.name, m.accountId]),
  );
  const managementAccountId = (chain: ChainPlan) =>
    byName.get(chain.key.split('>')[0]);
  return { gatherer, managementAccountId };
}
