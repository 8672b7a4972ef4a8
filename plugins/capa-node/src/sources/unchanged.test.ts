/*
 * Sources that answer "unchanged" cheaply (issue #17 part 1): a manifests folder by its fingerprint, a manifests
 * URL by its ETag (the UrlReaderService contract: `etag` in, NotModifiedError out), a watched live cluster by
 * its watches having seen nothing. `full: true` always reads everything.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NotModifiedError } from '@backstage/errors';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { stringify } from 'yaml';
import { smallCapaFleet, TestKubernetesApiServer } from '../testing';
import {
  KubernetesRequestError,
  MANAGEMENT_CLUSTER_KINDS,
} from '../kubernetes';
import { createFleetSourcesFromConfig } from './createFleetSources';

const logger = mockServices.logger.mock();
const manifests = stringify(smallCapaFleet()[0]);

/** A URL reader serving one manifests file whose ETag is its version; counts the bodies it sends. */
function versionedUrlReader() {
  const state = { version: 1, bodies: 0, body: manifests };
  const reader: UrlReaderService = {
    async readUrl(_url, options) {
      const etag = `v${state.version}`;
      if (options?.etag === etag) throw new NotModifiedError();
      state.bodies++;
      return { buffer: async () => Buffer.from(state.body), etag } as any;
    },
    readTree: async () => {
      throw new Error('not a tree');
    },
    search: async () => {
      throw new Error('no search');
    },
  };
  return { reader, state };
}

async function sourceFor(
  managementCluster: Record<string, unknown>,
  urlReader: UrlReaderService = versionedUrlReader().reader,
) {
  const fleet = await createFleetSourcesFromConfig(
    new ConfigReader({
      capa: {
        managementClusters: [
          { name: 'mgmt', accountId: '111111111111', ...managementCluster },
        ],
      },
    }),
    { urlReader, logger },
  );
  return fleet.managementClusters[0].source;
}

describe('sources that answer unchanged', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'capa-unchanged-'));
    writeFileSync(path.join(dir, 'fleet.yaml'), manifests);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a manifests folder: unchanged while no file changes; a rewritten, added or removed file reads in full', async () => {
    const source = await sourceFor({ manifests: dir });
    const first = await source.read();
    expect(first.unchanged).toBeUndefined();
    expect(first.objects).toHaveLength(1);
    expect(await source.read()).toEqual({
      objects: [],
      problems: [],
      unchanged: true,
    });
    // Rewritten with the same content and a new modification time: read again (a sync touched it).
    utimesSync(path.join(dir, 'fleet.yaml'), new Date(), new Date(2030, 0, 1));
    expect((await source.read()).objects).toHaveLength(1);
    writeFileSync(path.join(dir, 'more.yaml'), stringify(smallCapaFleet()[1]));
    expect((await source.read()).objects).toHaveLength(2);
    expect((await source.read()).unchanged).toBe(true);
    rmSync(path.join(dir, 'more.yaml'));
    expect((await source.read()).objects).toHaveLength(1);
    expect((await source.read({ full: true })).objects).toHaveLength(1);
  });

  it('a manifests URL: unchanged when the reader answers NotModified to the last ETag', async () => {
    const { reader, state } = versionedUrlReader();
    const source = await sourceFor(
      { manifests: 'https://git.example.com/fleet.yaml' },
      reader,
    );
    expect((await source.read()).objects).toHaveLength(1);
    expect((await source.read()).unchanged).toBe(true);
    expect(state.bodies).toBe(1);
    state.version = 2;
    state.body = `${manifests}---\n${stringify(smallCapaFleet()[1])}`;
    expect((await source.read()).objects).toHaveLength(2);
    expect((await source.read({ full: true })).objects).toHaveLength(2);
    expect(state.bodies).toBe(3);
  });

  it('a watched live cluster: unchanged until its watches see an event', async () => {
    const server = await TestKubernetesApiServer.start({
      objects: smallCapaFleet(),
    });
    const source = await sourceFor({ kubernetes: server.connection() });
    try {
      const first = await source.read();
      expect(first.objects).toHaveLength(smallCapaFleet().length);
      expect((await source.read()).unchanged).toBe(true);
      let heard = 0;
      source.subscribe!(() => heard++);
      server.addObjects([
        { ...smallCapaFleet()[0], metadata: { name: 'new-namespace' } },
      ]);
      for (let i = 0; i < 200 && heard === 0; i++)
        await new Promise(r => setTimeout(r, 10));
      expect(heard).toBe(1);
      expect((await source.read()).objects).toHaveLength(
        smallCapaFleet().length + 1,
      );
      expect((await source.read()).unchanged).toBe(true);
    } finally {
      source.close!();
      await server.stop();
    }
  });
});

describe('a watched live source handed over (suspend)', () => {
  it('closes its watches, and its next read lists again and watches anew', async () => {
    const server = await TestKubernetesApiServer.start({
      objects: smallCapaFleet(),
    });
    const source = await sourceFor({ kubernetes: server.connection() });
    const fullLists = () =>
      server
        .requests({ verb: 'list', pathIncludes: '/api/v1/namespaces' })
        .filter(r => !r.query.continue).length;
    try {
      await source.read();
      // One watch per served kind (the test server serves every kind the source reads).
      const watching = MANAGEMENT_CLUSTER_KINDS.length;
      for (let i = 0; i < 200 && server.openWatches() < watching; i++)
        await new Promise(r => setTimeout(r, 10));
      expect(server.openWatches()).toBe(watching);
      expect(fullLists()).toBe(1);

      source.suspend!();
      for (let i = 0; i < 200 && server.openWatches() > 0; i++)
        await new Promise(r => setTimeout(r, 10));
      expect(server.openWatches()).toBe(0);
      // A change while nobody watches is in the next read: it starts over with a LIST.
      server.addObjects([
        { ...smallCapaFleet()[0], metadata: { name: 'while-suspended' } },
      ]);
      const again = await source.read();
      expect(again.unchanged).toBeUndefined();
      expect(again.objects).toHaveLength(smallCapaFleet().length + 1);
      expect(fullLists()).toBe(2);
      for (let i = 0; i < 200 && server.openWatches() < watching; i++)
        await new Promise(r => setTimeout(r, 10));
      expect(server.openWatches()).toBe(watching);
    } finally {
      source.close!();
      await server.stop();
    }
  });
});

describe('a watched live source whose first LIST fails', () => {
  it('throws the LIST error as it is, without the advice about watches', async () => {
    const server = await TestKubernetesApiServer.start({
      objects: smallCapaFleet(),
    });
    const source = await sourceFor({ kubernetes: server.connection() });
    try {
      server.failNext({
        resource: 'awsclusters.infrastructure.cluster.x-k8s.io',
        status: 403,
      });
      const error = await source.read().catch(e => e);
      expect(error).toBeInstanceOf(KubernetesRequestError);
      expect(error.message).toContain('grant verb "list"');
      expect(error.message).not.toContain('kubernetes.watch');
    } finally {
      source.close!();
      await server.stop();
    }
  });
});
