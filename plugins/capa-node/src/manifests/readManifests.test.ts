import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { UrlReaderService } from '@backstage/backend-plugin-api';
import {
  NotAllowedError,
  NotFoundError,
  NotModifiedError,
} from '@backstage/errors';
import {
  readManifestsFromDirectory,
  readManifestsFromUrl,
} from './readManifests';

const identity = (
  name: string,
) => `apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: AWSClusterRoleIdentity
metadata:
  name: ${name}
spec:
  roleARN: arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io
  sourceIdentityRef: { kind: AWSClusterControllerIdentity, name: default }
`;

/** AWSClusterRoleIdentity `staging` with a role of `account`: the same object, defined differently. */
const stagingIdentity = (account: string) =>
  identity('staging').replace('222222222222', account);
const roleAccountsOf = (result: {
  objects: Array<{ object: { spec?: unknown } }>;
}) =>
  result.objects.map(
    o => String((o.object.spec as any)?.roleARN).split(':')[4],
  );

const cluster = `apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: web
  namespace: staging
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: AWSCluster
metadata:
  name: web
  namespace: staging
spec:
  identityRef: { kind: AWSClusterRoleIdentity, name: staging }
`;

/**
 * A fake UrlReaderService over an in-memory tree (test double). Like the real readers, readTree applies
 * `filter(path, { size })` and paths are relative to the tree URL; hosts outside `allowed` are NotAllowed.
 */
function fakeReader(
  files: Record<string, string>,
  opts: { root?: string; etag?: string; withSizes?: boolean } = {},
) {
  const root =
    opts.root ?? 'https://github.com/acme/fleet/tree/main/clusters/mgmt-eu';
  const readTreeCalls: string[] = [];
  const reader: UrlReaderService = {
    async readUrl(url, options) {
      if (!url.startsWith('https://github.com/'))
        throw new NotAllowedError(`Reading from '${url}' is not allowed`);
      const rel = url.replace(
        /^https:\/\/github\.com\/acme\/fleet\/blob\/main\/clusters\/mgmt-eu\//,
        '',
      );
      if (!(rel in files)) throw new NotFoundError(`${url} not found`);
      if (options?.etag && options.etag === opts.etag)
        throw new NotModifiedError();
      return { buffer: async () => Buffer.from(files[rel]), etag: opts.etag };
    },
    async readTree(url, options) {
      readTreeCalls.push(url);
      if (!url.startsWith('https://github.com/'))
        throw new NotAllowedError(`Reading from '${url}' is not allowed`);
      if (url !== root) throw new NotFoundError(`${url} not found`);
      if (options?.etag && options.etag === opts.etag)
        throw new NotModifiedError();
      const selected = Object.entries(files).filter(([p, c]) =>
        options?.filter
          ? options.filter(
              p,
              opts.withSizes === false
                ? undefined
                : { size: Buffer.byteLength(c) },
            )
          : true,
      );
      return {
        etag: opts.etag ?? 'sha1',
        files: async () =>
          selected.map(([p, c]) => ({
            path: p,
            content: async () => Buffer.from(c),
          })),
        archive: async () => {
          throw new Error('not used');
        },
        dir: async () => {
          throw new Error('not used');
        },
      };
    },
    async search() {
      throw new Error('not used');
    },
  };
  return { reader, root, readTreeCalls };
}

describe('readManifestsFromUrl', () => {
  it('reads every YAML file of a tree, sorted, with sources prefixed by the target', async () => {
    const { reader, root } = fakeReader({
      'workloads/web.yaml': cluster,
      'identities.yml': identity('staging'),
      'README.md': '# not a manifest',
      'kustomization.yaml': 'resources: [identities.yml]\n',
      'broken.yaml': 'kind: [\n',
    });
    const result = await readManifestsFromUrl(reader, root);
    expect(
      result.objects.map(
        o =>
          `${o.object.kind}/${o.object.metadata.name}@${o.location.source}:${o.location.line}`,
      ),
    ).toEqual([
      `AWSClusterRoleIdentity/staging@${root}/identities.yml:1`,
      `Cluster/web@${root}/workloads/web.yaml:1`,
      `AWSCluster/web@${root}/workloads/web.yaml:7`,
    ]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      source: `${root}/broken.yaml`,
      severity: 'error',
    });
    expect(result.etag).toBe('sha1');
  });

  it("keeps the last definition of an object defined twice, in kubectl's walk order (a/x.yaml before a.yaml)", async () => {
    // kubectl apply -f walks the folder with Go's filepath.Walk: depth first, entries by name, so the folder `a`
    // (and a/x.yaml in it) comes before the file a.yaml, and the last definition applied is a.yaml's.
    const { reader, root } = fakeReader({
      'a.yaml': stagingIdentity('444444444444'),
      'a/x.yaml': stagingIdentity('333333333333'),
    });
    const result = await readManifestsFromUrl(reader, root);
    expect(roleAccountsOf(result)).toEqual(['444444444444']);
    expect(result.problems).toEqual([
      expect.objectContaining({
        source: `${root}/a/x.yaml`,
        line: 1,
        object: 'AWSClusterRoleIdentity/staging',
      }),
    ]);
    expect(result.problems[0].message).toContain(`${root}/a.yaml:1`);
  });

  it('reads a single file URL with readUrl', async () => {
    const { reader, readTreeCalls } = fakeReader({ 'web.yaml': cluster });
    const url =
      'https://github.com/acme/fleet/blob/main/clusters/mgmt-eu/web.yaml';
    const result = await readManifestsFromUrl(reader, url);
    expect(result.objects).toHaveLength(2);
    expect(result.objects[0].location.source).toBe(url);
    expect(readTreeCalls).toHaveLength(0);
  });

  it('skips files above the size bound with a problem (size from the filter, or from the content)', async () => {
    for (const withSizes of [true, false]) {
      const { reader, root } = fakeReader(
        {
          'big.yaml': identity('x'.repeat(600)),
          'small.yaml': identity('small'),
        },
        { withSizes },
      );
      const result = await readManifestsFromUrl(reader, root, {
        maxFileBytes: 400,
      });
      expect(result.objects.map(o => o.object.metadata.name)).toEqual([
        'small',
      ]);
      expect(result.problems).toEqual([
        expect.objectContaining({
          source: `${root}/big.yaml`,
          message: expect.stringContaining('more than the 400 bytes'),
        }),
      ]);
    }
  });

  it('throws an error naming the URL when the reader may not read it, keeping the error name', async () => {
    const { reader } = fakeReader({});
    const url =
      'https://user:token@gitlab.internal/acme/fleet/-/tree/main/clusters';
    const error = await readManifestsFromUrl(reader, url).catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toContain(
      'https://gitlab.internal/acme/fleet/-/tree/main/clusters',
    );
    expect(error.message).toContain('backend.reading.allow');
    expect(error.message).not.toContain('token@');
  });

  it('throws NotFoundError naming the URL for a missing tree', async () => {
    const { reader } = fakeReader({});
    const url = 'https://github.com/acme/fleet/tree/main/nope';
    await expect(readManifestsFromUrl(reader, url)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(url),
    });
  });

  it('passes NotModifiedError on unchanged when the etag matches', async () => {
    const { reader, root } = fakeReader(
      { 'a.yaml': identity('a') },
      { etag: 'abc' },
    );
    await expect(
      readManifestsFromUrl(reader, root, { etag: 'abc' }),
    ).rejects.toBeInstanceOf(NotModifiedError);
  });
});

describe('readManifestsFromDirectory', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'capa-manifests-'));
  });
  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('reads YAML files recursively in sorted order, skipping hidden folders and kustomization files', async () => {
    const dir = path.join(tmp, 'fleet');
    await fs.mkdir(path.join(dir, 'b', 'nested'), { recursive: true });
    await fs.mkdir(path.join(dir, '.git'), { recursive: true });
    await fs.writeFile(path.join(dir, 'b', 'nested', 'web.yaml'), cluster);
    await fs.writeFile(path.join(dir, 'a.yml'), identity('a'));
    await fs.writeFile(path.join(dir, 'c.yaml'), identity('c'));
    await fs.writeFile(path.join(dir, 'kustomization.yaml'), 'resources: []\n');
    await fs.writeFile(path.join(dir, 'notes.txt'), 'hello');
    await fs.writeFile(path.join(dir, '.git', 'x.yaml'), identity('hidden'));

    const result = await readManifestsFromDirectory(dir, 'clusters/mgmt-eu');
    expect(result.problems).toEqual([]);
    expect(
      result.objects.map(o => `${o.object.metadata.name}@${o.location.source}`),
    ).toEqual([
      'a@clusters/mgmt-eu/a.yml',
      'web@clusters/mgmt-eu/b/nested/web.yaml',
      'web@clusters/mgmt-eu/b/nested/web.yaml',
      'c@clusters/mgmt-eu/c.yaml',
    ]);
    const plain = await readManifestsFromDirectory(dir);
    expect(plain.objects[0].location.source).toBe('a.yml');
  });

  it('keeps the last definition of an object defined twice and reports the earlier one, naming both files', async () => {
    const dir = path.join(tmp, 'fleet');
    await fs.mkdir(path.join(dir, 'team'), { recursive: true });
    await fs.writeFile(
      path.join(dir, 'identities.yaml'),
      stagingIdentity('333333333333'),
    );
    await fs.writeFile(
      path.join(dir, 'team', 'staging.yaml'),
      stagingIdentity('444444444444'),
    );
    await fs.writeFile(path.join(dir, 'zz.yaml'), cluster);

    const result = await readManifestsFromDirectory(dir, 'clusters/mgmt-eu');
    // identities.yaml, then team/staging.yaml: the latter wins, as with kubectl apply -f.
    expect(roleAccountsOf(result).filter(a => a !== 'undefined')).toEqual([
      '444444444444',
    ]);
    expect(result.objects).toHaveLength(3);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      source: 'clusters/mgmt-eu/identities.yaml',
      object: 'AWSClusterRoleIdentity/staging',
    });
    expect(result.problems[0].message).toContain(
      'defined again at clusters/mgmt-eu/team/staging.yaml:1',
    );
  });

  it('follows symbolic links inside the folder only', async () => {
    const dir = path.join(tmp, 'fleet');
    const outside = path.join(tmp, 'outside');
    await fs.mkdir(path.join(dir, 'real'), { recursive: true });
    await fs.mkdir(outside);
    await fs.writeFile(path.join(dir, 'real', 'a.yaml'), identity('a'));
    await fs.writeFile(path.join(outside, 'secret.yaml'), identity('outside'));
    await fs.symlink(
      path.join(dir, 'real', 'a.yaml'),
      path.join(dir, 'link.yaml'),
    );
    await fs.symlink(outside, path.join(dir, 'out'));
    await fs.symlink(
      path.join(outside, 'secret.yaml'),
      path.join(dir, 'escape.yaml'),
    );
    await fs.symlink(dir, path.join(dir, 'real', 'loop'));

    const result = await readManifestsFromDirectory(dir);
    // link.yaml and real/a.yaml are one file read twice: one object defined twice, the later (real/a.yaml) kept.
    expect(result.objects.map(o => o.location.source)).toEqual(['real/a.yaml']);
    const links = result.problems.filter(p => p.severity === 'warning');
    expect(links.map(p => p.source).sort()).toEqual(['escape.yaml', 'out']);
    expect(result.problems.filter(p => p.severity !== 'warning')).toEqual([
      expect.objectContaining({
        source: 'link.yaml',
        object: 'AWSClusterRoleIdentity/a',
      }),
    ]);
  });

  it('reports a missing folder as a problem, and reads a single file', async () => {
    const missing = await readManifestsFromDirectory(
      path.join(tmp, 'nope'),
      'clusters/nope',
    );
    expect(missing.objects).toEqual([]);
    expect(missing.problems).toEqual([
      expect.objectContaining({ source: 'clusters/nope', severity: 'error' }),
    ]);

    const file = path.join(tmp, 'one.yaml');
    await fs.writeFile(file, identity('one'));
    const one = await readManifestsFromDirectory(file, 'iam/one.yaml');
    expect(one.objects.map(o => o.location.source)).toEqual(['iam/one.yaml']);
  });
});
