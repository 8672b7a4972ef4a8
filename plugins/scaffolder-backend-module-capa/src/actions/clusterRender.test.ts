import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { CrdSchemaRegistry } from '@capa-portal/plugin-capa-node';
import fs from 'fs';
import path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { createCapaClusterRenderAction, renderCluster } from './clusterRender';

const registry = CrdSchemaRegistry.fromDirectory();

const base = {
  name: 'web',
  namespace: 'staging',
  region: 'eu-west-1',
  kubernetesVersion: 'v1.33',
  identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging-identity' },
  owner: 'group:default/payments-team',
  system: 'payments',
};

describe('capa:cluster:render', () => {
  const workspace = createMockDirectory();
  beforeEach(() => workspace.clear());

  it('renders an EKS cluster: Cluster, AWSManagedCluster, AWSManagedControlPlane, MachinePool + AWSManagedMachinePool, all v1beta2 and schema-valid', async () => {
    const result = await renderCluster(
      {
        ...base,
        flavour: 'eks',
        nodePools: [
          {
            name: 'general',
            instanceType: 'm6i.xlarge',
            minSize: 2,
            maxSize: 5,
          },
        ],
        tags: { team: 'payments' },
      },
      { workspacePath: workspace.path },
    );
    expect(result.objects).toEqual([
      'AWSManagedCluster/staging/web',
      'AWSManagedControlPlane/staging/web-control-plane',
      'Cluster/staging/web',
      'AWSManagedMachinePool/staging/web-general',
      'MachinePool/staging/web-general',
    ]);
    const byKind = Object.fromEntries(result.manifests.map(m => [m.kind, m]));
    expect(byKind.Cluster.apiVersion).toBe('cluster.x-k8s.io/v1beta2');
    expect(byKind.Cluster.metadata.annotations).toEqual({
      'capa-portal.io/owner': 'group:default/payments-team',
      'capa-portal.io/system': 'payments',
    });
    expect(byKind.Cluster.spec.controlPlaneRef).toEqual({
      apiGroup: 'controlplane.cluster.x-k8s.io',
      kind: 'AWSManagedControlPlane',
      name: 'web-control-plane',
    });
    expect(byKind.AWSManagedControlPlane.apiVersion).toBe(
      'controlplane.cluster.x-k8s.io/v1beta2',
    );
    expect(byKind.AWSManagedControlPlane.spec).toMatchObject({
      identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging-identity' },
      region: 'eu-west-1',
      version: 'v1.33',
      additionalTags: { team: 'payments' },
    });
    expect(byKind.AWSManagedMachinePool.spec.scaling).toEqual({
      minSize: 2,
      maxSize: 5,
    });
    const verdicts = result.manifests.map(m => {
      const r = registry.validate(m);
      return `${m.kind}: ${r.ok ? 'ok' : r.reason ?? 'invalid'}`;
    });
    expect(verdicts).toEqual([
      'AWSManagedCluster: ok',
      'AWSManagedControlPlane: ok',
      'Cluster: ok',
      'AWSManagedMachinePool: ok',
      'MachinePool: ok',
    ]);
    // the file holds exactly the manifests
    expect(result.files).toEqual(['clusters/staging/web.yaml']);
    const text = fs.readFileSync(
      path.join(workspace.path, 'clusters/staging/web.yaml'),
      'utf8',
    );
    expect(parseAllDocuments(text).map(d => d.toJS())).toEqual(
      result.manifests,
    );
    expect(text).not.toContain('&'); // no YAML anchors
  });

  it('renders a kubeadm cluster with the CAPI v1beta2 refs and autoscaler bounds', async () => {
    const result = await renderCluster(
      {
        ...base,
        flavour: 'kubeadm',
        kubernetesVersion: '1.34.2',
        nodePools: [
          { name: 'md-0', instanceType: 'm6i.2xlarge', minSize: 1, maxSize: 3 },
        ],
        controlPlane: { instanceType: 'm6i.large', replicas: 1 },
      },
      { workspacePath: workspace.path },
    );
    expect(result.manifests.map(m => m.kind)).toEqual([
      'AWSMachineTemplate',
      'AWSCluster',
      'KubeadmControlPlane',
      'Cluster',
      'AWSMachineTemplate',
      'KubeadmConfigTemplate',
      'MachineDeployment',
    ]);
    for (const m of result.manifests)
      expect(registry.validate(m)).toMatchObject({ ok: true });
    const aws = result.manifests.find(m => m.kind === 'AWSCluster')!;
    expect(aws.spec.identityRef).toEqual({
      kind: 'AWSClusterRoleIdentity',
      name: 'staging-identity',
    });
    const md = result.manifests.find(m => m.kind === 'MachineDeployment')!;
    expect(md.spec.replicas).toBe(1);
    expect(md.metadata.annotations).toEqual({
      'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size': '1',
      'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size': '3',
    });
    expect(md.spec.template.spec.infrastructureRef).toEqual({
      apiGroup: 'infrastructure.cluster.x-k8s.io',
      kind: 'AWSMachineTemplate',
      name: 'web-md-0',
    });
    const kcp = result.manifests.find(m => m.kind === 'KubeadmControlPlane')!;
    expect(kcp.spec.version).toBe('v1.34.2');
  });

  it('puts a generated identity first and checks it matches identityRef and admits the namespace', async () => {
    const identityManifest = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSClusterRoleIdentity',
      metadata: { name: 'staging-b' },
      spec: {
        allowedNamespaces: { list: ['staging'] },
        roleARN:
          'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
        sourceIdentityRef: {
          kind: 'AWSClusterControllerIdentity',
          name: 'default',
        },
      },
    };
    const result = await renderCluster(
      {
        ...base,
        identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging-b' },
        identityManifest,
      },
      { workspacePath: workspace.path },
    );
    expect(result.objects[0]).toBe('AWSClusterRoleIdentity/staging-b');

    const wrongNs = {
      ...identityManifest,
      spec: { ...identityManifest.spec, allowedNamespaces: { list: ['live'] } },
    };
    await expect(
      renderCluster(
        {
          ...base,
          identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging-b' },
          identityManifest: wrongNs,
        },
        { workspacePath: workspace.path },
      ),
    ).rejects.toThrow(
      /identityManifest: its allowedNamespaces does not admit namespace staging/,
    );
  });

  it('rejects objects that fail the CRD schema with their field paths and writes nothing', async () => {
    // A registry whose AWSManagedControlPlane demands a field we never set: schema errors must surface with paths.
    const strict = {
      validate: (o: any) =>
        o.kind === 'AWSManagedControlPlane'
          ? {
              ok: false as const,
              errors: [{ path: 'spec.roleName', message: 'is required' }],
            }
          : registry.validate(o),
    } as unknown as CrdSchemaRegistry;
    const error = await renderCluster(
      { ...base },
      { workspacePath: workspace.path, registry: strict },
    ).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      'AWSManagedControlPlane/staging/web-control-plane: spec.roleName: is required',
    );
    expect(workspace.content()).toEqual({});
  });

  it('refuses a render whose object breaks a CRD CEL rule, naming the rule message and the field, and writes nothing', async () => {
    // The vendored KubeadmControlPlane CRD says kubeletExtraArgs names must be unique (a CEL rule).
    const crd = parse(
      fs.readFileSync(
        path.join(
          CrdSchemaRegistry.defaultDirectory(),
          'controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml',
        ),
        'utf8',
      ),
      { maxAliasCount: -1 },
    );
    const v1beta2 = crd.spec.versions.find((v: any) => v.name === 'v1beta2');
    const [rule] =
      v1beta2.schema.openAPIV3Schema.properties.spec.properties
        .kubeadmConfigSpec.properties.initConfiguration.properties
        .nodeRegistration.properties.kubeletExtraArgs[
        'x-kubernetes-validations'
      ];
    const input = {
      ...base,
      flavour: 'kubeadm',
      kubernetesVersion: 'v1.33.6',
      controlPlane: { instanceType: 'm6i.large', replicas: 1 },
    };
    // a distinct flag renders
    await expect(
      renderCluster(
        {
          ...input,
          kubeletExtraArgs: [{ name: 'node-labels', value: 'tier=web' }],
        },
        {},
      ),
    ).resolves.toBeDefined();
    // cloud-provider is already set by the render: a second one breaks the rule
    const error = await renderCluster(
      {
        ...input,
        kubeletExtraArgs: [{ name: 'cloud-provider', value: 'aws' }],
      },
      { workspacePath: workspace.path },
    ).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      `KubeadmControlPlane/staging/web-control-plane: spec.kubeadmConfigSpec.initConfiguration.nodeRegistration.kubeletExtraArgs: Invalid value: ${rule.message}`,
    );
    expect(workspace.content()).toEqual({});
  });

  it('rejects min > max, an even control plane, and a kubeadm version without patch, all at once', async () => {
    const error = await renderCluster(
      {
        ...base,
        flavour: 'kubeadm',
        kubernetesVersion: 'v1.33',
        controlPlane: { replicas: 2 },
        nodePools: [
          { name: 'md-0', instanceType: 'm6i.large', minSize: 5, maxSize: 2 },
        ],
      },
      { workspacePath: workspace.path },
    ).catch(e => e);
    expect(error.message).toContain(
      'nodePools[0].minSize: 5 is greater than maxSize 2',
    );
    expect(error.message).toContain(
      'controlPlane.replicas: 2: use an odd number',
    );
    expect(error.message).toContain('kubeadm clusters need a patch version');
    expect(workspace.content()).toEqual({});
  });

  it('rejects derived names over the limits (EKS node group names)', async () => {
    const name = 'a'.repeat(40);
    const error = await renderCluster(
      {
        ...base,
        name,
        nodePools: [
          {
            name: 'b'.repeat(30),
            instanceType: 'm6i.large',
            minSize: 1,
            maxSize: 2,
          },
        ],
      },
      { workspacePath: workspace.path },
    ).catch(e => e);
    expect(error.message).toMatch(
      /nodePools\[0\]\.name: a+-b+ \(cluster name \+ pool name\) is 71 characters; at most 63/,
    );
  });

  it('outputs manifests, yaml, files and objects from the action', async () => {
    const action = createCapaClusterRenderAction();
    const ctx = createMockActionContext({
      input: { ...base, writeFiles: false },
      workspacePath: workspace.path,
    });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('files', []);
    expect(ctx.output).toHaveBeenCalledWith(
      'yaml',
      expect.stringContaining('kind: AWSManagedControlPlane'),
    );
    expect(workspace.content()).toEqual({});
  });
});
