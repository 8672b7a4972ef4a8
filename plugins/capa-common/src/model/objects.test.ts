import { parseObjects } from './objects';
import { classifyApiVersion } from './apiVersions';

const loc = (object: unknown, line = 1) => ({
  object: object as any,
  location: { source: 'f.yaml', line },
});

describe('parseObjects', () => {
  it('reads CAPI v1beta1 (ObjectReference) and v1beta2 ({apiGroup, kind, name}) refs', () => {
    const p = parseObjects([
      loc({
        apiVersion: 'cluster.x-k8s.io/v1beta1',
        kind: 'Cluster',
        metadata: { name: 'a', namespace: 'n' },
        spec: {
          infrastructureRef: {
            apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
            kind: 'AWSCluster',
            name: 'a',
          },
        },
      }),
      loc({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: 'b', namespace: 'n' },
        spec: {
          controlPlaneRef: {
            apiGroup: 'controlplane.cluster.x-k8s.io',
            kind: 'AWSManagedControlPlane',
            name: 'b',
          },
        },
      }),
    ]);
    expect(p.clusters[0].infrastructureRef).toMatchObject({
      kind: 'AWSCluster',
      apiGroup: 'infrastructure.cluster.x-k8s.io',
    });
    expect(p.clusters[1].controlPlaneRef).toMatchObject({
      kind: 'AWSManagedControlPlane',
      apiGroup: 'controlplane.cluster.x-k8s.io',
    });
  });
  it('reads both condition styles and v1beta2 initialization', () => {
    const p = parseObjects([
      loc({
        apiVersion: 'cluster.x-k8s.io/v1beta1',
        kind: 'Cluster',
        metadata: { name: 'a' },
        status: {
          phase: 'Provisioned',
          infrastructureReady: true,
          conditions: [{ type: 'Ready', status: 'True', severity: '' }],
          v1beta2: { conditions: [{ type: 'Available', status: 'True' }] },
        },
      }),
      loc({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: 'b' },
        status: {
          phase: 'Failed',
          initialization: { infrastructureProvisioned: false },
          conditions: [{ type: 'Available', status: 'False', reason: 'X' }],
          deprecated: {
            v1beta1: { conditions: [{ type: 'Ready', status: 'False' }] },
          },
        },
      }),
    ]);
    expect(p.clusters[0].conditions.map(c => c.type)).toEqual([
      'Ready',
      'Available',
    ]);
    expect(p.clusters[0].infrastructureReady).toBe(true);
    expect(p.clusters[1]).toMatchObject({
      phase: 'Failed',
      infrastructureReady: false,
    });
    expect(p.clusters[1].conditions.map(c => c.type)).toEqual([
      'Available',
      'Ready',
    ]);
  });
  it('reads identityRef at spec.template.spec for templates', () => {
    const p = parseObjects([
      loc({
        apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
        kind: 'AWSManagedControlPlaneTemplate',
        metadata: { name: 't' },
        spec: {
          template: {
            spec: {
              identityRef: { kind: 'AWSClusterRoleIdentity', name: 'x' },
            },
          },
        },
      }),
    ]);
    expect(p.carriers[0]).toMatchObject({
      kind: 'AWSManagedControlPlaneTemplate',
      identityRef: { kind: 'AWSClusterRoleIdentity', name: 'x' },
    });
  });
  it.each([
    [
      'missing metadata.name',
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterRoleIdentity',
        metadata: {},
      },
    ],
    [
      'spec not an object',
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSCluster',
        metadata: { name: 'x' },
        spec: [],
      },
    ],
    [
      'identityRef of the wrong type',
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSCluster',
        metadata: { name: 'x' },
        spec: { identityRef: 'x' },
      },
    ],
    [
      'durationSeconds as a string',
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterRoleIdentity',
        metadata: { name: 'x' },
        spec: { roleARN: 'arn:aws:iam::1:role/x', durationSeconds: '3600' },
      },
    ],
    [
      'allowedNamespaces.list of the wrong type',
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterRoleIdentity',
        metadata: { name: 'x' },
        spec: {
          roleARN: 'arn:aws:iam::1:role/x',
          allowedNamespaces: { list: 'a' },
        },
      },
    ],
    [
      'a role identity without roleARN',
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSClusterRoleIdentity',
        metadata: { name: 'x' },
        spec: {},
      },
    ],
  ])('%s is an input problem and skipped', (_n, obj) => {
    const p = parseObjects([loc(obj, 7)]);
    expect(p.problems).toHaveLength(1);
    expect(p.problems[0]).toMatchObject({
      source: 'f.yaml',
      line: 7,
      severity: 'error',
    });
    expect(p.identities.length + p.carriers.length).toBe(0);
  });
  it('ignores unrelated kinds and never throws on junk', () => {
    expect(
      parseObjects([
        loc({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
      ]).problems,
    ).toHaveLength(0);
    expect(() =>
      parseObjects([null, 1, 'x', { object: null }, { object: [] }] as any),
    ).not.toThrow();
    expect(() => parseObjects(null as any)).not.toThrow();
  });
  it('recognises a CAPI Operator InfrastructureProvider', () => {
    const p = parseObjects([
      loc({
        apiVersion: 'operator.cluster.x-k8s.io/v1alpha2',
        kind: 'InfrastructureProvider',
        metadata: { name: 'aws-staging', namespace: 'capa-staging' },
        spec: {
          configSecret: { name: 'staging-creds' },
          manager: { additionalArgs: { 'watch-filter': 'env=staging' } },
        },
      }),
    ]);
    expect(p.infrastructureProviders[0]).toMatchObject({
      name: 'aws-staging',
      watchFilter: 'env=staging',
      configSecret: 'staging-creds',
    });
  });
});

describe('classifyApiVersion', () => {
  it.each([
    ['infrastructure.cluster.x-k8s.io/v1beta2', 'AWSCluster', 'served'],
    ['infrastructure.cluster.x-k8s.io/v1beta1', 'AWSCluster', 'unserved'],
    ['infrastructure.cluster.x-k8s.io/v1alpha4', 'AWSCluster', 'unserved'],
    [
      'infrastructure.cluster.x-k8s.io/v1alpha3',
      'AWSClusterRoleIdentity',
      'unserved',
    ],
    [
      'controlplane.cluster.x-k8s.io/v1beta1',
      'AWSManagedControlPlane',
      'unserved',
    ],
    ['cluster.x-k8s.io/v1beta1', 'Cluster', 'deprecated'],
    ['cluster.x-k8s.io/v1beta2', 'Cluster', 'served'],
    ['cluster.x-k8s.io/v1alpha3', 'Cluster', 'unserved'],
  ])('%s %s is %s', (v, k, s) =>
    expect(classifyApiVersion(v, k).status).toBe(s),
  );
});
