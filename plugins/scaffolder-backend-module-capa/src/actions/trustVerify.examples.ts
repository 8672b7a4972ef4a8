import { stepExamples } from '../lib/examples';

export const examples = stepExamples(
  { id: 'verify', action: 'capa:trust:verify', name: 'Verify trust' },
  [
    {
      description: 'Verify an account now and report the verdict',
      input: { accountId: '222222222222' },
    },
    {
      description:
        'Stop the template when the identity a cluster will use is broken',
      input: {
        managementCluster: 'mgmt-us',
        identityName: 'data-exchange',
        failOnBroken: true,
      },
    },
  ],
);
