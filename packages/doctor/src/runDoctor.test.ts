import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runDoctor } from './runDoctor';

const MGMT = '111111111111';
const STAGING = '222222222222';
const ROLE = (a: string) =>
  `arn:aws:iam::${a}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`;

async function tempFleet(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'capa-doctor-'));
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

function io(isTTY = false, env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (s: string) => out.push(s), isTTY },
      stderr: { write: (s: string) => err.push(s) },
      env,
      now: new Date('2024-01-01T00:00:00Z'),
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

const fleetYaml = `managementClusters:
  - name: mgmt-eu
    accountId: "${MGMT}"
    manifests: clusters
    iamConfiguration: iam/management.yaml
accounts:
  - accountId: "${STAGING}"
    name: staging
    tier: staging
    iamConfiguration: iam/staging.yaml
`;

const manifests = (
  ns: string,
) => `apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: AWSClusterControllerIdentity
metadata:
  name: default
spec:
  allowedNamespaces: {}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: AWSClusterRoleIdentity
metadata:
  name: staging
spec:
  roleARN: ${ROLE(STAGING)}
  sourceIdentityRef:
    kind: AWSClusterControllerIdentity
    name: default
  allowedNamespaces:
    list:
    - staging
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: web
  namespace: ${ns}
spec:
  infrastructureRef:
    apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
    kind: AWSCluster
    name: web
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: AWSCluster
metadata:
  name: web
  namespace: ${ns}
spec:
  region: eu-west-1
  identityRef:
    kind: AWSClusterRoleIdentity
    name: staging
`;

const iam = {
  'iam/management.yaml': `apiVersion: bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1
kind: AWSIAMConfiguration
spec:
  clusterAPIControllers:
    extraStatements:
    - Action:
      - "sts:AssumeRole"
      Effect: "Allow"
      Resource:
      - "arn:aws:iam::*:role/controllers.cluster-api-provider-aws.sigs.k8s.io"
`,
  'iam/staging.yaml': `apiVersion: bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1
kind: AWSIAMConfiguration
spec:
  clusterAPIControllers:
    trustStatements:
    - Action:
      - "sts:AssumeRole"
      Effect: "Allow"
      Principal:
        AWS:
        - "${ROLE(MGMT)}"
`,
};

describe('runDoctor', () => {
  it('--json prints the docs/contracts.md §6 shape and exits 0 when nothing is broken', async () => {
    const dir = await tempFleet({
      'fleet.yaml': fleetYaml,
      'clusters/all.yaml': manifests('staging'),
      ...iam,
    });
    const t = io();
    expect(await runDoctor([dir, '--json'], t.io)).toBe(0);
    const json = JSON.parse(t.out());
    expect(
      json.accounts.find((a: any) => a.accountId === STAGING),
    ).toMatchObject({
      accountId: STAGING,
      name: 'staging',
      verdict: 'configured',
      checks: expect.any(Array),
    });
    expect(json.clusters[0]).toMatchObject({
      managementCluster: 'mgmt-eu',
      namespace: 'staging',
      name: 'web',
      accountId: STAGING,
      identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
      verdict: 'configured',
    });
    for (const c of json.clusters[0].checks)
      expect(Object.keys(c)).toEqual(
        expect.arrayContaining(['id', 'status', 'message']),
      );
    expect(
      json.identities.find((i: any) => i.name === 'staging'),
    ).toMatchObject({
      managementCluster: 'mgmt-eu',
      kind: 'AWSClusterRoleIdentity',
      accountId: STAGING,
      verdict: 'configured',
    });
    expect(json.problems).toEqual([]);
  });

  it('exits 1 when a verdict is broken, and prints the failing check with its fix', async () => {
    const dir = await tempFleet({
      'fleet.yaml': fleetYaml,
      'clusters/all.yaml': manifests('prod'),
      ...iam,
    });
    const t = io();
    expect(await runDoctor([dir], t.io)).toBe(1);
    expect(t.out()).toContain('broken');
    expect(t.out()).toContain('namespace-allowed');
    expect(t.out()).toContain('fix:');
    expect(t.out()).not.toContain('\u001b[');
  });

  it('keeps the reachable account apart from its cluster refused by namespace-allowed, and still exits 1', async () => {
    // CAPA refuses cluster prod/web (the identity admits only namespace staging) but reaches the account.
    const dir = await tempFleet({
      'fleet.yaml': fleetYaml,
      'clusters/all.yaml': manifests('prod'),
      ...iam,
    });
    const j = io();
    expect(await runDoctor([dir, '--json'], j.io)).toBe(1);
    const account = JSON.parse(j.out()).accounts.find(
      (a: any) => a.accountId === STAGING,
    );
    expect(account).toMatchObject({
      verdict: 'configured',
      reachability: { verdict: 'configured' },
      clusterProblemCount: 1,
      clusterProblems: [
        {
          namespace: 'prod',
          name: 'web',
          verdict: 'broken',
          checks: [{ id: 'namespace-allowed', status: 'fail' }],
        },
      ],
    });
    const t = io();
    expect(await runDoctor([dir], t.io)).toBe(1);
    expect(t.out()).toContain('CLUSTER PROBLEMS');
    expect(t.out()).toContain(
      'reachability configured, with 1 cluster problem:',
    );
    expect(t.out()).toContain(
      'broken mgmt-eu prod/web: namespace-allowed fail',
    );
  });

  it("shows CAPA's own conditions beside the verdict and flags a disagreement (JSON and table)", async () => {
    // CAPA last wrote PrincipalUsageAllowed=True, but the identity does not admit namespace prod (broken).
    const withStatus = `${manifests('prod')}status:
  conditions:
  - type: PrincipalUsageAllowed
    status: "True"
    lastTransitionTime: "2026-01-01T00:00:00Z"
`;
    const dir = await tempFleet({
      'fleet.yaml': fleetYaml,
      'clusters/all.yaml': withStatus,
      ...iam,
    });
    const j = io();
    expect(await runDoctor([dir, '--json'], j.io)).toBe(1);
    const cluster = JSON.parse(j.out()).clusters[0];
    expect(cluster.verdict).toBe('broken');
    expect(cluster.capaConditions).toMatchObject({
      object: { kind: 'AWSCluster', namespace: 'prod', name: 'web' },
      agreement: 'capa-allows-we-broken',
      conditions: [
        {
          type: 'PrincipalUsageAllowed',
          status: 'True',
          source: 'status.conditions',
        },
      ],
    });
    const t = io();
    await runDoctor([dir], t.io);
    expect(t.out()).toContain('CAPA disagrees');
    expect(t.out()).toContain('namespace-allowed');
  });

  it('colours only on a TTY without NO_COLOR', async () => {
    const dir = await tempFleet({
      'fleet.yaml': fleetYaml,
      'clusters/all.yaml': manifests('staging'),
      ...iam,
    });
    const tty = io(true);
    await runDoctor([dir], tty.io);
    expect(tty.out()).toContain('\u001b[');
    const noColor = io(true, { NO_COLOR: '1' });
    await runDoctor([dir], noColor.io);
    expect(noColor.out()).not.toContain('\u001b[');
  });

  it('reports a malformed object as an input problem, not exit 2', async () => {
    const dir = await tempFleet({
      'fleet.yaml': fleetYaml,
      'clusters/all.yaml': manifests('staging'),
      'clusters/bad.yaml':
        'apiVersion: infrastructure.cluster.x-k8s.io/v1beta2\nkind: AWSClusterRoleIdentity\nmetadata: {}\nspec: {}\n',
      ...iam,
    });
    const t = io();
    expect(await runDoctor([dir], t.io)).toBe(0);
    expect(t.err()).toContain('clusters/bad.yaml:1');
    const j = io();
    await runDoctor([dir, '--json'], j.io);
    expect(JSON.parse(j.out()).problems[0]).toMatchObject({
      source: 'clusters/bad.yaml',
      line: 1,
      severity: 'error',
    });
  });

  it('reads an object defined twice as kubectl apply -f does (the last wins), listing the duplicate in problems, not exit 2', async () => {
    // clusters/all.yaml admits namespace staging in AWSClusterRoleIdentity/staging; clusters/zz-team.yaml, read
    // after it (kubectl's lexical walk), redefines the identity for namespace team only. kubectl apply -f leaves
    // the later definition in the cluster, so the cluster in namespace staging is no longer admitted.
    const dir = await tempFleet({
      'fleet.yaml': fleetYaml,
      'clusters/all.yaml': manifests('staging'),
      'clusters/zz-team.yaml': `apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: AWSClusterRoleIdentity
metadata:
  name: staging
spec:
  roleARN: ${ROLE(STAGING)}
  sourceIdentityRef:
    kind: AWSClusterControllerIdentity
    name: default
  allowedNamespaces:
    list:
    - team
`,
      ...iam,
    });
    const j = io();
    expect(await runDoctor([dir, '--json'], j.io)).toBe(1);
    const report = JSON.parse(j.out());
    expect(report.unusableInput).toEqual([]);
    const duplicate = report.problems.find(
      (p: { object?: string }) => p.object === 'AWSClusterRoleIdentity/staging',
    );
    expect(duplicate).toMatchObject({
      source: 'clusters/all.yaml',
      severity: 'error',
    });
    expect(duplicate.message).toContain('clusters/zz-team.yaml:1');
    const web = report.clusters.find((c: { name: string }) => c.name === 'web');
    expect(
      web.checks.find((c: { id: string }) => c.id === 'namespace-allowed')
        .status,
    ).toBe('fail');
    const t = io();
    expect(await runDoctor([dir], t.io)).toBe(1);
    expect(t.err()).toContain(
      'AWSClusterRoleIdentity/staging is defined again',
    );
  });

  it.each([
    [
      'a missing directory',
      async () => path.join(os.tmpdir(), 'capa-doctor-missing-dir'),
    ],
    ['a missing fleet.yaml', async () => tempFleet({ 'x.txt': '' })],
    [
      'an invalid fleet.yaml',
      async () =>
        tempFleet({
          'fleet.yaml': 'managementClusters:\n  - name: m\n    accountId: 12\n',
        }),
    ],
  ])('exits 2 on %s', async (_n, mk) => {
    const t = io();
    expect(await runDoctor([await mk()], t.io)).toBe(2);
    expect(t.err()).toMatch(/capa-doctor: /);
  });

  // DESIGN §6: 0 nothing broken, 1 a broken verdict, 2 unusable input. A manifests folder or an
  // iamConfiguration file that fleet.yaml names must exist and parse, or the verdicts cover less than the fleet.
  it.each([
    [
      'a manifests folder that does not exist',
      {
        'fleet.yaml': fleetYaml.replace(
          'manifests: clusters',
          'manifests: clusterz',
        ),
        ...iam,
      },
      'clusterz',
    ],
    [
      "a management cluster's iamConfiguration file that does not exist",
      {
        'fleet.yaml': fleetYaml,
        'clusters/all.yaml': manifests('staging'),
        'iam/staging.yaml': iam['iam/staging.yaml'],
      },
      'iam/management.yaml',
    ],
    [
      "an account's iamConfiguration file that does not exist",
      {
        'fleet.yaml': fleetYaml,
        'clusters/all.yaml': manifests('staging'),
        'iam/management.yaml': iam['iam/management.yaml'],
      },
      'iam/staging.yaml',
    ],
    [
      'a manifest file that is not YAML',
      {
        'fleet.yaml': fleetYaml,
        'clusters/all.yaml': manifests('staging'),
        'clusters/broken.yaml': 'kind: [AWSCluster\nmetadata: {name: x\n',
        ...iam,
      },
      'clusters/broken.yaml',
    ],
    [
      'an iamConfiguration file that is not YAML',
      {
        'fleet.yaml': fleetYaml,
        'clusters/all.yaml': manifests('staging'),
        'iam/management.yaml': iam['iam/management.yaml'],
        'iam/staging.yaml': 'spec: {clusterAPIControllers: [\n',
      },
      'iam/staging.yaml',
    ],
    [
      'a workloadAccess file that does not exist',
      {
        'fleet.yaml': `${fleetYaml}workloadAccess: workload/access.yaml\n`,
        'clusters/all.yaml': manifests('staging'),
        ...iam,
      },
      'workload/access.yaml',
    ],
  ])(
    'exits 2 on %s, still printing what it could evaluate, with unusableInput in the JSON',
    async (_name, files: Record<string, string>, source) => {
      const dir = await tempFleet(files);
      const t = io();
      expect(await runDoctor([dir], t.io)).toBe(2);
      expect(t.err()).toContain(source);
      expect(t.err()).toContain('capa-doctor: unusable input');
      const j = io();
      expect(await runDoctor([dir, '--json'], j.io)).toBe(2);
      const json = JSON.parse(j.out());
      expect(json.unusableInput.length).toBeGreaterThan(0);
      for (const p of json.unusableInput)
        expect(p).toMatchObject({ source, severity: 'error' });
      expect(json.accounts).toEqual(expect.any(Array));
    },
  );

  it('exits 2 rather than 1 when the input is unusable and a verdict is broken', async () => {
    const dir = await tempFleet({
      'fleet.yaml': fleetYaml,
      'clusters/all.yaml': manifests('prod'),
      'clusters/broken.yaml': '{{{',
      ...iam,
    });
    expect(await runDoctor([dir], io().io)).toBe(2);
  });

  it('keeps unusableInput empty (exit 0) when everything named is read', async () => {
    const dir = await tempFleet({
      'fleet.yaml': fleetYaml,
      'clusters/all.yaml': manifests('staging'),
      ...iam,
    });
    const j = io();
    expect(await runDoctor([dir, '--json'], j.io)).toBe(0);
    expect(JSON.parse(j.out()).unusableInput).toEqual([]);
  });

  it('names the field of an invalid fleet.yaml', async () => {
    const t = io();
    await runDoctor(
      [await tempFleet({ 'fleet.yaml': 'accounts:\n  - accountId: "12"\n' })],
      t.io,
    );
    expect(t.err()).toContain('accounts[0].accountId');
  });

  it('--help prints usage and exits 0; no arguments exit 2', async () => {
    const t = io();
    expect(await runDoctor(['--help'], t.io)).toBe(0);
    expect(t.out()).toContain('Usage: capa-doctor');
    expect(await runDoctor([], io().io)).toBe(2);
    expect(await runDoctor(['a', '--bogus'], io().io)).toBe(2);
  });
});
