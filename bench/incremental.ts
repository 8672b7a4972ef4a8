/*
 * Incremental trust at fleet scale (issue #17 part 2), outside `./portal bench`: the bench fleet (bench/fleet.ts,
 * DEFAULT_FLEET_OPTIONS: 10,000 clusters, 5 management clusters), the kinds KubernetesFleetReader lists, evaluated
 * in full once; then single changes of the kinds a platform engineer makes, each re-evaluated in full
 * (evaluateFleet) and incrementally (evaluateFleetIncrementally from the previous evaluation), with the work each
 * did (counted evaluations), its time, and whether the two reports are the same (JSON).
 *
 *   ./portal yarn node -r ./bench/register.cjs bench/incremental.ts [--changes N]
 */
import { performance } from 'node:perf_hooks';
import type {
  FleetEvaluation,
  FleetInput,
  KubeObject,
} from '@capa-portal/plugin-capa-common';
import {
  evaluateFleet,
  evaluateFleetIncrementally,
} from '@capa-portal/plugin-capa-common';
import { generatedFleetInput } from './fleetInput';

const NOW = new Date('2026-01-01T00:00:00.000Z');

/** The input with the `nth` object of `kinds` in management cluster `m` changed (that cluster's objects anew). */
function changed(
  input: FleetInput,
  m: number,
  kinds: string[],
  nth: number,
  change: (o: any) => void,
): FleetInput {
  let seen = 0;
  const mgmt = input.managementClusters[m];
  const objects = mgmt.objects.map(l => {
    if (!kinds.includes(l.object.kind) || seen++ !== nth) return l;
    const object = structuredClone(l.object) as KubeObject;
    change(object);
    return { ...l, object };
  });
  return {
    ...input,
    managementClusters: input.managementClusters.map((x, i) =>
      i === m ? { ...x, objects } : x,
    ),
  };
}

const CHANGES: Array<{
  name: string;
  apply: (input: FleetInput, i: number) => FleetInput;
}> = [
  {
    name: 'a cluster (region)',
    apply: (input, i) =>
      changed(
        input,
        i % 5,
        ['AWSCluster', 'AWSManagedControlPlane'],
        i * 7,
        o => {
          o.spec.region = `region-${i}`;
        },
      ),
  },
  {
    name: 'an identity (allowedNamespaces)',
    apply: (input, i) =>
      changed(input, i % 5, ['AWSClusterRoleIdentity'], i * 3, o => {
        o.spec.allowedNamespaces = { list: [`ns-${i}`] };
      }),
  },
  {
    name: "a namespace's labels",
    apply: (input, i) =>
      changed(input, i % 5, ['Namespace'], i, o => {
        o.metadata.labels = { ...o.metadata.labels, changed: `${i}` };
      }),
  },
];

function timed<T>(f: () => T): [T, number] {
  const start = performance.now();
  const result = f();
  return [result, performance.now() - start];
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main() {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--changes');
  const n = at >= 0 ? Number(argv[at + 1]) : 5;
  let input = generatedFleetInput();
  let [evaluation, ms] = timed(() =>
    evaluateFleetIncrementally(undefined, input, undefined, { now: NOW }),
  );
  const out: Record<string, unknown> = {
    clusters: evaluation.report.clusters.length,
    first: { ms: Math.round(ms), ...evaluation.stats },
  };
  for (const change of CHANGES) {
    const full: number[] = [];
    const incremental: number[] = [];
    const work: FleetEvaluation['stats'][] = [];
    let same = true;
    for (let i = 0; i < n; i++) {
      input = change.apply(input, i);
      const [report, fullMs] = timed(() =>
        evaluateFleet(input, undefined, { now: NOW }),
      );
      const [next, incMs] = timed(() =>
        evaluateFleetIncrementally(evaluation, input, undefined, { now: NOW }),
      );
      evaluation = next;
      same &&= JSON.stringify(report) === JSON.stringify(next.report);
      full.push(fullMs);
      incremental.push(incMs);
      work.push(next.stats);
    }
    out[change.name] = {
      same,
      fullMedianMs: Math.round(median(full)),
      incrementalMedianMs: Math.round(median(incremental)),
      work,
    };
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

main();
