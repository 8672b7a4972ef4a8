/*
 * The TypeScript transform of the bench phases: Backstage's node transform
 * (@backstage/cli-node/config/nodeTransform.cjs, what `backstage-cli` and the capa-doctor bin use) with the same
 * swc options, minus what only development needs and that would inflate every phase's RSS by ~150 MB: inline
 * source maps, the `{ type: 'watch' }` IPC notes, and the ESM loader hooks (a worker thread with its own V8
 * heap). Nothing in the measured code loads ESM or TypeScript through `import()`.
 */
const { transformSync } = require('@swc/core');
const { addHook } = require('pirates');

addHook(
  (code, filename) =>
    transformSync(code, {
      filename,
      sourceMaps: false,
      module: { type: 'commonjs', ignoreDynamic: true },
      jsc: { target: 'es2023', parser: { syntax: 'typescript' } },
    }).code,
  { extensions: ['.ts', '.cts'], ignoreNodeModules: true },
);
