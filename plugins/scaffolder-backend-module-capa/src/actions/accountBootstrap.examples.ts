import { stepExamples } from '../lib/examples';

export const examples = stepExamples(
  {
    id: 'bootstrap',
    action: 'capa:account:bootstrap',
    name: 'Generate IAM and identity',
  },
  [
    {
      description:
        'Onboard a new account for mgmt-eu (CAPA multi-account guide: the controllers role)',
      input: {
        accountId: '123456789012',
        accountName: 'payments-live',
        managementCluster: 'mgmt-eu',
        allowedNamespaces: ['payments-live'],
      },
    },
    {
      description:
        'With an external id and ABAC conditions on the principal tags (EKS multi-account strategy), files in the workspace',
      input: {
        accountId: '123456789012',
        accountName: 'analytics',
        managementPrincipalArn:
          'arn:aws:iam::111111111111:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
        externalId: 'capa-mgmt-eu-7f3a',
        principalTags: { 'capa-portal.io/fleet': 'eu' },
        allowedNamespaces: ['analytics', 'analytics-dev'],
        writeFiles: true,
      },
    },
    {
      description:
        'The DKP naming convention: the target role is control-plane.cluster-api-provider-aws.sigs.k8s.io',
      input: {
        accountId: '123456789012',
        managementCluster: 'mgmt-us',
        namingConvention: 'control-plane',
        allowedNamespaces: ['analytics'],
      },
    },
  ],
);
