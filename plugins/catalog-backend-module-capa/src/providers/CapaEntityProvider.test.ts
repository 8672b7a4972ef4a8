import { mockServices } from '@backstage/backend-test-utils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { demoReport } from '../__testUtils__/entities';
import { CapaEntityProvider, FleetReportSource } from './CapaEntityProvider';

const taskRunner = { run: jest.fn(async () => {}) };

function connection() {
  return {
    applyMutation: jest.fn(async () => {}),
    refresh: jest.fn(async () => {}),
  } satisfies EntityProviderConnection;
}

async function provider(
  scope: ConstructorParameters<any>[0] | any,
  source: FleetReportSource,
) {
  const p = CapaEntityProvider.create({
    scope,
    source,
    defaults: { owner: 'unknown' },
    logger: mockServices.logger.mock(),
    taskRunner,
  });
  const c = connection();
  await p.connect(c);
  return { p, c };
}

describe('CapaEntityProvider', () => {
  it('applies a full mutation of one management cluster’s entities under its own provider name', async () => {
    const report = await demoReport();
    const { p, c } = await provider(
      { type: 'management-cluster', name: 'mgmt-us' },
      { fleetReport: async () => report },
    );
    expect(p.getProviderName()).toBe('capa-management-cluster:mgmt-us');
    const count = await p.refresh();
    expect(count).toBeGreaterThan(3);
    const mutation = (c.applyMutation.mock.calls[0] as any)[0];
    expect(mutation.type).toBe('full');
    expect(
      mutation.entities.every(
        (e: any) =>
          e.entity.metadata.annotations['capa-portal.io/management-cluster'] !==
          'mgmt-eu',
      ),
    ).toBe(true);
  });

  it('applies nothing when the capa backend cannot be reached, so the catalog keeps its entities', async () => {
    const { p, c } = await provider(
      { type: 'management-cluster', name: 'mgmt-eu' },
      { fleetReport: async () => Promise.reject(new Error('ECONNREFUSED')) },
    );
    expect(await p.refresh()).toBeUndefined();
    expect(c.applyMutation).not.toHaveBeenCalled();
  });

  it('applies nothing for a management cluster that has never been read', async () => {
    const report = await demoReport();
    report.sources = report.sources.map(s =>
      s.name === 'mgmt-eu'
        ? { ...s, lastSync: undefined, stale: true, error: 'forbidden' }
        : s,
    );
    const { p, c } = await provider(
      { type: 'management-cluster', name: 'mgmt-eu' },
      { fleetReport: async () => report },
    );
    expect(await p.refresh()).toBeUndefined();
    expect(c.applyMutation).not.toHaveBeenCalled();
  });

  it('still emits a stale management cluster from its last good read', async () => {
    const report = await demoReport();
    report.sources = report.sources.map(s =>
      s.name === 'mgmt-eu' ? { ...s, stale: true, error: 'timeout' } : s,
    );
    const { p, c } = await provider(
      { type: 'management-cluster', name: 'mgmt-eu' },
      { fleetReport: async () => report },
    );
    expect(await p.refresh()).toBeGreaterThan(5);
    expect(c.applyMutation).toHaveBeenCalledTimes(1);
  });

  it('emits one entity per account', async () => {
    const report = await demoReport();
    const { p, c } = await provider(
      { type: 'accounts' },
      { fleetReport: async () => report },
    );
    expect(p.getProviderName()).toBe('capa-accounts');
    await p.refresh();
    const names = (c.applyMutation.mock.calls[0] as any)[0].entities.map(
      (e: any) => e.entity.metadata.name,
    );
    expect(names).toEqual(report.accounts.map(a => `aws-${a.accountId}`));
  });
});
