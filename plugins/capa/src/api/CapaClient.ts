import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
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
import type { CapaApi } from './CapaApi';

/**
 * The default {@link CapaApi}: talks to the capa backend plugin over HTTP with the user's Backstage identity.
 *
 * @public
 */
export class CapaClient implements CapaApi {
  readonly #discoveryApi: DiscoveryApi;
  readonly #fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetchApi = options.fetchApi;
  }

  getManagementClusters(): Promise<ManagementClustersResponse> {
    return this.#request('/management-clusters');
  }

  getAccounts(query: AccountsQuery = {}): Promise<AccountsResponse> {
    const params = new URLSearchParams();
    if (query.namespace) {
      params.set('namespace', query.namespace);
      if (query.managementCluster)
        params.set('managementCluster', query.managementCluster);
    }
    const qs = params.toString();
    return this.#request(`/accounts${qs ? `?${qs}` : ''}`);
  }

  getAccountTrust(accountId: string): Promise<AccountTrustResponse> {
    return this.#request(`/accounts/${enc(accountId)}/trust`);
  }

  verifyAccountTrust(accountId: string): Promise<AccountTrustResponse> {
    return this.#request(`/accounts/${enc(accountId)}/trust/verify`, {
      method: 'POST',
    });
  }

  getClusters(query: ClustersQuery = {}): Promise<ClustersResponse> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') {
        params.set(key, String(value));
      }
    }
    const qs = params.toString();
    return this.#request(`/clusters${qs ? `?${qs}` : ''}`);
  }

  getCluster(ref: {
    managementCluster: string;
    namespace: string;
    name: string;
  }): Promise<ClusterReport> {
    return this.#request(
      `/clusters/${enc(ref.managementCluster)}/${enc(ref.namespace)}/${enc(
        ref.name,
      )}`,
    );
  }

  getClusterWorkloadAccess(ref: {
    managementCluster: string;
    namespace: string;
    name: string;
  }): Promise<WorkloadAccessResponse> {
    return this.#request(
      `/clusters/${enc(ref.managementCluster)}/${enc(ref.namespace)}/${enc(
        ref.name,
      )}/workload-access`,
    );
  }

  getIdentityChain(ref: {
    managementCluster: string;
    name: string;
  }): Promise<IdentityChainResponse> {
    return this.#request(
      `/identities/${enc(ref.managementCluster)}/${enc(ref.name)}/chain`,
    );
  }

  getOnboardingGaps(
    query: OnboardingGapsQuery = {},
  ): Promise<OnboardingGapsResponse> {
    const params = new URLSearchParams();
    if (query.ou) params.set('ou', query.ou);
    for (const tag of query.tag ?? []) params.append('tag', tag);
    const qs = params.toString();
    return this.#request(`/onboarding-gaps${qs ? `?${qs}` : ''}`);
  }

  getTrustMap(): Promise<TrustMapResponse> {
    return this.#request('/trust-map');
  }

  async #request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.#discoveryApi.getBaseUrl('capa');
    const response = await this.#fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
