import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FleetLoadError,
  loadFleetFromDirectory,
  parseFleetConfig,
} from './loadFleet';

async function tempFleet(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'capa-fleet-'));
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

const FLEET = `managementClusters:
  - name: mgmt-eu
    accountId: "111111111111"
    manifests: clusters/mgmt-eu
    iamConfiguration: iam/management.yaml
accounts:
  - accountId: "222222222222"
    name: staging
    tier: staging
    iamConfiguration: iam/staging.yaml
`;

describe('parseFleetConfig', () => {
  it.each([
    [
      'accountId as a YAML number',
      {
        managementClusters: [
          { name: 'm', accountId: 111111111111, manifests: 'x' },
        ],
      },
      'managementClusters[0].accountId: must be a 12-digit string',
    ],
    [
      'accountId with 11 digits',
      { accounts: [{ accountId: '12345678901' }] },
      'accounts[0].accountId: must be exactly 12 digits',
    ],
    [
      'a missing name',
      { managementClusters: [{ accountId: '111111111111' }] },
      'managementClusters[0].name: is required',
    ],
    [
      'managementClusters not a list',
      { managementClusters: {} },
      'managementClusters: must be a list',
    ],
    ['a non-mapping root', ['x'], '(root): must be a mapping'],
    [
      'a duplicate management cluster',
      {
        managementClusters: [
          { name: 'm', accountId: '111111111111', manifests: 'a' },
          { name: 'm', accountId: '111111111111', manifests: 'b' },
        ],
      },
      'duplicate management cluster',
    ],
    [
      'a bad controllerPrincipalArn',
      {
        managementClusters: [
          {
            name: 'm',
            accountId: '111111111111',
            manifests: 'a',
            controllerPrincipalArn: 'controllers',
          },
        ],
      },
      'controllerPrincipalArn: must be an IAM ARN',
    ],
  ])('rejects %s naming the field path', (_n, obj, message) => {
    const { problems } = parseFleetConfig(obj, 'fleet.yaml');
    expect(
      problems
        .filter(p => p.severity === 'error')
        .map(p => p.message)
        .join('\n'),
    ).toContain(message);
  });
  it('accepts the docs/contracts.md §5 shape', () => {
    const { config, problems } = parseFleetConfig(
      {
        managementClusters: [
          {
            name: 'mgmt-eu',
            accountId: '111111111111',
            manifests: 'clusters',
            iamConfiguration: 'iam/m.yaml',
          },
        ],
        accounts: [
          { accountId: '222222222222', name: 'staging', tier: 'staging' },
        ],
      },
      'app-config',
    );
    expect(problems).toEqual([]);
    expect(config.managementClusters[0]).toMatchObject({
      name: 'mgmt-eu',
      accountId: '111111111111',
    });
    expect(config.accounts[0]).toMatchObject({
      accountId: '222222222222',
      name: 'staging',
    });
  });
});

describe('loadFleetFromDirectory', () => {
  it('reads fleet.yaml, manifests recursively and iamConfiguration files relative to it', async () => {
    const dir = await tempFleet({
      'fleet.yaml': FLEET,
      'clusters/mgmt-eu/identities.yaml':
        'apiVersion: infrastructure.cluster.x-k8s.io/v1beta2\nkind: AWSClusterControllerIdentity\nmetadata:\n  name: default\nspec:\n  allowedNamespaces: {}\n',
      'clusters/mgmt-eu/staging/web.yml':
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: staging\n---\napiVersion: infrastructure.cluster.x-k8s.io/v1beta2\nkind: AWSCluster\nmetadata:\n  name: web\n  namespace: staging\n',
      'clusters/mgmt-eu/README.md': '# not yaml',
      'iam/management.yaml':
        'apiVersion: bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1\nkind: AWSIAMConfiguration\nspec:\n  allowAssumeRole: true\n',
      'iam/staging.yaml':
        'apiVersion: bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1\nkind: AWSIAMConfiguration\nspec: {}\n',
    });
    const { input, problems } = await loadFleetFromDirectory(dir);
    expect(problems).toEqual([]);
    const objs = input.managementClusters[0].objects;
    expect(
      objs.map(o => `${o.location.source}:${o.location.line} ${o.object.kind}`),
    ).toEqual([
      'clusters/mgmt-eu/identities.yaml:1 AWSClusterControllerIdentity',
      'clusters/mgmt-eu/staging/web.yml:1 Namespace',
      'clusters/mgmt-eu/staging/web.yml:6 AWSCluster',
    ]);
    expect(input.managementClusters[0]).toMatchObject({
      iamConfigurationSource: 'iam/management.yaml',
      iamConfiguration: { spec: { allowAssumeRole: true } },
    });
    expect(input.accounts[0]).toMatchObject({
      accountId: '222222222222',
      iamConfigurationSource: 'iam/staging.yaml',
    });
  });
  it('reads the Organizations snapshot fleet.yaml names; a missing or malformed one is unusable input', async () => {
    const good = await tempFleet({
      'fleet.yaml': `${FLEET}organization: org/accounts.yaml\n`,
      'clusters/mgmt-eu/identities.yaml': '',
      'iam/management.yaml': 'spec: {}\n',
      'iam/staging.yaml': 'spec: {}\n',
      'org/accounts.yaml':
        "accounts:\n  - accountId: '151515151515'\n    status: ACTIVE\n    ouPath: Root/Sandbox\n    tags: { team: payments }\n",
    });
    const read = await loadFleetFromDirectory(good);
    expect(read.unusable).toEqual([]);
    expect(read.input.organization).toEqual({
      source: 'org/accounts.yaml',
      accounts: [
        {
          accountId: '151515151515',
          status: 'ACTIVE',
          ouPath: 'Root/Sandbox',
          tags: { team: 'payments' },
        },
      ],
    });

    const missing = await tempFleet({
      'fleet.yaml': `${FLEET}organization: org/accounts.yaml\n`,
      'clusters/mgmt-eu/identities.yaml': '',
      'iam/management.yaml': 'spec: {}\n',
      'iam/staging.yaml': 'spec: {}\n',
    });
    const noFile = await loadFleetFromDirectory(missing);
    expect(noFile.input.organization).toBeUndefined();
    expect(noFile.unusable.map(p => p.source)).toEqual(['org/accounts.yaml']);

    const malformed = await tempFleet({
      'fleet.yaml': `${FLEET}organization: org/accounts.yaml\n`,
      'clusters/mgmt-eu/identities.yaml': '',
      'iam/management.yaml': 'spec: {}\n',
      'iam/staging.yaml': 'spec: {}\n',
      'org/accounts.yaml': 'accounts:\n  - accountId: 151515151515\n',
    });
    const bad = await loadFleetFromDirectory(malformed);
    expect(bad.unusable.map(p => `${p.source}: ${p.message}`)).toEqual([
      'org/accounts.yaml: accounts[0].accountId: must be a 12-digit string (quote it), got 151515151515',
    ]);
  });
  it('counts a missing or malformed workloadAccess file fleet.yaml names as unusable input, like the Organizations snapshot', async () => {
    const files = {
      'fleet.yaml': `${FLEET}workloadAccess: workload/access.yaml\n`,
      'clusters/mgmt-eu/identities.yaml': '',
      'iam/management.yaml': 'spec: {}\n',
      'iam/staging.yaml': 'spec: {}\n',
    };
    const noFile = await loadFleetFromDirectory(await tempFleet(files));
    expect(noFile.input.workloadAccess).toBeUndefined();
    expect(noFile.unusable.map(p => p.source)).toEqual([
      'workload/access.yaml',
    ]);

    const malformed = await loadFleetFromDirectory(
      await tempFleet({
        ...files,
        'workload/access.yaml': 'clusters: [\n',
      }),
    );
    expect(malformed.unusable.map(p => p.source)).toEqual([
      'workload/access.yaml',
    ]);
    expect(malformed.problems).toEqual(
      expect.arrayContaining(malformed.unusable),
    );
  });
  it('reports missing manifests folders, unreadable iam files and URLs as problems', async () => {
    const dir = await tempFleet({
      'fleet.yaml': FLEET.replace(
        'clusters/mgmt-eu',
        'https://example.com/fleet.git',
      ),
    });
    const { problems } = await loadFleetFromDirectory(dir);
    const text = problems.map(p => `${p.source}: ${p.message}`).join('\n');
    expect(text).toContain('not supported by the doctor');
    expect(text).toContain('iam/management.yaml');
    expect(text).toContain('no such file');
  });
  it('names the file and line of invalid YAML in manifests', async () => {
    const dir = await tempFleet({
      'fleet.yaml': FLEET,
      'clusters/mgmt-eu/a.yaml': 'kind: X\nmetadata:\n  name: "unterminated\n',
      'iam/management.yaml': 'spec: {}\n',
      'iam/staging.yaml': 'spec: {}\n',
    });
    const { problems } = await loadFleetFromDirectory(dir);
    expect(problems[0]).toMatchObject({
      source: 'clusters/mgmt-eu/a.yaml',
      severity: 'error',
    });
    expect(problems[0].line).toBeGreaterThan(0);
  });
  it.each([
    ['a missing directory', null, /no such directory/],
    ['a missing fleet.yaml', {}, /fleet.yaml: no such file/],
    [
      'invalid YAML in fleet.yaml',
      { 'fleet.yaml': 'managementClusters: [\n' },
      /not valid YAML/,
    ],
    [
      'an invalid fleet.yaml shape',
      {
        'fleet.yaml':
          'managementClusters:\n  - name: m\n    accountId: 111111111111\n',
      },
      /is invalid/,
    ],
  ])('throws FleetLoadError for %s', async (_n, files, message) => {
    const dir =
      files === null
        ? path.join(os.tmpdir(), 'capa-does-not-exist-xyz')
        : await tempFleet(files as Record<string, string>);
    await expect(loadFleetFromDirectory(dir)).rejects.toThrow(message);
    await expect(loadFleetFromDirectory(dir)).rejects.toBeInstanceOf(
      FleetLoadError,
    );
  });
});
