import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ResponseError } from '@backstage/errors';
import { MockFetchApi, registerMswTestHooks } from '@backstage/test-utils';
import { CapaClient } from './CapaClient';
import { stagingTrust, webCluster } from '../__testUtils__/fixtures';

const baseUrl = 'http://localhost:7007/api/capa';

describe('CapaClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const client = new CapaClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: new MockFetchApi(),
  });

  it('reads one account trust report', async () => {
    server.use(
      http.get(`${baseUrl}/accounts/222222222222/trust`, () =>
        HttpResponse.json(stagingTrust),
      ),
    );
    await expect(client.getAccountTrust('222222222222')).resolves.toEqual(
      stagingTrust,
    );
  });

  it('POSTs a live verification', async () => {
    let method = '';
    server.use(
      http.post(
        `${baseUrl}/accounts/222222222222/trust/verify`,
        ({ request }) => {
          method = request.method;
          return HttpResponse.json(stagingTrust);
        },
      ),
    );
    await client.verifyAccountTrust('222222222222');
    expect(method).toBe('POST');
  });

  it('sends the cluster filters as query parameters, leaving out empty ones', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${baseUrl}/clusters`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({ items: [], totalCount: 0 });
      }),
    );
    await client.getClusters({
      managementCluster: 'mgmt-eu',
      verdict: 'broken',
      namespace: '',
      q: 'web',
      limit: 50,
      offset: 100,
    });
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      managementCluster: 'mgmt-eu',
      verdict: 'broken',
      q: 'web',
      limit: '50',
      offset: '100',
    });
  });

  it('asks the accounts for one namespace (and management cluster) only when a namespace is given', async () => {
    const urls: URL[] = [];
    server.use(
      http.get(`${baseUrl}/accounts`, ({ request }) => {
        urls.push(new URL(request.url));
        return HttpResponse.json({ items: [], generatedAt: '' });
      }),
    );
    await client.getAccounts();
    await client.getAccounts({
      namespace: 'dev-payments',
      managementCluster: 'mgmt-eu',
    });
    await client.getAccounts({ managementCluster: 'mgmt-eu' });
    expect(urls.map(u => Object.fromEntries(u.searchParams))).toEqual([
      {},
      { namespace: 'dev-payments', managementCluster: 'mgmt-eu' },
      {},
    ]);
  });

  it('encodes path segments of clusters and identities', async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${baseUrl}/clusters/:mgmt/:ns/:name`, ({ request }) => {
        seen.push(new URL(request.url).pathname);
        return HttpResponse.json(webCluster);
      }),
      http.get(`${baseUrl}/identities/:mgmt/:name/chain`, ({ request }) => {
        seen.push(new URL(request.url).pathname);
        return HttpResponse.json({ identity: {}, chain: [] });
      }),
    );
    await client.getCluster({
      managementCluster: 'mgmt eu',
      namespace: 'staging',
      name: 'web',
    });
    await client.getIdentityChain({
      managementCluster: 'mgmt-eu',
      name: 'a/b',
    });
    expect(seen).toEqual([
      '/api/capa/clusters/mgmt%20eu/staging/web',
      '/api/capa/identities/mgmt-eu/a%2Fb/chain',
    ]);
  });

  it('throws a ResponseError carrying the backend error', async () => {
    server.use(
      http.get(`${baseUrl}/management-clusters`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotAllowedError', message: 'no' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    const error = await client.getManagementClusters().catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.response.status).toBe(403);
    expect(error.body.error.message).toBe('no');
  });
});
