/*
 * Fault suite (issue #7 part 2): the real capa backend reads two live management clusters served by two test
 * Kubernetes API servers; faults are injected into one (mgmt-a) while the other (mgmt-b) stays healthy, and the
 * AWS SDK is mocked for STS / IAM faults. Proven for every fault:
 * - nothing of the healthy source is lost (its clusters, identities and its status);
 * - the failing source's last good data is kept and the source is marked stale with a clear error;
 * - the next refresh after the fault is gone recovers it;
 * - the API keeps answering during the fault (also while a refresh hangs past its timeout);
 * - no unhandled promise rejection.
 */
import { GetRoleCommand } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
} from '@aws-sdk/client-sts';
import type {
  AccountTrustResponse,
  ManagementClusterStatus,
} from '@capa-portal/plugin-capa-common';
import {
  smallCapaFleet,
  TestKubernetesApiServer,
} from '@capa-portal/plugin-capa-node/testing';
import request from 'supertest';
import {
  assumedControllersArn,
  controllersRole,
  hopCredentials,
  mockAwsClients,
} from './__testUtils__/aws';
import { startCapaBackend } from './__testUtils__/backend';
import {
  managementClusters,
  recordUnhandledRejections,
  secretsIn,
  userHeader,
  clusterKeys,
} from './__testUtils__/harness';
import {
  CONTROLLERS,
  MGMT_ACCOUNT,
  STAGING_ACCOUNT,
} from './__testUtils__/fleet';

jest.setTimeout(60_000);

const rejections = recordUnhandledRejections();
beforeAll(() => rejections.install());
afterAll(() => {
  rejections.uninstall();
});

const startBackend = (
  servers: { a: TestKubernetesApiServer; b: TestKubernetesApiServer },
  options: { aws?: boolean } = {},
) => startCapaBackend({ servers, aws: options.aws });

const byName = (items: ManagementClusterStatus[]) =>
  Object.fromEntries(items.map(m => [m.name, m]));

async function identityAnswers(server: any, mgmt: string) {
  const res = await request(server)
    .get(`/api/capa/identities/${mgmt}/staging/chain`)
    .set('Authorization', userHeader());
  return res.status;
}

const FLEET_CLUSTERS = smallCapaFleet().filter(o => o.kind === 'Cluster');
const expectedKeys = (mgmts: string[]) =>
  mgmts
    .flatMap(m =>
      FLEET_CLUSTERS.map(
        c => `${m}/${c.metadata.namespace}/${c.metadata.name}`,
      ),
    )
    .sort();

describe('fault suite: a management cluster down at start', () => {
  let a: TestKubernetesApiServer;
  let b: TestKubernetesApiServer;
  beforeAll(async () => {
    a = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
    b = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
  });

  it('serves the healthy source at once, marks the other stale, and recovers on the next refresh', async () => {
    a.down();
    const { server, probe } = await startBackend({ a, b });
    await probe.refresh('mgmt-a', 'mgmt-b'); // the startup run may still be in flight: one more, awaited

    const during = byName(await managementClusters(server));
    expect(during['mgmt-a']).toMatchObject({
      reachable: false,
      stale: true,
      objectCount: 0,
    });
    expect(during['mgmt-a'].error).toMatch(/unreachable/);
    expect(during['mgmt-a'].lastSync).toBeUndefined();
    expect(during['mgmt-b']).toMatchObject({ reachable: true, stale: false });
    expect(await clusterKeys(server)).toEqual(expectedKeys(['mgmt-b']));
    const trust = await request(server)
      .get(`/api/capa/accounts/${STAGING_ACCOUNT}/trust`)
      .set('Authorization', userHeader());
    expect(trust.status).toBe(200);
    expect(
      (trust.body as AccountTrustResponse).clusters.map(
        c => c.managementCluster,
      ),
    ).toEqual(
      FLEET_CLUSTERS.filter(c => c.metadata.namespace === 'staging').map(
        () => 'mgmt-b',
      ),
    );

    await a.up();
    await probe.refresh('mgmt-a');
    const after = byName(await managementClusters(server));
    expect(after['mgmt-a']).toMatchObject({ reachable: true, stale: false });
    expect(after['mgmt-a'].error).toBeUndefined();
    expect(await clusterKeys(server)).toEqual(
      expectedKeys(['mgmt-a', 'mgmt-b']),
    );
    expect(rejections.seen).toEqual([]);
  });
});

describe('fault suite: faults while running', () => {
  let a: TestKubernetesApiServer;
  let b: TestKubernetesApiServer;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let baseline: Record<string, ManagementClusterStatus>;

  beforeAll(async () => {
    a = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
    b = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
    backend = await startBackend({ a, b });
    await backend.probe.refresh('mgmt-a', 'mgmt-b');
    baseline = byName(await managementClusters(backend.server));
  });

  it('starts with both sources read', () => {
    expect(baseline['mgmt-a']).toMatchObject({ reachable: true, stale: false });
    expect(baseline['mgmt-b']).toMatchObject({ reachable: true, stale: false });
    expect(baseline['mgmt-a'].objectCount).toBeGreaterThan(10);
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
  });
  afterEach(async () => {
    a.clearFaults();
    await a.up();
  });

  /**
   * Injects a fault into mgmt-a, refreshes both sources, checks the invariants during the fault, removes the
   * fault, refreshes again and checks recovery.
   */
  async function faultScenario(options: {
    inject: () => void | Promise<void>;
    heal?: () => void | Promise<void>;
    error: RegExp;
  }) {
    const { server, probe } = backend;
    const lastGoodSync = byName(await managementClusters(server))['mgmt-a']
      .lastSync;
    expect(lastGoodSync).toBeDefined();
    await options.inject();
    await probe.refresh('mgmt-a', 'mgmt-b');

    const during = byName(await managementClusters(server));
    expect(during['mgmt-a'].stale).toBe(true);
    expect(during['mgmt-a'].reachable).toBe(false);
    expect(during['mgmt-a'].error).toMatch(options.error);
    // The failing source's last good data is kept: same object count, the last sync of the good read before
    // the fault (a failed read does not move it), same clusters.
    expect(during['mgmt-a'].objectCount).toBe(baseline['mgmt-a'].objectCount);
    expect(during['mgmt-a'].lastSync).toBe(lastGoodSync);
    expect(during['mgmt-a'].clusterCount).toBe(baseline['mgmt-a'].clusterCount);
    // The healthy source is untouched.
    expect(during['mgmt-b']).toMatchObject({
      stale: false,
      reachable: true,
      objectCount: baseline['mgmt-b'].objectCount,
      clusterCount: baseline['mgmt-b'].clusterCount,
    });
    expect(await clusterKeys(server)).toEqual(
      expectedKeys(['mgmt-a', 'mgmt-b']),
    );
    expect(await identityAnswers(server, 'mgmt-a')).toBe(200);
    expect(await identityAnswers(server, 'mgmt-b')).toBe(200);
    const trust = await request(server)
      .get(`/api/capa/accounts/${STAGING_ACCOUNT}/trust`)
      .set('Authorization', userHeader());
    expect(trust.status).toBe(200);
    expect((trust.body as AccountTrustResponse).stale).toBe(true);
    expect(
      (trust.body as AccountTrustResponse).clusters.map(
        c => c.managementCluster,
      ),
    ).toContain('mgmt-a');

    a.clearFaults();
    await options.heal?.();
    await a.up();
    await probe.refresh('mgmt-a');
    const after = byName(await managementClusters(server));
    expect(after['mgmt-a']).toMatchObject({ stale: false, reachable: true });
    expect(after['mgmt-a'].error).toBeUndefined();
    expect(after['mgmt-a'].objectCount).toBe(baseline['mgmt-a'].objectCount);
    // The good read after recovery is a new sync: its time is later than the kept one.
    expect(Date.parse(after['mgmt-a'].lastSync!)).toBeGreaterThan(
      Date.parse(lastGoodSync!),
    );
    expect(rejections.seen).toEqual([]);
  }

  it('goes down in the middle of a paginated list', async () => {
    await faultScenario({
      inject: () => {
        a.clearRequests();
        // 5 namespaces, 2 per page: the server goes down after the first page, before the continue request.
        a.failAfterPages({ pathIncludes: '/api/v1/namespaces', pages: 1 });
      },
      error: /unreachable during list namespaces/,
    });
  });

  it('answers 500', async () => {
    await faultScenario({
      inject: () =>
        a.failNext({ status: 500, pathIncludes: 'awsclusters', times: 1 }),
      error: /HTTP 500|500/,
    });
  });

  it('answers 503 on every request', async () => {
    await faultScenario({
      inject: () => a.failNext({ status: 503, times: 1000 }),
      error: /503/,
    });
  });

  it('expires continue tokens (410) once: the list restarts and nothing is stale', async () => {
    a.clearRequests();
    a.failNext({ status: 410, pathIncludes: 'continue=', times: 1 });
    await backend.probe.refresh('mgmt-a');
    const status = byName(await managementClusters(backend.server));
    expect(status['mgmt-a']).toMatchObject({
      stale: false,
      objectCount: baseline['mgmt-a'].objectCount,
    });
    expect(a.requests().filter(r => r.status === 410)).toHaveLength(1);
    expect(rejections.seen).toEqual([]);
  });

  it('expires continue tokens (410) on every restart: the read gives up, the data is kept', async () => {
    await faultScenario({
      inject: () =>
        a.failNext({ status: 410, pathIncludes: 'continue=', times: 100 }),
      error: /expired \(410 Gone\)/,
    });
  });

  it('answers slower than the timeout, and the API keeps answering meanwhile', async () => {
    const { server, probe } = backend;
    a.delay({
      resource: 'awsclusters.infrastructure.cluster.x-k8s.io',
      ms: 5_000,
      times: 1,
    });
    await probe.refresh('mgmt-a');
    const during = byName(await managementClusters(server));
    expect(during['mgmt-a'].stale).toBe(true);
    expect(during['mgmt-a'].error).toMatch(/timed out/);
    expect(during['mgmt-a'].objectCount).toBe(baseline['mgmt-a'].objectCount);
    await probe.refresh('mgmt-a');
    expect(byName(await managementClusters(server))['mgmt-a'].stale).toBe(
      false,
    );
    expect(rejections.seen).toEqual([]);
  });

  it('answers garbage instead of JSON', async () => {
    await faultScenario({
      inject: () => a.garbage({ pathIncludes: 'awsclusters', times: 1 }),
      error: /invalid response|JSON|Unexpected token/i,
    });
  });

  it('denies the list (403) and resets connections', async () => {
    await faultScenario({
      inject: () =>
        a.failNext({ status: 403, pathIncludes: 'clusters', times: 1 }),
      error: /denied list/,
    });
    await faultScenario({
      inject: () => a.down('reset'),
      error: /unreachable|socket|reset/i,
    });
  });

  it('loses objects only when the source really deletes them', async () => {
    // Control: a good read that returns fewer objects replaces the snapshot (the fault cases above did not).
    const removed = smallCapaFleet().filter(
      o => o.metadata.namespace === 'staging' && o.metadata.name === 'api',
    );
    expect(removed.map(o => o.kind)).toEqual(['Cluster', 'AWSCluster']);
    a.removeObjects(removed);
    await backend.probe.refresh('mgmt-a');
    expect(await clusterKeys(backend.server)).not.toContain(
      'mgmt-a/staging/api',
    );
    expect(await clusterKeys(backend.server)).toContain('mgmt-b/staging/api');
    a.addObjects(removed);
    await backend.probe.refresh('mgmt-a');
    expect(await clusterKeys(backend.server)).toEqual(
      expectedKeys(['mgmt-a', 'mgmt-b']),
    );
  });
});

describe('fault suite: AWS faults during live verification', () => {
  const aws = mockAwsClients();
  const { sts, iam, orgs } = aws;
  let a: TestKubernetesApiServer;
  let b: TestKubernetesApiServer;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  const TARGET_ROLE = CONTROLLERS(STAGING_ACCOUNT);

  function sdkError(name: string, message: string, httpStatusCode = 400) {
    return Object.assign(new Error(message), {
      name,
      $fault: 'client',
      $metadata: { httpStatusCode },
    });
  }

  function awsHealthy() {
    aws.reset();
    orgs
      .onAnyCommand()
      .rejects(
        sdkError(
          'AccessDeniedException',
          'not the organization management account',
          403,
        ),
      );
    iam
      .onAnyCommand()
      .rejects(sdkError('AccessDenied', 'no simulation here', 403));
    iam.on(GetRoleCommand).resolves(controllersRole(STAGING_ACCOUNT));
    sts.on(AssumeRoleCommand).resolves({
      Credentials: hopCredentials(),
      AssumedRoleUser: {
        Arn: assumedControllersArn(STAGING_ACCOUNT),
        AssumedRoleId: 'AROAFAKE:staging',
      },
    });
    sts.on(GetCallerIdentityCommand).resolves({
      Account: STAGING_ACCOUNT,
      Arn: assumedControllersArn(STAGING_ACCOUNT),
      UserId: 'AROAFAKE:staging',
    });
  }

  beforeAll(async () => {
    a = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
    b = await TestKubernetesApiServer.start({ objects: smallCapaFleet() });
    awsHealthy();
    backend = await startBackend({ a, b }, { aws: true });
    await backend.probe.refresh('mgmt-a', 'mgmt-b');
  });
  afterAll(async () => {
    aws.restore();
    await a.stop();
    await b.stop();
  });

  async function verify() {
    const res = await request(backend.server)
      .post(`/api/capa/accounts/${STAGING_ACCOUNT}/trust/verify`)
      .set('Authorization', userHeader());
    expect(res.status).toBe(200);
    return res.body as AccountTrustResponse;
  }

  function liveAssume(body: AccountTrustResponse) {
    const cluster = body.clusters.find(
      c => c.managementCluster === 'mgmt-a' && c.name === 'web',
    )!;
    return cluster.checks.find(c => c.id === 'live-assume')!;
  }

  async function afterFault(body: AccountTrustResponse) {
    // Kubernetes data of both sources is untouched, the API answers, no secret leaked, nothing unhandled.
    const mcs = byName(await managementClusters(backend.server));
    expect(mcs['mgmt-a'].stale).toBe(false);
    expect(mcs['mgmt-b'].stale).toBe(false);
    expect(await clusterKeys(backend.server)).toEqual(
      expectedKeys(['mgmt-a', 'mgmt-b']),
    );
    expect(secretsIn(JSON.stringify(body))).toEqual([]);
    expect(secretsIn(backend.logs.lines.join('\n'))).toEqual([]);
    expect(rejections.seen).toEqual([]);
  }

  it('assumes the chain when AWS is healthy', async () => {
    const body = await verify();
    expect(body.live).toBe(true);
    expect(liveAssume(body).status).toBe('pass');
    await afterFault(body);
  });

  it('retries STS throttling and succeeds', async () => {
    awsHealthy();
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(sdkError('Throttling', 'Rate exceeded', 400))
      .resolves({
        Credentials: hopCredentials(),
        AssumedRoleUser: {
          Arn: assumedControllersArn(STAGING_ACCOUNT),
          AssumedRoleId: 'AROAFAKE:staging',
        },
      });
    const body = await verify();
    expect(liveAssume(body).status).toBe('pass');
    expect(sts.commandCalls(AssumeRoleCommand).length).toBeGreaterThanOrEqual(
      2,
    );
    await afterFault(body);
  });

  it('reports persistent STS throttling without failing the request', async () => {
    awsHealthy();
    sts
      .on(AssumeRoleCommand)
      .rejects(sdkError('Throttling', 'Rate exceeded', 400));
    const body = await verify();
    const check = liveAssume(body);
    expect(check.status).not.toBe('pass');
    expect(check.message).toMatch(/thrott/i);
    await afterFault(body);
  });

  it('reports AccessDenied on AssumeRole as a failed live assume', async () => {
    awsHealthy();
    sts
      .on(AssumeRoleCommand)
      .rejects(
        sdkError(
          'AccessDenied',
          `User: arn:aws:sts::${MGMT_ACCOUNT}:assumed-role/controllers/x is not authorized to perform: sts:AssumeRole on resource: ${TARGET_ROLE}`,
          403,
        ),
      );
    const body = await verify();
    const check = liveAssume(body);
    expect(check.status).toBe('fail');
    expect(check.message).toMatch(/denied|not authorized/i);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1); // not retried
    await afterFault(body);
  });

  it('reports expired management credentials without retrying them, keeping the last evidence', async () => {
    awsHealthy();
    const good = liveAssume(await verify());
    expect(good.status).toBe('pass');
    sts.reset();
    sts
      .on(AssumeRoleCommand)
      .rejects(
        sdkError(
          'ExpiredTokenException',
          'The security token included in the request is expired',
          400,
        ),
      );
    const lines = backend.logs.lines.length;
    const body = await verify();
    // The management account's own credentials are unusable: the chain is not assumed (no new evidence, the
    // last answer is kept, as for a failing source) and a warning says why. Not retried.
    expect(liveAssume(body)).toEqual(good);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(
      backend.logs.lines
        .slice(lines)
        .some(
          l =>
            l.startsWith('warn') && /not usable/.test(l) && /expired/i.test(l),
        ),
    ).toBe(true);
    await afterFault(body);
  });
});

describe('fault suite: the API while a read hangs', () => {
  it('answers from the stored data while a read of mgmt-a is held open (counted: the read has not ended)', async () => {
    const a = await TestKubernetesApiServer.start({
      objects: smallCapaFleet(),
    });
    const b = await TestKubernetesApiServer.start({
      objects: smallCapaFleet(),
    });
    // A reader timeout far beyond the test's run, so only the test ends the held read (by stopping the server).
    const { server, probe } = await startCapaBackend({
      servers: { a, b },
      timeoutMs: 600_000,
    });
    try {
      await probe.refresh('mgmt-a', 'mgmt-b');
      const awsclusters = 'awsclusters.infrastructure.cluster.x-k8s.io';
      a.delay({ resource: awsclusters, ms: 600_000, times: 1 });
      let ended = false;
      const refreshing = probe.refresh('mgmt-a').finally(() => {
        ended = true;
      });
      // The held LIST has reached the server and has no answer (status 0).
      for (let i = 0; i < 1000; i++) {
        if (
          a
            .requests({ verb: 'list' })
            .some(r => r.resource === awsclusters && r.status === 0)
        )
          break;
        await new Promise(r => setTimeout(r, 10));
      }
      for (let i = 0; i < 5; i++) {
        const res = await request(server)
          .get('/api/capa/clusters')
          .set('Authorization', userHeader());
        expect(res.status).toBe(200);
        expect(res.body.totalCount).toBe(2 * FLEET_CLUSTERS.length);
        expect(ended).toBe(false);
      }
      // Stopping the server drops the held request: the read fails and mgmt-a keeps its data, stale.
      await a.stop();
      await refreshing;
      const after = byName(await managementClusters(server));
      expect(after['mgmt-a']).toMatchObject({ stale: true, reachable: false });
      expect(after['mgmt-a'].objectCount).toBeGreaterThan(10);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
