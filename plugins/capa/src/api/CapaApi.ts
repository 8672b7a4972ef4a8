import { createApiRef } from '@backstage/core-plugin-api';
import type {
  AccountsQuery,
  AccountsResponse,
  AccountTrustResponse,
  ClusterReport,
  ClustersQuery,
  ClustersResponse,
  IdentityChainResponse,
  WorkloadAccessResponse,
  ManagementClustersResponse,
  OnboardingGapsQuery,
  OnboardingGapsResponse,
  TrustMapResponse,
} from '@capa-portal/plugin-capa-common';

/**
 * Reads trust reports from the capa backend (`/api/capa`).
 *
 * @public
 */
export interface CapaApi {
  /** `GET /management-clusters`: every management cluster with the health of its source. */
  getManagementClusters(): Promise<ManagementClustersResponse>;
  /**
   * `GET /accounts`: every account with its verdict (reachability). With `query.namespace`, each account also
   * answers whether a cluster in that namespace has an identity that admits it and reaches the account.
   */
  getAccounts(query?: AccountsQuery): Promise<AccountsResponse>;
  /** `GET /accounts/{accountId}/trust`: one account's full report. */
  getAccountTrust(accountId: string): Promise<AccountTrustResponse>;
  /** `POST /accounts/{accountId}/trust/verify`: re-verify live with AWS now (permission `capa.trust.verify`). */
  verifyAccountTrust(accountId: string): Promise<AccountTrustResponse>;
  /** `GET /clusters`: workload clusters, filtered and paged by the backend. */
  getClusters(query?: ClustersQuery): Promise<ClustersResponse>;
  /** `GET /clusters/{managementCluster}/{namespace}/{name}`: one cluster's report. */
  getCluster(ref: {
    managementCluster: string;
    namespace: string;
    name: string;
  }): Promise<ClusterReport>;
  /**
   * `GET /clusters/{managementCluster}/{namespace}/{name}/workload-access`: the roles the EKS cluster's service
   * accounts can assume (IRSA, EKS Pod Identity and role chaining), each with its checks and verdict.
   */
  getClusterWorkloadAccess(ref: {
    managementCluster: string;
    namespace: string;
    name: string;
  }): Promise<WorkloadAccessResponse>;
  /** `GET /identities/{managementCluster}/{name}/chain`: an identity and its resolved chain. */
  getIdentityChain(ref: {
    managementCluster: string;
    name: string;
  }): Promise<IdentityChainResponse>;
  /** `GET /onboarding-gaps`: accounts not onboarded and identities to unknown or suspended accounts. */
  getOnboardingGaps(
    query?: OnboardingGapsQuery,
  ): Promise<OnboardingGapsResponse>;
  /** `GET /trust-map`: management clusters, identities and accounts with verdicts, for the fleet trust map. */
  getTrustMap(): Promise<TrustMapResponse>;
}

/**
 * The API ref of the capa client.
 *
 * @public
 */
export const capaApiRef = createApiRef<CapaApi>({
  id: 'plugin.capa.client',
});
