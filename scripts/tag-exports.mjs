#!/usr/bin/env node
// Adds a release tag (`@public`, or the one given) to every declaration an entry point exports that has none,
// so API Extractor's reports (report.api.md) can be kept. Run once per new export; reviewers then decide
// whether it should rather be `@alpha` or not exported at all.
//   node scripts/tag-exports.mjs <entry.ts> [tag]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const [entry, tag = 'public'] = process.argv.slice(2);
if (!entry) {
  console.error(
    'usage: node scripts/tag-exports.mjs <entry.ts> [public|alpha|beta|internal]',
  );
  process.exit(2);
}
const entryPath = resolve(entry);
const program = ts.createProgram([entryPath], {
  jsx: ts.JsxEmit.ReactJSX,
  esModuleInterop: true,
  skipLibCheck: true,
  moduleResolution: ts.ModuleResolutionKind.Node10,
});
const checker = program.getTypeChecker();
const source = program.getSourceFile(entryPath);
const RELEASE = /@(public|alpha|beta|internal)\b/;
let packageDir = dirname(entryPath);
while (!existsSync(resolve(packageDir, 'package.json')))
  packageDir = dirname(packageDir);

/** The statement a declaration's doc comment belongs to. */
function statementOf(decl) {
  if (ts.isVariableDeclaration(decl)) return decl.parent.parent;
  return decl;
}

const edits = new Map(); // file -> [{ pos, text }]
for (const symbol of checker.getExportsOfModule(
  checker.getSymbolAtLocation(source),
)) {
  const target =
    symbol.flags & ts.SymbolFlags.Alias
      ? checker.getAliasedSymbol(symbol)
      : symbol;
  for (const decl of target.declarations ?? []) {
    const file = decl.getSourceFile();
    if (!file.fileName.startsWith(packageDir + '/src/')) continue; // another package's export
    const stmt = statementOf(decl);
    const docs = stmt.jsDoc ?? [];
    if (docs.some(d => RELEASE.test(d.getText()))) continue;
    const list = edits.get(file.fileName) ?? [];
    if (docs.length) {
      const last = docs[docs.length - 1];
      const text = last.getText();
      const indent = ' '.repeat(
        last.getStart() - file.text.lastIndexOf('\n', last.getStart()) - 1,
      );
      if (text.startsWith('/**') && !text.includes('\n')) {
        // a one-line doc: /** What it is. */ -> a block with the tag
        const body = text.slice(3, -2).trim();
        list.push({
          start: last.getStart(),
          end: last.getEnd(),
          text: `/**\n${indent} * ${body}\n${indent} *\n${indent} * @${tag}\n${indent} */`,
        });
      } else {
        const close = last.getEnd() - 2;
        list.push({
          start: close,
          end: close,
          text: `*\n${indent} * @${tag}\n${indent} `,
        });
      }
    } else {
      const start = stmt.getStart();
      const indent = ' '.repeat(start - file.text.lastIndexOf('\n', start) - 1);
      list.push({ start, end: start, text: `/** @${tag} */\n${indent}` });
    }
    edits.set(file.fileName, list);
  }
}
let count = 0;
for (const [file, list] of edits) {
  let text = readFileSync(file, 'utf8');
  const seen = new Set();
  for (const e of list.sort((a, b) => b.start - a.start)) {
    if (seen.has(e.start)) continue;
    seen.add(e.start);
    text = text.slice(0, e.start) + e.text + text.slice(e.end);
    count++;
  }
  writeFileSync(file, text);
}
console.log(
  `tag-exports: ${count} declarations tagged @${tag} in ${edits.size} files`,
);
