import { TestKubernetesApiServer } from '../testing';
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
});
