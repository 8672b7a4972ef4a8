/*
 * FleetRefresher with a source that can answer "unchanged": an unchanged read stores no new generation (so the
 * report is not evaluated again) but marks the source synced; a failed refresh makes the next read a full one;
 * an unchanged answer for a source with nothing stored is followed by a full read.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type {
  ManagementClusterSource,
  SourceRead,
  SourceReadOptions,
} from '@capa-portal/plugin-capa-node';
import { smallCapaFleet } from '@capa-portal/plugin-capa-node/testing';
import { FleetRefresher } from './FleetRefresher';
import { SnapshotStore } from './SnapshotStore';

/** A source whose answers the test scripts; it records the options of every read. */
class ScriptedSource implements ManagementClusterSource {
  readonly name = 'mgmt';
  readonly type = 'manifests' as const;
  readonly target = 'scripted';
  readonly reads: Array<SourceReadOptions | undefined> = [];
  next: Array<'full' | 'unchanged' | 'fail'> = [];

  async read(options?: SourceReadOptions): Promise<SourceRead> {
    this.reads.push(options);
    const answer = options?.full ? 'full' : this.next.shift() ?? 'full';
    if (answer === 'fail') throw new Error('the folder is gone');
    if (answer === 'unchanged')
      return { objects: [], problems: [], unchanged: true };
    return {
      objects: smallCapaFleet().map(object => ({
        object,
        location: { source: 'scripted' },
      })),
      problems: [],
    };
  }
}

describe('FleetRefresher and unchanged sources', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let store: SnapshotStore;
  let refresher: FleetRefresher;
  let source: ScriptedSource;
  const status = async () => (await store.statuses())[0];

  beforeEach(async () => {
    const knex = await databases.init('SQLITE_3');
    store = await SnapshotStore.create(mockServices.database({ knex }));
    let clock = Date.UTC(2026, 0, 1);
    refresher = new FleetRefresher({
      store,
      logger: mockServices.logger.mock(),
      now: () => new Date((clock += 1000)),
    });
    source = new ScriptedSource();
  });

  it('stores no new generation for an unchanged read, and marks the source synced', async () => {
    await refresher.refresh(source);
    const first = await status();
    expect(first.generation).toBe(1);
    source.next = ['unchanged'];
    expect(await refresher.refresh(source)).toBe(true);
    const second = await status();
    expect(second.generation).toBe(1);
    expect(second.objectCount).toBe(smallCapaFleet().length);
    expect(Date.parse(second.syncedAt!)).toBeGreaterThan(
      Date.parse(first.syncedAt!),
    );
  });

  it('reads in full after a failed refresh, and when nothing of the source is stored', async () => {
    source.next = ['unchanged'];
    await refresher.refresh(source);
    // Nothing stored yet: the unchanged answer is followed by a full read.
    expect(source.reads).toEqual([{ full: false }, { full: true }]);
    expect((await status()).generation).toBe(1);

    source.next = ['fail'];
    expect(await refresher.refresh(source)).toBe(false);
    expect((await status()).error).toBe('the folder is gone');
    source.next = ['unchanged'];
    await refresher.refresh(source);
    expect(source.reads.slice(-1)).toEqual([{ full: true }]);
    const after = await status();
    expect(after.error).toBeUndefined();
    expect(after.generation).toBe(2);
  });
});
