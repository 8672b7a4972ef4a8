/* Helpers shared by the crd tests (not exported from the package). */
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

/** plugins/capa-node, resolved through the package's own `package.json`. */
export const packageRoot = resolvePackagePath('@capa-portal/plugin-capa-node');
/** /work/main (the monorepo root): two levels above plugins/capa-node. */
export const repoRoot = path.resolve(packageRoot, '..', '..');
export const sharedCrdDir = path.resolve(repoRoot, '../shared/crds');
export const vendoredCrdDir = path.join(packageRoot, 'crds');
export const demoFleetDir = path.join(repoRoot, 'examples', 'demo-fleet');

export interface YamlDoc {
  file: string;
  /** 1-based line of the document start. */
  line: number;
  value: any;
}

export function listFiles(dir: string, pattern = /\.ya?ml$/): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, pattern));
    else if (pattern.test(entry.name)) out.push(full);
  }
  return out.sort();
}

export function readYamlDocs(file: string): YamlDoc[] {
  const text = fs.readFileSync(file, 'utf8');
  const docs: YamlDoc[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: ${doc.errors.map(e => e.message).join('; ')}`);
    }
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    const offset = doc.range?.[0] ?? 0;
    docs.push({ file, line: text.slice(0, offset).split('\n').length, value });
  }
  return docs;
}

export function describeObject(o: any): string {
  const ns = o?.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o?.apiVersion} ${o?.kind} ${ns}${o?.metadata?.name}`;
}
