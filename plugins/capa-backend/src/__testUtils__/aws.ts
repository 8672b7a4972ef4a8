/*
 * The AWS side of the fault, security and scale-out suites: the SDK clients the capa backend calls, mocked, and
 * the answers of a healthy trust chain (the management account's controllers role may assume the target's).
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { CONTROLLERS, MGMT_ACCOUNT } from './fleet';
import { FAKE } from './harness';

/** STS, IAM and Organizations mocked, with `reset` and `restore` of all three. */
export function mockAwsClients() {
  const sts = mockClient(STSClient);
  const iam = mockClient(IAMClient);
  const orgs = mockClient(OrganizationsClient);
  return {
    sts,
    iam,
    orgs,
    reset() {
      sts.reset();
      iam.reset();
      orgs.reset();
    },
    restore() {
      sts.restore();
      iam.restore();
      orgs.restore();
    },
  };
}

/** GetRole's answer for the CAPA controllers role of `account`, which trusts the management account's. */
export function controllersRole(account: string) {
  return {
    Role: {
      RoleName: 'controllers.cluster-api-provider-aws.sigs.k8s.io',
      Arn: CONTROLLERS(account),
      Path: '/',
      RoleId: 'AROAFAKE',
      CreateDate: new Date(),
      AssumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: CONTROLLERS(MGMT_ACCOUNT) },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      ),
    },
  };
}

/** The temporary credentials AssumeRole hands out: the FAKE hop secrets, valid for 15 minutes. */
export function hopCredentials() {
  return {
    AccessKeyId: FAKE.hopKeyId,
    SecretAccessKey: FAKE.hopSecret,
    SessionToken: FAKE.hopSessionToken,
    Expiration: new Date(Date.now() + 900_000),
  };
}

/** The STS ARN of the controllers role of `account` assumed in session `staging`. */
export const assumedControllersArn = (account: string) =>
  `arn:aws:sts::${account}:assumed-role/controllers.cluster-api-provider-aws.sigs.k8s.io/staging`;
