import { createPermission } from '@backstage/plugin-permission-common';

/** Read trust reports of accounts, clusters and identities. */
export const capaAccountReadPermission = createPermission({
  name: 'capa.account.read',
  attributes: { action: 'read' },
});

/** Re-verify trust live with AWS now (STS and IAM calls). */
export const capaTrustVerifyPermission = createPermission({
  name: 'capa.trust.verify',
  attributes: { action: 'update' },
});

export const capaPermissions = [
  capaAccountReadPermission,
  capaTrustVerifyPermission,
];
