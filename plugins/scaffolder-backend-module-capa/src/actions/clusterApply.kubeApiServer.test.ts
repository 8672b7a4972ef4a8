import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { CrdSchemaRegistry } from '@capa-portal/plugin-capa-node';
import {
  describeWithKubeApiServer,
  RealKubeApiServer,
  uniqueName,
} from '@capa-portal/plugin-capa-node/testing';
import { liveMgmtEu } from '../__testUtils__/actions';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaClusterApplyAction } from './clusterApply';
import { renderCluster } from './clusterRender';

const registry = CrdSchemaRegistry.fromDirectory();

/** The plural of each kind the kubeadm flavour renders (their CRDs are in crds/). */
const PLURALS: Record<string, string> = {
  AWSMachineTemplate: 'awsmachinetemplates',
  AWSCluster: 'awsclusters',
  KubeadmControlPlane: 'kubeadmcontrolplanes',
  Cluster: 'clusters',
  KubeadmConfigTemplate: 'kubeadmconfigtemplates',
  MachineDeployment: 'machinedeployments',
  AWSManagedCluster: 'awsmanagedclusters',
  AWSManagedControlPlane: 'awsmanagedcontrolplanes',
  MachinePool: 'machinepools',
  AWSManagedMachinePool: 'awsmanagedmachinepools',
};

/** A kubeadm cluster (every kind it renders has its CRD vendored) in `namespace`, under mgmt-eu's `default` controller identity. */
async function kubeadmCluster(
  namespace: string,
  name = 'web',
  flavour = 'kubeadm',
): Promise<KubeObject[]> {
  const { manifests } = await renderCluster(
    {
      name,
      namespace,
      flavour,
      region: 'eu-west-1',
      kubernetesVersion: flavour === 'kubeadm' ? 'v1.34.2' : 'v1.33',
      identityRef: { kind: 'AWSClusterControllerIdentity', name: 'default' },
      nodePools: [
        { name: 'general', instanceType: 'm6i.large', minSize: 1, maxSize: 3 },
      ],
      ...(flavour === 'kubeadm'
        ? { controlPlane: { instanceType: 'm6i.large', replicas: 1 } }
        : {}),
      writeFiles: false,
    },
    {},
  );
  return manifests;
}

/** GET of one object as the admin: its status code and body. */
function namespaceObject(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

function get(kube: RealKubeApiServer, o: KubeObject) {
  const plural = o.kind === 'Namespace' ? 'namespaces' : PLURALS[o.kind];
  return kube.request(
    'GET',
    `${kube.collectionPath(o, plural)}/${o.metadata.name}`,
  );
}

/**
 * After a rollback: every object is gone and the Namespace is being deleted. No kube-controller-manager runs
 * here, so the Namespace stays Terminating (its `kubernetes` finalizer is the namespace controller's job);
 * a real management cluster then removes it.
 */
async function expectRolledBack(
  kube: RealKubeApiServer,
  namespace: string,
  manifests: KubeObject[],
) {
  for (const o of manifests) expect((await get(kube, o)).status).toBe(404);
  const ns = await get(kube, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
  if (ns.status !== 404) {
    expect(ns.status).toBe(200);
    expect(ns.body.metadata.deletionTimestamp).toEqual(expect.any(String));
    expect(ns.body.status.phase).toBe('Terminating');
  }
}

describeWithKubeApiServer(
  'capa:cluster:apply against a real kube-apiserver',
  kube => {
    const api = fakeFleetApi();
    const action = () =>
      createCapaClusterApplyAction({
        api,
        registry,
        getManagementClusters: async () => [liveMgmtEu(kube())],
      });
    async function run(manifests: KubeObject[]) {
      const ctx = createMockActionContext({
        input: { managementCluster: 'mgmt-eu', manifests } as any,
      });
      await action().handler(ctx as any);
      return ctx;
    }

    it('kube-apiserver: creates the Namespace, passes the real dry run, applies every object server-side, and a second run changes nothing', async () => {
      const namespace = uniqueName('apply');
      const manifests = await kubeadmCluster(namespace);
      const ctx = await run(manifests);
      expect(ctx.output).toHaveBeenCalledWith('namespaceCreated', true);
      for (const o of manifests) {
        const r = await get(kube(), o);
        expect(r.status).toBe(200);
        // Stored by server-side apply, owned by the scaffolder's field manager.
        expect(r.body.metadata.managedFields).toContainEqual(
          expect.objectContaining({
            manager: 'capa-portal-scaffolder',
            operation: 'Apply',
          }),
        );
      }
      const cluster = await get(
        kube(),
        manifests.find(o => o.kind === 'Cluster')!,
      );
      expect(cluster.body.spec.infrastructureRef).toEqual(
        manifests.find(o => o.kind === 'Cluster')!.spec.infrastructureRef,
      );

      const again = await run(manifests);
      expect(again.output).toHaveBeenCalledWith('namespaceCreated', false);
      // Every object already existed: applied again, none created.
      const applied = (again.output as jest.Mock).mock.calls.find(
        ([name]) => name === 'applied',
      )![1];
      expect(applied.map((a: { object: string }) => a.object).sort()).toEqual(
        manifests.map(o => `${o.kind}/${namespace}/${o.metadata.name}`).sort(),
      );
      expect(applied.every((a: { created: boolean }) => !a.created)).toBe(true);
    });

    it("kube-apiserver: the CRD's CEL rule refuses a carrierGatewayId, with the message our validation gives too; nothing is sent", async () => {
      const namespace = uniqueName('cel');
      const manifests = await kubeadmCluster(namespace);
      const awsCluster = manifests.find(o => o.kind === 'AWSCluster')!;
      // CAPA's AWSCluster CRD: spec.network.vpc.carrierGatewayId has
      // x-kubernetes-validations `self.startsWith('cagw-')`, message "Carrier Gateway ID must start with 'cagw-'".
      awsCluster.spec.network = {
        vpc: { carrierGatewayId: 'igw-0123456789abcdef0' },
      };
      // capa-node evaluates the CRD's CEL rules as the API server does: the same rule, the same message.
      const ours = registry.validate(awsCluster);
      expect(ours.ok).toBe(false);
      expect(ours.ok ? [] : ours.errors).toContainEqual(
        expect.objectContaining({
          path: 'spec.network.vpc.carrierGatewayId',
          message: expect.stringContaining(
            "Carrier Gateway ID must start with 'cagw-'",
          ),
        }),
      );

      // The action refuses before it sends anything: not even the Namespace is created.
      const error = await run(manifests).catch(e => e);
      expect(error.name).toBe('InputError');
      expect(error.message).toContain('failed CRD schema validation');
      expect(error.message).toContain(
        `AWSCluster/${namespace}/web: spec.network.vpc.carrierGatewayId`,
      );
      expect((await get(kube(), namespaceObject(namespace))).status).toBe(404);

      // The real server refuses the same object by the same rule (a create with dryRun=All).
      await kube().create([namespaceObject(namespace)]);
      const server = await kube().request(
        'POST',
        `${kube().collectionPath(awsCluster, 'awsclusters')}?dryRun=All`,
        awsCluster,
      );
      expect(server.status).toBe(422);
      expect(server.body.message).toContain(
        'spec.network.vpc.carrierGatewayId',
      );
      expect(server.body.message).toContain(
        "Carrier Gateway ID must start with 'cagw-'",
      );
      expect((await get(kube(), awsCluster)).status).toBe(404);
    });

    it('kube-apiserver: a refusal of the real apply after a passing dry run deletes what this run created', async () => {
      const namespace = uniqueName('rollback');
      const manifests = await kubeadmCluster(namespace);
      // A ValidatingAdmissionPolicy (CEL, admissionregistration.k8s.io/v1) that lets dry runs through and
      // refuses the real creation of MachineDeployments in this namespace: the last object applied.
      const policy = `freeze-${namespace}`;
      const message = `machine deployments in ${namespace} are frozen`;
      await kube().create([
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingAdmissionPolicy',
          metadata: { name: policy },
          spec: {
            failurePolicy: 'Fail',
            matchConstraints: {
              resourceRules: [
                {
                  apiGroups: ['cluster.x-k8s.io'],
                  apiVersions: ['*'],
                  operations: ['CREATE', 'UPDATE'],
                  resources: ['machinedeployments'],
                },
              ],
            },
            validations: [
              {
                expression: `(has(request.dryRun) && request.dryRun) || !(object.metadata.namespace in ['${namespace}', '${namespace}-probe'])`,
                message,
              },
            ],
          },
        },
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingAdmissionPolicyBinding',
          metadata: { name: policy },
          spec: { policyName: policy, validationActions: ['Deny'] },
        },
      ] as KubeObject[]);
      await waitForPolicy(kube(), namespace, manifests, message);

      const error = await run(manifests).catch(e => e);
      expect(error.message).toContain('apply on mgmt-eu failed');
      expect(error.message).toContain(message);
      const applyOrder = [
        'AWSMachineTemplate',
        'KubeadmConfigTemplate',
        'AWSCluster',
        'KubeadmControlPlane',
        'Cluster',
      ];
      const createdBefore = applyOrder.flatMap(kind =>
        manifests
          .filter(o => o.kind === kind)
          .map(o => `${kind}/${namespace}/${o.metadata.name}`),
      );
      expect(error.message).toContain(
        `Rolled back what this run created: ${[...createdBefore]
          .reverse()
          .join(', ')}, Namespace/${namespace}`,
      );
      await expectRolledBack(kube(), namespace, manifests);
    });

    it('kube-apiserver: the EKS flavour applies, AWSManagedCluster served from the vendored CRD', async () => {
      const namespace = uniqueName('eks');
      const manifests = await kubeadmCluster(namespace, 'web', 'eks');
      const { output } = await run(manifests);
      expect(output).toHaveBeenCalledWith('namespaceCreated', true);
      for (const kind of ['AWSManagedCluster', 'AWSManagedControlPlane']) {
        const object = manifests.find(o => o.kind === kind)!;
        expect(object).toBeDefined();
        const stored = await get(kube(), object);
        expect(stored.body.kind).toBe(kind);
      }
    });
  },
);

/**
 * Admission policies take effect once the API server's informer has them. Probes with a real create of the
 * rendered MachineDeployment in `<namespace>-probe` (which the policy also names) until the server refuses it
 * with the policy's message; a probe created before that is deleted again.
 */
async function waitForPolicy(
  kube: RealKubeApiServer,
  namespace: string,
  manifests: KubeObject[],
  message: string,
) {
  const md = manifests.find(o => o.kind === 'MachineDeployment')!;
  const probe = {
    ...md,
    metadata: { ...md.metadata, namespace: `${namespace}-probe` },
  };
  await kube.create([
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: probe.metadata.namespace },
    },
  ]);
  const collection = kube.collectionPath(probe, 'machinedeployments');
  for (let attempt = 0; attempt < 200; attempt++) {
    const r = await kube.request('POST', collection, probe);
    if (r.status === 201)
      await kube.request('DELETE', `${collection}/${probe.metadata.name}`);
    else if (String(r.body?.message ?? '').includes(message)) return;
    else throw new Error(`probe create: HTTP ${r.status} ${r.body?.message}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(
    `ValidatingAdmissionPolicy for ${namespace} never took effect`,
  );
}
