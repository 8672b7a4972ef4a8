import { stepExamples } from '../lib/examples';

export const examples = stepExamples(
  {
    id: 'identity',
    action: 'capa:identity:resolve',
    name: 'Resolve the identityRef',
  },
  [
    {
      description:
        'Find the identity that admits namespace staging for account 222222222222 on mgmt-eu',
      input: {
        managementCluster: 'mgmt-eu',
        accountId: '222222222222',
        namespace: 'staging',
      },
    },
    {
      description:
        'A new namespace for an account: generate an AWSClusterRoleIdentity (same role as the existing identity) when none admits it',
      name: 'Resolve or create the identity',
      input: {
        managementCluster: 'mgmt-eu',
        accountId: '222222222222',
        namespace: 'staging-payments',
        createIfMissing: true,
        identityName: 'staging-payments-identity',
      },
    },
    {
      description:
        'From template parameters (the pickers of the create-workload-cluster template)',
      input: {
        managementCluster: 'mgmt-us',
        accountId: '101010101010',
        namespace: 'data-exchange',
        createIfMissing: false,
      },
    },
  ],
);
