import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Verify an account now and report the verdict',
    example: yaml.stringify({
      steps: [
        {
          id: 'verify',
          action: 'capa:trust:verify',
          name: 'Verify trust',
          input: { accountId: '222222222222' },
        },
      ],
    }),
  },
  {
    description:
      'Stop the template when the identity a cluster will use is broken',
    example: yaml.stringify({
      steps: [
        {
          id: 'verify',
          action: 'capa:trust:verify',
          name: 'Verify trust',
          input: {
            managementCluster: 'mgmt-us',
            identityName: 'data-exchange',
            failOnBroken: true,
          },
        },
      ],
    }),
  },
];
