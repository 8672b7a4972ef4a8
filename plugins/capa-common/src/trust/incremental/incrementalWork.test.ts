/*
 * Incremental trust does little work for a small change (counted evaluations, never time), and falls back to a
 * full evaluation where it cannot follow a change.
 */
import {
  awsCluster,
  controllerIdentity,
  controllersArn,
  fleet,
  namespace,
  roleIdentity,
  STAGING,
} from '../../__testUtils__/fixtures';
import type { FleetInput, KubeObject } from '../../types';
import { evaluateFleetIncrementally } from './evaluateIncrementally';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const N = 200;
const TEAMS = 10;

/** N clusters in 10 namespaces, each namespace's clusters using its team's role identity (controller-sourced). */
function objects(): KubeObject[] {
  const out: KubeObject[] = [controllerIdentity()];
  for (let t = 0; t < TEAMS; t++) {
    out.push(namespace(`team-${t}`, { team: `${t}` }));
    out.push(
      roleIdentity(`team-${t}`, controllersArn(STAGING), {
        allowedNamespaces: { list: [`team-${t}`] },
      }),
    );
  }
  for (let c = 0; c < N; c++)
    out.push(
      ...awsCluster(`team-${c % TEAMS}`, `c-${c}`, {
        kind: 'AWSClusterRoleIdentity',
        name: `team-${c % TEAMS}`,
      }),
    );
  return out;
}

/** The fleet with one object replaced (the management cluster's objects are handed over anew). */
function withChange(
  input: FleetInput,
  match: (o: KubeObject) => boolean,
  change: (o: any) => void,
): FleetInput {
  const m = input.managementClusters[0];
  return {
    ...input,
    managementClusters: [
      {
        ...m,
        objects: m.objects.map(l => {
          if (!match(l.object)) return l;
          const object = structuredClone(l.object);
          change(object);
          return { ...l, object };
        }),
      },
    ],
  };
}

const named = (kind: string, name: string) => (o: KubeObject) =>
  o.kind === kind && o.metadata?.name === name;

describe('incremental evaluation work', () => {
  const input = fleet(objects());
  const first = evaluateFleetIncrementally(undefined, input, undefined, {
    now: NOW,
  });

  it('evaluates everything the first time', () => {
    expect(first.stats).toMatchObject({
      mode: 'full',
      clusters: N,
      identities: TEAMS + 1,
    });
  });

  it('evaluates one cluster, its chain and the identities of that chain after one cluster changed', () => {
    const changed = withChange(input, named('AWSCluster', 'c-7'), o => {
      o.spec.region = 'us-east-1';
    });
    const next = evaluateFleetIncrementally(first, changed, undefined, {
      now: NOW,
    });
    // c-7's chain is team-7 -> default: one cluster; the chains of team-7 and default (each evaluated once and
    // shared by the cluster and the identity reports); both identities (their users are c-7 among others); and
    // the accounts those reports land in (team-7's role account, and the management account for default).
    expect(next.stats).toEqual({
      mode: 'incremental',
      clusters: 1,
      chains: 2,
      identities: 2,
      accounts: 2,
    });
    expect(next.report.clusters.find(c => c.name === 'c-7')?.region).toBe(
      'us-east-1',
    );
  });

  it('evaluates only the clusters whose chain goes through a changed identity', () => {
    const changed = withChange(
      input,
      named('AWSClusterRoleIdentity', 'team-3'),
      o => {
        o.spec.allowedNamespaces = { list: [] };
      },
    );
    const next = evaluateFleetIncrementally(first, changed, undefined, {
      now: NOW,
    });
    expect(next.stats).toMatchObject({
      mode: 'incremental',
      clusters: N / TEAMS,
    });
    const broken = next.report.clusters.filter(c => c.verdict === 'broken');
    expect(broken.map(c => c.namespace)).toEqual(
      Array(N / TEAMS).fill('team-3'),
    );
  });

  it("evaluates only the clusters of a namespace whose labels changed, and nothing for a change it doesn't read", () => {
    const labels = withChange(input, named('Namespace', 'team-4'), o => {
      o.metadata.labels = { team: 'other' };
    });
    expect(
      evaluateFleetIncrementally(first, labels, undefined, { now: NOW }).stats,
    ).toMatchObject({ mode: 'incremental', clusters: N / TEAMS });
    // A Cluster's resourceVersion is not read by the engine: nothing is evaluated again.
    const unread = withChange(input, named('Cluster', 'c-1'), o => {
      o.metadata.resourceVersion = '42';
    });
    expect(
      evaluateFleetIncrementally(first, unread, undefined, { now: NOW }).stats,
    ).toEqual({
      mode: 'incremental',
      clusters: 0,
      chains: 0,
      identities: 0,
      accounts: 0,
    });
  });

  it('evaluates the chains that reach an account whose live evidence changed', () => {
    const roleArn = controllersArn(STAGING);
    const next = evaluateFleetIncrementally(
      first,
      input,
      { targetRoles: { [roleArn]: { status: 'not-found', checkedAt: 'now' } } },
      { now: NOW, maxAffectedShare: 1 },
    );
    // Every team identity's role is in STAGING: every cluster and team identity; the controller identity too, as
    // it is in the chain of clusters evaluated again (its users).
    expect(next.stats).toMatchObject({
      mode: 'incremental',
      clusters: N,
      identities: TEAMS + 1,
    });
    expect(next.report.clusters.every(c => c.verdict === 'broken')).toBe(true);
  });

  it('evaluates in full on a configuration change, a change of Organizations accounts, or too large a change', () => {
    const config = { ...input, accounts: [] };
    expect(
      evaluateFleetIncrementally(first, config, undefined, { now: NOW }).stats,
    ).toMatchObject({ mode: 'full', reason: 'accounts changed' });
    expect(
      evaluateFleetIncrementally(
        first,
        input,
        { organizationAccounts: [] },
        { now: NOW },
      ).stats,
    ).toMatchObject({
      mode: 'full',
      reason: 'live evidence organizationAccounts changed',
    });
    const identity = withChange(
      input,
      named('AWSClusterControllerIdentity', 'default'),
      o => {
        o.spec.allowedNamespaces = null;
      },
    );
    expect(
      evaluateFleetIncrementally(first, identity, undefined, { now: NOW })
        .stats,
    ).toMatchObject({ mode: 'full', reason: `${N} of ${N} clusters affected` });
  });
});
