/*
 * Incremental trust (issue #17 part 2). The property: after any sequence of changes (clusters added, removed or
 * modified; identities' roleARN, sourceIdentityRef and allowedNamespaces changed; namespaces' labels
 * changed; live AWS evidence of an account changed; a management cluster emptied by a failed first read or its
 * objects reordered; its input problems; CAPI Operator providers and watch-filter labels; a KubeadmControlPlane's
 * version; the configuration), the incremental report is the full evaluation's,
 * deep equal and byte for byte as JSON. Fleets and changes come from a seeded generator (reproducible).
 * Work is asserted by counting evaluations, never by time.
 */
import { evaluateFleet } from '../engine';
import { planEvidence } from '../plan';
import {
  awsCluster,
  controllerIdentity,
  controllersArn,
  eksCluster,
  located,
  managementIamConfig,
  namespace,
  roleIdentity,
  staticIdentity,
  targetIamConfig,
} from '../../__testUtils__/fixtures';
import type {
  FleetInput,
  KubeObject,
  LiveEvidence,
  LocatedObject,
} from '../../types';
import {
  evaluateFleetIncrementally,
  FleetEvaluation,
} from './evaluateIncrementally';

const NOW = new Date('2026-01-01T00:00:00.000Z');
/** INCREMENTAL_SEEDS runs more fleets (the default keeps the suite at a few seconds). */
const SEEDS = Number(process.env.INCREMENTAL_SEEDS ?? 30);
const STEPS = 25;

/** mulberry32, as bench/fleet/random.ts. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)],
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;

const ACCOUNTS = [
  '222222222222',
  '333333333333',
  '444444444444',
  '555555555555',
];
const MGMT_ACCOUNTS = ['111111111111', '666666666666'];
const NAMESPACES = ['team-a', 'team-b', 'team-c', 'default'];
const LABELS: Array<Record<string, string>> = [
  {},
  { env: 'prod' },
  { env: 'staging' },
  { env: 'prod', tier: 'gold' },
];

function allowedNamespaces(r: Rng): unknown {
  return r.pick([
    {},
    null,
    undefined,
    { list: [r.pick(NAMESPACES)] },
    { list: [] },
    { selector: {} },
    { selector: { matchLabels: {} } },
    { selector: { matchLabels: { env: r.pick(['prod', 'staging']) } } },
    {
      selector: {
        matchExpressions: [{ key: 'tier', operator: 'Exists' }],
      },
    },
  ]);
}

function identityObject(r: Rng, name: string, others: string[]): KubeObject {
  if (r.chance(0.1)) return staticIdentity(name, { allowedNamespaces: {} });
  const source =
    r.chance(0.3) && others.length
      ? { kind: 'AWSClusterRoleIdentity', name: r.pick([...others, 'missing']) }
      : { kind: 'AWSClusterControllerIdentity', name: 'default' };
  const spec: Record<string, unknown> = {
    sourceIdentityRef: source,
    allowedNamespaces: allowedNamespaces(r),
  };
  if (r.chance(0.2)) spec.externalID = r.pick(['x-1', 'x-2']);
  if (r.chance(0.2)) spec.durationSeconds = r.pick([900, 3600, 7200]);
  const role = roleIdentity(name, controllersArn(r.pick(ACCOUNTS)), spec);
  return role;
}

function clusterObjects(r: Rng, ns: string, name: string, ids: string[]) {
  // identityRef omitted (CAPA defaults it), naming a missing identity, the controller identity, or a role identity.
  let ref: { kind: string; name: string } | undefined;
  if (!r.chance(0.15)) {
    ref = r.chance(0.1)
      ? { kind: 'AWSClusterRoleIdentity', name: 'nowhere' }
      : {
          kind: r.chance(0.15)
            ? 'AWSClusterControllerIdentity'
            : 'AWSClusterRoleIdentity',
          name: 'default',
        };
  }
  const identityRef =
    ref?.kind === 'AWSClusterRoleIdentity' &&
    ref.name === 'default' &&
    ids.length
      ? { kind: 'AWSClusterRoleIdentity', name: r.pick(ids) }
      : ref;
  const objects = r.chance(0.5)
    ? awsCluster(ns, name, identityRef)
    : eksCluster(ns, name, identityRef);
  if (r.chance(0.2)) (objects[0].status as any).phase = 'Provisioning';
  return objects;
}

interface Mgmt {
  name: string;
  accountId: string;
  objects: KubeObject[];
  /** The located objects handed over last time: kept (same reference) while nothing changed. */
  located?: LocatedObject[];
  problems: number;
}

interface Model {
  mgmts: Mgmt[];
  live: LiveEvidence;
  accountsVersion: number;
  next: number;
}

const identityNames = (m: Mgmt) =>
  m.objects
    .filter(o => o.kind === 'AWSClusterRoleIdentity')
    .map(o => o.metadata!.name as string);
const clusterNames = (m: Mgmt) =>
  m.objects.filter(o => o.kind === 'Cluster').map(o => o.metadata!);

function newModel(r: Rng): Model {
  const mgmts: Mgmt[] = MGMT_ACCOUNTS.slice(0, 1 + r.int(2)).map(
    (accountId, i) => {
      const objects: KubeObject[] = NAMESPACES.map(ns =>
        namespace(ns, r.pick(LABELS)),
      );
      if (r.chance(0.8))
        objects.push(
          controllerIdentity({ allowedNamespaces: allowedNamespaces(r) }),
        );
      const ids: string[] = [];
      for (let k = 0; k < 2 + r.int(5); k++) {
        const name = `id-${k}`;
        objects.push(identityObject(r, name, ids));
        ids.push(name);
      }
      for (let c = 0; c < 3 + r.int(12); c++)
        objects.push(...clusterObjects(r, r.pick(NAMESPACES), `c-${c}`, ids));
      return { name: `mgmt-${i}`, accountId, objects, problems: 0 };
    },
  );
  return { mgmts, live: {}, accountsVersion: 0, next: 100 };
}

function input(model: Model): FleetInput {
  return {
    managementClusters: model.mgmts.map(m => {
      m.located ??= located(m.objects, `clusters/${m.name}.yaml`);
      return {
        name: m.name,
        accountId: m.accountId,
        controllerPrincipalArn: controllersArn(m.accountId),
        iamConfiguration: managementIamConfig(),
        objects: m.located,
      };
    }),
    accounts: ACCOUNTS.slice(0, 2 + (model.accountsVersion % 3)).map(a => ({
      accountId: a,
      name: `acct-${a.slice(0, 1)}`,
      iamConfiguration: targetIamConfig(controllersArn(MGMT_ACCOUNTS[0])),
    })),
    problems: model.mgmts.flatMap(m =>
      Array.from({ length: m.problems }, (_, i) => ({
        source: `clusters/${m.name}.yaml`,
        message: `problem ${i}`,
        severity: 'warning' as const,
      })),
    ),
  };
}

/** Replaces one object (by key) with a changed copy; the management cluster's objects are handed over anew. */
function modify(m: Mgmt, o: KubeObject, change: (copy: any) => void) {
  const copy = structuredClone(o);
  change(copy);
  m.objects = m.objects.map(x => (x === o ? copy : x));
  m.located = undefined;
}

/** A trust policy naming a management principal, sometimes only for a principal tag (`aws:PrincipalTag/team`). */
function trustPolicy(r: Rng) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: r.chance(0.7) ? 'Allow' : 'Deny',
        Principal: { AWS: controllersArn(r.pick(MGMT_ACCOUNTS)) },
        Action: 'sts:AssumeRole',
        ...(r.chance(0.3)
          ? { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'a' } } }
          : {}),
      },
    ],
  };
}

/** Live tags of a principal (a management cluster's or a role's) and EKS lookups of the clusters of one account. */
function changeTagsAndEks(r: Rng, model: Model, current: FleetInput) {
  const account = r.pick(ACCOUNTS);
  const plan = planEvidence(current);
  const arn = controllersArn(r.pick([...MGMT_ACCOUNTS, account]));
  const principalTags = { ...model.live.principalTags };
  if (r.chance(0.3)) delete principalTags[arn];
  else principalTags[arn] = { team: r.pick(['a', 'b']) };
  const landing = new Map(plan.chains.map(c => [c.key, c.expectedAccountId]));
  const eksClusters = { ...model.live.eksClusters };
  for (const eks of (plan.eksClusters ?? []).filter(
    e => landing.get(e.chainKey) === account,
  ))
    eksClusters[eks.key] = r.chance(0.7)
      ? {
          status: 'found',
          endpoint: `https://${eks.name}.eks.example:${model.next++}`,
          certificateAuthorityData: 'Q0E=',
          checkedAt: `t${model.next++}`,
        }
      : { status: 'access-denied', checkedAt: `t${model.next++}` };
  model.live = { ...model.live, principalTags, eksClusters };
}

/** Live evidence for the roles of one account: trust policies read, and the assumed chains that land there. */
function changeEvidence(r: Rng, model: Model, current: FleetInput) {
  const account = r.pick(ACCOUNTS);
  const plan = planEvidence(current);
  const live: LiveEvidence = {
    ...model.live,
    targetRoles: { ...model.live.targetRoles },
    assumeResults: { ...model.live.assumeResults },
    simulations: { ...model.live.simulations },
  };
  for (const roleArn of plan.roleArns.filter(
    a => a.split(':')[4] === account,
  )) {
    if (r.chance(0.3)) delete live.targetRoles![roleArn];
    else
      live.targetRoles![roleArn] = r.chance(0.8)
        ? {
            status: 'found',
            trustPolicy: trustPolicy(r) as any,
            checkedAt: `t${model.next++}`,
          }
        : { status: 'not-found', checkedAt: `t${model.next++}` };
  }
  for (const chain of plan.chains.filter(
    c => c.expectedAccountId === account,
  )) {
    live.assumeResults![chain.key] = r.chance(0.7)
      ? ({
          status: 'assumed',
          accountId: account,
          checkedAt: `t${model.next++}`,
        } as any)
      : ({
          status: 'failed',
          failedHop: 0,
          message: 'AccessDenied',
          checkedAt: `t${model.next++}`,
        } as any);
  }
  for (const s of plan.simulations.filter(
    x => x.roleArn.split(':')[4] === account,
  ))
    live.simulations![s.key] = {
      decision: r.pick(['allowed', 'implicitDeny']),
      checkedAt: `t${model.next++}`,
    } as any;
  model.live = live;
}

const CHANGES: Array<
  [string, (r: Rng, model: Model, current: FleetInput) => void]
> = [
  [
    'add cluster',
    (r, model) => {
      const m = r.pick(model.mgmts);
      m.objects = [
        ...m.objects,
        ...clusterObjects(
          r,
          r.pick(NAMESPACES),
          `c-${model.next++}`,
          identityNames(m),
        ),
      ];
      m.located = undefined;
    },
  ],
  [
    'remove cluster',
    (r, model) => {
      const m = r.pick(model.mgmts);
      const meta = clusterNames(m);
      if (!meta.length) return;
      const { name, namespace: ns } = r.pick(meta);
      m.objects = m.objects.filter(
        o =>
          !(
            o.metadata?.namespace === ns &&
            String(o.metadata?.name).startsWith(name as string)
          ),
      );
      m.located = undefined;
    },
  ],
  [
    'modify cluster',
    (r, model) => {
      const m = r.pick(model.mgmts);
      const carriers = m.objects.filter(
        o => o.kind === 'AWSCluster' || o.kind === 'AWSManagedControlPlane',
      );
      if (!carriers.length) return;
      const ids = identityNames(m);
      modify(m, r.pick(carriers), c => {
        if (r.chance(0.5) && ids.length)
          c.spec.identityRef = {
            kind: 'AWSClusterRoleIdentity',
            name: r.pick(ids),
          };
        else if (r.chance(0.5)) delete c.spec.identityRef;
        else c.spec.region = r.pick(['eu-west-1', 'us-east-1']);
      });
    },
  ],
  [
    'identity roleARN',
    (r, model) => {
      const m = r.pick(model.mgmts);
      const roles = m.objects.filter(o => o.kind === 'AWSClusterRoleIdentity');
      if (!roles.length) return;
      modify(m, r.pick(roles), c => {
        c.spec.roleARN = controllersArn(r.pick(ACCOUNTS));
      });
    },
  ],
  [
    'identity sourceIdentityRef',
    (r, model) => {
      const m = r.pick(model.mgmts);
      const roles = m.objects.filter(o => o.kind === 'AWSClusterRoleIdentity');
      if (!roles.length) return;
      const ids = identityNames(m);
      modify(m, r.pick(roles), c => {
        c.spec.sourceIdentityRef = r.chance(0.5)
          ? {
              kind: 'AWSClusterRoleIdentity',
              name: r.pick([...ids, 'missing']),
            }
          : { kind: 'AWSClusterControllerIdentity', name: 'default' };
      });
    },
  ],
  [
    'identity allowedNamespaces',
    (r, model) => {
      const m = r.pick(model.mgmts);
      const ids = m.objects.filter(
        o =>
          String(o.kind).startsWith('AWSCluster') &&
          String(o.kind).endsWith('Identity'),
      );
      if (!ids.length) return;
      modify(m, r.pick(ids), c => {
        c.spec.allowedNamespaces = allowedNamespaces(r);
      });
    },
  ],
  [
    'add or remove identity',
    (r, model) => {
      const m = r.pick(model.mgmts);
      const ids = m.objects.filter(o => String(o.kind).endsWith('Identity'));
      if (r.chance(0.5) && ids.length)
        m.objects = m.objects.filter(o => o !== r.pick(ids));
      else
        m.objects = [
          ...m.objects,
          r.chance(0.2)
            ? controllerIdentity()
            : identityObject(r, `id-${model.next++}`, identityNames(m)),
        ];
      m.located = undefined;
    },
  ],
  [
    'namespace labels',
    (r, model) => {
      const m = r.pick(model.mgmts);
      const ns = m.objects.filter(o => o.kind === 'Namespace');
      if (r.chance(0.2) && ns.length) {
        m.objects = m.objects.filter(o => o !== r.pick(ns));
        m.located = undefined;
      } else if (ns.length)
        modify(m, r.pick(ns), c => {
          c.metadata.labels = r.pick(LABELS);
        });
    },
  ],
  ['AWS evidence of an account', changeEvidence],
  ['AWS evidence of an account', changeEvidence],
  ['AWS evidence: principal tags and EKS lookups', changeTagsAndEks],
  [
    'management cluster failing (stale: same objects) or its problems',
    (r, model) => {
      const m = r.pick(model.mgmts);
      if (r.chance(0.5)) m.problems = r.int(3);
    },
  ],
  [
    'management cluster emptied or reordered',
    (r, model) => {
      const m = r.pick(model.mgmts);
      if (r.chance(0.3)) m.objects = [];
      else m.objects = [...m.objects].sort(() => (r.chance(0.5) ? -1 : 1));
      m.located = undefined;
    },
  ],
  [
    'duplicate object',
    (r, model) => {
      const m = r.pick(model.mgmts);
      if (!m.objects.length) return;
      const o = r.pick(
        m.objects
          .filter(x => x.kind !== 'Namespace')
          .concat(m.objects.slice(0, 1)),
      );
      m.objects = [...m.objects, structuredClone(o)];
      m.located = undefined;
    },
  ],
  [
    'CAPI Operator provider added or removed',
    (r, model) => {
      const m = r.pick(model.mgmts);
      const providers = m.objects.filter(
        o => o.kind === 'InfrastructureProvider',
      );
      if (providers.length && r.chance(0.5))
        m.objects = m.objects.filter(o => o !== r.pick(providers));
      else {
        const filter = r.chance(0.5) ? 'team' : undefined;
        m.objects = [
          ...m.objects,
          {
            apiVersion: 'operator.cluster.x-k8s.io/v1alpha2',
            kind: 'InfrastructureProvider',
            metadata: { name: `aws-${model.next++}`, namespace: 'capa-system' },
            spec: {
              configSecret: { name: 'aws-variables' },
              manager: filter
                ? { additionalArgs: { 'watch-filter': filter } }
                : {},
            },
          },
        ];
      }
      m.located = undefined;
    },
  ],
  [
    "a cluster's watch-filter label",
    (r, model) => {
      const m = r.pick(model.mgmts);
      const clusters = m.objects.filter(o => o.kind === 'Cluster');
      if (!clusters.length) return;
      modify(m, r.pick(clusters), c => {
        c.metadata.labels = r.chance(0.5)
          ? { 'cluster.x-k8s.io/watch-filter': 'team' }
          : {};
      });
    },
  ],
  [
    "a kubeadm cluster's control plane version",
    (r, model) => {
      const m = r.pick(model.mgmts);
      const clusters = m.objects.filter(
        o =>
          o.kind === 'Cluster' &&
          (o.spec as any)?.infrastructureRef?.kind === 'AWSCluster',
      );
      if (!clusters.length) return;
      const cluster = r.pick(clusters);
      const { name, namespace: ns } = cluster.metadata as any;
      const kcp = m.objects.find(
        o =>
          o.kind === 'KubeadmControlPlane' &&
          o.metadata?.name === `${name}-cp` &&
          o.metadata?.namespace === ns,
      );
      if (kcp) {
        modify(m, kcp, c => {
          c.spec.version = r.pick(['v1.30.1', 'v1.31.2', 'v1.32.0']);
        });
        return;
      }
      modify(m, cluster, c => {
        c.spec.controlPlaneRef = {
          apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
          kind: 'KubeadmControlPlane',
          name: `${name}-cp`,
        };
      });
      m.objects = [
        ...m.objects,
        {
          apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
          kind: 'KubeadmControlPlane',
          metadata: { name: `${name}-cp`, namespace: ns },
          spec: { version: 'v1.31.2' },
        },
      ];
    },
  ],
  [
    'configuration',
    (_r, model) => {
      model.accountsVersion++;
    },
  ],
];

function expectSame(
  evaluation: FleetEvaluation,
  current: FleetInput,
  live: LiveEvidence,
  where: string,
) {
  const full = evaluateFleet(current, live, { now: NOW });
  const incremental = evaluation.report;
  if (JSON.stringify(incremental) !== JSON.stringify(full)) {
    // The paths that differ, in the failure's message.
    expect({
      where,
      differ: [...diffPaths(incremental, full)].slice(0, 5),
    }).toEqual({ where, differ: [] });
    // The readable difference first (jest's diff), then the byte-for-byte one.
    expect({ where, report: incremental }).toEqual({ where, report: full });
    expect({ where, json: JSON.stringify(incremental) }).toEqual({
      where,
      json: JSON.stringify(full),
    });
  }
}

describe('evaluateFleetIncrementally', () => {
  it(`equals a full evaluation after every change (${SEEDS} seeded fleets, ${STEPS} changes each)`, () => {
    const modes = { full: 0, incremental: 0 };
    const applied = new Map<string, number>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = rng(seed);
      const model = newModel(r);
      let current = input(model);
      let evaluation = evaluateFleetIncrementally(
        undefined,
        current,
        model.live,
        { now: NOW },
      );
      expectSame(evaluation, current, model.live, `seed ${seed}, start`);
      for (let step = 1; step <= STEPS; step++) {
        const [name, change] = r.pick(CHANGES);
        change(r, model, current);
        applied.set(name, (applied.get(name) ?? 0) + 1);
        current = input(model);
        evaluation = evaluateFleetIncrementally(
          evaluation,
          current,
          model.live,
          {
            now: NOW,
            maxAffectedShare: 1,
          },
        );
        modes[evaluation.stats.mode]++;
        expectSame(
          evaluation,
          current,
          model.live,
          `seed ${seed}, step ${step} (${name})`,
        );
      }
    }
    // The property is about incremental evaluation: most steps must have been incremental (configuration
    // changes are evaluated in full).
    expect(modes.incremental).toBeGreaterThan(modes.full * 5);
    expect(applied.size).toBe(new Set(CHANGES.map(([n]) => n)).size);
  });
});

function* diffPaths(a: any, b: any, path = ''): Generator<string> {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) {
    yield path;
    return;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
    yield* diffPaths(a[k], b[k], `${path}.${k}`);
}
