import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { TestKubernetesApiServer } from '../testing';
import { KubernetesApplier, KubernetesApplyError } from './KubernetesApplier';

function awsCluster(
  name: string,
  spec: Record<string, unknown>,
  namespace = 'team-a',
): KubeObject {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    kind: 'AWSCluster',
    metadata: { name, namespace },
    spec,
  };
}

function capiCluster(name: string, namespace = 'team-a'): KubeObject {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name, namespace, labels: { team: 'a' } },
    spec: {
      infrastructureRef: {
        apiGroup: 'infrastructure.cluster.x-k8s.io',
        kind: 'AWSCluster',
        name,
      },
    },
  };
}

const namespace = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
});

describe('KubernetesApplier against the test API server', () => {
  let server: TestKubernetesApiServer;

  beforeEach(async () => {
    server = await TestKubernetesApiServer.start({
      objects: [namespace('team-a')],
      validate: o => {
        if (o.kind !== 'AWSCluster') return { ok: true };
        const errors = [];
        if (!o.spec?.region)
          errors.push({ path: 'spec.region', message: 'Required value' });
        if (
          o.spec?.identityRef &&
          ![
            'AWSClusterRoleIdentity',
            'AWSClusterControllerIdentity',
            'AWSClusterStaticIdentity',
          ].includes(o.spec.identityRef.kind)
        ) {
          errors.push({
            path: 'spec.identityRef.kind',
            message: `Unsupported value: "${o.spec.identityRef.kind}"`,
          });
        }
        return { ok: errors.length === 0, errors };
      },
    });
  });

  afterEach(async () => {
    await server.stop();
  });

  const applier = (
    extra: { fieldManager?: string; force?: boolean; token?: string } = {},
  ) =>
    KubernetesApplier.create({
      name: 'mgmt-eu',
      connection: {
        ...server.connection(),
        serviceAccountToken: extra.token ?? server.token,
        timeoutMs: 3000,
      },
      fieldManager: extra.fieldManager,
      force: extra.force,
    });

  it('dry-run validates and stores nothing', async () => {
    const objects = [
      capiCluster('web'),
      awsCluster('web', { region: 'eu-west-1' }),
    ];
    const result = await applier().apply(objects, { dryRun: true });
    expect(
      result.map(r => [r.object.kind, r.object.metadata.name, r.created]),
    ).toEqual([
      ['Cluster', 'web', true],
      ['AWSCluster', 'web', true],
    ]);
    expect(result[1].object.spec.region).toBe('eu-west-1');
    expect(server.objects().map(o => o.kind)).toEqual(['Namespace']);
    const applies = server.requests({ verb: 'apply' });
    expect(applies).toHaveLength(2);
    for (const r of applies) {
      expect(r.query).toEqual(
        expect.objectContaining({
          dryRun: 'All',
          fieldManager: 'capa-portal',
          force: 'false',
        }),
      );
    }
  });

  it('applies: creates, then updates (created: false)', async () => {
    const a = applier();
    const first = await a.apply([
      capiCluster('web'),
      awsCluster('web', { region: 'eu-west-1' }),
    ]);
    expect(first.map(r => r.created)).toEqual([true, true]);
    expect(first[1].object.metadata.uid).toEqual(expect.any(String));
    expect(
      server.getObject(
        'infrastructure.cluster.x-k8s.io/v1beta2',
        'AWSCluster',
        'web',
        'team-a',
      )?.spec,
    ).toEqual({
      region: 'eu-west-1',
    });
    expect(await a.exists(awsCluster('web', {}))).toBe(true);
    expect(await a.exists(awsCluster('other', {}))).toBe(false);

    const second = await a.apply([
      awsCluster('web', { region: 'eu-central-1' }),
    ]);
    expect(second[0].created).toBe(false);
    expect(second[0].object.spec.region).toBe('eu-central-1');
    expect(
      server.getObject(
        'infrastructure.cluster.x-k8s.io/v1beta2',
        'AWSCluster',
        'web',
        'team-a',
      )?.spec.region,
    ).toBe('eu-central-1');
    // server-side apply over HTTP: PATCH with the apply content type
    expect(
      server.requests({ method: 'PATCH' }).every(r => r.verb === 'apply'),
    ).toBe(true);
  });

  it('surfaces 422 schema errors with field paths and the object, and what was applied before', async () => {
    const error = await applier()
      .apply([
        capiCluster('bad'),
        awsCluster('bad', { identityRef: { kind: 'Nope', name: 'x' } }),
      ])
      .catch(e => e);
    expect(error).toBeInstanceOf(KubernetesApplyError);
    expect(error.reason).toBe('invalid');
    expect(error.object).toBe('AWSCluster/team-a/bad');
    expect(error.message).toContain(
      'apply AWSCluster/team-a/bad on management cluster "mgmt-eu" failed (HTTP 422 Invalid)',
    );
    expect(error.message).toContain('spec.region: Required value');
    expect(error.message).toContain(
      'spec.identityRef.kind: Unsupported value: "Nope"',
    );
    expect(error.applied.map((a: any) => [a.object.kind, a.created])).toEqual([
      ['Cluster', true],
    ]);
    expect(error.message).not.toContain(server.token);
  });

  it('deletes (rollback), in reverse order, tolerating objects already gone', async () => {
    const a = applier();
    const objects = [
      capiCluster('web'),
      awsCluster('web', { region: 'eu-west-1' }),
    ];
    await a.apply(objects);
    const deleted = await a.delete(objects);
    expect(deleted.map(d => [d.object.kind, d.deleted])).toEqual([
      ['AWSCluster', true],
      ['Cluster', true],
    ]);
    expect(server.objects().map(o => o.kind)).toEqual(['Namespace']);
    expect((await a.delete(objects)).map(d => d.deleted)).toEqual([
      false,
      false,
    ]);
  });

  it('applies cluster-scoped and core objects', async () => {
    const result = await applier().apply([
      namespace('team-b'),
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterRoleIdentity',
        metadata: { name: 'team-b' },
        spec: {
          roleARN:
            'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
          sourceIdentityRef: {
            kind: 'AWSClusterControllerIdentity',
            name: 'default',
          },
          allowedNamespaces: { list: ['team-b'] },
        },
      },
      capiCluster('web', 'team-b'),
    ]);
    expect(result.map(r => r.created)).toEqual([true, true, true]);
    expect(
      server
        .objects()
        .map(o => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)
        .sort(),
    ).toEqual(
      [
        'AWSClusterRoleIdentity//team-b',
        'Cluster/team-b/web',
        'Namespace//team-a',
        'Namespace//team-b',
      ].sort(),
    );
  });

  it('does not force: a field another manager owns conflicts (409) naming the manager', async () => {
    await applier({ fieldManager: 'argocd' }).apply([
      awsCluster('web', { region: 'eu-west-1' }),
    ]);
    const error = await applier()
      .apply([awsCluster('web', { region: 'us-east-1' })])
      .catch(e => e);
    expect(error.reason).toBe('conflict');
    expect(error.message).toContain('conflict with "argocd": .spec.region');
    const forced = await applier({ force: true }).apply([
      awsCluster('web', { region: 'us-east-1' }),
    ]);
    expect(forced[0].object.spec.region).toBe('us-east-1');
  });

  it('reports a namespace that does not exist (as NamespaceLifecycle does, even in a dry run)', async () => {
    await expect(
      applier().apply([awsCluster('web', { region: 'eu-west-1' }, 'missing')], {
        dryRun: true,
      }),
    ).rejects.toThrow(
      /AWSCluster\/missing\/web .*namespaces "missing" not found/,
    );
  });

  it('reports an unserved API version', async () => {
    await expect(
      applier().apply([
        {
          ...awsCluster('web', { region: 'x' }),
          apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        },
      ]),
    ).rejects.toThrow(
      /infrastructure.cluster.x-k8s.io\/v1beta1 is not served by management cluster "mgmt-eu"/,
    );
  });

  it('never puts the token in an error message', async () => {
    const token = 'sha256~very-secret-token';
    const error = await applier({ token })
      .apply([awsCluster('web', { region: 'eu-west-1' })])
      .catch(e => e);
    expect(error).toBeInstanceOf(KubernetesApplyError);
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain(server.token);
    expect(error.reason).toBe('unauthorized');
  });
});
