import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Apply the manifests rendered by capa:cluster:render to the live management cluster mgmt-eu',
    example: yaml.stringify({
      steps: [
        {
          id: 'apply',
          action: 'capa:cluster:apply',
          name: 'Apply to the management cluster',
          input: {
            managementCluster: 'mgmt-eu',
            manifests: '${{ steps.render.output.manifests }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Only when the user chose direct apply (the create-workload-cluster template)',
    example: yaml.stringify({
      steps: [
        {
          id: 'apply',
          if: "${{ parameters.delivery === 'apply' }}",
          action: 'capa:cluster:apply',
          name: 'Apply to the management cluster',
          input: {
            managementCluster: '${{ parameters.managementCluster }}',
            manifests: '${{ steps.render.output.manifests }}',
          },
        },
      ],
    }),
  },
];
