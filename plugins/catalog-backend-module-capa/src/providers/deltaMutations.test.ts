/*
 * Delta mutations (issue #17 part 3): what a provider applies after its first full mutation. Expected behaviour
 * from Backstage's EntityProviderMutation contract: a `delta` upserts `added` and deletes `removed`, a `full`
 * replaces everything the provider owns.
 */
import type { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import type { FleetReportResponse } from '@capa-portal/plugin-capa-node';
import { demoReport } from '../__testUtils__/entities';
import { AppliedEntities } from './AppliedEntities';
import { CapaEntityProvider, FleetReportSource } from './CapaEntityProvider';

/** A CacheService over one Map: what two replicas sharing Redis see. */
function sharedCache(): CacheService {
  const data = new Map<string, any>();
  const cache: CacheService = {
    get: async (key: string) => data.get(key),
    set: async (key: string, value: any) => void data.set(key, value),
    delete: async (key: string) => void data.delete(key),
    withOptions: () => cache,
  } as CacheService;
  return cache;
}

async function provider(
  source: FleetReportSource,
  options: { cache?: CacheService; fullMutationIntervalMs?: number } = {},
) {
  const p = CapaEntityProvider.create({
    scope: { type: 'management-cluster', name: 'mgmt-us' },
    source,
    defaults: { owner: 'unknown' },
    logger: mockServices.logger.mock(),
    taskRunner: { run: async () => {} },
    ...options,
  });
  const c = {
    applyMutation: jest.fn(async () => {}),
    refresh: jest.fn(async () => {}),
  } satisfies EntityProviderConnection;
  await p.connect(c);
  const mutations = () =>
    c.applyMutation.mock.calls.map(call => (call as any[])[0]);
  return { p, c, mutations };
}

/** The demo report with one mgmt-us cluster's verdict changed and another mgmt-us cluster gone. */
function changed(report: FleetReportResponse) {
  const ours = report.clusters.filter(c => c.managementCluster === 'mgmt-us');
  const [edited, dropped] = ours;
  return {
    edited,
    dropped,
    report: {
      ...report,
      clusters: report.clusters
        .filter(c => c !== dropped)
        .map(c =>
          c === edited
            ? { ...c, verdict: c.verdict === 'broken' ? 'trusted' : 'broken' }
            : c,
        ),
    } as FleetReportResponse,
  };
}

describe('delta mutations', () => {
  it('applies a full mutation first, nothing while nothing changed, then only the changed and removed entities', async () => {
    let report = await demoReport();
    const { p, mutations } = await provider({
      fleetReport: async () => report,
    });
    const all = await p.refresh();
    expect(mutations()[0].type).toBe('full');
    expect(await p.refresh()).toBeUndefined();
    expect(mutations()).toHaveLength(1);

    const change = changed(report);
    report = change.report;
    expect(await p.refresh()).toBe(2);
    const delta = mutations()[1];
    expect(delta.type).toBe('delta');
    expect(delta.added.map((d: any) => d.entity.metadata.title)).toEqual([
      change.edited.name,
    ]);
    expect(delta.removed).toHaveLength(1);
    expect(delta.removed[0].entityRef).toMatch(
      new RegExp(`^resource:default/${change.dropped.name}\\.`),
    );
    expect(delta.removed[0].locationKey).toBe(
      'capa-management-cluster:mgmt-us',
    );
    expect(all).toBeGreaterThan(2);
  });

  it('sends the report tag it last applied, and applies nothing on a 304', async () => {
    const report = await demoReport();
    const asked: Array<string | undefined> = [];
    const source: FleetReportSource = {
      fleetReport: async () => report,
      fleetReportIfChanged: async etag => {
        asked.push(etag);
        return etag === 'W/"v1"' ? { etag } : { etag: 'W/"v1"', report };
      },
    };
    const { p, mutations } = await provider(source);
    await p.refresh();
    expect(await p.refresh()).toBeUndefined();
    expect(asked).toEqual([undefined, 'W/"v1"']);
    expect(mutations()).toHaveLength(1);
  });

  it('sends a full mutation when another replica applied since (the shared cache says so)', async () => {
    let report = await demoReport();
    const cache = sharedCache();
    const source = { fleetReport: async () => report };
    const a = await provider(source, { cache });
    const b = await provider(source, { cache });
    await a.p.refresh();
    await b.p.refresh(); // b's first: full
    report = changed(report).report;
    await a.p.refresh();
    // a cannot know what b applied: not a delta.
    expect(a.mutations().map(m => m.type)).toEqual(['full', 'full']);
    report = (await demoReport()) as FleetReportResponse;
    await a.p.refresh();
    expect(a.mutations()[2].type).toBe('delta');
  });

  it('sends a full mutation again once the interval has passed', async () => {
    let now = 0;
    const applied = new AppliedEntities({
      provider: 'p',
      fullMutationIntervalMs: 1000,
      now: () => now,
    });
    const entity = (title: string) =>
      ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: 'x', title },
        spec: {},
      } as any);
    const first = await applied.mutation([entity('1')], 'p');
    await applied.applied(first!.mutation, first!.hashes, undefined);
    now = 999;
    expect((await applied.mutation([entity('2')], 'p'))!.mutation.type).toBe(
      'delta',
    );
    now = 1000;
    expect((await applied.mutation([entity('2')], 'p'))!.mutation.type).toBe(
      'full',
    );
  });
});
