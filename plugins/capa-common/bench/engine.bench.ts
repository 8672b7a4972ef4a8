/* eslint-disable no-nested-ternary */
/*
 * Synthetic fleet benchmark (not a test). Run from the repo root:
 *   node -r ./node_modules/@backstage/cli/config/nodeTransform.cjs plugins/capa-common/bench/engine.bench.ts
 * Prints {clusters, identities, seconds} for evaluateFleet over 10,000 clusters and 1,000 identities.
 */
import { evaluateFleet } from '../src';
import type { FleetInput, KubeObject, LocatedObject } from '../src';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 10000);
const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 1000);
const MGMT = '111111111111';
const SUFFIX = '.cluster-api-provider-aws.sigs.k8s.io';
const account = (i: number) => String(200000000000 + (i % 100));

function build(): FleetInput {
  const objects: KubeObject[] = [];
  objects.push({
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    kind: 'AWSClusterControllerIdentity',
    metadata: { name: 'default' },
    spec: { allowedNamespaces: {} },
  });
  for (let i = 0; i < 20; i++)
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: `ns-${i}`, labels: { env: i % 2 ? 'prod' : 'dev' } },
    });
  for (let i = 0; i < IDENTITIES - 1; i++) {
    // a mix: direct from the controller, chained 2 and 3 deep, a few static roots, selectors and lists
    const source =
      i % 10 === 0 && i > 0
        ? { kind: 'AWSClusterRoleIdentity', name: `id-${i - 1}` }
        : i % 97 === 0
        ? { kind: 'AWSClusterStaticIdentity', name: 'keys' }
        : { kind: 'AWSClusterControllerIdentity', name: 'default' };
    objects.push({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSClusterRoleIdentity',
      metadata: { name: `id-${i}` },
      spec: {
        roleARN: `arn:aws:iam::${account(i)}:role/controllers${SUFFIX}`,
        sourceIdentityRef: source,
        allowedNamespaces:
          i % 3 === 0
            ? { selector: { matchLabels: { env: 'prod' } } }
            : i % 3 === 1
            ? { list: [`ns-${i % 20}`, `ns-${(i + 1) % 20}`] }
            : {},
        ...(i % 5 === 0 ? { externalID: `ext-${i % 100}` } : {}),
      },
    });
  }
  objects.push({
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    kind: 'AWSClusterStaticIdentity',
    metadata: { name: 'keys' },
    spec: { secretRef: 'keys', allowedNamespaces: {} },
  });
  for (let i = 0; i < CLUSTERS; i++) {
    const ns = `ns-${i % 20}`;
    const name = `c-${i}`;
    objects.push({
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name, namespace: ns },
      spec: {
        infrastructureRef: {
          apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
          kind: 'AWSCluster',
          name,
        },
      },
      status: { phase: 'Provisioned' },
    });
    objects.push({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSCluster',
      metadata: { name, namespace: ns },
      spec: {
        region: 'eu-west-1',
        identityRef: {
          kind: 'AWSClusterRoleIdentity',
          name: `id-${i % (IDENTITIES - 1)}`,
        },
      },
    });
  }
  const located: LocatedObject[] = objects.map((object, i) => ({
    object,
    location: {
      source: `clusters/part-${Math.floor(i / 500)}.yaml`,
      line: (i % 500) * 12 + 1,
    },
  }));
  const trust = (i: number) => ({
    spec: {
      clusterAPIControllers: {
        trustStatements: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole'],
            Principal: {
              AWS: [`arn:aws:iam::${MGMT}:role/controllers${SUFFIX}`],
            },
            ...(i % 7 === 0
              ? {
                  Condition: { StringEquals: { 'sts:ExternalId': `ext-${i}` } },
                }
              : {}),
          },
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole'],
            Principal: { AWS: [`arn:aws:iam::${account(i + 1)}:root`] },
          },
        ],
      },
    },
  });
  return {
    managementClusters: [
      {
        name: 'mgmt',
        accountId: MGMT,
        objects: located,
        iamConfiguration: { spec: { allowAssumeRole: true } },
      },
    ],
    accounts: Array.from({ length: 100 }, (_, i) => ({
      accountId: account(i),
      name: `acct-${i}`,
      iamConfiguration: trust(i),
    })),
  };
}

const input = build();
// warm-up on a small slice is deliberately skipped: the figure is a cold single run
const t0 = process.hrtime.bigint();
const report = evaluateFleet(input);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const verdicts: Record<string, number> = {};
for (const c of report.clusters)
  verdicts[c.verdict] = (verdicts[c.verdict] ?? 0) + 1;
process.stdout.write(
  `${JSON.stringify({
    clusters: report.clusters.length,
    identities: report.identities.length,
    seconds: Number(seconds.toFixed(3)),
    verdicts,
  })}\n`,
);
