/*
 * Partitions in the trust engine. Expected values from AWS's documentation, not from the engine:
 * - "AWS partitions are hard isolation boundaries with independent instances of AWS Identity and Access Management
 *   (IAM), so a credential issued in one partition isn't valid in another. As a result, direct role assumption with
 *   the AssumeRole API doesn't work across partition boundaries."
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_cross_partition.html
 * - An account principal is the account's root ARN or its bare id, which "behave the same way"
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts);
 *   the id names the account of the policy's own partition.
 * - clusterawsadm's `spec.partition` sets the partition of the ARNs it writes (CAPA's
 *   cmd/clusterawsadm/api/bootstrap/v1beta1 AWSIAMConfigurationSpec.Partition, default `aws`).
 */
import type { Check, CheckId, FleetInput, FleetReport } from '../../types';
import { evaluateFleet } from '../engine';
import {
  awsCluster,
  controllerIdentity,
  fleet,
  MGMT,
  roleIdentity,
  STAGING,
  SUFFIX,
} from '../../__testUtils__/fixtures';

const NOW = { now: new Date('2024-01-01T00:00:00Z') };
const run = (input: FleetInput): FleetReport =>
  evaluateFleet(input, undefined, NOW);
const chk = (r: FleetReport, id: CheckId): Check => {
  const found = r.clusters[0].checks.find(x => x.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};
const controllers = (partition: string, account: string) =>
  `arn:${partition}:iam::${account}:role/controllers${SUFFIX}`;
const IAM_KIND = {
  apiVersion: 'bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1',
  kind: 'AWSIAMConfiguration',
};

/** The management account's clusterawsadm config in `partition`, allowAssumeRole as clusterawsadm writes it. */
const mgmtIam = (partition: string) => ({
  ...IAM_KIND,
  spec: {
    partition,
    clusterAPIControllers: {
      extraStatements: [
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole'],
          // clusterawsadm's allowAssumeRole resource: any partition (arn:*:iam::*:role/...).
          Resource: [`arn:*:iam::*:role/controllers${SUFFIX}`],
        },
      ],
    },
  },
});
/** The target account's clusterawsadm config in `partition`, trusting `principal`. */
const targetIam = (partition: string, principal: string) => ({
  ...IAM_KIND,
  spec: {
    partition,
    clusterAPIControllers: {
      trustStatements: [
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole'],
          Principal: { AWS: [principal] },
        },
      ],
    },
  },
});

function scenario(opts: {
  mgmtPartition: string;
  rolePartition: string;
  trusts: string;
}): FleetReport {
  return run(
    fleet(
      [
        controllerIdentity(),
        roleIdentity('staging', controllers(opts.rolePartition, STAGING)),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ],
      {
        mgmtIam: mgmtIam(opts.mgmtPartition),
        accounts: [
          {
            accountId: STAGING,
            name: 'staging',
            iamConfiguration: targetIam(opts.rolePartition, opts.trusts),
          },
        ],
      },
    ),
  );
}

describe('partitions: sts:AssumeRole never crosses one', () => {
  it('builds the default management principal in the partition of its clusterawsadm config', () => {
    const r = scenario({
      mgmtPartition: 'aws-us-gov',
      rolePartition: 'aws-us-gov',
      trusts: controllers('aws-us-gov', MGMT),
    });
    expect(r.managementClusters[0].controllerPrincipalArn).toBe(
      controllers('aws-us-gov', MGMT),
    );
  });

  it('is configured when management principal and target role share a partition (aws-us-gov)', () => {
    const r = scenario({
      mgmtPartition: 'aws-us-gov',
      rolePartition: 'aws-us-gov',
      trusts: `arn:aws-us-gov:iam::${MGMT}:root`,
    });
    expect(chk(r, 'target-trust').status).toBe('pass');
    expect(chk(r, 'source-permission').status).toBe('pass');
    expect(r.clusters[0].verdict).toBe('configured');
  });

  it('is broken when the principal is in aws and the role in aws-cn, whatever the trust policy says', () => {
    // The aws-cn role trusts "111111111111", the same digits as the management account: in aws-cn that id is
    // another account.
    const r = scenario({
      mgmtPartition: 'aws',
      rolePartition: 'aws-cn',
      trusts: MGMT,
    });
    const trust = chk(r, 'target-trust');
    expect(trust.status).toBe('fail');
    expect(trust.message).toContain('is in partition aws');
    expect(trust.message).toContain('never crosses a partition');
    expect(trust.fix?.summary).toContain('partition aws-cn');
    const permission = chk(r, 'source-permission');
    expect(permission.status).toBe('fail');
    expect(permission.message).toContain('not valid in aws-cn');
    expect(r.clusters[0].verdict).toBe('broken');
    expect(r.accounts.find(a => a.accountId === STAGING)?.verdict).toBe(
      'broken',
    );
  });

  it('does not let an account root of another partition stand for the account (same digits)', () => {
    const r = scenario({
      mgmtPartition: 'aws',
      rolePartition: 'aws',
      trusts: `arn:aws-cn:iam::${MGMT}:root`,
    });
    expect(chk(r, 'target-trust').status).toBe('fail');
    expect(r.clusters[0].verdict).toBe('broken');
  });

  it("reads a bare account id in the partition of the trust policy's role (aws-eusc)", () => {
    const r = scenario({
      mgmtPartition: 'aws-eusc',
      rolePartition: 'aws-eusc',
      trusts: MGMT,
    });
    expect(chk(r, 'target-trust').status).toBe('pass');
    expect(r.clusters[0].verdict).toBe('configured');
  });

  it('fails a later hop of a chain that crosses a partition, naming that hop', () => {
    const r = run(
      fleet(
        [
          controllerIdentity(),
          roleIdentity('hub', controllers('aws', STAGING)),
          roleIdentity('gov', controllers('aws-us-gov', '444444444444'), {
            sourceIdentityRef: { kind: 'AWSClusterRoleIdentity', name: 'hub' },
          }),
          ...awsCluster('gov', 'web', {
            kind: 'AWSClusterRoleIdentity',
            name: 'gov',
          }),
        ],
        {
          mgmtIam: mgmtIam('aws'),
          accounts: [
            {
              accountId: STAGING,
              iamConfiguration: targetIam('aws', controllers('aws', MGMT)),
            },
          ],
        },
      ),
    );
    const trust = chk(r, 'target-trust');
    expect(trust.status).toBe('fail');
    expect(trust.message).toContain(
      `AWSClusterRoleIdentity/gov (${controllers(
        'aws-us-gov',
        '444444444444',
      )}): ${controllers('aws', STAGING)} is in partition aws`,
    );
  });
});
