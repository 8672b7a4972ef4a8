/*
 * Watch leases on one database (SQLite here; PostgreSQL in the scale-out suite): one holder at a time per
 * management cluster, renewal by the holder only, take-over after release or expiry, and snapshot writes guarded
 * by the lease (a holder that lost it writes nothing).
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { smallCapaFleet } from '@capa-portal/plugin-capa-node/testing';
import { eventually } from '../__testUtils__/harness';
import { SnapshotStore } from './SnapshotStore';
import { LeaseLostError, WatchLeases } from './WatchLeases';

const objects = (n: number) =>
  smallCapaFleet()
    .slice(0, n)
    .map(object => ({ object, location: { source: 'kubernetes://mgmt-a' } }));

describe('WatchLeases', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function replicas(ttlMs: number) {
    const knex = await databases.init('SQLITE_3');
    const database = mockServices.database({ knex });
    const store = await SnapshotStore.create(database);
    return {
      store,
      a: await WatchLeases.create(database, { ttlMs }),
      b: await WatchLeases.create(database, { ttlMs }),
    };
  }

  it('gives each management cluster one holder, renewed by it alone, and free again once released', async () => {
    const { a, b } = await replicas(60_000);
    expect(a.holder).not.toBe(b.holder);
    expect(await a.acquire('mgmt-a')).toBe(true);
    expect(await b.acquire('mgmt-a')).toBe(false);
    expect(await b.acquire('mgmt-b')).toBe(true);
    expect(await a.acquire('mgmt-a')).toBe(true);
    expect(await a.acquire('mgmt-b')).toBe(false);
    expect(await a.holders()).toEqual(
      new Map([
        ['mgmt-a', a.holder],
        ['mgmt-b', b.holder],
      ]),
    );
    // Releasing a lease someone else holds does nothing.
    await b.release('mgmt-a');
    expect(await b.acquire('mgmt-a')).toBe(false);
    await a.release('mgmt-a');
    expect(await b.acquire('mgmt-a')).toBe(true);
    expect(await a.acquire('mgmt-a')).toBe(false);
  });

  it('lets another replica take a lease its holder stopped renewing, once it expired', async () => {
    const { a, b } = await replicas(300);
    expect(await a.acquire('mgmt-a')).toBe(true);
    let tries = 0;
    await eventually(
      "replica B holds A's expired lease",
      async () => {
        tries++;
        return b.acquire('mgmt-a');
      },
      held => held,
      { tries: 200, intervalMs: 20 },
    );
    // B's first attempt came while A's lease was running.
    expect(tries).toBeGreaterThan(1);
    expect(await a.acquire('mgmt-a')).toBe(false);
    expect((await a.holders()).get('mgmt-a')).toBe(b.holder);
  });

  it('refuses the snapshot writes of a replica that lost its lease, and keeps what the holder stored', async () => {
    const { store, a, b } = await replicas(300);
    const at = new Date(Date.UTC(2026, 0, 1));
    expect(await a.acquire('mgmt-a')).toBe(true);
    expect(
      await store.saveSuccess('mgmt-a', objects(3), [], at, a.guard('mgmt-a')),
    ).toBe(true);
    await eventually(
      'B takes the expired lease',
      () => b.acquire('mgmt-a'),
      held => held,
      { tries: 200, intervalMs: 20 },
    );
    expect(
      await store.saveSuccess('mgmt-a', objects(5), [], at, b.guard('mgmt-a')),
    ).toBe(true);
    const late = [
      () => store.saveSuccess('mgmt-a', objects(2), [], at, a.guard('mgmt-a')),
      () => store.saveUnchanged('mgmt-a', at, a.guard('mgmt-a')),
      () => store.saveFailure('mgmt-a', 'late', at, a.guard('mgmt-a')),
    ];
    for (const write of late)
      await expect(write()).rejects.toBeInstanceOf(LeaseLostError);
    const [status] = await store.statuses();
    expect(status).toMatchObject({
      source: 'mgmt-a',
      generation: 2,
      objectCount: 5,
      error: undefined,
    });
  });
});
