#!/usr/bin/env node
// Regenerates plugins/capa-backend/src/schema/openapi.generated.ts from openapi.yaml (the source of truth).
// `--check` fails when the generated file is out of date (one of `./portal test`'s static checks).
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import prettier from 'prettier';

const dir = new URL('../plugins/capa-backend/src/schema/', import.meta.url)
  .pathname;
const spec = parse(readFileSync(`${dir}openapi.yaml`, 'utf8'));
const raw = `// Generated from openapi.yaml by scripts/openapi.mjs: do not edit by hand.\n\nexport const spec = ${JSON.stringify(
  spec,
  null,
  2,
)} as const;\n`;
const options =
  (await prettier.resolveConfig(`${dir}openapi.generated.ts`)) ?? {};
const text = await prettier.format(raw, { ...options, parser: 'typescript' });
if (process.argv.includes('--check')) {
  if (readFileSync(`${dir}openapi.generated.ts`, 'utf8') !== text) {
    console.error(
      'openapi.generated.ts is out of date: run node scripts/openapi.mjs',
    );
    process.exit(1);
  }
} else {
  writeFileSync(`${dir}openapi.generated.ts`, text);
}
