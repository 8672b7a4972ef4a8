import {
  isNamespaceAllowed,
  summarizeAllowedNamespaces,
} from './allowedNamespaces';

type Case = [
  string,
  unknown,
  string,
  Record<string, string> | undefined,
  boolean | 'unknown',
  number?,
];

const prod = { env: 'prod', team: 'a' };

describe('isNamespaceAllowed (CAPA isClusterPermittedToUsePrincipal)', () => {
  const cases: Case[] = [
    // rule 1
    [
      'absent allowedNamespaces denies every namespace (rule 1)',
      undefined,
      'staging',
      undefined,
      false,
      1,
    ],
    [
      '`null` allowedNamespaces denies every namespace (rule 1)',
      null,
      'staging',
      undefined,
      false,
      1,
    ],
    // rule 2: the Go zero value
    [
      '`{}` allows every namespace (rule 2)',
      {},
      'anything',
      undefined,
      true,
      2,
    ],
    [
      '`{list: null}` allows every namespace (rule 2)',
      { list: null },
      'anything',
      undefined,
      true,
      2,
    ],
    [
      '`{selector: {}}` allows every namespace (CAPA code, not docs)',
      { selector: {} },
      'anything',
      undefined,
      true,
      2,
    ],
    [
      '`{list: null, selector: {}}` allows every namespace (rule 2)',
      { list: null, selector: {} },
      'x',
      undefined,
      true,
      2,
    ],
    [
      '`{selector: null}` allows every namespace (rule 2)',
      { selector: null },
      'x',
      undefined,
      true,
      2,
    ],
    [
      '`{selector: {matchLabels: null, matchExpressions: null}}` allows every namespace',
      { selector: { matchLabels: null, matchExpressions: null } },
      'x',
      undefined,
      true,
      2,
    ],
    // rule 4: empty but non-nil
    [
      '`{list: []}` denies every namespace (non-nil empty list is not the zero value)',
      { list: [] },
      'staging',
      undefined,
      false,
      4,
    ],
    [
      '`{selector: {matchLabels: {}}}` denies every namespace (empty selector matches nothing)',
      { selector: { matchLabels: {} } },
      'staging',
      prod,
      false,
      4,
    ],
    [
      '`{selector: {matchExpressions: []}}` denies every namespace',
      { selector: { matchExpressions: [] } },
      'staging',
      prod,
      false,
      4,
    ],
    [
      '`{list: [], selector: {}}` denies every namespace',
      { list: [], selector: {} },
      'staging',
      prod,
      false,
      4,
    ],
    // rule 3
    [
      'list hit allows',
      { list: ['staging', 'dev'] },
      'staging',
      undefined,
      true,
      3,
    ],
    ['list miss denies', { list: ['dev'] }, 'staging', undefined, false, 4],
    [
      'list hit allows even with a selector that does not match (list OR selector)',
      { list: ['staging'], selector: { matchLabels: { env: 'prod' } } },
      'staging',
      { env: 'dev' },
      true,
      3,
    ],
    [
      'list miss, selector match allows (list OR selector)',
      { list: ['dev'], selector: { matchLabels: { env: 'prod' } } },
      'live',
      prod,
      true,
      5,
    ],
    // rule 5
    [
      'matchLabels match allows',
      { selector: { matchLabels: { env: 'prod' } } },
      'live',
      prod,
      true,
      5,
    ],
    [
      'matchLabels mismatch denies',
      { selector: { matchLabels: { env: 'prod' } } },
      'dev',
      { env: 'dev' },
      false,
      5,
    ],
    [
      'matchLabels with all labels required (AND)',
      { selector: { matchLabels: { env: 'prod', team: 'b' } } },
      'live',
      prod,
      false,
      5,
    ],
    [
      'matchExpressions In matches',
      {
        selector: {
          matchExpressions: [
            { key: 'env', operator: 'In', values: ['prod', 'staging'] },
          ],
        },
      },
      'live',
      prod,
      true,
      5,
    ],
    [
      'matchExpressions In does not match a missing label',
      {
        selector: {
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['x'] }],
        },
      },
      'live',
      prod,
      false,
      5,
    ],
    [
      'matchExpressions NotIn matches a different value',
      {
        selector: {
          matchExpressions: [
            { key: 'env', operator: 'NotIn', values: ['dev'] },
          ],
        },
      },
      'live',
      prod,
      true,
      5,
    ],
    [
      'matchExpressions NotIn matches a missing label',
      {
        selector: {
          matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }],
        },
      },
      'live',
      prod,
      true,
      5,
    ],
    [
      'matchExpressions NotIn rejects a listed value',
      {
        selector: {
          matchExpressions: [
            { key: 'env', operator: 'NotIn', values: ['prod'] },
          ],
        },
      },
      'live',
      prod,
      false,
      5,
    ],
    [
      'matchExpressions Exists matches',
      { selector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } },
      'live',
      prod,
      true,
      5,
    ],
    [
      'matchExpressions Exists rejects a missing label',
      { selector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } },
      'live',
      prod,
      false,
      5,
    ],
    [
      'matchExpressions DoesNotExist matches a missing label',
      {
        selector: {
          matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }],
        },
      },
      'live',
      prod,
      true,
      5,
    ],
    [
      'matchExpressions DoesNotExist rejects a present label',
      {
        selector: {
          matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }],
        },
      },
      'live',
      prod,
      false,
      5,
    ],
    [
      'matchLabels and matchExpressions are ANDed',
      {
        selector: {
          matchLabels: { env: 'prod' },
          matchExpressions: [{ key: 'team', operator: 'In', values: ['b'] }],
        },
      },
      'live',
      prod,
      false,
      5,
    ],
    // unknown: a selector needs the Namespace object
    [
      'a selector without the Namespace object is unknown, never a guess',
      { selector: { matchLabels: { env: 'prod' } } },
      'live',
      undefined,
      'unknown',
      5,
    ],
    [
      'a list hit needs no Namespace object',
      { list: ['live'], selector: { matchLabels: { env: 'prod' } } },
      'live',
      undefined,
      true,
      3,
    ],
    [
      'kubernetes.io/metadata.name is known without the Namespace object',
      { selector: { matchLabels: { 'kubernetes.io/metadata.name': 'live' } } },
      'live',
      undefined,
      true,
      5,
    ],
    [
      'kubernetes.io/metadata.name is set by the API server on read Namespaces',
      {
        selector: {
          matchExpressions: [
            {
              key: 'kubernetes.io/metadata.name',
              operator: 'In',
              values: ['a', 'live'],
            },
          ],
        },
      },
      'live',
      {},
      true,
      5,
    ],
    // invalid selectors: CAPA gets an error
    [
      'an invalid operator denies (LabelSelectorAsSelector error)',
      {
        selector: {
          matchExpressions: [{ key: 'env', operator: 'Equals', values: ['x'] }],
        },
      },
      'live',
      prod,
      false,
      4,
    ],
    [
      'In without values denies (LabelSelectorAsSelector error)',
      {
        selector: {
          matchExpressions: [{ key: 'env', operator: 'In', values: [] }],
        },
      },
      'live',
      prod,
      false,
      4,
    ],
    [
      'Exists with values denies (LabelSelectorAsSelector error)',
      {
        selector: {
          matchExpressions: [{ key: 'env', operator: 'Exists', values: ['x'] }],
        },
      },
      'live',
      prod,
      false,
      4,
    ],
    // malformed
    ['a string is malformed and denies', 'all', 'x', undefined, false, 0],
    [
      'list of numbers is malformed and denies',
      { list: [1] },
      'x',
      undefined,
      false,
      0,
    ],
  ];
  it.each(cases)('%s', (_name, value, ns, labels, expected, rule) => {
    const d = isNamespaceAllowed(value, ns, labels);
    expect(d.unknown ? 'unknown' : d.allowed).toBe(expected);
    expect(d.rule).toBe(rule);
    expect(d.reason).toEqual(expect.any(String));
  });
});

describe('summarizeAllowedNamespaces', () => {
  it.each([
    [undefined, 'deny all (not set)'],
    [{}, 'allow all ({})'],
    [{ selector: {} }, 'allow all ({})'],
    [{ list: [] }, 'deny all (empty list / selector)'],
    [{ list: ['a', 'b'] }, 'list: a, b'],
    [{ selector: { matchLabels: { env: 'prod' } } }, 'selector: env=prod'],
  ])('%j reads as %s', (value, expected) => {
    expect(summarizeAllowedNamespaces(value)).toBe(expected);
  });
});
