import { stepExamples } from '../lib/examples';

export const examples = stepExamples(
  {
    id: 'apply',
    action: 'capa:cluster:apply',
    name: 'Apply to the management cluster',
  },
  [
    {
      description:
        'Apply the manifests rendered by capa:cluster:render to the live management cluster mgmt-eu',
      input: {
        managementCluster: 'mgmt-eu',
        manifests: '${{ steps.render.output.manifests }}',
      },
    },
    {
      description:
        'Only when the user chose direct apply (the create-workload-cluster template)',
      if: "${{ parameters.delivery === 'apply' }}",
      input: {
        managementCluster: '${{ parameters.managementCluster }}',
        manifests: '${{ steps.render.output.manifests }}',
      },
    },
  ],
);
