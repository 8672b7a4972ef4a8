import { GZIP_THRESHOLD_BYTES, TestKubernetesApiServer } from '../testing';
import {
  KubernetesFleetReader,
  LAST_APPLIED_ANNOTATION,
  slimListItem,
} from './KubernetesFleetReader';

const managedFields = [
  {
    manager: 'kubectl-client-side-apply',
    operation: 'Update',
    apiVersion: 'v1',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:env': {} } } },
  },
];

describe('slimListItem', () => {
  it('drops managedFields and the last-applied annotation, and keeps everything else', () => {
    const item = {
      metadata: {
        name: 'staging',
        labels: { env: 'staging' },
        annotations: {
          [LAST_APPLIED_ANNOTATION]: '{"apiVersion":"v1"}',
          'capa-portal.io/owner': 'group:default/team',
        },
        managedFields,
      },
      spec: { region: 'eu-west-1' },
      status: { ready: true },
    };
    expect(slimListItem(item)).toEqual({
      metadata: {
        name: 'staging',
        labels: { env: 'staging' },
        annotations: { 'capa-portal.io/owner': 'group:default/team' },
      },
      spec: { region: 'eu-west-1' },
      status: { ready: true },
    });
  });

  it('returns other items as they are', () => {
    const plain = { metadata: { name: 'a' }, spec: {} };
    expect(slimListItem(plain)).toBe(plain);
    expect(slimListItem('not an object')).toBe('not an object');
    expect(slimListItem({ metadata: 'bad' })).toEqual({ metadata: 'bad' });
  });

  it('is applied by the fleet reader', async () => {
    const server = await TestKubernetesApiServer.start({
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: 'staging',
            annotations: { [LAST_APPLIED_ANNOTATION]: '{}' },
            managedFields,
          },
        },
      ],
    });
    try {
      const reader = KubernetesFleetReader.create({
        name: 'mgmt',
        connection: server.connection(),
      });
      const read = await reader.read();
      const ns = read.objects.find(o => o.object.kind === 'Namespace');
      expect(ns?.object.metadata.name).toBe('staging');
      expect(ns?.object.metadata).not.toHaveProperty('managedFields');
      expect(ns?.object.metadata.annotations).toEqual({});
    } finally {
      await server.stop();
    }
  });

  it('reads large gzip-compressed pages item by item, with the same objects as a whole-page parse', async () => {
    // 300 AWSClusters with a last-applied copy and managedFields each: one page of ~1 MB, sent gzip-compressed
    // (as the API server sends large lists), with strings the scanner must not trip on.
    const objects = Array.from({ length: 300 }, (_, i) => {
      const object = {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSCluster',
        metadata: {
          name: `cluster-${i}`,
          namespace: 'team-a',
          labels: { 'cluster.x-k8s.io/cluster-name': `cluster-${i}` },
          annotations: {
            'capa-portal.io/owner': 'group:default/team-a',
          } as Record<string, string>,
        },
        spec: {
          region: 'eu-west-1',
          identityRef: { kind: 'AWSClusterRoleIdentity', name: 'team-a' },
          additionalTags: { note: `ünïcødé "${i}" }], \\ 🚀` },
        },
      };
      object.metadata.annotations[LAST_APPLIED_ANNOTATION] =
        JSON.stringify(object);
      return {
        ...object,
        metadata: {
          ...object.metadata,
          managedFields: Array.from({ length: 8 }, () => managedFields[0]),
        },
      };
    });
    const server = await TestKubernetesApiServer.start({ objects });
    try {
      const reader = KubernetesFleetReader.create({
        name: 'mgmt',
        connection: { ...server.connection(), pageSize: 500 },
      });
      const read = await reader.read();
      const lists = server.requests({
        resource: 'awsclusters.infrastructure.cluster.x-k8s.io',
      });
      expect(lists).toHaveLength(1);
      expect(lists[0].gzip).toBe(true);
      const clusters = read.objects
        .map(o => o.object)
        .filter(o => o.kind === 'AWSCluster');
      expect(clusters).toHaveLength(300);
      // The same page read whole and parsed at once, then slimmed: what the reader must equal.
      const whole = (await (
        await fetch(`${server.url}${lists[0].path}?limit=500`, {
          headers: { authorization: `Bearer ${server.token}` },
        })
      ).json()) as { items: unknown[] };
      expect(clusters).toEqual(
        whole.items.map(item => ({
          ...(slimListItem(item) as object),
          apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
          kind: 'AWSCluster',
        })),
      );
      const seventh = clusters.find(c => c.metadata.name === 'cluster-7')!;
      expect(seventh.spec).toEqual(objects[7].spec);
      expect(seventh.metadata.annotations).toEqual({
        'capa-portal.io/owner': 'group:default/team-a',
      });
      const size = JSON.stringify(objects).length;
      expect(size).toBeGreaterThan(GZIP_THRESHOLD_BYTES);
    } finally {
      await server.stop();
    }
  });
});
