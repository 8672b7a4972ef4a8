import { parseManifests } from './parseManifests';

describe('parseManifests', () => {
  it('splits multi-document YAML and remembers the line of each document', () => {
    const r = parseManifests(
      '# c\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n',
      'x.yaml',
    );
    expect(r.problems).toEqual([]);
    expect(
      r.objects.map(o => [o.object.metadata.name, o.location.line]),
    ).toEqual([
      ['a', 2],
      ['b', 9],
    ]);
  });
  it('names the file and line of invalid YAML', () => {
    const r = parseManifests(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: [a\n',
      'bad.yaml',
    );
    expect(r.problems[0]).toMatchObject({
      source: 'bad.yaml',
      severity: 'error',
    });
    expect(r.problems[0].line).toBeGreaterThan(0);
  });
  it('expands kind: List', () => {
    const r = parseManifests(
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n',
      'l.yaml',
    );
    expect(r.objects[0]).toMatchObject({
      object: { kind: 'Namespace' },
      location: { line: 4 },
    });
  });
});

describe('parseManifests: malformed objects', () => {
  it.each([
    ['a scalar document', 'just text', 'expected a Kubernetes object'],
    [
      'no apiVersion',
      'kind: Namespace\nmetadata: {name: a}',
      'apiVersion is missing',
    ],
    ['no kind', 'apiVersion: v1\nmetadata: {name: a}', 'kind is missing'],
    [
      'no metadata.name',
      'apiVersion: v1\nkind: Namespace\nmetadata: {}',
      'metadata.name is missing',
    ],
    [
      'labels that are a list',
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: [x]}',
      'metadata.labels is not a map',
    ],
  ])(
    'skips %s with one problem naming file, line and reason, and keeps the rest',
    (_, doc, reason) => {
      const good = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n';
      const r = parseManifests(`${good}---\n${doc}\n`, 'm.yaml');
      expect(r.objects.map(o => o.object.metadata.name)).toEqual(['ok']);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toMatchObject({
        source: 'm.yaml',
        line: 5,
        severity: 'error',
      });
      expect(r.problems[0].message).toContain(reason);
    },
  );
});
