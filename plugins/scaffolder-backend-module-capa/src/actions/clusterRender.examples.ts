import { stepExamples } from '../lib/examples';

export const examples = stepExamples(
  { id: 'render', action: 'capa:cluster:render', name: 'Render the manifests' },
  [
    {
      description:
        'An EKS cluster with one managed node group, owner and system annotations and tags',
      input: {
        name: 'checkout-staging-2',
        namespace: 'staging',
        flavour: 'eks',
        region: 'eu-west-1',
        kubernetesVersion: 'v1.33',
        identityRef: {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging-identity',
        },
        nodePools: [
          {
            name: 'general',
            instanceType: 'm6i.xlarge',
            minSize: 2,
            maxSize: 6,
          },
        ],
        owner: 'group:default/checkout-team',
        system: 'checkout',
        tags: { 'cost-center': 'checkout' },
      },
    },
    {
      description:
        'A kubeadm cluster with three control plane nodes and two worker pools',
      input: {
        name: 'payments-staging-2',
        namespace: 'staging',
        flavour: 'kubeadm',
        region: 'eu-west-1',
        kubernetesVersion: 'v1.34.2',
        identityRef: {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging-identity',
        },
        controlPlane: { instanceType: 'm6i.xlarge', replicas: 3 },
        nodePools: [
          {
            name: 'md-0',
            instanceType: 'm6i.2xlarge',
            minSize: 3,
            maxSize: 6,
          },
          {
            name: 'gpu',
            instanceType: 'g5.xlarge',
            minSize: 0,
            maxSize: 2,
            diskSizeGiB: 200,
          },
        ],
        owner: 'group:default/payments-team',
      },
    },
    {
      description:
        'Chained after capa:identity:resolve (includes a generated identity when there is one)',
      input: {
        name: 'web',
        namespace: 'staging',
        region: 'eu-west-1',
        kubernetesVersion: 'v1.33',
        identityRef: {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging-identity',
        },
        identityManifest: '${{ steps.identity.output.identityManifest }}',
        outputPath: 'clusters/mgmt-eu/staging/web.yaml',
      },
    },
  ],
);
