/* eslint-disable no-nested-ternary */
/* Test helpers: small builders for CAPA objects and fleets. Not part of the public API. */
import type { FleetInput, KubeObject, LocatedObject } from '../types';

export const MGMT = '111111111111';
export const STAGING = '222222222222';
export const LIVE = '333333333333';
export const SUFFIX = '.cluster-api-provider-aws.sigs.k8s.io';
export const controllersArn = (account: string, prefix = '', suffix = SUFFIX) =>
  `arn:aws:iam::${account}:role/${prefix}controllers${suffix}`;
export const controlPlaneArn = (account: string) =>
  `arn:aws:iam::${account}:role/control-plane${SUFFIX}`;

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta2';

export function controllerIdentity(
  spec: Record<string, unknown> = { allowedNamespaces: {} },
  name = 'default',
  apiVersion = INFRA,
): KubeObject {
  return {
    apiVersion,
    kind: 'AWSClusterControllerIdentity',
    metadata: { name },
    spec,
  };
}

export function roleIdentity(
  name: string,
  roleARN: string,
  extra: Record<string, unknown> = {},
  apiVersion = INFRA,
): KubeObject {
  return {
    apiVersion,
    kind: 'AWSClusterRoleIdentity',
    metadata: { name },
    spec: {
      roleARN,
      sourceIdentityRef: {
        kind: 'AWSClusterControllerIdentity',
        name: 'default',
      },
      allowedNamespaces: {},
      ...extra,
    },
  };
}

export function staticIdentity(
  name: string,
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: INFRA,
    kind: 'AWSClusterStaticIdentity',
    metadata: { name },
    spec: { secretRef: `${name}-creds`, allowedNamespaces: {}, ...extra },
  };
}

export function awsCluster(
  ns: string,
  name: string,
  identityRef?: { kind: string; name: string },
  apiVersion = INFRA,
): KubeObject[] {
  return [
    {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name, namespace: ns },
      spec: { infrastructureRef: { apiVersion, kind: 'AWSCluster', name } },
      status: { phase: 'Provisioned' },
    },
    {
      apiVersion,
      kind: 'AWSCluster',
      metadata: { name, namespace: ns },
      spec: { region: 'eu-west-1', ...(identityRef ? { identityRef } : {}) },
    },
  ];
}

export function eksCluster(
  ns: string,
  name: string,
  identityRef?: { kind: string; name: string },
): KubeObject[] {
  return [
    {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name, namespace: ns },
      spec: {
        infrastructureRef: {
          apiGroup: 'infrastructure.cluster.x-k8s.io',
          kind: 'AWSManagedCluster',
          name,
        },
        controlPlaneRef: {
          apiGroup: 'controlplane.cluster.x-k8s.io',
          kind: 'AWSManagedControlPlane',
          name: `${name}-cp`,
        },
      },
      status: {
        phase: 'Provisioned',
        conditions: [{ type: 'Available', status: 'True' }],
      },
    },
    {
      apiVersion: INFRA,
      kind: 'AWSManagedCluster',
      metadata: { name, namespace: ns },
      spec: {},
    },
    {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
      kind: 'AWSManagedControlPlane',
      metadata: { name: `${name}-cp`, namespace: ns },
      spec: {
        region: 'eu-west-1',
        version: '1.31',
        ...(identityRef ? { identityRef } : {}),
      },
    },
  ];
}

export function namespace(
  name: string,
  labels: Record<string, string> = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function located(
  objects: KubeObject[],
  source = 'clusters/mgmt.yaml',
): LocatedObject[] {
  return objects.map((object, i) => ({
    object,
    location: { source, line: i * 10 + 1 },
  }));
}

/** clusterawsadm config of a management account whose controllers may assume the target controllers role. */
export function managementIamConfig(extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'AWSIAMConfiguration',
    spec: {
      clusterAPIControllers: {
        extraStatements: [
          {
            Action: ['sts:AssumeRole'],
            Effect: 'Allow',
            Resource: [`arn:aws:iam::*:role/controllers${SUFFIX}`],
          },
        ],
      },
      ...extra,
    },
  };
}

export function targetIamConfig(
  principal = controllersArn(MGMT),
  trustExtra: Record<string, unknown> = {},
  specExtra: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'AWSIAMConfiguration',
    spec: {
      clusterAPIControllers: {
        trustStatements: [
          {
            Action: ['sts:AssumeRole'],
            Effect: 'Allow',
            Principal: { AWS: [principal] },
            ...trustExtra,
          },
        ],
      },
      ...specExtra,
    },
  };
}

export function fleet(
  objects: KubeObject[],
  opts: {
    mgmtIam?: unknown;
    accounts?: FleetInput['accounts'];
    mgmt?: Partial<FleetInput['managementClusters'][number]>;
  } = {},
): FleetInput {
  return {
    managementClusters: [
      {
        name: 'mgmt-eu',
        accountId: MGMT,
        objects: located(objects),
        ...(opts.mgmtIam === undefined
          ? { iamConfiguration: managementIamConfig() }
          : opts.mgmtIam === null
          ? {}
          : { iamConfiguration: opts.mgmtIam }),
        ...opts.mgmt,
      },
    ],
    accounts: opts.accounts ?? [
      {
        accountId: STAGING,
        name: 'staging',
        iamConfiguration: targetIamConfig(),
      },
    ],
  };
}
