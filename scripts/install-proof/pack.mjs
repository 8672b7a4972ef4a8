// The install proof's first half: every publishable package built and packed as a registry would get it.
// `yarn pack` runs each package's prepack/postpack (`backstage-cli package prepack` points main/types/exports
// at dist/ and turns config.d.ts into config.schema.json) and replaces `workspace:^` with the version.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { publishablePackages } from '../check-deps.mjs';

/** Packs each package into `outDir`; the file name carries a hash of the content, so Yarn never reuses a stale one. */
export async function packAll({ run, outDir, concurrency = 3 }) {
  const tarballs = {};
  const queue = publishablePackages();
  const worker = async () => {
    for (let dir = queue.shift(); dir; dir = queue.shift())
      await packOne({ run, outDir, dir, tarballs });
  };
  // Each pack is mostly Yarn's and the CLI's start-up; prepack/postpack touch only their own package.json.
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tarballs;
}

async function packOne({ run, outDir, dir, tarballs }) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const tmp = join(outDir, `${basename(dir)}.tgz`);
  await run(`pack ${pkg.name}`, 'yarn', ['pack', '--out', tmp], { cwd: dir });
  const hash = createHash('sha256')
    .update(readFileSync(tmp))
    .digest('hex')
    .slice(0, 12);
  const file = join(outDir, `${basename(dir)}-${pkg.version}-${hash}.tgz`);
  renameSync(tmp, file);
  tarballs[pkg.name] = file;
}

/** The build output a pack leaves in the workspace (dist/, dist-types/): the workspace runs from src/. */
export function cleanBuildOutput(root) {
  for (const dir of publishablePackages())
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
  rmSync(join(root, 'dist-types'), { recursive: true, force: true });
}
