import { validateEntity } from '../__testUtils__/entities';
import {
  clusterEntityName,
  entityName,
  identityEntityName,
  managementClusterEntities,
} from './buildEntities';
import { demoReport } from '../__testUtils__/entities';

describe('entity names', () => {
  it.each([
    [
      'a simple name stays readable',
      ['web', 'staging', 'mgmt-eu'],
      'web.staging.mgmt-eu',
    ],
    [
      'upper case and odd characters are normalised',
      ['Web_App', 'team a', 'MGMT'],
      'web_app.team-a.mgmt',
    ],
    ['runs of separators collapse to one', ['a--b', '-c-', 'd'], 'a-b.c.d'],
  ])('%s', (_, parts, expected) => {
    expect(entityName(...parts)).toBe(expected);
  });

  it('shortens long names to 63 characters, stably and without collisions', () => {
    const long = 'a'.repeat(60);
    const one = clusterEntityName({
      name: `${long}-one`,
      namespace: 'team',
      managementCluster: 'mgmt-eu',
    });
    const two = clusterEntityName({
      name: `${long}-two`,
      namespace: 'team',
      managementCluster: 'mgmt-eu',
    });
    expect(one.length).toBeLessThanOrEqual(63);
    expect(two.length).toBeLessThanOrEqual(63);
    expect(one).not.toBe(two);
    expect(
      clusterEntityName({
        name: `${long}-one`,
        namespace: 'team',
        managementCluster: 'mgmt-eu',
      }),
    ).toBe(one);
    expect(one).toMatch(/^[a-z0-9]+([-_.][a-z0-9]+)*$/);
  });

  it('keeps clusters of the same name in different namespaces or management clusters apart', () => {
    const names = new Set([
      clusterEntityName({
        name: 'web',
        namespace: 'a',
        managementCluster: 'm1',
      }),
      clusterEntityName({
        name: 'web',
        namespace: 'b',
        managementCluster: 'm1',
      }),
      clusterEntityName({
        name: 'web',
        namespace: 'a',
        managementCluster: 'm2',
      }),
    ]);
    expect(names.size).toBe(3);
  });

  it('names identities by management cluster, kind and name', () => {
    expect(
      identityEntityName({
        managementCluster: 'mgmt-eu',
        kind: 'AWSClusterRoleIdentity',
        name: 'staging',
      }),
    ).toBe('mgmt-eu.role.staging');
    expect(
      identityEntityName({
        managementCluster: 'mgmt-eu',
        kind: 'AWSClusterStaticIdentity',
        name: 'staging',
      }),
    ).not.toBe(
      identityEntityName({
        managementCluster: 'mgmt-eu',
        kind: 'AWSClusterRoleIdentity',
        name: 'staging',
      }),
    );
  });
});

describe('entities of the demo fleet', () => {
  it('are valid catalog entities with dependsOn from cluster to identity, account and management cluster', async () => {
    const report = await demoReport();
    const entities = managementClusterEntities(
      report,
      'mgmt-eu',
      { owner: 'group:default/platform-team' },
      { owner: 'unknown' },
    );
    for (const entity of entities) await validateEntity(entity);

    const cluster = entities.find(
      e => e.metadata.title === 'checkout-staging',
    )!;
    expect(cluster.spec).toMatchObject({
      type: 'kubernetes-cluster',
      dependsOn: [
        'resource:default/mgmt-eu.role.staging-identity',
        'resource:default/aws-222222222222',
        'resource:default/mgmt-eu',
      ],
    });
    expect(cluster.metadata.annotations).toMatchObject({
      'amazonaws.com/account-id': '222222222222',
      'capa-portal.io/management-cluster': 'mgmt-eu',
      'capa-portal.io/namespace': 'staging',
      'capa-portal.io/identity-ref': 'AWSClusterRoleIdentity/staging-identity',
    });

    const identity = entities.find(
      e => e.metadata.name === 'mgmt-eu.role.staging-identity',
    )!;
    expect(identity.spec!.dependsOn).toEqual([
      'resource:default/mgmt-eu.controller.default',
      'resource:default/aws-222222222222',
    ]);
    const mgmt = entities.find(e => e.metadata.name === 'mgmt-eu')!;
    expect(mgmt.metadata.labels).toEqual({
      'capa-portal.io/role': 'management',
    });
    expect(mgmt.spec!.dependsOn).toEqual(['resource:default/aws-111111111111']);
  });

  it('gives EKS clusters the annotations the Kubernetes plugin needs to reach them with AWS auth', async () => {
    const report = await demoReport();
    const eks = report.clusters.find(
      c => c.flavour === 'eks' && c.apiServer && c.chain[0]?.roleArn,
    );
    expect(eks).toBeDefined();
    const entities = managementClusterEntities(
      report,
      eks!.managementCluster,
      {},
      { owner: 'unknown' },
    );
    const entity = entities.find(
      e =>
        e.metadata.annotations?.['capa-portal.io/name'] === eks!.name &&
        e.spec?.type === 'kubernetes-cluster',
    )!;
    expect(entity.metadata.annotations).toMatchObject({
      'kubernetes.io/auth-provider': 'aws',
      'kubernetes.io/aws-assume-role': eks!.chain[0].roleArn,
      'kubernetes.io/x-k8s-aws-id': eks!.eksClusterName ?? eks!.name,
    });
    expect(entity.metadata.annotations!['kubernetes.io/api-server']).toMatch(
      /^https:\/\//,
    );
    // No CA without a live eks:DescribeCluster: the annotation is left out, not empty.
    expect(entity.metadata.annotations).not.toHaveProperty(
      'kubernetes.io/api-server-certificate-authority',
    );
    const withCa = managementClusterEntities(
      {
        ...report,
        clusters: report.clusters.map(c =>
          c === eks ? { ...c, apiServerCaData: 'Q0EgZGF0YQ==' } : c,
        ),
      },
      eks!.managementCluster,
      {},
      { owner: 'unknown' },
    ).find(e => e.metadata.name === entity.metadata.name)!;
    expect(
      withCa.metadata.annotations![
        'kubernetes.io/api-server-certificate-authority'
      ],
    ).toBe('Q0EgZGF0YQ==');
  });
});
