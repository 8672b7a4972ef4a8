/*
 * Security suite (issue #7 part 5), through the real capa backend on two live management clusters:
 * - every /api/capa route answers 401 without credentials, 403 without its permission (and a policy that denies
 *   only capa.trust.verify denies only the verify route);
 * - no Kubernetes token, CA data, AWS access key id, secret key or session token appears in any response or
 *   log line, on good paths and error paths (403 from the Kubernetes API server, STS AccessDenied);
 * - manifest URLs are read only through the UrlReaderService (never fetched directly), and a URL outside the
 *   reader's allow-list makes that source stale with a clear error while everything else keeps working.
 */
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import {
  coreServices,
  createServiceFactory,
  PermissionsService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { ManagementClusterStatus } from '@capa-portal/plugin-capa-common';
import {
  smallCapaFleet,
  TestKubernetesApiServer,
} from '@capa-portal/plugin-capa-node/testing';
import http from 'node:http';
import https from 'node:https';
import request from 'supertest';
import { capaAccountReadPermission } from '@capa-portal/plugin-capa-common';
import {
  capaConditions,
  createCapaConditionalDecision,
} from './permissions/rules';
import { policyPermissions } from './__testUtils__/tenancy';
import { mockAwsClients } from './__testUtils__/aws';
import { startCapaBackend } from './__testUtils__/backend';
import {
  FAKE,
  managementClusters,
  recordUnhandledRejections,
  secretsIn,
  userHeader,
} from './__testUtils__/harness';
import {
  CONTROLLERS,
  liveFleetConfig,
  MGMT_ACCOUNT,
  STAGING_ACCOUNT,
} from './__testUtils__/fleet';

jest.setTimeout(60_000);

const ROUTES: Array<['get' | 'post', string, string]> = [
  ['get', '/api/capa/management-clusters', 'capa.account.read'],
  ['get', '/api/capa/report', 'capa.account.read'],
  ['get', '/api/capa/catalog-view/accounts', 'capa.account.read'],
  [
    'get',
    '/api/capa/catalog-view/management-clusters/mgmt-a',
    'capa.account.read',
  ],
  ['get', '/api/capa/accounts', 'capa.account.read'],
  ['get', `/api/capa/accounts/${STAGING_ACCOUNT}/trust`, 'capa.account.read'],
  [
    'post',
    `/api/capa/accounts/${STAGING_ACCOUNT}/trust/verify`,
    'capa.trust.verify',
  ],
  ['get', '/api/capa/clusters', 'capa.account.read'],
  ['get', '/api/capa/clusters/mgmt-a/staging/web', 'capa.account.read'],
  ['get', '/api/capa/identities/mgmt-a/staging/chain', 'capa.account.read'],
];

const GIT_ALLOWED = 'https://git.example.com/platform/fleet/tree/main/mgmt-git';
const GIT_DENIED = 'https://evil.example.net/fleet/mgmt-evil.yaml';

/**
 * A UrlReaderService double with an allow-list, as Backstage's readers have: git.example.com serves one tree of
 * manifests, every other host is refused with NotAllowedError (what the real readers throw, before any network).
 */
function allowListUrlReader() {
  const calls: string[] = [];
  const refuse = (url: string) => {
    if (!url.startsWith('https://git.example.com/'))
      throw new NotAllowedError(
        `Reading from '${url}' is not allowed. You may need to configure an integration for the target host, or add it to the configured list of allowed hosts at 'backend.reading.allow'`,
      );
  };
  // JSON is YAML: the manifests file the reader serves.
  const manifests = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: smallCapaFleet(),
  });
  const reader: UrlReaderService = {
    async readUrl(url) {
      calls.push(`readUrl ${url}`);
      refuse(url);
      return { buffer: async () => Buffer.from(manifests) } as any;
    },
    async readTree(url) {
      calls.push(`readTree ${url}`);
      refuse(url);
      return {
        etag: 'etag-1',
        files: async () => [
          { path: 'fleet.yaml', content: async () => Buffer.from(manifests) },
        ],
        archive: async () => {
          throw new Error('not used');
        },
        dir: async () => {
          throw new Error('not used');
        },
      } as any;
    },
    async search() {
      throw new Error('not used');
    },
  };
  const factory = createServiceFactory({
    service: coreServices.urlReader,
    deps: {},
    factory: () => reader,
  });
  return { factory, calls };
}

/** Denies only the named permissions. */
function denyOnly(names: string[]) {
  const decide = async (requests: Array<{ permission: { name: string } }>) =>
    requests.map(r => ({
      result: names.includes(r.permission.name)
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
    })) as any;
  const service: PermissionsService = {
    authorize: decide,
    authorizeConditional: decide,
  };
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => service,
  });
}

describe('security suite', () => {
  const rejections = recordUnhandledRejections();
  const aws = mockAwsClients();
  const { sts, iam, orgs } = aws;
  let a: TestKubernetesApiServer;
  let b: TestKubernetesApiServer;

  beforeAll(async () => {
    rejections.install();
    a = await TestKubernetesApiServer.start({
      objects: smallCapaFleet(),
      token: FAKE.k8sTokenA,
    });
    b = await TestKubernetesApiServer.start({
      objects: smallCapaFleet(),
      token: FAKE.k8sTokenB,
    });
  });
  afterAll(async () => {
    aws.restore();
    await a.stop();
    await b.stop();
    rejections.uninstall();
  });

  async function start(
    extra: any[] = [],
    options: {
      extraManagementClusters?: Array<Record<string, unknown>>;
      extraConfig?: Record<string, unknown>;
    } = {},
  ) {
    const backend = await startCapaBackend(
      {
        servers: { a, b },
        aws: true,
        extraManagementClusters: options.extraManagementClusters,
        extra: options.extraConfig,
      },
      [
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        ...extra,
      ],
    );
    await backend.probe.refresh('mgmt-a', 'mgmt-b');
    return backend;
  }

  it('answers 401 on every route without credentials, and with a bad token', async () => {
    const { server } = await start();
    for (const [method, route] of ROUTES) {
      const none = await request(server)[method](route);
      expect({ route, status: none.status }).toEqual({ route, status: 401 });
      const bad = await request(server)
        [method](route)
        .set('Authorization', 'Bearer not-a-backstage-token');
      expect({ route, status: bad.status }).toEqual({ route, status: 401 });
    }
  });

  it('answers 403 on every route when the policy denies, naming the permission', async () => {
    const { server } = await start([
      mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
    ]);
    for (const [method, route, permission] of ROUTES) {
      const res = await request(server)
        [method](route)
        .set('Authorization', userHeader());
      expect({ route, status: res.status }).toEqual({ route, status: 403 });
      // Every route needs capa.account.read first (verify too: one verifies what one may read).
      expect(res.body.error.message).toContain(
        permission === 'capa.trust.verify' ? 'capa.account.read' : permission,
      );
    }
  });

  it('a policy denying only capa.trust.verify denies only the verify route', async () => {
    const { server } = await start([denyOnly(['capa.trust.verify'])]);
    for (const [method, route, permission] of ROUTES) {
      const res = await request(server)
        [method](route)
        .set('Authorization', userHeader());
      const expected = permission === 'capa.trust.verify' ? 403 : 200;
      expect({ route, status: res.status }).toEqual({
        route,
        status: expected,
      });
    }
  });

  it('never shows a token, CA data, key, secret key or session token, on good and error paths', async () => {
    aws.reset();
    orgs
      .onAnyCommand()
      .rejects(
        Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
      );
    iam
      .onAnyCommand()
      .rejects(
        Object.assign(
          new Error(
            `User: arn:aws:sts::${MGMT_ACCOUNT}:assumed-role/x/y is not authorized (key ${FAKE.mgmtKeyId})`,
          ),
          { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } },
        ),
      );
    iam.on(GetRoleCommand).rejects(
      Object.assign(new Error('AccessDenied on GetRole'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    // STS AccessDenied whose message (as some services do) echoes request material, secrets included.
    sts
      .on(AssumeRoleCommand)
      .rejects(
        Object.assign(
          new Error(
            `User: arn:aws:sts::${MGMT_ACCOUNT}:assumed-role/controllers/x is not authorized to perform: sts:AssumeRole on resource: ${CONTROLLERS(
              STAGING_ACCOUNT,
            )} (credential ${FAKE.mgmtKeyId}/${FAKE.mgmtSecret}, token ${
              FAKE.hopSessionToken
            })`,
          ),
          { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } },
        ),
      );
    const { server, probe, logs } = await start();
    const bodies: string[] = [];
    const call = async (method: 'get' | 'post', route: string) => {
      const res = await request(server)
        [method](route)
        .set('Authorization', userHeader());
      bodies.push(
        `${method} ${route} ${res.status} ${JSON.stringify(res.headers)} ${
          res.text
        }`,
      );
      return res;
    };
    for (const [method, route] of ROUTES) await call(method, route);
    // Error paths: a 403 from the Kubernetes API server, a wrong-token 401, STS AccessDenied on verify.
    a.failNext({ status: 403, times: 1 });
    b.failNext({ status: 401, times: 1 });
    await probe.refresh('mgmt-a', 'mgmt-b');
    const mcs = await call('get', '/api/capa/management-clusters');
    const byName = Object.fromEntries(
      (mcs.body.items as ManagementClusterStatus[]).map(m => [m.name, m]),
    );
    expect(byName['mgmt-a'].error).toMatch(/denied list/);
    expect(byName['mgmt-b'].error).toMatch(/rejected the credentials/);
    const verified = await call(
      'post',
      `/api/capa/accounts/${STAGING_ACCOUNT}/trust/verify`,
    );
    expect(verified.status).toBe(200);
    const cluster = verified.body.clusters.find(
      (c: any) => c.managementCluster === 'mgmt-a' && c.name === 'web',
    );
    expect(cluster.checks.find((c: any) => c.id === 'live-assume').status).toBe(
      'fail',
    );
    for (const [method, route] of ROUTES) await call(method, route);
    await call('get', '/api/capa/nope');
    await call('get', '/api/capa/accounts/12/trust');

    expect(sts.commandCalls(AssumeRoleCommand).length).toBeGreaterThan(0);
    expect(bodies.length).toBeGreaterThan(2 * ROUTES.length);
    expect(logs.lines.length).toBeGreaterThan(5);
    expect(secretsIn(bodies.join('\n'))).toEqual([]);
    expect(secretsIn(logs.lines.join('\n'))).toEqual([]);
    // Sanity: the secrets really were in play (config and mocked AWS answers), so the check can fail.
    expect(
      JSON.stringify(liveFleetConfig({ servers: { a, b }, aws: true })),
    ).toContain(FAKE.caData);
    expect(rejections.seen).toEqual([]);
  });

  it('never shows a secret to a restricted user either: filtered lists, 404 and 403 refusals, MCP answers', async () => {
    aws.reset();
    // Reads only the staging account (and what targets it); verify nowhere.
    const restricted = policyPermissions((permission, _claims) => {
      if (permission.name === 'capa.account.read')
        return createCapaConditionalDecision(capaAccountReadPermission, {
          allOf: [capaConditions.inAccount({ accountIds: [STAGING_ACCOUNT] })],
        });
      return {
        result:
          permission.name === 'capa.trust.verify'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      };
    });
    const { server, logs } = await start([restricted.factory]);
    const bodies: string[] = [];
    const send = async (req: request.Test) => {
      const res = await req.set('Authorization', userHeader());
      bodies.push(`${res.status} ${JSON.stringify(res.headers)} ${res.text}`);
      return res;
    };
    for (const [method, route] of ROUTES)
      await send(request(server)[method](route));
    const other = await send(
      request(server).get(`/api/capa/accounts/${MGMT_ACCOUNT}/trust`),
    );
    expect(other.status).toBe(404);
    const verify = await send(
      request(server).post(
        `/api/capa/accounts/${STAGING_ACCOUNT}/trust/verify`,
      ),
    );
    expect(verify.status).toBe(403);
    for (const [action, input] of [
      ['get-aws-account-trust', { accountId: STAGING_ACCOUNT }],
      ['get-aws-account-trust', { accountId: MGMT_ACCOUNT }],
      ['list-capa-clusters', {}],
    ] as const)
      await send(
        request(server)
          .post(`/api/capa/.backstage/actions/v1/actions/capa:${action}/invoke`)
          .send(input),
      );
    expect(
      bodies.filter(body => body.startsWith('200')).length,
    ).toBeGreaterThan(5);
    expect(secretsIn(bodies.join('\n'))).toEqual([]);
    expect(secretsIn(logs.lines.join('\n'))).toEqual([]);
  });

  describe('manifest URLs', () => {
    const network: string[] = [];
    const realFetch = globalThis.fetch;
    const spies: jest.SpyInstance[] = [];
    beforeAll(() => {
      // Record every outgoing HTTP(S) request that is not to loopback: there must be none.
      const note = (target: unknown) => {
        let text: string;
        if (typeof target === 'string') text = target;
        else if (target instanceof URL) text = target.href;
        else
          text =
            (target as any)?.url ??
            `${(target as any)?.hostname ?? (target as any)?.host}`;
        if (!/127\.0\.0\.1|localhost|::1/.test(String(text)))
          network.push(String(text));
      };
      spies.push(
        jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
          note(input);
          return realFetch(input as any, init);
        }),
        jest.spyOn(https, 'request').mockImplementation(((...args: any[]) => {
          note(args[0]);
          throw new Error('no direct HTTPS in tests');
        }) as any),
        jest.spyOn(https, 'get').mockImplementation(((...args: any[]) => {
          note(args[0]);
          throw new Error('no direct HTTPS in tests');
        }) as any),
      );
      const httpRequest = http.request;
      spies.push(
        jest.spyOn(http, 'request').mockImplementation(((...args: any[]) => {
          note(args[0]);
          return (httpRequest as any)(...args);
        }) as any),
      );
    });
    afterAll(() => spies.forEach(s => s.mockRestore()));

    it('reads them only through the UrlReaderService; a URL outside the allow-list is stale, nothing else breaks', async () => {
      const reader = allowListUrlReader();
      const { server, probe } = await start([reader.factory], {
        extraManagementClusters: [
          { name: 'mgmt-git', accountId: MGMT_ACCOUNT, manifests: GIT_ALLOWED },
          {
            name: 'mgmt-evil',
            accountId: MGMT_ACCOUNT,
            manifests: GIT_DENIED,
          },
        ],
      });
      await probe.refresh('mgmt-git', 'mgmt-evil');
      expect(reader.calls).toEqual(
        expect.arrayContaining([
          `readTree ${GIT_ALLOWED}`,
          `readUrl ${GIT_DENIED}`,
        ]),
      );
      const mcs = Object.fromEntries(
        (await managementClusters(server)).map(m => [m.name, m]),
      );
      expect(mcs['mgmt-git']).toMatchObject({ stale: false, reachable: true });
      expect(mcs['mgmt-git'].objectCount).toBe(smallCapaFleet().length);
      expect(mcs['mgmt-evil']).toMatchObject({ stale: true, reachable: false });
      expect(mcs['mgmt-evil'].error).toContain(
        `Reading manifests from ${GIT_DENIED} is not allowed`,
      );
      expect(mcs['mgmt-evil'].error).toContain('backend.reading.allow');
      for (const name of ['mgmt-a', 'mgmt-b'])
        expect(mcs[name]).toMatchObject({ stale: false, reachable: true });
      const clusters = await request(server)
        .get('/api/capa/clusters?limit=1000')
        .set('Authorization', userHeader());
      expect(clusters.status).toBe(200);
      expect(
        new Set(clusters.body.items.map((c: any) => c.managementCluster)),
      ).toEqual(new Set(['mgmt-a', 'mgmt-b', 'mgmt-git']));
      expect(network).toEqual([]);
    });

    it("is refused by Backstage's own UrlReader allow-list before any network", async () => {
      // The default (real) UrlReaderService, allowed to read only git.example.com.
      const { server, probe } = await start([], {
        extraManagementClusters: [
          {
            name: 'mgmt-evil',
            accountId: MGMT_ACCOUNT,
            manifests: GIT_DENIED,
          },
        ],
        extraConfig: {
          backend: { reading: { allow: [{ host: 'git.example.com' }] } },
        },
      });
      await probe.refresh('mgmt-evil');
      const mcs = Object.fromEntries(
        (await managementClusters(server)).map(m => [m.name, m]),
      );
      expect(mcs['mgmt-evil']).toMatchObject({ stale: true, reachable: false });
      expect(mcs['mgmt-evil'].error).toMatch(/is not allowed/);
      expect(mcs['mgmt-a']).toMatchObject({ stale: false });
      expect(network).toEqual([]);
      expect(rejections.seen).toEqual([]);
    });
  });
});
