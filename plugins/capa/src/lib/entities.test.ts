import type { Entity } from '@backstage/catalog-model';
import {
  getCapaEntityTarget,
  isCapaAccountEntity,
  isCapaClusterEntity,
  isCapaEntity,
  isCapaIdentityEntity,
} from './entities';
import {
  accountEntity,
  clusterEntity,
  identityEntity,
} from '../__testUtils__/fixtures';

const managementClusterEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'mgmt-eu',
    labels: { 'capa-portal.io/role': 'management' },
  },
  spec: { type: 'kubernetes-cluster' },
};

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    annotations: { 'amazonaws.com/account-id': '222222222222' },
  },
  spec: { type: 'cloud-account' },
};

const accountWithoutId: Entity = {
  ...accountEntity,
  metadata: { name: 'aws-unknown' },
};

describe('entity filters', () => {
  it.each([
    ['account', accountEntity, [true, false, false]],
    ['workload cluster', clusterEntity, [false, true, false]],
    ['identity', identityEntity, [false, false, true]],
    [
      'management cluster (no capa annotation)',
      managementClusterEntity,
      [false, false, false],
    ],
    ['Component with our annotation', component, [false, false, false]],
    [
      'cloud-account without account id',
      accountWithoutId,
      [false, false, false],
    ],
  ] as const)('classifies a %s', (_name, entity, expected) => {
    expect([
      isCapaAccountEntity(entity),
      isCapaClusterEntity(entity),
      isCapaIdentityEntity(entity),
    ]).toEqual(expected);
    expect(isCapaEntity(entity)).toBe(
      (expected as readonly boolean[]).includes(true),
    );
  });

  it('matches the kind case-insensitively', () => {
    expect(isCapaAccountEntity({ ...accountEntity, kind: 'resource' })).toBe(
      true,
    );
  });
});

describe('getCapaEntityTarget', () => {
  it('reads the API coordinates from annotations', () => {
    expect(getCapaEntityTarget(accountEntity)).toEqual({
      type: 'account',
      accountId: '222222222222',
    });
    expect(getCapaEntityTarget(clusterEntity)).toEqual({
      type: 'cluster',
      managementCluster: 'mgmt-eu',
      namespace: 'staging',
      name: 'web',
      accountId: '222222222222',
    });
    expect(getCapaEntityTarget(identityEntity)).toEqual({
      type: 'identity',
      managementCluster: 'mgmt-eu',
      name: 'staging',
      kind: 'AWSClusterRoleIdentity',
      accountId: '222222222222',
    });
  });

  it('falls back to the entity name when the object name annotation is absent', () => {
    const entity: Entity = {
      ...identityEntity,
      metadata: {
        name: 'plain',
        annotations: { 'capa-portal.io/management-cluster': 'mgmt-eu' },
      },
    };
    expect(getCapaEntityTarget(entity)).toMatchObject({ name: 'plain' });
  });

  it('is undefined for other entities', () => {
    expect(getCapaEntityTarget(component)).toBeUndefined();
  });
});
