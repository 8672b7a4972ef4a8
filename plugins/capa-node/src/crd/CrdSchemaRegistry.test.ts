import fs from 'fs';
import { CrdSchemaRegistry, CrdValidationResult } from './CrdSchemaRegistry';
import { convertOpenApiSchema } from './schemaConversion';
import { newConversionNotes } from './schemaConversion';
import { listFiles, vendoredCrdDir } from '../__testUtils__/crd';

const registry = CrdSchemaRegistry.fromDirectory();

function roleIdentity(
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    kind: 'AWSClusterRoleIdentity',
    metadata: { name: 'staging-identity', ...metadata },
    spec: {
      roleARN:
        'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
      sourceIdentityRef: {
        kind: 'AWSClusterControllerIdentity',
        name: 'default',
      },
      allowedNamespaces: { list: ['staging'] },
      ...spec,
    },
  };
}

function errorsOf(result: CrdValidationResult) {
  return result.ok ? [] : result.errors;
}

function paths(result: CrdValidationResult) {
  return errorsOf(result).map(e => e.path);
}

describe('CrdSchemaRegistry', () => {
  it('loads every vendored CRD from <package>/crds by default', () => {
    expect(CrdSchemaRegistry.defaultDirectory()).toBe(vendoredCrdDir);
    const files = listFiles(vendoredCrdDir);
    expect(files.length).toBeGreaterThanOrEqual(18);
    expect(registry.definitions).toHaveLength(files.length);
    const kinds = registry.definitions.map(d => d.kind).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'AWSCluster',
        'AWSClusterControllerIdentity',
        'AWSClusterRoleIdentity',
        'AWSClusterStaticIdentity',
        'AWSClusterTemplate',
        'AWSMachineTemplate',
        'AWSManagedControlPlane',
        'AWSManagedControlPlaneTemplate',
        'AWSManagedMachinePool',
        'Cluster',
        'ClusterClass',
        'KubeadmConfigTemplate',
        'KubeadmControlPlane',
        'MachineDeployment',
        'MachinePool',
      ]),
    );
    for (const d of registry.definitions) {
      expect(d.source && fs.existsSync(d.source)).toBeTruthy();
      expect(d.versions.filter(v => v.storage)).toHaveLength(1);
    }
  });

  it('indexes served/storage flags and scope as the CRDs declare them', () => {
    const capa = 'infrastructure.cluster.x-k8s.io';
    expect(registry.servedVersions(capa, 'AWSClusterRoleIdentity')).toEqual([
      'v1beta2',
    ]);
    expect(
      registry.lookup(`${capa}/v1beta1`, 'AWSClusterRoleIdentity'),
    ).toMatchObject({
      served: false,
      storage: false,
    });
    expect(registry.storageVersion('cluster.x-k8s.io', 'Cluster')).toBe(
      'v1beta2',
    );
    expect(registry.servedVersions('cluster.x-k8s.io', 'Cluster')).toEqual([
      'v1beta2',
      'v1beta1',
    ]);
    expect(
      registry.lookup('cluster.x-k8s.io/v1beta1', 'Cluster'),
    ).toMatchObject({
      served: true,
      deprecated: true,
    });
    for (const kind of [
      'AWSClusterControllerIdentity',
      'AWSClusterRoleIdentity',
      'AWSClusterStaticIdentity',
    ]) {
      expect(registry.scopeOf(`${capa}/v1beta2`, kind)).toBe('Cluster');
    }
    expect(registry.scopeOf(`${capa}/v1beta2`, 'AWSCluster')).toBe(
      'Namespaced',
    );
    expect(registry.isKnownKind(`${capa}/v1alpha3`, 'AWSCluster')).toBe(true);
    expect(registry.isServed(`${capa}/v1alpha3`, 'AWSCluster')).toBe(false);
    expect(registry.isKnownKind('v1', 'Namespace')).toBe(false);
  });

  it('compiles the schema of every served version', () => {
    for (const crd of registry.definitions) {
      for (const v of crd.versions.filter(x => x.served)) {
        const result = registry.validate({
          apiVersion: v.apiVersion,
          kind: v.kind,
          metadata: {
            name: 'x',
            ...(crd.scope === 'Namespaced' ? { namespace: 'default' } : {}),
          },
        });
        // Compiles, and gives field errors rather than a reason (some kinds require spec)
        expect(result.ok || result.reason === undefined).toBe(true);
        expect(registry.describe(v.apiVersion, v.kind)?.compiled).toBe(true);
      }
    }
  }, 120_000);

  it('accepts a valid v1beta2 AWSClusterRoleIdentity', () => {
    expect(registry.validate(roleIdentity())).toEqual({ ok: true });
    expect(
      registry.validate(
        roleIdentity({
          durationSeconds: 3600,
          externalID: 'abc',
          sessionName: 'capa',
          policyARNs: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
          allowedNamespaces: { selector: { matchLabels: { env: 'staging' } } },
        }),
      ),
    ).toEqual({ ok: true });
  });

  it('accepts the allowedNamespaces forms CAPA distinguishes, including null (nullable)', () => {
    for (const allowedNamespaces of [
      {},
      null,
      { list: null },
      { list: [] },
      { selector: {} },
      { list: null, selector: {} },
      {
        selector: {
          matchExpressions: [{ key: 'env', operator: 'In', values: ['a'] }],
        },
      },
    ]) {
      expect(registry.validate(roleIdentity({ allowedNamespaces }))).toEqual({
        ok: true,
      });
    }
  });

  it('reports wrong types with field paths', () => {
    const result = registry.validate(
      roleIdentity({
        durationSeconds: '3600',
        allowedNamespaces: { list: 'staging' },
      }),
    );
    expect(result.ok).toBe(false);
    expect(errorsOf(result)).toEqual(
      expect.arrayContaining([
        {
          path: 'spec.durationSeconds',
          message: 'must be integer (got string)',
        },
        {
          path: 'spec.allowedNamespaces.list',
          message: 'must be array or null (got string)',
        },
      ]),
    );
    expect((result as any).reason).toBeUndefined();
  });

  it('reports out-of-range values', () => {
    expect(
      paths(registry.validate(roleIdentity({ durationSeconds: 600 }))),
    ).toEqual(['spec.durationSeconds']);
    expect(
      paths(registry.validate(roleIdentity({ durationSeconds: 43201 }))),
    ).toEqual(['spec.durationSeconds']);
  });

  it('reports unknown enum values', () => {
    const result = registry.validate(
      roleIdentity({
        sourceIdentityRef: { kind: 'AWSClusterFooIdentity', name: 'default' },
      }),
    );
    expect(errorsOf(result)).toEqual([
      {
        path: 'spec.sourceIdentityRef.kind',
        message: expect.stringContaining(
          'unsupported value "AWSClusterFooIdentity"',
        ),
      },
    ]);
    expect(errorsOf(result)[0].message).toContain('"AWSClusterRoleIdentity"');
  });

  it('reports missing required fields', () => {
    const obj: any = roleIdentity();
    delete obj.spec.roleARN;
    obj.spec.sourceIdentityRef = { kind: 'AWSClusterControllerIdentity' };
    expect(errorsOf(registry.validate(obj))).toEqual(
      expect.arrayContaining([
        { path: 'spec.roleARN', message: 'is required' },
        { path: 'spec.sourceIdentityRef.name', message: 'is required' },
      ]),
    );
  });

  it('reports unknown fields (strict field validation), unless asked not to', () => {
    const obj = roleIdentity({ roleArn: 'arn:aws:iam::1:role/x' });
    expect(errorsOf(registry.validate(obj))).toEqual([
      { path: 'spec.roleArn', message: 'unknown field' },
    ]);
    expect(registry.validate(obj, { rejectUnknownFields: false })).toEqual({
      ok: true,
    });
    expect(paths(registry.validate({ ...roleIdentity(), extra: 1 }))).toEqual([
      'extra',
    ]);
  });

  it('checks metadata.name and labels/annotations types', () => {
    const noName: any = roleIdentity();
    delete noName.metadata.name;
    expect(errorsOf(registry.validate(noName))).toEqual([
      { path: 'metadata.name', message: 'is required' },
    ]);
    expect(
      paths(registry.validate(roleIdentity({}, { name: 'Staging_Identity' }))),
    ).toEqual(['metadata.name']);
    expect(
      errorsOf(
        registry.validate(
          roleIdentity({}, { annotations: { 'capa-portal.io/owner': true } }),
        ),
      ),
    ).toEqual([
      {
        path: 'metadata.annotations["capa-portal.io/owner"]',
        message: 'must be string (got boolean)',
      },
    ]);
  });

  it('rejects a namespace on cluster-scoped identities', () => {
    const result = registry.validate(
      roleIdentity({}, { namespace: 'capa-system' }),
    );
    expect(errorsOf(result)).toEqual([
      {
        path: 'metadata.namespace',
        message: expect.stringContaining(
          'AWSClusterRoleIdentity is cluster-scoped',
        ),
      },
    ]);
  });

  it('optionally requires a namespace on namespaced kinds', () => {
    const awsCluster = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSCluster',
      metadata: { name: 'web' },
      spec: {
        region: 'eu-west-1',
        identityRef: { kind: 'AWSClusterRoleIdentity', name: 'x' },
      },
    };
    expect(registry.validate(awsCluster)).toEqual({ ok: true });
    expect(
      paths(registry.validate(awsCluster, { requireNamespace: true })),
    ).toEqual(['metadata.namespace']);
    expect(
      paths(
        registry.validate({
          ...awsCluster,
          metadata: { name: 'web', namespace: 'Bad_NS' },
        }),
      ),
    ).toEqual(['metadata.namespace']);
  });

  it('reports unserved-version for CAPA v1beta1 kinds, without validating them', () => {
    const result = registry.validate({
      ...roleIdentity({ durationSeconds: 'not even a number' }),
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    });
    expect(result).toEqual({
      ok: false,
      reason: 'unserved-version',
      servedVersions: ['v1beta2'],
      errors: [
        {
          path: 'apiVersion',
          message: expect.stringContaining(
            'not served by the CRD (served: infrastructure.cluster.x-k8s.io/v1beta2)',
          ),
        },
      ],
    });
    for (const [apiVersion, kind] of [
      ['infrastructure.cluster.x-k8s.io/v1beta1', 'AWSCluster'],
      ['controlplane.cluster.x-k8s.io/v1beta1', 'AWSManagedControlPlane'],
      ['infrastructure.cluster.x-k8s.io/v1beta1', 'AWSManagedMachinePool'],
    ]) {
      const r = registry.validate({
        apiVersion,
        kind,
        metadata: { name: 'a', namespace: 'b' },
      });
      expect(r).toMatchObject({ ok: false, reason: 'unserved-version' });
    }
  });

  it('reports unserved-version for versions no longer in the CRD (v1alpha3, v1alpha4)', () => {
    for (const [apiVersion, kind] of [
      ['infrastructure.cluster.x-k8s.io/v1alpha3', 'AWSCluster'],
      ['infrastructure.cluster.x-k8s.io/v1alpha3', 'AWSClusterRoleIdentity'],
      ['cluster.x-k8s.io/v1alpha3', 'Cluster'],
      ['cluster.x-k8s.io/v1alpha4', 'MachineDeployment'],
      ['controlplane.cluster.x-k8s.io/v1alpha3', 'KubeadmControlPlane'],
    ]) {
      const r = registry.validate({
        apiVersion,
        kind,
        metadata: { name: 'a' },
      });
      expect(r).toMatchObject({
        ok: false,
        reason: 'unserved-version',
        errors: [
          {
            path: 'apiVersion',
            message: expect.stringContaining('not defined'),
          },
        ],
      });
    }
  });

  it('validates served but deprecated CAPI v1beta1, with a warning', () => {
    const result = registry.validate({
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name: 'legacy', namespace: 'live' },
      spec: {
        infrastructureRef: {
          apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
          kind: 'AWSCluster',
          name: 'legacy',
        },
      },
      status: {
        phase: 'Provisioned',
        infrastructureReady: true,
        controlPlaneReady: true,
      },
    });
    expect(result.ok).toBe(true);
    expect(result.warnings?.[0]).toMatch(/deprecated/);
  });

  it('reports unknown-kind for kinds without a vendored CRD', () => {
    for (const obj of [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'staging' } },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'capa-system' },
      },
      {
        apiVersion: 'operator.cluster.x-k8s.io/v1alpha2',
        kind: 'InfrastructureProvider',
        metadata: { name: 'aws-staging', namespace: 'capa-staging' },
      },
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'AWSFoo',
        metadata: {},
      },
    ]) {
      expect(registry.validate(obj)).toMatchObject({
        ok: false,
        reason: 'unknown-kind',
      });
    }
  });

  it('rejects non-objects and objects without apiVersion/kind', () => {
    expect(registry.validate('nope')).toMatchObject({ ok: false });
    expect(paths(registry.validate({ metadata: { name: 'a' } }))).toEqual([
      'apiVersion',
      'kind',
    ]);
  });

  it('handles int-or-string, formats and patterns', () => {
    const md = (
      rollingUpdate: unknown,
      extra: Record<string, unknown> = {},
    ) => ({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineDeployment',
      metadata: { name: 'web-md-0', namespace: 'staging' },
      spec: {
        clusterName: 'web',
        replicas: 3,
        selector: { matchLabels: { 'cluster.x-k8s.io/cluster-name': 'web' } },
        rollout: { strategy: { type: 'RollingUpdate', rollingUpdate } },
        template: {
          spec: {
            clusterName: 'web',
            bootstrap: {
              configRef: {
                apiGroup: 'bootstrap.cluster.x-k8s.io',
                kind: 'KubeadmConfigTemplate',
                name: 'web-md-0',
              },
            },
            infrastructureRef: {
              apiGroup: 'infrastructure.cluster.x-k8s.io',
              kind: 'AWSMachineTemplate',
              name: 'web-md-0',
            },
          },
        },
        ...extra,
      },
    });
    expect(
      registry.validate(md({ maxSurge: '25%', maxUnavailable: 0 })),
    ).toEqual({ ok: true });
    expect(paths(registry.validate(md({ maxSurge: true })))).toEqual([
      'spec.rollout.strategy.rollingUpdate.maxSurge',
    ]);
    expect(
      paths(registry.validate(md({ maxSurge: 1 }, { replicas: 2 ** 31 }))),
    ).toEqual(['spec.replicas']);
    expect(
      paths(
        registry.validate(md(undefined, { rollout: { after: 'tomorrow' } })),
      ),
    ).toEqual(['spec.rollout.after']);
    expect(
      registry.validate(
        md(undefined, { rollout: { after: '2026-06-01T10:00:00Z' } }),
      ),
    ).toEqual({
      ok: true,
    });
    const badRef: any = md({ maxSurge: '10%' });
    badRef.spec.template.spec.infrastructureRef.name = 'Web_MD';
    expect(errorsOf(registry.validate(badRef))).toEqual([
      {
        path: 'spec.template.spec.infrastructureRef.name',
        message: expect.stringContaining('must match'),
      },
    ]);
  });

  it('validates status too (condition fields and formats)', () => {
    const cluster = {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name: 'web', namespace: 'staging' },
      spec: { paused: false },
      status: {
        phase: 'Running',
        conditions: [
          {
            type: 'Available',
            status: 'Maybe',
            lastTransitionTime: 'yesterday',
          },
        ],
      },
    };
    expect(paths(registry.validate(cluster)).sort()).toEqual(
      [
        'status.phase',
        'status.conditions[0].status',
        'status.conditions[0].lastTransitionTime',
        'status.conditions[0].message',
        'status.conditions[0].reason',
      ].sort(),
    );
  });

  it('evaluates the CEL rules of a CRD version (none of the vendored ones is skipped)', () => {
    // cluster.x-k8s.io_clusters.yaml v1beta2 carries two rules (unhealthyMachineConditions types)
    expect(
      registry.describe('cluster.x-k8s.io/v1beta2', 'Cluster'),
    ).toMatchObject({ celRulesEvaluated: 2, ignoredCelRules: 0 });
  });

  it('never mutates the validated object', () => {
    const obj = roleIdentity();
    const copy = JSON.parse(JSON.stringify(obj));
    registry.validate(obj);
    expect(obj).toEqual(copy);
  });

  it('validates thousands of objects with one schema compile per GVK (counted, not timed)', () => {
    // A fresh registry: nothing compiled yet. Its ajv instance is the only compiler it uses.
    const fresh = CrdSchemaRegistry.fromDirectory();
    const compile = jest.spyOn((fresh as any).ajv, 'compile');
    const objects = Array.from({ length: 3000 }, (_, i) =>
      i % 2
        ? roleIdentity({}, { name: `identity-${i}` })
        : {
            apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
            kind: 'AWSCluster',
            metadata: { name: `c-${i}`, namespace: 'staging' },
            spec: {
              region: 'eu-west-1',
              identityRef: {
                kind: 'AWSClusterRoleIdentity',
                name: 'staging-identity',
              },
            },
          },
    );
    for (const o of objects) expect(fresh.validate(o).ok).toBe(true);
    // Two kinds (AWSClusterRoleIdentity, AWSCluster): two compiles for 3,000 validations.
    expect(compile).toHaveBeenCalledTimes(2);
  });
});

describe('convertOpenApiSchema', () => {
  it('maps Kubernetes extensions to JSON Schema', () => {
    const notes = newConversionNotes();
    const out = convertOpenApiSchema(
      {
        type: 'object',
        description: 'dropped',
        properties: {
          metadata: { type: 'object' },
          port: {
            'x-kubernetes-int-or-string': true,
            anyOf: [{ type: 'integer' }, { type: 'string' }],
          },
          list: { type: 'array', nullable: true, items: { type: 'string' } },
          mode: { type: 'string', enum: ['a', 'b'], nullable: true },
          free: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
          },
          open: {
            type: 'object',
            properties: { a: { type: 'string' } },
            'x-kubernetes-preserve-unknown-fields': true,
          },
          raw: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            properties: {},
          },
          tags: {
            type: 'array',
            items: { type: 'string' },
            'x-kubernetes-list-type': 'set',
          },
          size: { type: 'integer', format: 'int32' },
        },
        'x-kubernetes-validations': [
          { rule: 'self.a == self.b' },
          { rule: 'true' },
        ],
      },
      notes,
      true,
    );
    expect(out.description).toBeUndefined();
    expect(out.additionalProperties).toBe(false);
    expect(out.properties.metadata.properties.labels).toBeDefined();
    expect(out.properties.port).toEqual({ type: ['integer', 'string'] });
    expect(out.properties.list.type).toEqual(['array', 'null']);
    expect(out.properties.mode).toEqual({
      type: ['string', 'null'],
      enum: ['a', 'b', null],
    });
    expect(out.properties.free).toEqual({ type: 'object' });
    expect(out.properties.open.additionalProperties).toBeUndefined();
    expect(Object.keys(out.properties.raw.properties)).toEqual([
      'apiVersion',
      'kind',
      'metadata',
    ]);
    expect(out.properties.tags.uniqueItems).toBe(true);
    expect(notes.ignoredCelRules).toBe(2);
    expect([...notes.formats]).toEqual(['int32']);
  });

  it('drops patterns JavaScript cannot compile', () => {
    const notes = newConversionNotes();
    const out = convertOpenApiSchema(
      { type: 'string', pattern: '(?P<x>a' },
      notes,
    );
    expect(out.pattern).toBeUndefined();
    expect(notes.droppedPatterns).toEqual(['(?P<x>a']);
  });
});
