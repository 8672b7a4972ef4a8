/*
 * FleetRefresher with a source that can answer "unchanged": an unchanged read stores no new generation (so the
 * report is not evaluated again) but marks the source synced; a failed refresh makes the next read a full one;
 * an unchanged answer for a source with nothing stored is followed by a full read.
 * With two replicas of a watched source on one database: one replica watches at a time, the other takes over
 * (with a full read) when the first stops or can no longer renew its lease, never while the first still watches.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type {
  ManagementClusterSource,
  SourceRead,
  SourceReadOptions,
} from '@capa-portal/plugin-capa-node';
import { smallCapaFleet } from '@capa-portal/plugin-capa-node/testing';
import { FleetRefresher } from './FleetRefresher';
import { eventually } from '../__testUtils__/harness';
import { SnapshotStore } from './SnapshotStore';
import { WatchLeases } from './WatchLeases';

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
    // The full read found exactly what is stored: synced again, same generation.
    expect(after.generation).toBe(1);
  });
});

/** A watched source as one replica has it: watching from its first read until suspended. */
class WatchedSource extends ScriptedSource {
  watching = false;
  /** Whether the other replica's source was watching when this one began. */
  otherWasWatching?: boolean;
  other?: WatchedSource;
  readonly listeners = new Set<() => void>();

  async read(options?: SourceReadOptions): Promise<SourceRead> {
    if (!this.watching) this.otherWasWatching ??= this.other?.watching;
    this.watching = true;
    return super.read(options);
  }
  subscribe(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  suspend() {
    this.watching = false;
  }
}

describe('FleetRefresher with two replicas of a watched source', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const timing = { ttlMs: 900, renewMs: 100 };
  const schedule = { frequency: { hours: 1 }, timeout: { minutes: 1 } };

  async function twoReplicas() {
    const database = mockServices.database({
      knex: await databases.init('SQLITE_3'),
    });
    const store = await SnapshotStore.create(database);
    const replica = async () => {
      const leases = await WatchLeases.create(database, timing);
      const source = new WatchedSource();
      const refresher = new FleetRefresher({
        store,
        logger: mockServices.logger.mock(),
        leases,
        leaseTiming: timing,
      });
      return { leases, source, refresher };
    };
    const [a, b] = [await replica(), await replica()];
    a.source.other = b.source;
    b.source.other = a.source;
    await a.refresher.schedule(
      mockServices.scheduler.mock(),
      [a.source],
      schedule,
    );
    await b.refresher.schedule(
      mockServices.scheduler.mock(),
      [b.source],
      schedule,
    );
    await eventually(
      'the first replica reads its source',
      async () => a.source.reads.length,
      n => n > 0,
    );
    return { store, a, b };
  }

  it('lets one replica watch; the other reads nothing until the first stops, then reads in full', async () => {
    const { a, b } = await twoReplicas();
    expect(a.refresher.leads('mgmt')).toBe(true);
    expect(b.refresher.leads('mgmt')).toBe(false);
    expect(a.source.reads).toEqual([{ full: true }]);
    expect(a.source.listeners.size).toBe(1);
    // Another replica's scheduled run of the task reads nothing.
    expect(await b.refresher.refresh(b.source)).toBe(false);
    expect(b.source.reads).toEqual([]);
    expect(b.source.listeners.size).toBe(0);

    await a.refresher.close();
    expect(a.source.watching).toBe(false);
    await eventually(
      'the second replica takes over and reads',
      async () => b.source.reads,
      reads => reads.length > 0,
    );
    expect(b.source.reads).toEqual([{ full: true }]);
    expect(b.source.otherWasWatching).toBe(false);
    await b.refresher.close();
  });

  it('a leader that cannot renew lets its watch go before the other replica takes it', async () => {
    const { store, a, b } = await twoReplicas();
    await eventually(
      'the first read stored',
      async () => (await store.statuses())[0]?.generation,
      g => g === 1,
    );
    // The first replica loses its database: no renewal, no release (as when it dies or is cut off).
    jest
      .spyOn(a.leases, 'acquire')
      .mockRejectedValue(new Error('connection terminated'));
    jest
      .spyOn(a.leases, 'release')
      .mockRejectedValue(new Error('connection terminated'));
    await eventually(
      'the second replica reads after the lease expired',
      async () => b.source.reads.length,
      n => n > 0,
      { tries: 200 },
    );
    expect(a.refresher.leads('mgmt')).toBe(false);
    expect(b.source.otherWasWatching).toBe(false);
    expect(b.source.reads).toEqual([{ full: true }]);
    // Same content read again by the new leader: synced, no new generation.
    await eventually(
      'the new leader stored its read',
      async () => (await store.statuses())[0],
      s => s.generation === 1 && Date.parse(s.syncedAt!) > 0,
    );
    await a.refresher.close();
    await b.refresher.close();
  });
});
