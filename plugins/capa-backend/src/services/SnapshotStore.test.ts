/*
 * The snapshot store serves what its own instance stored without reading it back (the objects of a management
 * cluster are tens of MB at fleet scale), and what another replica stored from the database: never a copy older
 * than the stored generation.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { LocatedObject } from '@capa-portal/plugin-capa-common';
import { SnapshotStore } from './SnapshotStore';

const namespace = (name: string): LocatedObject => ({
  object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
  location: { source: 'kubernetes://mgmt-eu' },
});

describe('SnapshotStore', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function twoReplicas() {
    const knex = await databases.init('SQLITE_3');
    const a = await SnapshotStore.create(mockServices.database({ knex }));
    const b = await SnapshotStore.create(
      mockServices.database({ knex, migrations: { skip: true } }),
    );
    return { a, b };
  }

  it("serves its own write as stored, and another replica's from the database", async () => {
    const { a, b } = await twoReplicas();
    const objects = [namespace('team-a')];
    expect(
      await a.saveSuccess(
        'mgmt-eu',
        objects,
        [],
        new Date('2026-12-06T01:00:00Z'),
      ),
    ).toBe(true);

    const [own] = await a.snapshots(['mgmt-eu']);
    expect(own.objects).toBe(objects); // the same array: nothing read back or parsed
    expect(own).toMatchObject({
      source: 'mgmt-eu',
      generation: 1,
      objectCount: 1,
      syncedAt: '2026-12-06T01:00:00.000Z',
    });
    const [other] = await b.snapshots(['mgmt-eu']);
    expect(other.objects).not.toBe(objects);
    expect(other.objects).toEqual(objects);
    expect(other.generation).toBe(1);
  });

  it('reads a newer generation written by another replica, not its own older copy', async () => {
    const { a, b } = await twoReplicas();
    await a.saveSuccess('mgmt-eu', [namespace('team-a')], [], new Date());
    const newer = [namespace('team-a'), namespace('team-b')];
    expect(await b.saveSuccess('mgmt-eu', newer, [], new Date())).toBe(true);

    const [seen] = await a.snapshots(['mgmt-eu']);
    expect(seen.generation).toBe(2);
    expect(seen.objects).toEqual(newer);
    // b wrote generation 2 itself: its own copy.
    expect((await b.snapshots(['mgmt-eu']))[0].objects).toBe(newer);
  });

  it('keeps serving its own copy after a read that found the same content (the generation stays)', async () => {
    const { a } = await twoReplicas();
    const objects = [namespace('team-a')];
    await a.saveSuccess('mgmt-eu', objects, [], new Date());
    expect(
      await a.saveSuccess('mgmt-eu', [namespace('team-a')], [], new Date()),
    ).toBe(false);
    const [seen] = await a.snapshots(['mgmt-eu']);
    expect(seen.generation).toBe(1);
    expect(seen.objects).toBe(objects);
  });

  it('answers a failed read with the last good objects and the error', async () => {
    const { a, b } = await twoReplicas();
    const objects = [namespace('team-a')];
    await a.saveSuccess('mgmt-eu', objects, [], new Date());
    await b.saveFailure('mgmt-eu', 'connect ECONNREFUSED', new Date());
    const [seen] = await a.snapshots(['mgmt-eu']);
    expect(seen.error).toBe('connect ECONNREFUSED');
    expect(seen.objects).toBe(objects);
  });
});
