import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  evaluateFleet,
  type KubeObject,
} from '@capa-portal/plugin-capa-common';
import { stringify } from 'yaml';
import { createFleetSourcesFromConfig } from '@capa-portal/plugin-capa-node';
import {
  describeWithKubeApiServer,
  uniqueName,
} from '@capa-portal/plugin-capa-node/testing';
import { runDoctor } from './runDoctor';

const MGMT = '111111111111';
const TARGET = '222222222222';
const ROLE = (a: string) =>
  `arn:aws:iam::${a}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`;
const NOW = new Date('2024-01-01T00:00:00Z');

/** clusterawsadm AWSIAMConfiguration files: mgmt may assume the target's role, the target trusts mgmt. */
const IAM = {
  'iam/management.yaml': stringify({
    apiVersion: 'bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'AWSIAMConfiguration',
    spec: {
      clusterAPIControllers: {
        extraStatements: [
          {
            Action: ['sts:AssumeRole'],
            Effect: 'Allow',
            Resource: [ROLE('*')],
          },
        ],
      },
    },
  }),
  'iam/target.yaml': stringify({
    apiVersion: 'bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'AWSIAMConfiguration',
    spec: {
      clusterAPIControllers: {
        trustStatements: [
          {
            Action: ['sts:AssumeRole'],
            Effect: 'Allow',
            Principal: { AWS: [ROLE(MGMT)] },
          },
        ],
      },
    },
  }),
};

function fleetYaml(source: Record<string, unknown>) {
  return stringify({
    managementClusters: [
      {
        name: 'mgmt-live',
        accountId: MGMT,
        controllerPrincipalArn: ROLE(MGMT),
        iamConfiguration: 'iam/management.yaml',
        ...source,
      },
    ],
    accounts: [
      {
        accountId: TARGET,
        name: 'target',
        tier: 'staging',
        iamConfiguration: 'iam/target.yaml',
      },
    ],
  });
}

/**
 * The doctor reads a fleet's manifests; the portal reads the same fleet.yaml with `kubernetes:` from the live
 * management cluster. Here both read the same objects, the doctor from files and the portal's source from a
 * real kube-apiserver they were created in, and the trust engine must reach the same verdicts on both.
 */
describeWithKubeApiServer(
  'the live read of a fleet.yaml against a real kube-apiserver',
  kube => {
    const allowed = uniqueName('doctor-ok');
    const denied = uniqueName('doctor-denied');
    const identity = uniqueName('doctor-role');
    const cluster = (namespace: string): KubeObject[] => [
      {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: 'web', namespace },
        spec: {
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'AWSCluster',
            name: 'web',
          },
        },
      },
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSCluster',
        metadata: { name: 'web', namespace },
        spec: {
          region: 'eu-west-1',
          identityRef: { kind: 'AWSClusterRoleIdentity', name: identity },
        },
      },
    ];
    const roleIdentity: KubeObject = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSClusterRoleIdentity',
      metadata: { name: identity },
      spec: {
        roleARN: ROLE(TARGET),
        sourceIdentityRef: {
          kind: 'AWSClusterControllerIdentity',
          name: 'default',
        },
        allowedNamespaces: { list: [allowed] },
      },
    };
    const controller: KubeObject = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSClusterControllerIdentity',
      metadata: { name: 'default' },
      spec: { allowedNamespaces: {} },
    };
    const namespaces = [allowed, denied].map(name => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    }));
    const objects = [
      ...namespaces,
      roleIdentity,
      ...cluster(allowed),
      ...cluster(denied),
    ];
    let dir: string;

    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'capa-live-doctor-'));
      const files: Record<string, string> = {
        ...IAM,
        'fleet.yaml': fleetYaml({ manifests: 'clusters' }),
        'clusters/all.yaml': [controller, ...objects]
          .map(o => stringify(o))
          .join('---\n'),
        'live/fleet.yaml': fleetYaml({
          kubernetes: {
            url: kube().url,
            serviceAccountToken: kube().connection().serviceAccountToken,
            caData: kube().connection().caData,
            pageSize: 3,
          },
        }),
        'live/iam/management.yaml': IAM['iam/management.yaml'],
        'live/iam/target.yaml': IAM['iam/target.yaml'],
      };
      for (const [name, content] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await fs.writeFile(path.join(dir, name), content);
      }
      // The controller identity is a singleton named `default`: created once per server, whoever comes first.
      const existing = await kube().request(
        'GET',
        '/apis/infrastructure.cluster.x-k8s.io/v1beta2/awsclustercontrolleridentities/default',
      );
      if (existing.status === 404) await kube().create([controller]);
      await kube().create(objects);
    });
    afterAll(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('kube-apiserver: the live source of fleet.yaml gives the verdicts the doctor gives for the same objects as manifests', async () => {
      const out: string[] = [];
      const code = await runDoctor([dir, '--json'], {
        stdout: { write: s => out.push(s) },
        stderr: { write: () => undefined },
        env: {},
        now: NOW,
      });
      const doctor = JSON.parse(out.join(''));
      // CAPA's allowedNamespaces.list: the identity admits `allowed` only, so the other cluster is broken.
      expect(code).toBe(1);

      const fleet = await createFleetSourcesFromConfig(
        new ConfigReader({
          capa: { fleetFile: path.join(dir, 'live', 'fleet.yaml') },
        }),
        {
          urlReader: mockServices.urlReader.mock(),
          logger: mockServices.logger.mock(),
        },
      );
      expect(fleet.problems).toEqual([]);
      const [mgmt] = fleet.managementClusters;
      expect(mgmt.source.type).toBe('kubernetes');
      const read = await mgmt.source.read();
      // The server also holds other suites' objects: keep this suite's (and the shared controller identity).
      const mine = read.objects.filter(({ object: o }) =>
        [allowed, denied, identity, 'default'].includes(
          o.metadata.namespace ?? o.metadata.name,
        ),
      );
      const live = evaluateFleet(
        {
          managementClusters: [{ ...mgmt.cluster, objects: mine }],
          accounts: fleet.accounts,
        },
        undefined,
        { now: NOW },
      );

      const verdicts = (report: {
        clusters: Array<{
          namespace: string;
          name: string;
          verdict: string;
          checks: Array<{ id: string; status: string }>;
        }>;
      }) =>
        Object.fromEntries(
          report.clusters.map(c => [
            `${c.namespace}/${c.name}`,
            {
              verdict: c.verdict,
              checks: Object.fromEntries(c.checks.map(x => [x.id, x.status])),
            },
          ]),
        );
      expect(verdicts(live)).toEqual(verdicts(doctor));
      expect(verdicts(live)[`${allowed}/web`].verdict).toBe('configured');
      expect(verdicts(live)[`${denied}/web`]).toMatchObject({
        verdict: 'broken',
        checks: { 'namespace-allowed': 'fail' },
      });
      const identityVerdict = (r: {
        identities: Array<{ name: string; verdict: string }>;
      }) => r.identities.find(i => i.name === identity)?.verdict;
      expect(identityVerdict(live)).toBe(identityVerdict(doctor));
    });
  },
);
