import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CacheService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { evaluateFleet } from '@capa-portal/plugin-capa-common';
import type {
  KubeObject,
  LocatedObject,
} from '@capa-portal/plugin-capa-common';
import { createFleetSourcesFromConfig } from '@capa-portal/plugin-capa-node';
import type {
  AwsEvidenceGatherer,
  FleetSources,
  ManagementClusterSource,
  SourceRead,
} from '@capa-portal/plugin-capa-node';
import { FleetRefresher } from './FleetRefresher';
import { SnapshotStore } from './SnapshotStore';
import { TrustService } from './TrustService';

const located = (object: KubeObject, source: string): LocatedObject => ({
  object,
  location: { source },
});

function fleetObjects(
  mgmt: string,
  account: string,
  clusterName: string,
): LocatedObject[] {
  const src = `${mgmt}/fleet.yaml`;
  return [
    located(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
      src,
    ),
    located(
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterControllerIdentity',
        metadata: { name: 'default' },
        spec: { allowedNamespaces: {} },
      },
      src,
    ),
    located(
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterRoleIdentity',
        metadata: { name: 'target' },
        spec: {
          roleARN: `arn:aws:iam::${account}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`,
          sourceIdentityRef: {
            kind: 'AWSClusterControllerIdentity',
            name: 'default',
          },
          allowedNamespaces: { list: ['team'] },
        },
      },
      src,
    ),
    located(
      {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: clusterName, namespace: 'team' },
        spec: {
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'AWSCluster',
            name: clusterName,
          },
        },
        status: { phase: 'Provisioned' },
      },
      src,
    ),
    located(
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSCluster',
        metadata: { name: clusterName, namespace: 'team' },
        spec: {
          region: 'eu-west-1',
          identityRef: { kind: 'AWSClusterRoleIdentity', name: 'target' },
        },
      },
      src,
    ),
  ];
}

/** A source whose next read is decided by the test. */
class ScriptedSource implements ManagementClusterSource {
  readonly type = 'manifests' as const;
  readonly target: string;
  next: () => Promise<SourceRead>;
  constructor(readonly name: string, objects: LocatedObject[]) {
    this.target = `test://${name}`;
    this.next = async () => ({ objects, problems: [] });
  }
  read() {
    return this.next();
  }
}

describe('TrustService with the snapshot store', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function setup(
    options: { gatherer?: AwsEvidenceGatherer; cache?: CacheService } = {},
  ) {
    const knex = await databases.init('SQLITE_3');
    const store = await SnapshotStore.create(mockServices.database({ knex }));
    const eu = new ScriptedSource(
      'mgmt-eu',
      fleetObjects('mgmt-eu', '222222222222', 'web'),
    );
    const us = new ScriptedSource(
      'mgmt-us',
      fleetObjects('mgmt-us', '333333333333', 'api'),
    );
    const fleet: FleetSources = {
      managementClusters: [
        { cluster: { name: 'mgmt-eu', accountId: '111111111111' }, source: eu },
        { cluster: { name: 'mgmt-us', accountId: '999999999999' }, source: us },
      ],
      accounts: [],
      problems: [],
    };
    const logger = mockServices.logger.mock();
    const trust = TrustService.create({
      fleet,
      store,
      cache:
        options.cache ??
        mockServices.cache.mock({ get: async () => undefined }),
      logger,
      gatherer: options.gatherer,
    });
    const refresher = new FleetRefresher({ store, logger });
    return { store, eu, us, trust, refresher, knex, logger };
  }

  it('keeps a failing source’s last good data, marks it stale, and leaves the healthy source alone', async () => {
    const { eu, us, trust, refresher } = await setup();
    expect(await refresher.refresh(eu)).toBe(true);
    expect(await refresher.refresh(us)).toBe(true);
    const before = await trust.clusters({});
    expect(before.items.map(c => c.name).sort()).toEqual(['api', 'web']);

    us.next = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
    };
    expect(await refresher.refresh(us)).toBe(false);

    const after = await trust.clusters({});
    expect(after.items.map(c => c.name).sort()).toEqual(['api', 'web']);
    const sources = await trust.managementClusters();
    expect(sources.find(s => s.name === 'mgmt-us')).toMatchObject({
      stale: true,
      reachable: false,
      error: 'connect ECONNREFUSED 127.0.0.1:6443',
      objectCount: 5,
    });
    expect(sources.find(s => s.name === 'mgmt-eu')).toMatchObject({
      stale: false,
      reachable: true,
    });
    expect((await trust.accountTrust('333333333333')).stale).toBe(true);
    expect((await trust.accountTrust('222222222222')).stale).toBe(false);

    // Recovery on the next refresh.
    us.next = async () => ({
      objects: fleetObjects('mgmt-us', '333333333333', 'api-v2'),
      problems: [],
    });
    expect(await refresher.refresh(us)).toBe(true);
    expect((await trust.clusters({})).items.map(c => c.name).sort()).toEqual([
      'api-v2',
      'web',
    ]);
    expect((await trust.managementClusters()).every(s => !s.stale)).toBe(true);
  });

  it('after one source changed, reads only its snapshot again, evaluates incrementally and serves the full evaluation of what is stored', async () => {
    const { eu, us, trust, refresher, store, logger } = await setup();
    await refresher.refresh(eu);
    await refresher.refresh(us);
    await trust.report();
    const snapshots = jest.spyOn(store, 'snapshots');
    us.next = async () => ({
      objects: fleetObjects('mgmt-us', '333333333333', 'api-v2'),
      problems: [],
    });
    await refresher.refresh(us);
    const report = await trust.report();
    expect(snapshots.mock.calls).toEqual([[['mgmt-us']]]);
    expect(logger.debug).toHaveBeenLastCalledWith(
      expect.stringMatching(
        /^capa: trust evaluated \(incremental\): 1 clusters/,
      ),
    );
    const stored = new Map(
      (await store.snapshots(['mgmt-eu', 'mgmt-us'])).map(x => [x.source, x]),
    );
    const full = evaluateFleet(
      {
        managementClusters: [
          { name: 'mgmt-eu', accountId: '111111111111' },
          { name: 'mgmt-us', accountId: '999999999999' },
        ].map(m => ({ ...m, objects: stored.get(m.name)!.objects })),
        accounts: [],
        problems: [],
      },
      undefined,
      { now: new Date(report.generatedAt) },
    );
    expect(report).toEqual(full);
    expect(report.clusters.map(c => c.name)).toEqual(['web', 'api-v2']);
  });

  it('records a source that fails on its very first read without inventing data', async () => {
    const { us, trust, refresher } = await setup();
    us.next = async () => {
      throw new Error('forbidden');
    };
    expect(await refresher.refresh(us)).toBe(false);
    const sources = await trust.managementClusters();
    expect(sources.find(s => s.name === 'mgmt-us')).toMatchObject({
      stale: true,
      lastSync: undefined,
      objectCount: 0,
    });
    expect((await trust.clusters({})).items).toEqual([]);
  });

  it('serves a second service instance (another replica) the same data from the shared database', async () => {
    const { eu, us, refresher, knex, trust } = await setup();
    await refresher.refresh(eu);
    await refresher.refresh(us);
    const store2 = await SnapshotStore.create(
      mockServices.database({ knex, migrations: { skip: true } }),
    );
    const replica = TrustService.create({
      fleet: {
        managementClusters: [
          {
            cluster: { name: 'mgmt-eu', accountId: '111111111111' },
            source: eu,
          },
          {
            cluster: { name: 'mgmt-us', accountId: '999999999999' },
            source: us,
          },
        ],
        accounts: [],
        problems: [],
      },
      store: store2,
      cache: mockServices.cache.mock({ get: async () => undefined }),
      logger: mockServices.logger.mock(),
    });
    expect((await replica.accounts()).items).toEqual(
      (await trust.accounts()).items,
    );
  });
  it('serves the account response serialised once per report, and a stale source at once', async () => {
    const { eu, us, trust, refresher } = await setup();
    await refresher.refresh(eu);
    await refresher.refresh(us);
    const first = await trust.accountTrustSerialized('333333333333');
    expect(JSON.parse(first.body.toString('utf8'))).toEqual(
      JSON.parse(JSON.stringify(await trust.accountTrust('333333333333'))),
    );
    expect(await trust.accountTrustSerialized('333333333333')).toBe(first);
    expect(first.etag).toMatch(/^W\/"/);

    us.next = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
    };
    await refresher.refresh(us);
    const stale = await trust.accountTrustSerialized('333333333333');
    expect(JSON.parse(stale.body.toString('utf8')).stale).toBe(true);
    expect(stale.etag).not.toBe(first.etag);
    await expect(trust.accountTrustSerialized('444444444444')).rejects.toThrow(
      'No AWS account 444444444444',
    );
  });

  it('says, in the answer of a verification, what it could not verify and why', async () => {
    const plans: unknown[] = [];
    const gatherer: AwsEvidenceGatherer = {
      listOrganizationAccounts: async () => undefined,
      gather: async (plan, options) => {
        plans.push({ plan, force: options?.force });
        return {
          credentialProblems: {
            '111111111111':
              'ExpiredTokenException: The security token included in the request is expired',
          },
        };
      },
    };
    const withAws = await setup({ gatherer });
    await withAws.refresher.refresh(withAws.eu);
    await withAws.refresher.refresh(withAws.us);
    const verified = await withAws.trust.verifyAccount('222222222222');
    expect(plans).toEqual([expect.objectContaining({ force: true })]);
    expect(verified.notices).toEqual([
      expect.stringMatching(
        /^AWS refused the credentials configured for account 111111111111 \(ExpiredTokenException: .*\): the checks that need them keep their last evidence/,
      ),
    ]);
    // Reads never carry notices.
    expect(await withAws.trust.accountTrust('222222222222')).not.toHaveProperty(
      'notices',
    );

    // A gatherer that can make no AWS call (capa.liveVerification: true without an aws: block) says so too.
    const disabled = await setup({
      gatherer: { ...gatherer, enabled: false },
    });
    await disabled.refresher.refresh(disabled.eu);
    expect(
      (await disabled.trust.verifyAccount('222222222222')).notices,
    ).toEqual([expect.stringMatching(/^Live verification is off/)]);

    const withoutAws = await setup();
    await withoutAws.refresher.refresh(withoutAws.eu);
    expect(
      (await withoutAws.trust.verifyAccount('222222222222')).notices,
    ).toEqual([expect.stringMatching(/^Live verification is off/)]);
  });

  it('reads the shared evidence again only when its version changed (replicas poll a small key)', async () => {
    const values = new Map<string, unknown>();
    const gets: string[] = [];
    const cache = {
      get: async (key: string) => {
        gets.push(key);
        return values.get(key);
      },
      set: async (key: string, value: unknown) => void values.set(key, value),
      delete: async (key: string) => void values.delete(key),
      withOptions: () => cache,
    } as unknown as CacheService;
    const gatherer: AwsEvidenceGatherer = {
      listOrganizationAccounts: async () => undefined,
      gather: async () => ({
        targetRoles: {
          'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io':
            { status: 'not-found', checkedAt: '2026-11-22T00:00:00Z' },
        },
      }),
    };
    const writer = await setup({ gatherer, cache });
    await writer.refresher.refresh(writer.eu);
    await writer.refresher.refresh(writer.us);
    const replica = TrustService.create({
      fleet: {
        managementClusters: [
          {
            cluster: { name: 'mgmt-eu', accountId: '111111111111' },
            source: writer.eu,
          },
          {
            cluster: { name: 'mgmt-us', accountId: '999999999999' },
            source: writer.us,
          },
        ],
        accounts: [],
        problems: [],
      },
      store: writer.store,
      cache,
      logger: mockServices.logger.mock(),
      stateTtlMs: 0,
    });
    await writer.trust.verifyAccount('222222222222');
    gets.length = 0;
    for (let i = 0; i < 3; i++) {
      expect((await replica.accountTrust('222222222222')).live).toBe(true);
    }
    const blobReads = gets.filter(k => k === 'capa:live-evidence:v1');
    const versionReads = gets.filter(
      k => k === 'capa:live-evidence:v1:version',
    );
    expect(blobReads).toHaveLength(1);
    expect(versionReads.length).toBeGreaterThanOrEqual(3);
  });
});

describe("TrustService: a manifests folder's input problems on its management cluster's status", () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('counts an object defined twice in the folder (the later definition used) in problemCount', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'capa-dup-'));
    const identity = (
      account: string,
    ) => `apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: AWSClusterRoleIdentity
metadata:
  name: target
spec:
  roleARN: arn:aws:iam::${account}:role/controllers.cluster-api-provider-aws.sigs.k8s.io
  sourceIdentityRef: { kind: AWSClusterControllerIdentity, name: default }
  allowedNamespaces: {}
`;
    try {
      await fs.writeFile(path.join(dir, 'a.yaml'), identity('222222222222'));
      await fs.writeFile(path.join(dir, 'b.yaml'), identity('333333333333'));
      const logger = mockServices.logger.mock();
      const fleet = await createFleetSourcesFromConfig(
        new ConfigReader({
          capa: {
            managementClusters: [
              { name: 'mgmt-eu', accountId: '111111111111', manifests: dir },
            ],
          },
        }),
        { urlReader: mockServices.urlReader.mock(), logger },
      );
      const knex = await databases.init('SQLITE_3');
      const store = await SnapshotStore.create(mockServices.database({ knex }));
      const trust = TrustService.create({
        fleet,
        store,
        cache: mockServices.cache.mock({ get: async () => undefined }),
        logger,
      });
      const refresher = new FleetRefresher({ store, logger });
      expect(await refresher.refresh(fleet.managementClusters[0].source)).toBe(
        true,
      );
      const [status] = await trust.managementClusters();
      expect(status).toMatchObject({
        name: 'mgmt-eu',
        objectCount: 1,
        problemCount: 1,
      });
      const report = await trust.report();
      expect(report.identities.map(i => i.accountId)).toEqual(['333333333333']);
      expect(report.problems).toEqual([
        expect.objectContaining({
          source: expect.stringMatching(/a\.yaml$/),
          object: 'AWSClusterRoleIdentity/target',
        }),
      ]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
