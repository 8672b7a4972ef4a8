/*
 * The templates this package ships (templates/): well-formed, every ${{ parameters.x }} names a parameter, every step uses a
 * capa action (or a standard publish action), and the render-only path runs end to end against the demo fleet.
 */
import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { CrdSchemaRegistry } from '@capa-portal/plugin-capa-node';
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import {
  createCapaAccountBootstrapAction,
  createCapaClusterRenderAction,
  createCapaIdentityResolveAction,
} from './actions';
import { fakeFleetApi } from './__testUtils__/demoFleet';

const TEMPLATES = path.resolve(__dirname, '../templates');
const load = (name: string) =>
  parse(fs.readFileSync(path.join(TEMPLATES, name, 'template.yaml'), 'utf8'));

function parameterNames(template: any): Set<string> {
  const names = new Set<string>();
  const visit = (schema: any) => {
    for (const k of Object.keys(schema?.properties ?? {})) names.add(k);
    for (const alt of schema?.dependencies
      ? Object.values(schema.dependencies)
      : [])
      for (const o of (alt as any).oneOf ?? []) visit(o);
  };
  for (const page of template.spec.parameters) visit(page);
  return names;
}

describe.each(['create-workload-cluster', 'onboard-aws-account'])(
  'template %s',
  name => {
    const template = load(name);

    it('is a v1beta3 Template whose expressions name real parameters and steps', () => {
      expect(template.apiVersion).toBe('scaffolder.backstage.io/v1beta3');
      expect(template.kind).toBe('Template');
      const params = parameterNames(template);
      const steps = new Set(template.spec.steps.map((s: any) => s.id));
      const text = JSON.stringify(template.spec);
      for (const [, p] of text.matchAll(/parameters\.([A-Za-z]+)/g))
        expect(params).toContain(p);
      for (const [, s] of text.matchAll(/steps\.([A-Za-z]+)\.output/g))
        expect(steps).toContain(s);
      for (const step of template.spec.steps) {
        expect([
          'capa:identity:resolve',
          'capa:cluster:render',
          'capa:cluster:apply',
          'capa:account:bootstrap',
          'capa:trust:verify',
          'publish:github:pull-request',
        ]).toContain(step.action);
      }
    });
  },
);

describe('render-only runs against the demo fleet', () => {
  const workspace = createMockDirectory();
  const registry = CrdSchemaRegistry.fromDirectory();

  it('create-workload-cluster: resolve then render produce CRD-valid manifests with the right identityRef', async () => {
    const template = load('create-workload-cluster');
    const defaults = template.spec.parameters[1].properties;
    const api = fakeFleetApi();
    const resolve = createMockActionContext({
      input: {
        managementCluster: 'mgmt-eu',
        accountId: '222222222222',
        namespace: 'staging',
        createIfMissing: true,
      },
      workspacePath: workspace.path,
    });
    await createCapaIdentityResolveAction({ api }).handler(resolve as any);
    const out = Object.fromEntries((resolve.output as jest.Mock).mock.calls);
    const render = createMockActionContext({
      input: {
        name: 'web',
        namespace: 'staging',
        flavour: defaults.flavour.default,
        region: defaults.region.default,
        kubernetesVersion: defaults.kubernetesVersion.default,
        nodePools: defaults.nodePools.default,
        identityRef: out.identityRef,
        identityManifest: out.identityManifest,
        owner: 'group:default/payments-team',
        outputPath: 'clusters/mgmt-eu/staging/web.yaml',
      },
      workspacePath: workspace.path,
    });
    await createCapaClusterRenderAction().handler(render as any);
    const manifests = (render.output as jest.Mock).mock.calls.find(
      c => c[0] === 'manifests',
    )![1];
    const cp = manifests.find((m: any) => m.kind === 'AWSManagedControlPlane');
    expect(cp.spec.identityRef).toEqual({
      kind: 'AWSClusterRoleIdentity',
      name: 'staging-identity',
    });
    expect(cp.spec.version).toBe('v1.33');
    const invalid = manifests.filter((m: any) => !registry.validate(m).ok);
    expect(invalid).toEqual([]);
    expect(
      fs.existsSync(
        path.join(workspace.path, 'clusters/mgmt-eu/staging/web.yaml'),
      ),
    ).toBe(true);
  });

  it('onboard-aws-account: bootstrap generates the files', async () => {
    const ctx = createMockActionContext({
      input: {
        accountId: '123456789012',
        accountName: 'new',
        managementCluster: 'mgmt-eu',
        namingConvention: 'controllers',
        allowedNamespaces: ['new'],
        writeFiles: true,
        outputDir: 'accounts/123456789012',
      },
      workspacePath: workspace.path,
    });
    await createCapaAccountBootstrapAction({ api: fakeFleetApi() }).handler(
      ctx as any,
    );
    expect(
      fs.existsSync(
        path.join(workspace.path, 'accounts/123456789012/trust-policy.json'),
      ),
    ).toBe(true);
  });
});
