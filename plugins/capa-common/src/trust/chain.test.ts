import { parseObjects } from '../model/objects';
import { hopsOf, resolveChain } from './chain';
import {
  controllerIdentity,
  located,
  roleIdentity,
  staticIdentity,
} from '../__testUtils__/fixtures';

const role = (n: string, src?: { kind: string; name: string } | null) =>
  roleIdentity(
    n,
    `arn:aws:iam::222222222222:role/${n}`,
    src === undefined ? {} : { sourceIdentityRef: src ?? undefined },
  );
const parse = (objs: any[]) => parseObjects(located(objs));

describe('resolveChain', () => {
  it('follows sourceIdentityRef to the controller root at any depth', () => {
    const p = parse([
      controllerIdentity(),
      role('a'),
      role('b', { kind: 'AWSClusterRoleIdentity', name: 'a' }),
      role('c', { kind: 'AWSClusterRoleIdentity', name: 'b' }),
      role('d', { kind: 'AWSClusterRoleIdentity', name: 'c' }),
    ]);
    const chain = resolveChain(p, {
      kind: 'AWSClusterRoleIdentity',
      name: 'd',
    });
    expect(chain.links.map(l => l.name)).toEqual([
      'd',
      'c',
      'b',
      'a',
      'default',
    ]);
    expect(chain.root).toBe('controller');
    expect(chain.complete).toBe(true);
    expect(hopsOf(chain).map(h => h.link.name)).toEqual(['a', 'b', 'c', 'd']);
  });
  it('ends in a static identity', () => {
    const chain = resolveChain(
      parse([
        staticIdentity('keys'),
        role('a', { kind: 'AWSClusterStaticIdentity', name: 'keys' }),
      ]),
      { kind: 'AWSClusterRoleIdentity', name: 'a' },
    );
    expect(chain.root).toBe('static');
    expect(chain.links[1]).toMatchObject({
      kind: 'AWSClusterStaticIdentity',
      secretRef: 'keys-creds',
    });
  });
  it.each([
    [
      'a two-identity cycle',
      [
        role('a', { kind: 'AWSClusterRoleIdentity', name: 'b' }),
        role('b', { kind: 'AWSClusterRoleIdentity', name: 'a' }),
      ],
      'cycle',
    ],
    [
      'a self reference',
      [role('a', { kind: 'AWSClusterRoleIdentity', name: 'a' })],
      'cycle',
    ],
    [
      'a missing source',
      [role('a', { kind: 'AWSClusterRoleIdentity', name: 'gone' })],
      'missing',
    ],
    ['no sourceIdentityRef', [role('a', null)], 'no-source'],
    [
      'an unknown kind',
      [role('a', { kind: 'Foo', name: 'x' })],
      'unknown-kind',
    ],
    [
      'a controller identity not named default',
      [
        controllerIdentity({}, 'main'),
        role('a', { kind: 'AWSClusterControllerIdentity', name: 'main' }),
      ],
      'controller-name',
    ],
  ])('reports %s', (_n, objs, kind) => {
    const chain = resolveChain(parse(objs), {
      kind: 'AWSClusterRoleIdentity',
      name: 'a',
    });
    expect(chain.problems.map(p => p.kind)).toContain(kind);
    expect(chain.complete).toBe(false);
  });
  it('terminates on a long cycle', () => {
    const objs = Array.from({ length: 200 }, (_, i) =>
      role(`r${i}`, {
        kind: 'AWSClusterRoleIdentity',
        name: `r${(i + 1) % 200}`,
      }),
    );
    const chain = resolveChain(parse(objs), {
      kind: 'AWSClusterRoleIdentity',
      name: 'r0',
    });
    expect(chain.links).toHaveLength(200);
    expect(chain.problems[0].kind).toBe('cycle');
  });
});
