import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  AccountTrustResponse,
  CatalogFleetView,
  CatalogViewScope,
  FleetReport,
  ManagementClusterStatus,
  ManagementClustersResponse,
} from '@capa-portal/plugin-capa-common';

/**
 * The events-service topic the capa backend publishes on when the fleet report changed: a management cluster's
 * read stored new content (payload `{ managementCluster }`), or a live verification finished (payload `{}`).
 * capa-portal's catalog module refreshes its entities on it instead of waiting for its next poll.
 *
 * @public
 */
export const CAPA_REPORT_CHANGED_TOPIC = 'capa.report.changed';

/**
 * The whole fleet report with the health of every source: `GET /api/capa/report`.
 *
 * @public
 */
export type FleetReportResponse = FleetReport & {
  sources: ManagementClusterStatus[];
};

/**
 * How other backend plugins (the catalog and scaffolder modules) talk to the capa backend: over HTTP with
 * service credentials, so they never import capa-backend and work across replicas and deployments.
 *
 * @public
 */
export class CapaBackendClient {
  readonly #discovery: DiscoveryService;
  readonly #auth: AuthService;

  private constructor(discovery: DiscoveryService, auth: AuthService) {
    this.#discovery = discovery;
    this.#auth = auth;
  }

  static create(options: {
    discovery: DiscoveryService;
    auth: AuthService;
  }): CapaBackendClient {
    return new CapaBackendClient(options.discovery, options.auth);
  }

  fleetReport(): Promise<FleetReportResponse> {
    return this.#request('GET', '/report');
  }

  /**
   * The fleet report unless it is still the one tagged `etag` (then only `{ etag }`, from a `304 Not Modified`
   * without a body). Without `etag`, always the report. The tag is weak: equal tags mean equivalent reports
   * (the same content and source health), not equal timestamps.
   */
  async fleetReportIfChanged(
    etag?: string,
  ): Promise<{ etag?: string; report?: FleetReportResponse }> {
    const { etag: tag, body } = await this.#getIfChanged<FleetReportResponse>(
      '/report',
      etag,
    );
    return { etag: tag, report: body };
  }

  /**
   * One part of the fleet as the catalog module builds its entities from it, unless still the one tagged `etag`
   * (then only `{ etag }`): `GET /api/capa/catalog-view/accounts` or
   * `GET /api/capa/catalog-view/management-clusters/{name}`. A management cluster's part is a few percent of the
   * whole report and keeps its tag when another management cluster changes.
   */
  async catalogView(
    scope: CatalogViewScope,
    etag?: string,
  ): Promise<{ etag?: string; view?: CatalogFleetView }> {
    const { etag: tag, body } = await this.#getIfChanged<CatalogFleetView>(
      scope.type === 'accounts'
        ? '/catalog-view/accounts'
        : `/catalog-view/management-clusters/${encodeURIComponent(scope.name)}`,
      etag,
    );
    return { etag: tag, view: body };
  }

  /** A conditional GET: the body and its tag, or `{ etag }` alone when the server answered 304. */
  async #getIfChanged<T>(
    path: string,
    etag?: string,
  ): Promise<{ etag?: string; body?: T }> {
    // With If-None-Match alone, Node's fetch (undici, following the Fetch standard's "HTTP-network-or-cache
    // fetch": a conditional request gets cache mode "no-store") adds `Cache-Control: no-cache`, and express's
    // `req.fresh` (the `fresh` package) never answers 304 to a no-cache request: every poll downloaded the whole
    // body. `max-age=0` asks for the same revalidation and keeps the 304.
    const response = await this.#fetch(
      'GET',
      path,
      etag ? { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' } : {},
    );
    if (response.status === 304) return { etag };
    return {
      etag: response.headers.get('etag') ?? undefined,
      body: (await response.json()) as T,
    };
  }

  /** Every management cluster's read status, without the fleet: `GET /api/capa/management-clusters`. */
  async managementClusters(): Promise<ManagementClusterStatus[]> {
    return (
      await this.#request<ManagementClustersResponse>(
        'GET',
        '/management-clusters',
      )
    ).items;
  }

  accountTrust(accountId: string): Promise<AccountTrustResponse> {
    return this.#request(
      'GET',
      `/accounts/${encodeURIComponent(accountId)}/trust`,
    );
  }

  verifyAccount(accountId: string): Promise<AccountTrustResponse> {
    return this.#request(
      'POST',
      `/accounts/${encodeURIComponent(accountId)}/trust/verify`,
    );
  }

  async #request<T>(method: string, path: string): Promise<T> {
    return (await (await this.#fetch(method, path)).json()) as T;
  }

  /** A request with service credentials; a 2xx or a 304 answer, or a ResponseError. */
  async #fetch(
    method: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const baseUrl = await this.#discovery.getBaseUrl('capa');
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf: await this.#auth.getOwnServiceCredentials(),
      targetPluginId: 'capa',
    });
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...headers,
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
      },
    });
    if (!response.ok && response.status !== 304)
      throw await ResponseError.fromResponse(response as any);
    return response;
  }
}
