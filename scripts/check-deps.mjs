#!/usr/bin/env node
// Dependencies exactly what the code imports, for every publishable (non-private) package of the workspace.
//
// A file ships (runtime) when a package entry point reaches it through relative imports (`exports`, else
// `main`), or it is one of the files `files` publishes outside src (bin/, migrations/, config.d.ts). Every
// other file under src/ (tests, setupTests, test helpers under testing/ that no entry point exports) is a
// development file. Then, per package:
//   missing      a runtime file imports a package that is not in dependencies or peerDependencies, or a
//                development file imports one declared nowhere;
//   misplaced    a dependency only development files import (belongs in devDependencies);
//   unused       a dependency or devDependency nothing imports (`@types/x` counts as used when x is
//                imported; `@backstage/cli` when a script runs it).
// A line that ends in `// check-deps: dev` counts as a development import (the doctor's monorepo fallback).
// Exit 1 and one line per finding when something is off; exit 0 and a one-line summary otherwise.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const SOURCE = /\.(ts|tsx|js|mjs|cjs)$/;
const builtins = new Set(builtinModules);

function walk(dir) {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const isNodeScript = file =>
  readFileSync(file, 'utf8').startsWith('#!/usr/bin/env node');

/**
 * The modules a file imports: static and dynamic imports, `export … from` and `require()`, found by the
 * TypeScript compiler's own pre-processor (so text in strings and comments is never taken for an import).
 */
export function importsOf(text) {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map(({ fileName, pos }) => {
    const lineEnd = text.indexOf('\n', pos);
    const line = text.slice(
      text.lastIndexOf('\n', pos) + 1,
      lineEnd === -1 ? undefined : lineEnd,
    );
    return { spec: fileName, dev: line.includes('check-deps: dev') };
  });
}

export function packageOf(spec) {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:'))
    return undefined;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? undefined : name;
}

function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec);
  const candidates = [
    base,
    ...['.ts', '.tsx', '.js', '.mjs', '.cjs'].map(e => base + e),
    ...['index.ts', 'index.tsx', 'index.js'].map(f => join(base, f)),
  ];
  return candidates.find(c => existsSync(c) && statSync(c).isFile());
}

function entryPoints(dir, pkg) {
  const targets = pkg.exports
    ? Object.values(pkg.exports).filter(v => typeof v === 'string')
    : [pkg.main ?? 'src/index.ts'];
  return targets
    .filter(t => SOURCE.test(t))
    .map(t => resolve(dir, t))
    .filter(existsSync);
}

/** Files an entry point reaches through relative imports. */
function reachable(entries) {
  const seen = new Set();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { spec } of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolveRelative(file, spec);
      if (target) queue.push(target);
    }
  }
  return seen;
}

export function checkPackage(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const runtimeFiles = reachable(entryPoints(dir, pkg));
  for (const f of pkg.files ?? []) {
    if (f === 'dist' || f === 'src') continue;
    for (const file of walk(join(dir, f)))
      if (SOURCE.test(file) || isNodeScript(file)) runtimeFiles.add(file);
  }
  const devFiles = walk(join(dir, 'src')).filter(
    f => SOURCE.test(f) && !runtimeFiles.has(f),
  );

  const runtimeUse = new Map(); // package name -> first file
  const devUse = new Map();
  const note = (map, name, file) => map.has(name) || map.set(name, file);
  for (const [files, isRuntime] of [
    [runtimeFiles, true],
    [devFiles, false],
  ]) {
    for (const file of files) {
      for (const { spec, dev } of importsOf(readFileSync(file, 'utf8'))) {
        const name = packageOf(spec);
        if (!name || name === pkg.name) continue;
        note(isRuntime && !dev ? runtimeUse : devUse, name, file);
      }
    }
  }

  const deps = new Set(Object.keys(pkg.dependencies ?? {}));
  const peers = new Set(Object.keys(pkg.peerDependencies ?? {}));
  const devDeps = new Set(Object.keys(pkg.devDependencies ?? {}));
  const scripts = Object.values(pkg.scripts ?? {}).join(' ');
  const used = name =>
    runtimeUse.has(name) ||
    devUse.has(name) ||
    (name.startsWith('@types/') &&
      [...runtimeUse.keys(), ...devUse.keys()].some(
        n => `@types/${n.replace(/^@(.*)\/(.*)$/, '$1__$2')}` === name,
      )) ||
    (name === '@backstage/cli' && scripts.includes('backstage-cli'));
  const at = file => relative(root, file);

  const findings = [];
  for (const [name, file] of runtimeUse) {
    if (!deps.has(name) && !peers.has(name))
      findings.push(
        `missing dependency ${name} (imported by ${at(file)}, which ships)`,
      );
  }
  for (const [name, file] of devUse) {
    if (runtimeUse.has(name)) continue;
    if (!deps.has(name) && !peers.has(name) && !devDeps.has(name))
      findings.push(`missing devDependency ${name} (imported by ${at(file)})`);
    else if (deps.has(name))
      findings.push(
        `misplaced dependency ${name}: only development files import it (${at(
          file,
        )}); move it to devDependencies`,
      );
  }
  // A dependency nothing imports is still needed when another dependency declares it as a peer
  // (@bufbuild/cel needs @bufbuild/protobuf installed beside it).
  const peerOfDeps = new Set(
    [...deps].flatMap(dep => {
      try {
        // package.json files are not always in a package's exports: look for it in node_modules instead
        let at = dir;
        while (!existsSync(join(at, 'node_modules', dep, 'package.json'))) {
          if (at === dirname(at)) return [];
          at = dirname(at);
        }
        const file = join(at, 'node_modules', dep, 'package.json');
        return Object.keys(
          JSON.parse(readFileSync(file, 'utf8')).peerDependencies ?? {},
        );
      } catch {
        return [];
      }
    }),
  );
  for (const name of deps)
    if (!used(name) && !peerOfDeps.has(name))
      findings.push(`unused dependency ${name}`);
  for (const name of devDeps)
    if (!used(name) && !peers.has(name))
      findings.push(`unused devDependency ${name}`);
  return { name: pkg.name, findings };
}

export function publishablePackages() {
  return ['packages', 'plugins'].flatMap(group =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter(e => e.isDirectory())
      .map(e => join(root, group, e.name))
      .filter(dir => existsSync(join(dir, 'package.json')))
      .filter(
        dir =>
          !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private,
      ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = publishablePackages().map(checkPackage);
  const bad = results.filter(r => r.findings.length > 0);
  for (const r of bad)
    for (const f of r.findings) console.log(`check-deps: ${r.name}: ${f}`);
  console.log(
    `check-deps: ${results.length} packages, ${bad.reduce(
      (n, r) => n + r.findings.length,
      0,
    )} findings`,
  );
  process.exit(bad.length ? 1 : 0);
}
