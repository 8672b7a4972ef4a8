/*
 * Fuzz suite (issue #7 part 3) for fleet files: `parseFleetConfig` on mutated fleet.yaml shapes and on anything.
 * Never throws; problems are not duplicated; every kept entry is valid; an invalid entry never removes a valid one.
 */
import fc from 'fast-check';
import { parseFleetConfig } from './loadFleet';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));

const valid = {
  managementClusters: [
    {
      name: 'mgmt-eu',
      accountId: '111111111111',
      controllerPrincipalArn:
        'arn:aws:iam::111111111111:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
      manifests: 'clusters/mgmt-eu',
      iamConfiguration: 'iam/mgmt.yaml',
      owner: 'group:default/platform',
    },
    {
      name: 'mgmt-us',
      accountId: '999999999999',
      kubernetes: { url: 'https://mgmt-us:6443', serviceAccountToken: 't' },
      principalTags: { team: 'platform' },
    },
  ],
  accounts: [
    { accountId: '222222222222', name: 'staging', tier: 'staging' },
    {
      accountId: '333333333333',
      name: 'live',
      iamConfiguration: 'iam/live.yaml',
    },
  ],
};

const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', 'mgmt-eu', '111111111111', 'UPPER', 'https://x'),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), {
    maxKeys: 2,
    noNullPrototype: true,
  }),
);
const mutationArb = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('delete', 'replace'),
  value: junk,
});

function paths(value: unknown, prefix: Array<string | number> = []) {
  const out: Array<Array<string | number>> = [];
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      const key = Array.isArray(value) ? Number(k) : k;
      out.push([...prefix, key], ...paths(v, [...prefix, key]));
    }
  return out;
}

function mutate<T>(
  value: T,
  mutations: Array<{ pick: number; op: string; value: unknown }>,
): T {
  const copy = JSON.parse(JSON.stringify(value));
  for (const m of mutations) {
    const all = paths(copy);
    if (!all.length) break;
    const path = all[m.pick % all.length];
    let parent: any = copy;
    for (const key of path.slice(0, -1)) parent = parent?.[key];
    if (!parent || typeof parent !== 'object') continue;
    const last = path[path.length - 1];
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else parent[last] = m.value;
  }
  return copy;
}

function expectSane(result: ReturnType<typeof parseFleetConfig>) {
  const keys = result.problems.map(p => JSON.stringify(p));
  expect(new Set(keys).size).toBe(keys.length);
  for (const p of result.problems) {
    expect(p.source).toBe('fleet.yaml');
    expect(['error', 'warning']).toContain(p.severity);
  }
  for (const m of result.config.managementClusters) {
    expect(m.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    expect(m.accountId).toMatch(/^\d{12}$/);
  }
  for (const a of result.config.accounts)
    expect(a.accountId).toMatch(/^\d{12}$/);
}

describe('fuzz: fleet files', () => {
  it('the valid fleet has no problems', () => {
    const result = parseFleetConfig(valid, 'fleet.yaml');
    expect(result.problems).toEqual([]);
    expect(result.config.managementClusters).toHaveLength(2);
  });

  it('regression (seed 7401): a management cluster with an invalid name is reported once and left out', () => {
    const result = parseFleetConfig(
      { managementClusters: [{ ...valid.managementClusters[0], name: ' ' }] },
      'fleet.yaml',
    );
    expect(result.config.managementClusters).toEqual([]);
    expect(
      result.problems.filter(p =>
        p.message.startsWith('managementClusters[0].name'),
      ),
    ).toHaveLength(1);
  });

  it('never throws on mutated fleet files, and keeps only valid entries', () => {
    fc.assert(
      fc.property(
        fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
        mutations => {
          expectSane(parseFleetConfig(mutate(valid, mutations), 'fleet.yaml'));
        },
      ),
      { numRuns: runs(3000), seed: 7401 },
    );
  });

  it('an invalid entry never removes a valid one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), {
          maxLength: 4,
        }),
        (mcMutations, accountMutations) => {
          const bad = (list: any[], i: number, ms: any[]) => {
            const base = JSON.parse(JSON.stringify(list[i % list.length]));
            if ('name' in base) base.name = `bad-${i}`;
            base.accountId = `00000000000${i % 10}`;
            return mutate(base, ms);
          };
          const input = {
            managementClusters: [
              ...valid.managementClusters,
              ...mcMutations.map((ms, i) =>
                bad(valid.managementClusters, i, ms),
              ),
            ],
            accounts: [
              ...valid.accounts,
              ...accountMutations.map((ms, i) => bad(valid.accounts, i, ms)),
            ],
          };
          const result = parseFleetConfig(input, 'fleet.yaml');
          expectSane(result);
          const names = result.config.managementClusters.map(m => m.name);
          expect(names.slice(0, 2)).toEqual(['mgmt-eu', 'mgmt-us']);
          const ids = result.config.accounts.map(a => a.accountId);
          expect(ids.slice(0, 2)).toEqual(['222222222222', '333333333333']);
        },
      ),
      { numRuns: runs(2000), seed: 7402 },
    );
  });

  it('never throws on anything at all', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), raw => {
        expectSane(parseFleetConfig(raw, 'fleet.yaml'));
      }),
      { numRuns: runs(3000), seed: 7403 },
    );
  });
});
