import { parseAllDocuments } from 'yaml';
import { InputProblem, KubeObject, LocatedObject } from '../types';

/** What {@link parseManifests} found in one file: the objects, and every problem, each reported once. */
export interface ParsedManifests {
  objects: LocatedObject[];
  problems: InputProblem[];
}

function lineOf(text: string, offset: number | undefined): number | undefined {
  if (offset === undefined) return undefined;
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) line++;
  }
  return line;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Checks the envelope of one Kubernetes object. Returns the reason it can't be used, or undefined.
 * Only the envelope: what a kind's spec must hold is the model's business.
 */
export function envelopeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `expected a Kubernetes object, found ${describe(value)}`;
  }
  const o = value as Record<string, unknown>;
  if (typeof o.apiVersion !== 'string' || !o.apiVersion)
    return 'apiVersion is missing or not a string';
  if (typeof o.kind !== 'string' || !o.kind)
    return 'kind is missing or not a string';
  const md = o.metadata as Record<string, unknown> | undefined;
  if (typeof md !== 'object' || md === null || Array.isArray(md))
    return 'metadata is missing or not an object';
  if (typeof md.name !== 'string' || !md.name)
    return 'metadata.name is missing or not a string';
  if (md.namespace !== undefined && typeof md.namespace !== 'string')
    return 'metadata.namespace is not a string';
  for (const key of ['labels', 'annotations'] as const) {
    const v = md[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'object' || Array.isArray(v))
      return `metadata.${key} is not a map`;
  }
  if (
    o.spec !== undefined &&
    o.spec !== null &&
    (typeof o.spec !== 'object' || Array.isArray(o.spec))
  ) {
    return `spec is ${describe(o.spec)}, expected an object`;
  }
  return undefined;
}

/**
 * Parses one YAML (or JSON) file of Kubernetes manifests: several documents, and `kind: List` items.
 * Never throws: a document with a YAML error or a malformed object becomes a problem naming the file and line;
 * the other documents of the file still count.
 */
export function parseManifests(text: string, source: string): ParsedManifests {
  const objects: LocatedObject[] = [];
  const problems: InputProblem[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    problems.push({
      source,
      message: `not YAML: ${(e as Error).message}`,
      severity: 'error',
    });
    return { objects, problems };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const line = lineOf(text, doc.contents?.range?.[0] ?? doc.range?.[0]);
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const errLine =
        err.linePos?.[0]?.line ?? lineOf(text, err.pos?.[0]) ?? line;
      problems.push({
        source,
        line: errLine,
        message: `invalid YAML: ${err.message.split('\n')[0]}`,
        severity: 'error',
      });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      problems.push({
        source,
        line,
        message: `invalid YAML: ${(e as Error).message}`,
        severity: 'error',
      });
      continue;
    }
    if (value === null || value === undefined) continue; // an empty document
    const items =
      typeof value === 'object' &&
      !Array.isArray(value) &&
      (value as any).kind === 'List' &&
      Array.isArray((value as any).items)
        ? ((value as any).items as unknown[])
        : [value];
    for (const item of items) {
      const problem = envelopeProblem(item);
      if (problem) {
        const o = item as any;
        const kind = typeof o?.kind === 'string' ? o.kind : undefined;
        const name =
          typeof o?.metadata?.name === 'string' ? o.metadata.name : undefined;
        problems.push({
          source,
          line,
          object: kind ? `${kind}/${name ?? '?'}` : undefined,
          message: `skipped: ${problem}`,
          severity: 'error',
        });
        continue;
      }
      objects.push({ object: item as KubeObject, location: { source, line } });
    }
  }
  return { objects, problems };
}
