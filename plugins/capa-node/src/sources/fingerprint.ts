import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * What a folder holds, cheaply: a hash of every entry's path, size, modification time and inode (symbolic links
 * followed), without reading a file. A GitOps checkout that a sync rewrote or extended gets another fingerprint;
 * an untouched one the same, so its manifests need not be parsed again. A rewrite that keeps a file's size and
 * its modification time to the nanosecond, the file system's own resolution, is not seen.
 */
export async function directoryFingerprint(dir: string): Promise<string> {
  const entries = await fs.readdir(dir, { recursive: true });
  const lines = await Promise.all(
    entries.sort().map(async rel => {
      const stat = await fs
        .stat(path.join(dir, rel), { bigint: true })
        .catch(() => undefined);
      return stat
        ? `${rel}\0${stat.size}\0${stat.mtimeNs}\0${stat.ino}`
        : `${rel}\0gone`;
    }),
  );
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}
