/*
 * The initial ramp (issue #17's initial load): a management cluster's entities are applied once it has been read,
 * the account entities once every management cluster has been read (or failed, or the wait is over), one full
 * mutation per provider; the accounts part is not downloaded before. Counted work, no clocks (the deadline runs
 * on a fake `now`).
 */
import { mockServices } from '@backstage/backend-test-utils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import type {
  CatalogFleetView,
  CatalogViewScope,
  ManagementClusterStatus,
} from '@capa-portal/plugin-capa-common';
import { demoReport } from '../__testUtils__/entities';
import { CapaEntityProvider, CapaProviderScope } from './CapaEntityProvider';
import { FirstReadGate } from './FirstReadGate';

/** The demo fleet's providers behind one gate, as the module wires them, with every request to capa counted. */
async function ramp(options: { maxWaitMs?: number; now?: () => number } = {}) {
  const report = await demoReport();
  const names = report.sources.map(s => s.name);
  // What `GET /management-clusters` says: no read yet anywhere, until a test says otherwise.
  const statuses = new Map<string, Partial<ManagementClusterStatus>>(
    names.map(name => [name, {}]),
  );
  const counts = { accountDownloads: 0, statusCalls: 0 };
  // The parts as served (CapaBackendClient.catalogView): a management cluster's source says what was read, as the
  // statuses do; its tag follows them.
  const served = (scope: CatalogViewScope) => {
    if (scope.type === 'accounts')
      return {
        etag: 'W/"accounts"',
        view: { ...report, sources: [], identities: [], clusters: [] },
      };
    const status = statuses.get(scope.name);
    return {
      etag: `W/"${scope.name}:${JSON.stringify(status)}"`,
      view: {
        ...report,
        accounts: [],
        sources: report.sources
          .filter(s => s.name === scope.name)
          .map(s => ({
            ...s,
            lastSync: status?.lastSync,
            error: status?.error,
          })),
      },
    };
  };
  const client = {
    fleetReport: async () => {
      throw new Error('the whole report is not asked for');
    },
    catalogView: async (
      scope: CatalogViewScope,
      etag?: string,
    ): Promise<{ etag?: string; view?: CatalogFleetView }> => {
      const answer = served(scope);
      if (etag === answer.etag) return { etag };
      if (scope.type === 'accounts') counts.accountDownloads++;
      return answer;
    },
  };
  const gate = new FirstReadGate(
    client,
    async () => {
      counts.statusCalls++;
      return [...statuses].map(
        ([name, s]) => ({ name, ...s } as ManagementClusterStatus),
      );
    },
    options,
  );
  const scopes: CapaProviderScope[] = [
    { type: 'accounts' },
    ...names.map(name => ({ type: 'management-cluster' as const, name })),
  ];
  const mutations: Array<{ provider: string; type: string }> = [];
  const providers = await Promise.all(
    scopes.map(async scope => {
      const p = CapaEntityProvider.create({
        scope,
        source: gate,
        defaults: { owner: 'unknown' },
        logger: mockServices.logger.mock(),
        taskRunner: { run: async () => {} },
      });
      const connection: EntityProviderConnection = {
        applyMutation: async mutation => {
          mutations.push({
            provider: p.getProviderName(),
            type: mutation.type,
          });
        },
        refresh: async () => {},
      };
      await p.connect(connection);
      return p;
    }),
  );
  /** What an announcement does in the module: forget the cycle, refresh every provider. */
  const announce = async () => {
    gate.invalidate();
    await Promise.all(providers.map(p => p.refreshNow()));
  };
  return { names, statuses, counts, mutations, announce, providers };
}

describe('FirstReadGate', () => {
  it("applies a management cluster's entities once it was read, and the accounts once every one was: one full mutation per provider", async () => {
    const { names, statuses, counts, mutations, announce } = await ramp();
    const [first, second] = names;
    await announce();
    expect(counts).toEqual({ accountDownloads: 0, statusCalls: 1 });
    expect(mutations).toEqual([]);

    statuses.set(first, { lastSync: '2026-12-05T22:00:00Z' });
    await announce();
    expect(counts).toEqual({ accountDownloads: 0, statusCalls: 2 });
    expect(mutations).toEqual([
      { provider: `capa-management-cluster:${first}`, type: 'full' },
    ]);

    statuses.set(second, { lastSync: '2026-12-05T22:00:05Z' });
    await announce();
    expect(counts).toEqual({ accountDownloads: 1, statusCalls: 3 });
    expect(
      mutations
        .slice(1)
        .map(m => m.provider)
        .sort(),
    ).toEqual(['capa-accounts', `capa-management-cluster:${second}`]);
    expect(mutations.map(m => m.type)).toEqual(['full', 'full', 'full']);

    // Open for good: later refreshes ask for their parts only (304s here), never the statuses again.
    await announce();
    expect(counts).toEqual({ accountDownloads: 1, statusCalls: 3 });
    expect(mutations).toHaveLength(3);
  });

  it('counts a failed first read as done: the others are applied, the failed one applies nothing', async () => {
    const { names, statuses, counts, mutations, announce } = await ramp();
    const [first, second] = names;
    statuses.set(first, { lastSync: '2026-12-05T22:00:00Z' });
    statuses.set(second, { error: 'connect ECONNREFUSED 10.0.0.1:6443' });
    await announce();
    expect(counts.accountDownloads).toBe(1);
    expect(mutations.map(m => m.provider).sort()).toEqual([
      'capa-accounts',
      `capa-management-cluster:${first}`,
    ]);
  });

  it('applies the accounts after maxWaitMs whatever the reads, without asking again', async () => {
    let now = 0;
    const { counts, mutations, announce } = await ramp({
      maxWaitMs: 60_000,
      now: () => now,
    });
    now = 59_999;
    await announce();
    expect(counts).toEqual({ accountDownloads: 0, statusCalls: 1 });
    now = 60_000;
    await announce();
    expect(counts).toEqual({ accountDownloads: 1, statusCalls: 1 });
    // Nothing read: only the accounts (from config) are applied; the management clusters wait for their read.
    expect(mutations).toEqual([{ provider: 'capa-accounts', type: 'full' }]);
  });

  it('shares one status request among the providers of a refresh, and keeps the catalog as it is when it fails', async () => {
    const report = await demoReport();
    let calls = 0;
    const gate = new FirstReadGate(
      { fleetReport: async () => report },
      async () => {
        calls++;
        throw new Error('503 Service Unavailable');
      },
    );
    const answers = await Promise.allSettled([
      gate.catalogView({ type: 'accounts' }),
      gate.catalogView({ type: 'management-cluster', name: 'a' }),
      gate.fleetReportIfChanged(),
    ]);
    expect(calls).toBe(1);
    expect(answers.map(a => a.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
    ]);
  });
});
