import { isMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { InputProblem, KubeObject, LocatedObject } from '../types';

/**
 * What {@link parseManifests} found in one file: the objects, and every problem, each reported once.
 *
 * @public
 */
export interface ParsedManifests {
  objects: LocatedObject[];
  problems: InputProblem[];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Checks the envelope of one Kubernetes object. Returns the reason it can't be used, or undefined.
 * Only the envelope (apiVersion, kind, metadata): what a kind's spec must hold, and that it is an object, is the
 * model's business.
 *
 * @public
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
  // A spec that is not an object is the model's to judge (per kind): a malformed identity must stay known as
  // malformed, so that a cluster naming it is told so rather than that it does not exist.
  return undefined;
}

/**
 * Parses one YAML (or JSON) file of Kubernetes manifests: several documents, and `kind: List` items.
 * Never throws: a document with a YAML error or a malformed object becomes a problem naming the file and line;
 * the other documents of the file still count.
 *
 * @public
 */
export function parseManifests(text: string, source: string): ParsedManifests {
  const objects: LocatedObject[] = [];
  const problems: InputProblem[] = [];
  const lineCounter = new LineCounter();
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  let docs;
  try {
    docs = parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: false,
    });
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
    if (!doc || !('errors' in doc)) continue;
    const line = lineAt(doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0);
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const errLine = err.linePos?.[0]?.line ?? lineAt(err.pos?.[0] ?? 0);
        problems.push({
          source,
          line: errLine,
          message: `invalid YAML: ${err.message.split('\n')[0]}`,
          severity: 'error',
        });
      }
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
    // `kubectl get -o yaml` output: a List (or FooList) of objects, each with its own line.
    const isList =
      typeof value === 'object' &&
      !Array.isArray(value) &&
      typeof (value as any).kind === 'string' &&
      (value as any).kind.endsWith('List') &&
      Array.isArray((value as any).items);
    const itemNodes =
      isList && isMap(doc.contents)
        ? doc.contents.get('items', true)
        : undefined;
    const items: Array<[unknown, number]> = isList
      ? ((value as any).items as unknown[]).map((item, i) => {
          const node = isSeq(itemNodes)
            ? (itemNodes.items[i] as any)
            : undefined;
          return [item, node?.range ? lineAt(node.range[0]) : line];
        })
      : [[value, line]];
    for (const [item, itemLine] of items) {
      const problem = envelopeProblem(item);
      if (problem) {
        const o = item as any;
        const kind = typeof o?.kind === 'string' ? o.kind : undefined;
        const name =
          typeof o?.metadata?.name === 'string' ? o.metadata.name : undefined;
        problems.push({
          source,
          line: itemLine,
          object: kind ? `${kind}/${name ?? '?'}` : undefined,
          message: `skipped: ${problem}`,
          severity: 'error',
        });
        continue;
      }
      objects.push({
        object: item as KubeObject,
        location: { source, line: itemLine },
      });
    }
  }
  return { objects, problems };
}
