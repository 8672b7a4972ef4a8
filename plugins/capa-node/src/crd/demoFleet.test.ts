/*
 * examples/demo-fleet must be what it claims: every object in a served version validates against the vendored
 * CRDs, the DKP-era v1alpha3 objects are recognised as unserved (and not validated), and the fleet is coherent
 * (references resolve, files named by fleet.yaml exist, README covers every account and cluster).
 */
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { CrdSchemaRegistry } from './CrdSchemaRegistry';
import {
  demoFleetDir,
  describeObject,
  listFiles,
  readYamlDocs,
  YamlDoc,
} from '../__testUtils__/crd';

const registry = CrdSchemaRegistry.fromDirectory();

/** Kinds the demo fleet uses that have no vendored CRD (the caller decides what they mean). */
// AWSManagedCluster has a vendored CRD (crds/README.md) and is validated like the rest.
const KINDS_WITHOUT_CRD = new Set(['Namespace']);
const UNSERVED_VERSIONS = /\/(v1alpha[1-4])$/;
const IDENTITY_KINDS = new Set([
  'AWSClusterControllerIdentity',
  'AWSClusterRoleIdentity',
  'AWSClusterStaticIdentity',
]);

const fleet = parse(
  fs.readFileSync(path.join(demoFleetDir, 'fleet.yaml'), 'utf8'),
);

function objectsOf(manifests: string): YamlDoc[] {
  return listFiles(path.join(demoFleetDir, manifests)).flatMap(readYamlDocs);
}

const byMgmt: Record<string, YamlDoc[]> = Object.fromEntries(
  fleet.managementClusters.map((m: any) => [m.name, objectsOf(m.manifests)]),
);
const allDocs = Object.values(byMgmt).flat();

describe('examples/demo-fleet', () => {
  it('fleet.yaml has the docs/contracts.md §5 shape and every file it names exists', () => {
    expect(fleet.managementClusters.length).toBeGreaterThanOrEqual(2);
    expect(
      new Set(fleet.managementClusters.map((m: any) => m.accountId)).size,
    ).toBe(fleet.managementClusters.length);
    for (const m of fleet.managementClusters) {
      expect(m).toEqual(
        expect.objectContaining({
          name: expect.any(String),
          accountId: expect.stringMatching(/^\d{12}$/),
          controllerPrincipalArn: expect.stringMatching(
            new RegExp(`^arn:aws:iam::${m.accountId}:role/`),
          ),
          manifests: expect.any(String),
          iamConfiguration: expect.any(String),
        }),
      );
      expect(
        fs.statSync(path.join(demoFleetDir, m.manifests)).isDirectory(),
      ).toBe(true);
    }
    const targets = fleet.accounts.filter((a: any) => a.tier !== 'management');
    expect(targets.length).toBeGreaterThanOrEqual(6);
    for (const a of fleet.accounts) {
      expect(a).toEqual(
        expect.objectContaining({
          accountId: expect.stringMatching(/^\d{12}$/),
          name: expect.any(String),
          tier: expect.any(String),
          iamConfiguration: expect.any(String),
        }),
      );
    }
    const iamFiles = [...fleet.managementClusters, ...fleet.accounts].map(
      (x: any) => x.iamConfiguration,
    );
    for (const file of new Set(iamFiles)) {
      const iam = parse(
        fs.readFileSync(path.join(demoFleetDir, file as string), 'utf8'),
      );
      expect({ file, apiVersion: iam.apiVersion, kind: iam.kind }).toEqual({
        file,
        apiVersion: 'bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'AWSIAMConfiguration',
      });
    }
  });

  it('every object in a served version validates against the CRDs', () => {
    const failures: string[] = [];
    let validated = 0;
    for (const { file, line, value } of allDocs) {
      if (UNSERVED_VERSIONS.test(value.apiVersion)) continue;
      const result = registry.validate(value);
      const where = `${path.relative(
        demoFleetDir,
        file,
      )}:${line} ${describeObject(value)}`;
      if (KINDS_WITHOUT_CRD.has(value.kind)) {
        if (!(result.ok === false && result.reason === 'unknown-kind')) {
          failures.push(`${where}: expected unknown-kind`);
        }
        continue;
      }
      if (!result.ok) {
        failures.push(
          `${where}: ${result.reason ?? ''} ${result.errors
            .map(e => `${e.path}: ${e.message}`)
            .join('; ')}`,
        );
      } else {
        validated++;
      }
    }
    expect(failures).toEqual([]);
    expect(validated).toBeGreaterThan(80);
  });

  it('recognises the v1alpha3 (DKP) objects as unserved and does not validate them', () => {
    const old = allDocs.filter(d => UNSERVED_VERSIONS.test(d.value.apiVersion));
    expect(old.map(d => d.value.kind).sort()).toEqual(
      expect.arrayContaining([
        'AWSCluster',
        'AWSClusterRoleIdentity',
        'Cluster',
      ]),
    );
    for (const { value } of old) {
      expect(registry.isKnownKind(value.apiVersion, value.kind)).toBe(true);
      const result = registry.validate(value);
      expect({ object: describeObject(value), result }).toEqual({
        object: describeObject(value),
        result: expect.objectContaining({
          ok: false,
          reason: 'unserved-version',
        }),
      });
    }
  });

  it('shows the mix the demo promises', () => {
    const clusters = allDocs
      .map(d => d.value)
      .filter(o => o.kind === 'Cluster');
    expect(clusters.length).toBeGreaterThanOrEqual(10);
    expect(new Set(clusters.map(c => c.apiVersion))).toEqual(
      new Set([
        'cluster.x-k8s.io/v1beta2',
        'cluster.x-k8s.io/v1beta1',
        'cluster.x-k8s.io/v1alpha3',
      ]),
    );
    expect(new Set(clusters.map(c => c.status?.phase))).toEqual(
      new Set(['Provisioned', 'Provisioning', 'Failed', 'Deleting']),
    );
    const controlPlaneKinds = new Set(
      clusters.map(c => c.spec.controlPlaneRef.kind),
    );
    expect(controlPlaneKinds).toEqual(
      new Set(['AWSManagedControlPlane', 'KubeadmControlPlane']),
    );
    for (const c of clusters) {
      expect(c.metadata.annotations).toEqual(
        expect.objectContaining({
          'capa-portal.io/owner': expect.stringMatching(/^group:default\//),
          'capa-portal.io/system': expect.any(String),
        }),
      );
    }
    const versions = allDocs
      .map(d => d.value)
      .filter(
        o =>
          o.kind === 'AWSManagedControlPlane' ||
          o.kind === 'KubeadmControlPlane',
      )
      .map(o => /^v?(1\.\d+)/.exec(o.spec.version)?.[1]);
    expect(new Set(versions)).toEqual(
      new Set(['1.31', '1.32', '1.33', '1.34']),
    );
  });

  it('is coherent: references resolve within each management cluster', () => {
    const problems: string[] = [];
    const accounts = new Set(fleet.accounts.map((a: any) => a.accountId));
    // The one deliberate exception: an identity left behind for an account Organizations lists as SUSPENDED
    // (aws-organization.yaml), which the onboarding gaps show.
    const organization = parse(
      fs.readFileSync(path.join(demoFleetDir, fleet.organization), 'utf8'),
    );
    for (const a of organization.accounts)
      if (a.status === 'SUSPENDED') accounts.add(a.accountId);
    for (const [mgmt, docs] of Object.entries(byMgmt)) {
      const objs = docs.map(d => d.value);
      const find = (kind: string, name: string, namespace?: string) =>
        objs.find(
          o =>
            o.kind === kind &&
            o.metadata.name === name &&
            (namespace === undefined || o.metadata.namespace === namespace),
        );
      const namespaces = new Set(
        objs.filter(o => o.kind === 'Namespace').map(o => o.metadata.name),
      );
      for (const o of objs) {
        const where = `${mgmt}: ${describeObject(o)}`;
        if (IDENTITY_KINDS.has(o.kind)) {
          if (o.metadata.namespace)
            problems.push(`${where}: identity has a namespace`);
          if (o.spec.roleARN) {
            const account = /^arn:aws:iam::(\d{12}):role\//.exec(
              o.spec.roleARN,
            )?.[1];
            if (!accounts.has(account))
              problems.push(`${where}: account ${account} not in fleet.yaml`);
          }
          const src = o.spec.sourceIdentityRef;
          if (
            o.kind === 'AWSClusterRoleIdentity' &&
            !find(src?.kind, src?.name)
          ) {
            problems.push(`${where}: source ${src?.kind}/${src?.name} missing`);
          }
          continue;
        }
        if (o.kind === 'Namespace') continue;
        if (!namespaces.has(o.metadata.namespace)) {
          problems.push(
            `${where}: namespace ${o.metadata.namespace} has no Namespace object`,
          );
        }
        if (o.kind === 'Cluster') {
          for (const ref of [
            o.spec.infrastructureRef,
            o.spec.controlPlaneRef,
          ]) {
            if (!find(ref.kind, ref.name, o.metadata.namespace)) {
              problems.push(`${where}: ${ref.kind}/${ref.name} missing`);
            }
          }
        }
        if (o.kind === 'AWSCluster' || o.kind === 'AWSManagedControlPlane') {
          const ref = o.spec.identityRef ?? {
            kind: 'AWSClusterControllerIdentity',
            name: 'default',
          };
          if (!find(ref.kind, ref.name))
            problems.push(`${where}: identity ${ref.kind}/${ref.name} missing`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('README names every account and cluster', () => {
    const readme = fs.readFileSync(
      path.join(demoFleetDir, 'README.md'),
      'utf8',
    );
    for (const a of fleet.accounts) expect(readme).toContain(a.accountId);
    for (const c of allDocs
      .map(d => d.value)
      .filter(o => o.kind === 'Cluster')) {
      expect(readme).toContain(`${c.metadata.namespace}/${c.metadata.name}`);
    }
  });
});
