import fc from 'fast-check';
import { ListBodyParser } from './ListBodyParser';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Parses `body` fed in the given chunks; returns the items and the skeleton. */
function parse(
  chunks: Buffer[],
  options: { skipBookkeeping?: boolean } = {},
): { items: unknown[]; skeleton: unknown } {
  const items: unknown[] = [];
  const parser = new ListBodyParser({
    onItem: item => items.push(item),
    ...options,
  });
  for (const chunk of chunks) parser.write(chunk);
  return { items, skeleton: parser.end() };
}

/** `body` cut at the given byte offsets. */
function cut(body: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map(p => p % (body.length + 1)))].sort(
    (a, b) => a - b,
  );
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(body.subarray(last, p));
    last = p;
  }
  out.push(body.subarray(last));
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const skippable = (v: unknown) =>
  typeof v === 'string' || (typeof v === 'object' && v !== null);

/** What the parser must give for a body JSON.parse accepts: JSON.parse's answer, with skipped values as null. */
function expected(body: string, skipBookkeeping = true) {
  const parsed = JSON.parse(body);
  if (!isObject(parsed) || !Array.isArray(parsed.items))
    return { items: [], skeleton: parsed };
  const items = parsed.items.map((item: unknown) => {
    if (!skipBookkeeping || !isObject(item) || !isObject(item.metadata))
      return item;
    const metadata = { ...item.metadata };
    if (skippable(metadata.managedFields)) metadata.managedFields = null;
    if (
      isObject(metadata.annotations) &&
      skippable(metadata.annotations[LAST_APPLIED])
    )
      metadata.annotations = {
        ...metadata.annotations,
        [LAST_APPLIED]: null,
      };
    return { ...item, metadata };
  });
  return { items, skeleton: { ...parsed, items: [] } };
}

const clusterList = {
  kind: 'AWSClusterList',
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
  metadata: { resourceVersion: '42', continue: 'eyJydiI6NDJ9' },
  items: [
    {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSCluster',
      metadata: {
        name: 'staging-1',
        namespace: 'team-a',
        annotations: {
          [LAST_APPLIED]: JSON.stringify({
            kind: 'AWSCluster',
            metadata: { name: 'staging-1', note: 'a "quoted" }] value \\' },
          }),
          'capa-portal.io/owner': 'group:default/team-a',
        },
        managedFields: [
          {
            manager: 'capa-controller',
            fieldsV1: { 'f:status': { 'f:ready': {}, '"weird" key]': {} } },
          },
        ],
        labels: { 'cluster.x-k8s.io/cluster-name': 'staging-1' },
      },
      spec: {
        region: 'eu-west-1',
        identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
        note: 'ünïcødé 🚀 and escapes \\" \\\\ \n\t\u0001',
      },
    },
    { metadata: { name: 'no-bookkeeping' }, spec: { list: [1, [2, {}]] } },
    'a string item',
    42,
    null,
    [{ metadata: { managedFields: [] } }],
  ],
};

describe('ListBodyParser', () => {
  const body = JSON.stringify(clusterList);
  const bytes = Buffer.from(body);

  it('gives each item, parsed, and the list without its items, with managedFields and last-applied skipped', () => {
    const { items, skeleton } = parse([bytes]);
    expect(skeleton).toEqual({ ...clusterList, items: [] });
    expect(items).toHaveLength(6);
    const first = items[0] as any;
    expect(first.metadata.managedFields).toBeNull();
    expect(first.metadata.annotations).toEqual({
      [LAST_APPLIED]: null,
      'capa-portal.io/owner': 'group:default/team-a',
    });
    expect(first.spec).toEqual((clusterList.items[0] as any).spec);
    expect(first.metadata.labels).toEqual(
      (clusterList.items[0] as any).metadata.labels,
    );
    // managedFields of an object that is not an item of the list are data like any other.
    expect(items[5]).toEqual([{ metadata: { managedFields: [] } }]);
    expect({ items, skeleton }).toEqual(expected(body));
  });

  it('keeps everything with skipBookkeeping: false', () => {
    expect(parse([bytes], { skipBookkeeping: false })).toEqual({
      items: clusterList.items,
      skeleton: { ...clusterList, items: [] },
    });
  });

  it('gives the same answer whatever byte the body is cut at (multi-byte characters and escapes included)', () => {
    const whole = expected(body);
    for (let at = 0; at <= bytes.length; at++) {
      expect(parse(cut(bytes, [at]))).toEqual(whole);
    }
    // One byte at a time.
    expect(parse(cut(bytes, [...bytes.keys()]))).toEqual(whole);
  });

  it('reads the list whatever the key order and whitespace (metadata after items, indented)', () => {
    const reordered = JSON.stringify(
      {
        items: clusterList.items,
        kind: 'List',
        metadata: { continue: 'next' },
      },
      null,
      3,
    );
    expect(parse(cut(Buffer.from(reordered), [17, 300, 301, 900]))).toEqual(
      expected(reordered),
    );
  });

  it('reads keys written with escapes as the keys they are', () => {
    const text =
      '{"it\\u0065ms":[{"m\\u0065tadata":{"name":"a","managed\\u0046ields":[{"x":1}]}}]}';
    expect(JSON.parse(text).items).toHaveLength(1);
    expect(parse(cut(Buffer.from(text), [5, 9, 30]))).toEqual({
      items: [{ metadata: { name: 'a', managedFields: null } }],
      skeleton: { items: [] },
    });
  });

  it('refuses a body with two items lists (JSON.parse would keep only the last)', () => {
    expect(() => parse([Buffer.from('{"items":[1],"items":[2]}')])).toThrow(
      /a second "items" list/,
    );
  });

  it('returns a body that is not a list whole, for the caller to reject', () => {
    expect(
      parse([Buffer.from('[{"metadata":{"managedFields":[1]}}]')]),
    ).toEqual({ items: [], skeleton: [{ metadata: { managedFields: [1] } }] });
    expect(parse([Buffer.from('{"kind":"Status","items":null}')])).toEqual({
      items: [],
      skeleton: { kind: 'Status', items: null },
    });
    expect(parse([Buffer.from(' "text" ')]).skeleton).toBe('text');
    expect(parse([Buffer.from('{"items":[]}')])).toEqual({
      items: [],
      skeleton: { items: [] },
    });
  });

  it.each([
    [
      'the test server garbage',
      '{"kind": "List", "items": [ {"metadata": <<not json>>',
    ],
    ['a truncated body', '{"items":[{"metadata":{"name":"a"}},{"meta'],
    ['a truncated string', '{"items":[{"metadata":{"name":"a'],
    ['a trailing comma', '{"items":[1,]}'],
    ['an empty item', '{"items":[1,,2]}'],
    ['a leading comma', '{"items":[,1]}'],
    ['a mismatched bracket', '{"items":[1}}'],
    ['a closing bracket too many', '{"items":[1]]}'],
    ['data after the end', '{"items":[1]} x'],
    ['a second document', '{"items":[1]}{"items":[2]}'],
    ['an invalid item', '{"items":[{"a":tru}]}'],
    ['an invalid skeleton', '{"items":[], "kind": List}'],
    ['an empty body', ''],
    [
      'an unterminated skipped value',
      '{"items":[{"metadata":{"managedFields":[{"a":"]"}',
    ],
  ])('throws a SyntaxError on %s', (_, text) => {
    expect(() => parse([Buffer.from(text)])).toThrow(SyntaxError);
  });

  it('names the item and the byte offset', () => {
    expect(() => parse([Buffer.from('{"items":[{"a":1},{"a":tru}]}')])).toThrow(
      /item 1 of the list is not valid JSON/,
    );
    expect(() => parse([Buffer.from('{"items":[1]]}')])).toThrow(
      /mismatched \] at byte 12/,
    );
  });

  // Keys and strings that stress the scanner: quotes, backslash runs, brackets, the keys it watches.
  const nastyString = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.constantFrom(
      '"',
      '\\',
      '\\"',
      '\\\\"',
      '}]',
      '{[',
      ',:',
      'items',
      'metadata',
      'managedFields',
      'annotations',
      LAST_APPLIED,
      '🚀ü',
    ),
  );
  const value: fc.Arbitrary<unknown> = fc.letrec(tie => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      nastyString,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const item = fc.oneof(
    value,
    fc.record(
      {
        apiVersion: fc.constant('v1'),
        metadata: fc.record(
          {
            name: nastyString,
            managedFields: value,
            annotations: fc.oneof(
              fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
              fc.record({ [LAST_APPLIED]: value, other: nastyString }),
            ),
            labels: fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
          },
          { requiredKeys: ['name'] },
        ),
        spec: value,
      },
      { requiredKeys: ['metadata'] },
    ),
  );
  const list = fc.record(
    {
      kind: fc.constant('List'),
      metadata: fc.record({ continue: nastyString }),
      items: fc.array(item, { maxLength: 6 }),
      extra: value,
    },
    { requiredKeys: ['items'] },
  );
  const serialised = fc
    .tuple(list, fc.constantFrom(undefined, 1, '\t'))
    .map(([l, indent]) => JSON.stringify(l, null, indent));

  it('agrees with JSON.parse on any list, cut anywhere', () => {
    fc.assert(
      fc.property(
        serialised,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        (generated, at, skipBookkeeping) => {
          // What a server would send: UTF-8 (a lone surrogate of the generated string becomes U+FFFD).
          const text = Buffer.from(generated).toString('utf8');
          expect(
            parse(cut(Buffer.from(text), at), { skipBookkeeping }),
          ).toEqual(expected(text, skipBookkeeping));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('throws exactly when JSON.parse throws, on bodies with one byte changed or cut short', () => {
    const bodies = fc
      .tuple(
        serialised,
        fc.nat(),
        fc.constantFrom(...'{}[]",:\\ 1an'),
        fc.boolean(),
      )
      .map(([text, at, ch, truncate]) => {
        const i = at % Math.max(1, text.length);
        return truncate
          ? text.slice(0, i)
          : text.slice(0, i) + ch + text.slice(i + 1);
      });
    fc.assert(
      fc.property(
        bodies,
        fc.array(fc.nat(), { maxLength: 4 }),
        (generated, at) => {
          const text = Buffer.from(generated).toString('utf8');
          const outcome = (run: () => unknown) => {
            try {
              return { value: run() };
            } catch (e) {
              return { error: e instanceof SyntaxError ? 'SyntaxError' : e };
            }
          };
          expect(
            outcome(() =>
              parse(cut(Buffer.from(text), at), { skipBookkeeping: false }),
            ),
          ).toEqual(outcome(() => expected(text, false)));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
