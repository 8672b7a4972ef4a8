/*
 * The CRDs' CEL rules, evaluated during validation. Every expected message and rule text is read from the
 * vendored CRD files themselves; the error format is kube-apiserver's (field.Error: `<path>: Invalid value:
 * "<scalar>": <message>`, the value omitted for objects and lists).
 */
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { CrdSchemaRegistry } from '../CrdSchemaRegistry';
import { vendoredCrdDir } from '../../__testUtils__/crd';

const registry = CrdSchemaRegistry.fromDirectory();

function crd(file: string): any {
  return parse(fs.readFileSync(path.join(vendoredCrdDir, file), 'utf8'), {
    maxAliasCount: -1,
  });
}

/** The `x-kubernetes-validations` entries at a schema path (`spec.a.b`, `[]` for list items). */
function rulesAt(file: string, version: string, schemaPath: string): any[] {
  let node = crd(file).spec.versions.find((v: any) => v.name === version).schema
    .openAPIV3Schema;
  for (const seg of schemaPath.split('.')) {
    const list = seg.endsWith('[]');
    node = node.properties[list ? seg.slice(0, -2) : seg];
    if (list) node = node.items;
  }
  return node['x-kubernetes-validations'];
}

function celErrors(object: unknown) {
  const result = registry.validate(object);
  return result.ok ? [] : result.errors.filter(e => e.rule);
}

const AWS_CLUSTERS = 'infrastructure.cluster.x-k8s.io_awsclusters.yaml';
const KCP = 'controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml';
const MACHINE_TEMPLATES =
  'infrastructure.cluster.x-k8s.io_awsmachinetemplates.yaml';
const CLUSTERS = 'cluster.x-k8s.io_clusters.yaml';

function awsCluster(vpc: Record<string, unknown>) {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    kind: 'AWSCluster',
    metadata: { name: 'web', namespace: 'team-a' },
    spec: { region: 'eu-west-1', network: { vpc } },
  };
}

function kcp(kubeadmConfigSpec: Record<string, unknown>) {
  return {
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
    kind: 'KubeadmControlPlane',
    metadata: { name: 'web-cp', namespace: 'team-a' },
    spec: {
      version: 'v1.33.6',
      machineTemplate: {
        spec: {
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'AWSMachineTemplate',
            name: 'web-cp',
          },
        },
      },
      kubeadmConfigSpec,
    },
  };
}

function machineTemplate(spec: Record<string, unknown>) {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    kind: 'AWSMachineTemplate',
    metadata: { name: 'web-md', namespace: 'team-a' },
    spec: { template: { spec: { instanceType: 'm6i.large', ...spec } } },
  };
}

function clusterWithUnhealthyCondition(type: string) {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name: 'web', namespace: 'team-a' },
    spec: {
      topology: {
        classRef: { name: 'aws' },
        version: 'v1.33.6',
        controlPlane: {
          healthCheck: {
            checks: {
              unhealthyMachineConditions: [
                { type, status: 'False', timeoutSeconds: 300 },
              ],
            },
          },
        },
      },
    },
  };
}

describe('CEL rules of the vendored CRDs', () => {
  it('evaluates every rule the vendored CRDs carry and skips none', () => {
    // Count the rules straight from the YAML, independently of the registry's walk.
    let raw = 0;
    const count = (n: any): void => {
      if (!n || typeof n !== 'object') return;
      if (Array.isArray(n['x-kubernetes-validations']))
        raw += n['x-kubernetes-validations'].length;
      Object.values(n).forEach(count);
    };
    let evaluated = 0;
    const skipped: unknown[] = [];
    for (const file of fs
      .readdirSync(vendoredCrdDir)
      .filter(f => f.endsWith('.yaml'))) {
      const c = crd(file);
      c.spec.versions.forEach((v: any) => count(v.schema.openAPIV3Schema));
      for (const v of c.spec.versions) {
        const d = registry.describe(
          `${c.spec.group}/${v.name}`,
          c.spec.names.kind,
        )!;
        evaluated += d.celRulesEvaluated;
        skipped.push(...d.skippedCelRules);
      }
    }
    expect(raw).toBeGreaterThan(30);
    expect({ evaluated, skipped }).toEqual({ evaluated: raw, skipped: [] });
  });

  it('startsWith: a carrier gateway id must start with cagw-', () => {
    const [rule] = rulesAt(
      AWS_CLUSTERS,
      'v1beta2',
      'spec.network.vpc.carrierGatewayId',
    );
    expect(rule.rule).toBe("self.startsWith('cagw-')");
    expect(celErrors(awsCluster({ carrierGatewayId: 'cagw-0a1b2c' }))).toEqual(
      [],
    );
    expect(celErrors(awsCluster({ carrierGatewayId: 'igw-0a1b2c' }))).toEqual([
      {
        path: 'spec.network.vpc.carrierGatewayId',
        message: `Invalid value: "igw-0a1b2c": ${rule.message}`,
        rule: rule.rule,
      },
    ]);
  });

  it('in [list literal]: publicIpv4PoolFallbackOrder is none or amazon-pool', () => {
    const [rule] = rulesAt(
      AWS_CLUSTERS,
      'v1beta2',
      'spec.network.vpc.elasticIpPool.publicIpv4PoolFallbackOrder',
    );
    const pool = (order: string) =>
      awsCluster({ elasticIpPool: { publicIpv4PoolFallbackOrder: order } });
    expect(celErrors(pool('amazon-pool'))).toEqual([]);
    expect(celErrors(pool('any-pool'))).toEqual([
      {
        path: 'spec.network.vpc.elasticIpPool.publicIpv4PoolFallbackOrder',
        message: `Invalid value: "any-pool": ${rule.message}`,
        rule: rule.rule,
      },
    ]);
  });

  it('!(self in [...]): reserved condition types are refused in unhealthyMachineConditions', () => {
    const [rule] = rulesAt(
      CLUSTERS,
      'v1beta2',
      'spec.topology.controlPlane.healthCheck.checks.unhealthyMachineConditions[].type',
    );
    expect(
      celErrors(clusterWithUnhealthyCondition('NodeDiskPressure')),
    ).toEqual([]);
    expect(celErrors(clusterWithUnhealthyCondition('Ready'))).toEqual([
      {
        path: 'spec.topology.controlPlane.healthCheck.checks.unhealthyMachineConditions[0].type',
        message: `Invalid value: "Ready": ${rule.message}`,
        rule: rule.rule,
      },
    ]);
  });

  it('has() and ||: mutually exclusive fields of an AWSMachineTemplate (object value omitted)', () => {
    const rules = rulesAt(MACHINE_TEMPLATES, 'v1beta2', 'spec.template.spec');
    const spot = rules.find(r => r.rule.includes('marketType'));
    const spotOptions = rules.find(r => r.rule.includes('spotMarketOptions'));
    expect(
      celErrors(
        machineTemplate({ capacityReservationId: 'cr-0123456789abcdef0' }),
      ),
    ).toEqual([]);
    expect(celErrors(machineTemplate({ marketType: 'Spot' }))).toEqual([]);
    expect(
      celErrors(
        machineTemplate({
          capacityReservationId: 'cr-0123456789abcdef0',
          marketType: 'Spot',
          spotMarketOptions: {},
        }),
      ),
    ).toEqual([
      {
        path: 'spec.template.spec',
        message: `Invalid value: ${spot.message}`,
        rule: spot.rule,
      },
      {
        path: 'spec.template.spec',
        message: `Invalid value: ${spotOptions.message}`,
        rule: spotOptions.rule,
      },
    ]);
  });

  it('all/exists_one (list uniqueness by name): kubeletExtraArgs names must be unique', () => {
    const [rule] = rulesAt(
      KCP,
      'v1beta2',
      'spec.kubeadmConfigSpec.initConfiguration.nodeRegistration.kubeletExtraArgs',
    );
    const args = (...names: string[]) =>
      kcp({
        initConfiguration: {
          nodeRegistration: {
            kubeletExtraArgs: names.map(name => ({ name, value: 'x' })),
          },
        },
      });
    expect(celErrors(args('cloud-provider', 'node-labels'))).toEqual([]);
    expect(
      celErrors(args('cloud-provider', 'node-labels', 'cloud-provider')),
    ).toEqual([
      {
        path: 'spec.kubeadmConfigSpec.initConfiguration.nodeRegistration.kubeletExtraArgs',
        message: `Invalid value: ${rule.message}`,
        rule: rule.rule,
      },
    ]);
  });

  it('[has(), has()].filter().size() == 1: exactly one of layout and diskLayout', () => {
    const [rule] = rulesAt(
      KCP,
      'v1beta2',
      'spec.kubeadmConfigSpec.diskSetup.partitions[]',
    );
    const partitions = (...ps: object[]) =>
      kcp({
        diskSetup: {
          partitions: ps.map(p => ({ device: '/dev/xvdb', ...p })),
        },
      });
    expect(celErrors(partitions({ layout: true }))).toEqual([]);
    const expected = (i: number) => ({
      path: `spec.kubeadmConfigSpec.diskSetup.partitions[${i}]`,
      message: `Invalid value: ${rule.message}`,
      rule: rule.rule,
    });
    expect(
      celErrors(
        partitions(
          { layout: true },
          { layout: true, diskLayout: [{ percentage: 100 }] },
          {},
        ),
      ),
    ).toEqual([expected(1), expected(2)]);
  });

  it('matches (RE2): partitionType is a known name or a full GPT GUID', () => {
    const [rule] = rulesAt(
      KCP,
      'v1beta2',
      'spec.kubeadmConfigSpec.diskSetup.partitions[].diskLayout[].partitionType',
    );
    const typed = (partitionType: string) =>
      kcp({
        diskSetup: {
          partitions: [
            {
              device: '/dev/xvdb',
              diskLayout: [{ percentage: 100, partitionType }],
            },
          ],
        },
      });
    expect(celErrors(typed('LinuxSwap'))).toEqual([]);
    expect(celErrors(typed('0FC63DAF-8483-4772-8E79-3D69D8477DE4'))).toEqual(
      [],
    );
    expect(celErrors(typed('ext4'))).toEqual([
      {
        path: 'spec.kubeadmConfigSpec.diskSetup.partitions[0].diskLayout[0].partitionType',
        message: `Invalid value: "ext4": ${rule.message}`,
        rule: rule.rule,
      },
    ]);
  });

  it('does not run a rule whose field is absent', () => {
    expect(celErrors(awsCluster({}))).toEqual([]);
  });
});

/** A one-version CRD of our own for what the vendored CRDs do not exercise. */
function widgetCrd(spec: Record<string, unknown>) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
              },
            },
          },
        },
      ],
    },
  };
}

function widget(spec: Record<string, unknown>) {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'n' },
    spec,
  };
}

describe('CEL rules: Kubernetes semantics beyond the vendored CRDs', () => {
  const spec = {
    type: 'object',
    properties: {
      url: {
        type: 'string',
        'x-kubernetes-validations': [
          { rule: 'isURL(self)', message: 'must be a URL' },
        ],
      },
      replicas: {
        type: 'integer',
        'x-kubernetes-validations': [
          { rule: 'self == oldSelf', message: 'replicas is immutable' },
          { rule: 'self <= 5' },
        ],
      },
      name: {
        type: 'string',
        'x-kubernetes-validations': [
          {
            rule: 'self.lowerAscii() == self',
            messageExpression: "'name ' + self + ' must be lower case'",
          },
        ],
      },
      ports: {
        type: 'array',
        items: { type: 'integer' },
      },
    },
    'x-kubernetes-validations': [
      {
        rule: '!has(self.ports) || self.ports.all(p, p > 0)',
        message: 'ports must be positive',
        fieldPath: '.ports',
        reason: 'FieldValueForbidden',
      },
    ],
  };
  const widgets = CrdSchemaRegistry.fromDefinitions([widgetCrd(spec)]);
  const errors = (s: Record<string, unknown>) => {
    const r = widgets.validate(widget(s));
    return r.ok ? [] : r.errors;
  };

  it('reports the rules it skips, with the reason', () => {
    expect(widgets.describe('example.com/v1', 'Widget')).toMatchObject({
      celRulesEvaluated: 3,
      ignoredCelRules: 2,
      skippedCelRules: [
        {
          path: 'spec.url',
          rule: 'isURL(self)',
          reason: expect.stringContaining('isURL'),
        },
        {
          path: 'spec.replicas',
          rule: 'self == oldSelf',
          reason: expect.stringContaining('oldSelf'),
        },
      ],
    });
    // skipped rules are not enforced (the API server would decide them)
    expect(errors({ url: 'not a url', replicas: 3 })).toEqual([]);
  });

  it('types integer fields as CEL int; a rule without message says failed rule: <rule>', () => {
    expect(errors({ replicas: 6 })).toEqual([
      {
        path: 'spec.replicas',
        message: 'Invalid value: 6: failed rule: self <= 5',
        rule: 'self <= 5',
      },
    ]);
  });

  it('uses messageExpression for the message', () => {
    expect(errors({ name: 'Web' })).toEqual([
      {
        path: 'spec.name',
        message: 'Invalid value: "Web": name Web must be lower case',
        rule: 'self.lowerAscii() == self',
      },
    ]);
  });

  it('reports at fieldPath with the reason the rule names', () => {
    expect(errors({ ports: [80, 0] })).toEqual([
      {
        path: 'spec.ports',
        message: 'Forbidden: ports must be positive',
        rule: '!has(self.ports) || self.ports.all(p, p > 0)',
      },
    ]);
  });

  it('reports an evaluation error with the rule', () => {
    const broken = CrdSchemaRegistry.fromDefinitions([
      widgetCrd({
        type: 'object',
        properties: { a: { type: 'string' } },
        'x-kubernetes-validations': [{ rule: "self.a == 'x'" }],
      }),
    ]);
    const r = broken.validate(widget({}));
    expect(r.ok ? [] : r.errors).toEqual([
      {
        path: 'spec',
        message: expect.stringMatching(
          /^Invalid value: .* evaluating rule: self\.a == 'x'$/,
        ),
        rule: "self.a == 'x'",
      },
    ]);
  });
});
