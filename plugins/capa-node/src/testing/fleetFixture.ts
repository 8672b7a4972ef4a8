import type { KubeObject } from '@capa-portal/plugin-capa-common';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta2';
const CP = 'controlplane.cluster.x-k8s.io/v1beta2';

function ns(name: string, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(labels ? { labels } : {}) },
  };
}

/**
 * A small CAPA fleet for tests: every kind the fleet reader lists, several objects of the common ones.
 * Identities: controller `default`, role identities `staging` and `prod` (chained from default), a static one.
 *
 * @public
 */
export function smallCapaFleet(): KubeObject[] {
  const cluster = (
    namespace: string,
    name: string,
    infraKind: string,
  ): KubeObject => ({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name, namespace, labels: { 'capa-portal.io/tier': namespace } },
    spec: {
      infrastructureRef: {
        apiGroup: 'infrastructure.cluster.x-k8s.io',
        kind: infraKind,
        name,
      },
    },
    status: { phase: 'Provisioned' },
  });
  const awsCluster = (
    namespace: string,
    name: string,
    identity: string,
  ): KubeObject => ({
    apiVersion: INFRA,
    kind: 'AWSCluster',
    metadata: { name, namespace },
    spec: {
      region: 'eu-west-1',
      identityRef: { kind: 'AWSClusterRoleIdentity', name: identity },
    },
  });
  const roleIdentity = (
    name: string,
    account: string,
    namespaces: string[],
  ): KubeObject => ({
    apiVersion: INFRA,
    kind: 'AWSClusterRoleIdentity',
    metadata: { name },
    spec: {
      roleARN: `arn:aws:iam::${account}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`,
      sourceIdentityRef: {
        kind: 'AWSClusterControllerIdentity',
        name: 'default',
      },
      allowedNamespaces: { list: namespaces },
    },
  });
  return [
    ns('capa-system'),
    ns('staging', { env: 'staging' }),
    ns('prod', { env: 'prod' }),
    ns('rosa'),
    ns('default'),
    cluster('staging', 'web', 'AWSCluster'),
    cluster('staging', 'api', 'AWSCluster'),
    cluster('prod', 'web', 'AWSCluster'),
    cluster('prod', 'eks', 'AWSManagedCluster'),
    cluster('rosa', 'rosa-1', 'ROSACluster'),
    awsCluster('staging', 'web', 'staging'),
    awsCluster('staging', 'api', 'staging'),
    awsCluster('prod', 'web', 'prod'),
    {
      apiVersion: INFRA,
      kind: 'AWSClusterTemplate',
      metadata: { name: 'default-template', namespace: 'staging' },
      spec: {
        template: {
          spec: {
            region: 'eu-west-1',
            identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
          },
        },
      },
    },
    {
      apiVersion: INFRA,
      kind: 'AWSClusterControllerIdentity',
      metadata: { name: 'default' },
      spec: { allowedNamespaces: {} },
    },
    roleIdentity('staging', '222222222222', ['staging']),
    roleIdentity('prod', '333333333333', ['prod']),
    {
      apiVersion: INFRA,
      kind: 'AWSClusterStaticIdentity',
      metadata: { name: 'legacy' },
      spec: {
        secretRef: 'legacy-credentials',
        allowedNamespaces: { list: ['default'] },
      },
    },
    {
      apiVersion: CP,
      kind: 'AWSManagedControlPlane',
      metadata: { name: 'eks', namespace: 'prod' },
      spec: {
        region: 'eu-west-1',
        identityRef: { kind: 'AWSClusterRoleIdentity', name: 'prod' },
      },
    },
    {
      apiVersion: CP,
      kind: 'AWSManagedControlPlaneTemplate',
      metadata: { name: 'eks-template', namespace: 'prod' },
      spec: { template: { spec: { region: 'eu-west-1' } } },
    },
    {
      apiVersion: CP,
      kind: 'ROSAControlPlane',
      metadata: { name: 'rosa-1', namespace: 'rosa' },
      spec: {
        region: 'us-east-1',
        identityRef: { kind: 'AWSClusterControllerIdentity', name: 'default' },
      },
    },
    {
      apiVersion: 'operator.cluster.x-k8s.io/v1alpha2',
      kind: 'InfrastructureProvider',
      metadata: { name: 'aws', namespace: 'capa-system' },
      spec: { version: 'v2.9.0' },
    },
  ];
}
