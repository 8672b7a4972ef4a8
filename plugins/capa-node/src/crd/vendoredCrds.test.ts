import fs from 'fs';
import path from 'path';
import {
  readYamlDocs,
  sharedCrdDir,
  vendoredCrdDir,
} from '../__testUtils__/crd';

/** The upstream CAPI / CAPA CRDs vendored from ../shared/crds (update this list when re-vendoring). */
const EXPECTED_CRD_FILES = [
  'bootstrap.cluster.x-k8s.io_eksconfigtemplates.yaml',
  'bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.yaml',
  'cluster.x-k8s.io_clusterclasses.yaml',
  'cluster.x-k8s.io_clusters.yaml',
  'cluster.x-k8s.io_machinedeployments.yaml',
  'cluster.x-k8s.io_machinepools.yaml',
  'controlplane.cluster.x-k8s.io_awsmanagedcontrolplanes.yaml',
  'controlplane.cluster.x-k8s.io_awsmanagedcontrolplanetemplates.yaml',
  'controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml',
  'infrastructure.cluster.x-k8s.io_awsclustercontrolleridentities.yaml',
  'infrastructure.cluster.x-k8s.io_awsclusterroleidentities.yaml',
  'infrastructure.cluster.x-k8s.io_awsclusters.yaml',
  'infrastructure.cluster.x-k8s.io_awsclusterstaticidentities.yaml',
  'infrastructure.cluster.x-k8s.io_awsclustertemplates.yaml',
  'infrastructure.cluster.x-k8s.io_awsfargateprofiles.yaml',
  'infrastructure.cluster.x-k8s.io_awsmachinepools.yaml',
  'infrastructure.cluster.x-k8s.io_awsmachinetemplates.yaml',
  'infrastructure.cluster.x-k8s.io_awsmanagedmachinepools.yaml',
];

/**
 * Vendored from CAPA's `config/crd/bases` directly (not in ../shared/crds); the README names the commit.
 * The README itself then differs from the shared one by that line.
 */
const EXTRA_CRD_FILES = [
  'infrastructure.cluster.x-k8s.io_awsmanagedclusters.yaml',
];

const sharedPresent = fs.existsSync(sharedCrdDir);

describe('vendored CRDs (plugins/capa-node/crds)', () => {
  it('has the upstream README and at least the 19 CRD files', () => {
    expect(fs.existsSync(path.join(vendoredCrdDir, 'README.md'))).toBe(true);
    expect(
      fs.readdirSync(vendoredCrdDir).filter(f => f.endsWith('.yaml')).length,
    ).toBeGreaterThanOrEqual(19);
  });

  it('holds one CustomResourceDefinition per expected file, named after it', () => {
    for (const file of [...EXPECTED_CRD_FILES, ...EXTRA_CRD_FILES]) {
      // <group>_<plural>.yaml holds the CRD <plural>.<group>
      const [group, plural] = file.replace(/\.yaml$/, '').split('_');
      const docs = readYamlDocs(path.join(vendoredCrdDir, file)).map(d => ({
        file,
        kind: d.value?.kind,
        name: d.value?.metadata?.name,
        group: d.value?.spec?.group,
        plural: d.value?.spec?.names?.plural,
      }));
      expect(docs).toEqual([
        {
          file,
          kind: 'CustomResourceDefinition',
          name: `${plural}.${group}`,
          group,
          plural,
        },
      ]);
    }
  });

  if (sharedPresent) {
    it(`equal ${sharedCrdDir} byte for byte (plus the CRDs vendored from CAPA directly)`, () => {
      const shared = fs
        .readdirSync(sharedCrdDir)
        .filter(f => f.endsWith('.yaml'))
        .sort();
      const vendored = fs.readdirSync(vendoredCrdDir).sort();
      expect(vendored).toEqual(
        ['README.md', ...shared, ...EXTRA_CRD_FILES].sort(),
      );
      for (const name of shared) {
        const a = fs.readFileSync(path.join(sharedCrdDir, name));
        const b = fs.readFileSync(path.join(vendoredCrdDir, name));
        expect({ name, equal: a.equals(b) }).toEqual({ name, equal: true });
      }
    });
  } else {
    // Without the sibling checkout no byte comparison is possible: pin the vendored set instead.
    it(`hold exactly the README and the expected CRD files (${sharedCrdDir} absent)`, () => {
      expect(fs.readdirSync(vendoredCrdDir).sort()).toEqual(
        ['README.md', ...EXPECTED_CRD_FILES, ...EXTRA_CRD_FILES].sort(),
      );
    });
  }
});
