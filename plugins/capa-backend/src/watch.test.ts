/*
 * Watched live sources in the real capa backend (kubernetes.watch): after the first read, a change in a
 * management cluster reaches /api/capa through the watch alone (the refresh schedule is hourly and never
 * triggered again), with no further LIST; a source whose watches fail goes stale at its next refresh and keeps
 * its last good data.
 */
import { startCapaBackend, twoServersPerTest } from './__testUtils__/backend';
import { newCluster } from './__testUtils__/fleet';
import {
  eventually,
  managementClusters,
  clusterKeys,
} from './__testUtils__/harness';

jest.setTimeout(60_000);

describe('capa backend with watched management clusters', () => {
  const servers = twoServersPerTest();

  it('shows a created and a deleted cluster through the watch alone, with no LIST after the first read', async () => {
    const { server, probe } = await startCapaBackend({
      servers,
      watch: true,
    });
    await probe.refresh('mgmt-a', 'mgmt-b');
    const before = await clusterKeys(server);
    expect(before).toContain('mgmt-a/staging/web');
    const lists = servers.a.requests({ verb: 'list' }).length;
    const listsB = servers.b.requests({ verb: 'list' }).length;

    servers.a.addObjects(newCluster('fresh'));
    await eventually(
      'the new cluster in /api/capa/clusters',
      () => clusterKeys(server),
      keys => keys.includes('mgmt-a/staging/fresh'),
    );
    servers.a.removeObjects(newCluster('fresh'));
    await eventually(
      'the deleted cluster gone',
      () => clusterKeys(server),
      keys => !keys.includes('mgmt-a/staging/fresh'),
    );
    expect(await clusterKeys(server)).toEqual(before);
    expect(servers.a.requests({ verb: 'list' })).toHaveLength(lists);
    // mgmt-b changed nothing and was never listed again either.
    expect(servers.b.requests({ verb: 'list' })).toHaveLength(listsB);
  });

  it('marks a source stale at its next refresh when its watches fail, keeping its clusters', async () => {
    const { server, probe } = await startCapaBackend({
      servers,
      watch: true,
    });
    await probe.refresh('mgmt-a', 'mgmt-b');
    const before = await clusterKeys(server);
    servers.a.down('refuse');
    // The watcher retries with a growing wait (0.5 s, 1 s, ...) before it calls the source failed.
    const stale = await eventually(
      'mgmt-a stale',
      async () => {
        await probe.refresh('mgmt-a');
        return (await managementClusters(server)).find(
          m => m.name === 'mgmt-a',
        );
      },
      m => Boolean(m?.stale),
      { tries: 60, intervalMs: 250 },
    );
    expect(stale?.error).toMatch(/the watch of .* failed 3 times in a row/);
    expect(stale?.error).toContain('kubernetes.watch: false');
    expect(await clusterKeys(server)).toEqual(before);
    expect(
      (await managementClusters(server)).find(m => m.name === 'mgmt-b'),
    ).toMatchObject({ stale: false, reachable: true });
  });
});
