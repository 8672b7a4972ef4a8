import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { CrdSchemaRegistry } from '../crd';
import { KubernetesApplier, KubernetesApplyError } from '../kubernetes';
import { TestKubernetesApiServer } from './TestKubernetesApiServer';

describe('TestKubernetesApiServer with the vendored CRD schemas', () => {
  let server: TestKubernetesApiServer;

  beforeAll(async () => {
    const registry = CrdSchemaRegistry.fromDirectory();
    server = await TestKubernetesApiServer.start({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      ],
      validate: o => registry.validate(o),
    });
  });

  afterAll(async () => {
    await server.stop();
  });

  const awsCluster = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    kind: 'AWSCluster',
    metadata: { name: 'web', namespace: 'team-a' },
    spec,
  });

  it('accepts a valid AWSCluster and a Namespace (no CRD: not schema-validated)', async () => {
    const applier = KubernetesApplier.create({
      connection: server.connection(),
    });
    const result = await applier.apply(
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } },
        awsCluster({
          region: 'eu-west-1',
          identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
        }),
      ],
      { dryRun: true },
    );
    expect(result.map(r => r.created)).toEqual([true, true]);
  });

  it('rejects schema violations with 422 and the field paths', async () => {
    const applier = KubernetesApplier.create({
      connection: server.connection(),
    });
    const error = await applier
      .apply(
        [
          awsCluster({
            region: 'eu-west-1',
            identityRef: { kind: 'NotAnIdentity', name: 'x' },
          }),
        ],
        { dryRun: true },
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(KubernetesApplyError);
    expect(error.statusCode).toBe(422);
    expect(error.message).toContain('spec.identityRef.kind');
    expect(error.message).toContain('AWSCluster/team-a/web');
  });
});
