/*
 * The before/after proof of behaviour-preserving changes (issue #12): computes everything the trust engine and
 * its neighbours produce for two fleets and prints a SHA-256 of each, so a restructure can show the output is
 * byte for byte the same.
 *
 *   demo   examples/demo-fleet, read as the doctor reads it (loadFleetFromDirectory);
 *   bench  bench/fleet.ts's seeded generator (DEFAULT_FLEET_OPTIONS: seed 42, 5 management clusters, 1000
 *          accounts, 1000 identities, 10000 clusters), the kinds KubernetesFleetReader lists handed to the engine
 *          in its order (not slimmed: the parser must ignore managedFields and last-applied annotations).
 *
 * Per fleet: the static report (evaluateFleet, fixed `now`), the evidence plan (planEvidence), the catalog
 * entities (accountEntities + managementClusterEntities), and the live run: DefaultAwsEvidenceGatherer.gather()
 * against bench/awsDouble.ts (the STS/IAM/Organizations/EKS test double, no latency) with the evidence it
 * returns (timestamps and STS session ids normalised: they are clocks and counters) and the report evaluated
 * with it. Sections are serialised with plain JSON.stringify: key order counts, as it does for API clients.
 *
 * Run:   ./portal yarn node -r ./bench/register.cjs scripts/report-snapshot.ts [--check] [--out <dir>]
 *   --check   compare with scripts/report-snapshot.baseline.json (recorded at 12812b2); exit 1 on a difference
 *   --record  rewrite that baseline (only when a change of output is intended, and say so in the commit)
 *   --out     also write each section's JSON into <dir> (to diff a difference)
 *   --only demo|bench   one fleet
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FleetInput, FleetReport } from '@capa-portal/plugin-capa-common';
import { evaluateFleet, planEvidence } from '@capa-portal/plugin-capa-common';
import { loadFleetFromDirectory } from '@capa-portal/plugin-capa-node';
import { startAwsDouble } from '../bench/awsDouble';
import { benchGatherer } from '../bench/benchGatherer';
import { catalogEntitiesOf } from '../bench/catalogEntities';
import { generatedFleetInput } from '../bench/fleetInput';

const ROOT = path.resolve(__dirname, '..');
const BASELINE = path.join(ROOT, 'scripts', 'report-snapshot.baseline.json');
const NOW = new Date('2026-01-01T00:00:00.000Z');
const FIXED_TIME = '2026-01-01T00:00:00.000Z';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Clocks and counters of a live run are not behaviour: ISO timestamps and STS session ids get fixed values. */
function normaliseLive(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, FIXED_TIME)
    .replace(/ASIA\d{16}/g, 'ASIA<session>');
}

async function liveRun(input: FleetInput) {
  const plan = planEvidence(input);
  const double = await startAwsDouble({
    latencyMs: 0,
    managementAccounts: input.managementClusters.map(m => m.accountId),
    organizationAccounts: input.accounts,
  });
  try {
    const { gatherer, managementAccountId } = benchGatherer(double, input);
    const evidence = JSON.parse(
      normaliseLive(
        JSON.stringify(await gatherer.gather(plan, { managementAccountId })),
      ),
    );
    const firstCalls = { ...double.calls };
    // The second run is answered from the gatherer's cache: what it still asks AWS is behaviour too.
    await gatherer.gather(plan, { managementAccountId });
    const secondCalls: Record<string, number> = {};
    for (const [k, v] of Object.entries(double.calls))
      secondCalls[k] = v - (firstCalls[k] ?? 0);
    const report = evaluateFleet(input, evidence, { now: NOW });
    return {
      evidence,
      calls: { first: sortKeys(firstCalls), second: sortKeys(secondCalls) },
      report,
    };
  } finally {
    await double.close();
  }
}

function sortKeys(o: Record<string, number>) {
  return Object.fromEntries(
    Object.entries(o).sort(([a], [b]) => a.localeCompare(b)),
  );
}

async function sections(name: string, input: FleetInput) {
  const out: Record<string, string> = {};
  const report = evaluateFleet(input, undefined, { now: NOW });
  out[`${name}.report`] = JSON.stringify(report);
  out[`${name}.plan`] = JSON.stringify(planEvidence(input));
  out[`${name}.entities`] = JSON.stringify(
    catalogEntitiesOf(report, input, { type: 'manifests', at: FIXED_TIME }),
  );
  const live = await liveRun(input);
  out[`${name}.live.evidence`] = JSON.stringify(live.evidence);
  out[`${name}.live.calls`] = JSON.stringify(live.calls);
  out[`${name}.live.report`] = JSON.stringify(live.report);
  return out;
}

async function demoInput(): Promise<FleetInput> {
  const { input } = await loadFleetFromDirectory(
    path.join(ROOT, 'examples', 'demo-fleet'),
  );
  return input;
}

async function main() {
  const argv = process.argv.slice(2);
  const outIndex = argv.indexOf('--out');
  const outDir = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? argv[onlyIndex + 1] : undefined;
  const all: Record<string, string> = {};
  if (!only || only === 'demo')
    Object.assign(all, await sections('demo', await demoInput()));
  if (!only || only === 'bench')
    Object.assign(
      all,
      await sections(
        'bench',
        generatedFleetInput({
          owner: 'group:default/platform-team',
          system: 'capa-platform',
        }),
      ),
    );

  const hashes: Record<string, { sha256: string; bytes: number }> = {};
  for (const [k, v] of Object.entries(all)) {
    hashes[k] = { sha256: sha256(v), bytes: Buffer.byteLength(v) };
    if (outDir) {
      fs.mkdirSync(outDir, { recursive: true });
      fs.writeFileSync(path.join(outDir, `${k}.json`), v);
    }
  }
  process.stdout.write(`${JSON.stringify(hashes, null, 2)}\n`);

  if (argv.includes('--record')) {
    fs.writeFileSync(BASELINE, `${JSON.stringify(hashes, null, 2)}\n`);
    process.stderr.write(`recorded ${path.relative(ROOT, BASELINE)}\n`);
  }
  if (argv.includes('--check')) {
    const baseline = JSON.parse(fs.readFileSync(BASELINE, 'utf8'));
    const differ = Object.keys(hashes).filter(
      k => baseline[k]?.sha256 !== hashes[k].sha256,
    );
    if (differ.length) {
      process.stderr.write(
        `report-snapshot: DIFFERENT: ${differ.join(', ')}\n`,
      );
      process.exit(1);
    }
    process.stderr.write(
      `report-snapshot: identical to the baseline (${
        Object.keys(hashes).length
      } sections)\n`,
    );
  }
}

main().catch(e => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(2);
});
