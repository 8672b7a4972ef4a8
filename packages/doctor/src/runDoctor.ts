/*
 * `capa-doctor <dir> [--json]` (docs/contracts.md §6, a stable contract):
 *   reads <dir>/fleet.yaml and everything it names, evaluates trust, prints a table or JSON.
 *   exit 0: no broken verdict; 1: some verdict is broken; 2: unusable input or bad usage. Unusable input:
 *   a missing dir / fleet.yaml, an invalid fleet.yaml (nothing evaluated, JSON `{error, problems}`), or a
 *   `manifests` / `iamConfiguration` that fleet.yaml names but that is missing, unreadable or not YAML (the
 *   rest is evaluated and printed; JSON adds `unusableInput`, those problems). 2 wins over 1: a verdict
 *   computed without part of the input cannot clear a gate. A malformed object in a readable manifest file is
 *   an input problem only (listed in `problems`), not exit 2.
 */
import {
  capaConditionsForCluster,
  evaluateFleet,
  VERDICTS_WORST_FIRST,
} from '@capa-portal/plugin-capa-common';
import type {
  AccountReport,
  Check,
  ClusterReport,
  FleetInput,
  FleetReport,
  InputProblem,
  Verdict,
} from '@capa-portal/plugin-capa-common';
import {
  FleetLoadError,
  loadFleetFromDirectory,
} from '@capa-portal/plugin-capa-node/fleet';

export interface DoctorIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  env?: Record<string, string | undefined>;
  /** Override the clock (tests). */
  now?: Date;
}

export const DOCTOR_USAGE = `Usage: capa-doctor <dir> [--json] [--no-color]

Reads <dir>/fleet.yaml (managementClusters, accounts; paths relative to it), the manifests folders and
clusterawsadm AWSIAMConfiguration files it names, and reports the trust of every account, cluster and identity.

Options:
  --json       print the report as JSON (accounts, clusters, identities, problems, unusableInput)
  --no-color   never colour the table (colour is used only on a TTY and when NO_COLOR is unset)
  -h, --help   show this help

Exit status: 0 nothing broken, 1 some verdict is broken, 2 unusable input (fleet.yaml missing or invalid,
or a manifests folder / iamConfiguration file it names missing, unreadable or not YAML; 2 wins over 1).
`;

const SYMBOL: Record<Check['status'], string> = {
  pass: '✓',
  warn: '!',
  fail: '✗',
  skip: '-',
};

function colours(enabled: boolean) {
  const wrap = (code: string) => (s: string) =>
    enabled ? `\u001b[${code}m${s}\u001b[0m` : s;
  return {
    red: wrap('31'),
    yellow: wrap('33'),
    green: wrap('32'),
    cyan: wrap('36'),
    dim: wrap('2'),
    bold: wrap('1'),
  };
}

function verdictColour(
  c: ReturnType<typeof colours>,
  v: Verdict,
): (s: string) => string {
  switch (v) {
    case 'broken':
      return c.red;
    case 'degraded':
      return c.yellow;
    case 'trusted':
      return c.green;
    case 'configured':
      return c.cyan;
    default:
      return c.dim;
  }
}

function table(
  rows: string[][],
  colour?: Array<((s: string) => string) | undefined>,
): string[] {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r, ri) =>
    r
      .map((cell, i) => {
        const padded = i === r.length - 1 ? cell : cell.padEnd(widths[i]);
        return i === 0 && ri > 0 && colour?.[ri] ? colour[ri]!(padded) : padded;
      })
      .join('  ')
      .trimEnd(),
  );
}

function checkLines(
  checks: Check[],
  c: ReturnType<typeof colours>,
  indent: string,
): string[] {
  const out: string[] = [];
  for (const ch of checks) {
    if (ch.status !== 'fail' && ch.status !== 'warn') continue;
    const paint = ch.status === 'fail' ? c.red : c.yellow;
    out.push(
      `${indent}${paint(`${SYMBOL[ch.status]} ${ch.id}`)}: ${ch.message}`,
    );
    const ev = ch.evidence?.find(e => e.line !== undefined || e.source);
    if (ev)
      out.push(
        `${indent}    ${c.dim(
          `evidence: ${ev.source}${ev.line ? `:${ev.line}` : ''}${
            ev.detail ? ` (${ev.detail})` : ''
          }`,
        )}`,
      );
    if (ch.fix) {
      out.push(`${indent}    fix: ${ch.fix.summary}`);
      if (ch.fix.snippet)
        for (const l of ch.fix.snippet.split('\n'))
          out.push(`${indent}      ${c.dim(l)}`);
    }
  }
  return out;
}

/** Each cluster with CAPA's own conditions beside our verdict (`capaConditions`), read from the manifests. */
export function withCapaConditions(
  report: FleetReport,
  input: FleetInput,
): FleetReport {
  const objects = new Map(
    input.managementClusters.map(m => [m.name, m.objects.map(o => o.object)]),
  );
  const clusters = report.clusters.map((c): ClusterReport => {
    const capaConditions = capaConditionsForCluster(
      c,
      objects.get(c.managementCluster) ?? [],
    );
    return capaConditions ? { ...c, capaConditions } : c;
  });
  return { ...report, clusters };
}

/** The CAPA-conditions lines of one cluster: a disagreement with our verdict, stale conditions. */
function capaConditionLines(
  cl: ClusterReport,
  c: ReturnType<typeof colours>,
  indent: string,
): string[] {
  const cc = cl.capaConditions;
  if (!cc) return [];
  const out: string[] = [];
  if (cc.disagreement)
    out.push(`${indent}${c.yellow(`! CAPA disagrees`)}: ${cc.disagreement}`);
  for (const cond of cc.conditions) {
    if (cond.stale)
      out.push(
        `${indent}${c.dim(
          `stale CAPA condition ${cond.type}=${cond.status}: ${cond.stale}`,
        )}`,
      );
  }
  return out;
}

/**
 * An account's verdict is its reachability (can CAPA assume into it); the clusters with problems of their own
 * (a namespace the identity does not admit, unserved manifests) are listed under it, each with its own checks.
 */
function clusterProblemLines(
  a: AccountReport,
  c: ReturnType<typeof colours>,
  indent: string,
): string[] {
  const problems = a.clusterProblems ?? [];
  if (!problems.length) return [];
  return [
    `${indent}reachability ${a.verdict}, with ${
      problems.length
    } cluster problem${problems.length === 1 ? '' : 's'}:`,
    ...problems.map(
      p =>
        `${indent}  ${verdictColour(c, p.verdict)(p.verdict)} ${
          p.managementCluster
        } ${p.namespace}/${p.name}: ${p.checks
          .map(k => `${k.id} ${k.status}`)
          .join(', ')}`,
    ),
  ];
}

function problemLine(p: InputProblem): string {
  return `${p.severity}: ${p.source}${p.line ? `:${p.line}` : ''}${
    p.object ? ` ${p.object}` : ''
  }: ${p.message}`;
}

export function renderTable(
  report: FleetReport,
  dir: string,
  colour: boolean,
): string {
  const c = colours(colour);
  const lines: string[] = [];
  lines.push(
    c.bold(
      `capa doctor: ${dir} (${
        report.managementClusters.length
      } management cluster${
        report.managementClusters.length === 1 ? '' : 's'
      }, ${report.clusters.length} cluster${
        report.clusters.length === 1 ? '' : 's'
      }, ${report.identities.length} identit${
        report.identities.length === 1 ? 'y' : 'ies'
      })`,
    ),
  );
  lines.push('');
  lines.push(c.bold('ACCOUNTS'));
  if (!report.accounts.length) lines.push('  (none)');
  else {
    const rows = [
      [
        'VERDICT',
        'ACCOUNT',
        'NAME',
        'TIER',
        'CLUSTERS',
        'IDENTITIES',
        'CLUSTER PROBLEMS',
      ],
    ];
    const paints: Array<((s: string) => string) | undefined> = [undefined];
    for (const a of report.accounts) {
      rows.push([
        a.verdict,
        a.accountId,
        a.name ?? '',
        a.tier ?? '',
        String(a.clusters.length),
        String(a.identities.length),
        String(a.clusterProblemCount ?? 0),
      ]);
      paints.push(verdictColour(c, a.verdict));
    }
    lines.push(...table(rows, paints).map(l => `  ${l}`));
    for (const a of report.accounts) {
      const extra = [
        ...checkLines(a.checks, c, '    '),
        ...clusterProblemLines(a, c, '    '),
      ];
      if (extra.length) lines.push(`  ${a.accountId}:`, ...extra);
    }
  }
  lines.push('');
  lines.push(c.bold('CLUSTERS'));
  if (!report.clusters.length) lines.push('  (none)');
  else {
    const rows = [
      ['VERDICT', 'MANAGEMENT', 'NAMESPACE/NAME', 'ACCOUNT', 'IDENTITY'],
    ];
    const paints: Array<((s: string) => string) | undefined> = [undefined];
    for (const cl of report.clusters) {
      rows.push([
        cl.verdict,
        cl.managementCluster,
        `${cl.namespace}/${cl.name}`,
        cl.accountId ?? '?',
        `${cl.identityRef.kind}/${cl.identityRef.name}${
          cl.identityRefDefaulted ? ' (defaulted)' : ''
        }`,
      ]);
      paints.push(verdictColour(c, cl.verdict));
    }
    lines.push(...table(rows, paints).map(l => `  ${l}`));
    for (const cl of report.clusters) {
      const extra = [
        ...checkLines(cl.checks, c, '    '),
        ...capaConditionLines(cl, c, '    '),
      ];
      if (extra.length)
        lines.push(
          `  ${cl.managementCluster} ${cl.namespace}/${cl.name}:`,
          ...extra,
        );
    }
  }
  lines.push('');
  lines.push(c.bold('IDENTITIES'));
  if (!report.identities.length) lines.push('  (none)');
  else {
    const rows = [['VERDICT', 'MANAGEMENT', 'IDENTITY', 'ACCOUNT', 'ROLE']];
    const paints: Array<((s: string) => string) | undefined> = [undefined];
    for (const i of report.identities) {
      rows.push([
        i.verdict,
        i.managementCluster,
        `${i.kind}/${i.name}`,
        i.accountId ?? '?',
        i.roleArn ?? '',
      ]);
      paints.push(verdictColour(c, i.verdict));
    }
    lines.push(...table(rows, paints).map(l => `  ${l}`));
    for (const i of report.identities) {
      const extra = checkLines(i.checks, c, '    ');
      if (extra.length)
        lines.push(`  ${i.managementCluster} ${i.kind}/${i.name}:`, ...extra);
    }
  }
  const all = [
    ...report.accounts.map(a => a.verdict),
    ...report.clusters.map(x => x.verdict),
    ...report.identities.map(x => x.verdict),
  ];
  const counts = VERDICTS_WORST_FIRST.map(
    v => [v, all.filter(x => x === v).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([v, n]) => verdictColour(c, v)(`${n} ${v}`));
  lines.push('');
  lines.push(
    `summary: ${counts.length ? counts.join(', ') : 'nothing to report'}${
      report.problems.length
        ? `; ${report.problems.length} input problem(s) (stderr)`
        : ''
    }`,
  );
  return `${lines.join('\n')}\n`;
}

function parseArgs(argv: string[]): {
  dir?: string;
  json: boolean;
  help: boolean;
  noColor: boolean;
  error?: string;
} {
  const out = { json: false, help: false, noColor: false } as {
    dir?: string;
    json: boolean;
    help: boolean;
    noColor: boolean;
    error?: string;
  };
  for (const a of argv) {
    if (a === '--json') out.json = true;
    else if (a === '--help' || a === '-h') out.help = true;
    else if (a === '--no-color' || a === '--no-colour') out.noColor = true;
    else if (a.startsWith('-') && a !== '-') out.error = `unknown option ${a}`;
    else if (out.dir === undefined) out.dir = a;
    else out.error = `unexpected argument ${a}`;
  }
  return out;
}

/** Runs the doctor. Returns the exit code; never throws. */
export async function runDoctor(argv: string[], io: DoctorIO): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    io.stdout.write(DOCTOR_USAGE);
    return 0;
  }
  if (args.error || !args.dir) {
    io.stderr.write(
      `capa-doctor: ${args.error ?? 'missing <dir>'}\n\n${DOCTOR_USAGE}`,
    );
    return 2;
  }
  const env = io.env ?? {};
  let loaded;
  try {
    loaded = await loadFleetFromDirectory(args.dir);
  } catch (e) {
    if (e instanceof FleetLoadError) {
      if (args.json) {
        io.stdout.write(
          `${JSON.stringify(
            { error: e.message, problems: e.problems },
            null,
            2,
          )}\n`,
        );
      }
      io.stderr.write(`capa-doctor: ${e.message}\n`);
      for (const p of e.problems) io.stderr.write(`  ${problemLine(p)}\n`);
      return 2;
    }
    io.stderr.write(
      `capa-doctor: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 2;
  }
  const report = withCapaConditions(
    evaluateFleet(
      loaded.input,
      undefined,
      io.now ? { now: io.now } : undefined,
    ),
    loaded.input,
  );
  const broken =
    report.accounts.some(a => a.verdict === 'broken') ||
    report.clusters.some(c => c.verdict === 'broken') ||
    report.identities.some(i => i.verdict === 'broken');
  const unusable = loaded.unusable;
  if (args.json) {
    io.stdout.write(
      `${JSON.stringify({ ...report, unusableInput: unusable }, null, 2)}\n`,
    );
  } else {
    const colour =
      !!io.stdout.isTTY && env.NO_COLOR === undefined && !args.noColor;
    io.stdout.write(renderTable(report, args.dir, colour));
    for (const p of report.problems) io.stderr.write(`${problemLine(p)}\n`);
  }
  if (unusable.length > 0) {
    io.stderr.write(
      `capa-doctor: unusable input: ${unusable.length} named file(s) or folder(s) could not be read; the report above is incomplete\n`,
    );
    return 2;
  }
  return broken ? 1 : 0;
}
