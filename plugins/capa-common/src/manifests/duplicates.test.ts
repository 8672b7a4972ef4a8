/*
 * Expected values from how the tools that apply a GitOps folder treat an object defined twice:
 * - `kubectl apply -f` applies the documents in order, so the cluster keeps the last definition;
 * - the API server identifies an object by group, kind, namespace and name (not version), and ignores the
 *   namespace of a cluster-scoped object (AWSCluster*Identity are cluster-scoped: CAPA's CRDs, scope: Cluster);
 * - kustomize (and Flux, which builds with it) refuses "may not add resource with an already registered id".
 */
import type { KubeObject, LocatedObject } from '../types';
import { dropDuplicateObjects } from './duplicates';

const INFRA = 'infrastructure.cluster.x-k8s.io';
const at = (object: KubeObject, source: string, line = 1): LocatedObject => ({
  object,
  location: { source, line },
});
const roleIdentity = (
  roleARN: string,
  version = 'v1beta2',
  namespace?: string,
) =>
  ({
    apiVersion: `${INFRA}/${version}`,
    kind: 'AWSClusterRoleIdentity',
    metadata: { name: 'staging', ...(namespace ? { namespace } : {}) },
    spec: { roleARN },
  } as KubeObject);
const awsCluster = (namespace: string | undefined, region: string) =>
  ({
    apiVersion: `${INFRA}/v1beta2`,
    kind: 'AWSCluster',
    metadata: { name: 'web', ...(namespace ? { namespace } : {}) },
    spec: { region },
  } as KubeObject);

describe('dropDuplicateObjects: an object defined twice keeps its last definition, as kubectl apply -f does', () => {
  it("keeps the later file's definition and reports the earlier one, naming both places", () => {
    const first = at(
      roleIdentity('arn:aws:iam::222222222222:role/a'),
      'clusters/a.yaml',
      3,
    );
    const second = at(
      roleIdentity('arn:aws:iam::222222222222:role/b'),
      'clusters/b.yaml',
      7,
    );
    const r = dropDuplicateObjects([first, second]);
    expect(r.objects).toEqual([second]);
    expect(r.problems).toEqual([
      expect.objectContaining({
        source: 'clusters/a.yaml',
        line: 3,
        object: 'AWSClusterRoleIdentity/staging',
        severity: 'error',
      }),
    ]);
    expect(r.problems[0].message).toContain(
      'defined again at clusters/b.yaml:7',
    );
    expect(r.problems[0].message).toContain('kustomize and Flux refuse');
  });

  it('treats two API versions of one kind as the same object (the API server stores one)', () => {
    const older = at(
      roleIdentity('arn:aws:iam::222222222222:role/a', 'v1beta1'),
      'a.yaml',
    );
    const newer = at(
      roleIdentity('arn:aws:iam::222222222222:role/b', 'v1beta2'),
      'b.yaml',
    );
    expect(dropDuplicateObjects([older, newer]).objects).toEqual([newer]);
  });

  it('ignores a namespace written on a cluster-scoped identity', () => {
    const a = at(
      roleIdentity(
        'arn:aws:iam::222222222222:role/a',
        'v1beta2',
        'capa-system',
      ),
      'a.yaml',
    );
    const b = at(roleIdentity('arn:aws:iam::222222222222:role/b'), 'b.yaml');
    expect(dropDuplicateObjects([a, b]).objects).toEqual([b]);
  });

  it('keeps namespaced objects of the same name in different namespaces apart', () => {
    const objects = [
      at(awsCluster('team-a', 'eu-west-1'), 'a.yaml'),
      at(awsCluster('team-b', 'eu-west-1'), 'b.yaml'),
    ];
    const r = dropDuplicateObjects(objects);
    expect(r.objects).toEqual(objects);
    expect(r.problems).toEqual([]);
  });

  it('reads a namespaced object without a namespace as in `default`, as the engine does', () => {
    const a = at(awsCluster(undefined, 'eu-west-1'), 'a.yaml');
    const b = at(awsCluster('default', 'us-east-1'), 'b.yaml');
    const r = dropDuplicateObjects([a, b]);
    expect(r.objects).toEqual([b]);
    expect(r.problems[0].object).toBe('AWSCluster/web');
  });

  it('within one file, the later document wins; three definitions leave two problems, each naming the winner', () => {
    const docs = [1, 11, 21].map((line, i) =>
      at(awsCluster('team-a', `eu-west-${i + 1}`), 'all.yaml', line),
    );
    const r = dropDuplicateObjects(docs);
    expect(r.objects).toEqual([docs[2]]);
    expect(
      r.problems.map(p => [p.line, p.message.includes('all.yaml:21')]),
    ).toEqual([
      [1, true],
      [11, true],
    ]);
  });

  it('returns the list untouched when nothing is defined twice', () => {
    const objects = [
      at(roleIdentity('arn:aws:iam::222222222222:role/a'), 'a.yaml'),
    ];
    expect(dropDuplicateObjects(objects).objects).toBe(objects);
  });
});
