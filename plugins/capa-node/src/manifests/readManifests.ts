import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { ForwardedError } from '@backstage/errors';
import {
  dropDuplicateObjects,
  parseManifests,
} from '@capa-portal/plugin-capa-common';
import type {
  InputProblem,
  LocatedObject,
} from '@capa-portal/plugin-capa-common';

/** Objects read from a folder, a tree URL or a file, and every problem met (bad YAML, files too large...). */
export interface ReadManifestsResult {
  objects: LocatedObject[];
  problems: InputProblem[];
}

export interface ReadManifestsFromUrlOptions {
  /** Files larger than this are skipped with a problem (default 5 MB). */
  maxFileBytes?: number;
  /**
   * The ETag of the previous read: when nothing changed the reader throws `NotModifiedError`, which is
   * passed on unchanged (keep the last result).
   */
  etag?: string;
  signal?: AbortSignal;
}

/** {@link readManifestsFromUrl}'s answer: also the ETag for the next read. */
export interface ReadManifestsFromUrlResult extends ReadManifestsResult {
  etag?: string;
}

/** 5 MB: far above any real manifest file, small enough not to hurt the backend. */
export const DEFAULT_MAX_MANIFEST_FILE_BYTES = 5 * 1024 * 1024;

const MANIFEST_FILE = /\.ya?ml$/i;
/** kustomize's own config files are not Kubernetes objects: skipped without a problem. */
const KUSTOMIZE_CONFIG = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/** Code-point order: the same on every machine, whatever the locale. */
function byString(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * The order `kubectl apply -f <dir>` reads files in: Go's filepath.Walk, depth first, each folder's entries by
 * name ("The files are walked in lexical order"). So `a/x.yaml` comes before `a.yaml` (the entry `a` sorts before
 * `a.yaml`), which a plain comparison of whole paths gets wrong.
 */
function byWalkOrder(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const c = byString(as[i], bs[i]);
    if (c !== 0) return c;
  }
  return as.length - bs.length;
}

function isManifestFile(p: string): boolean {
  return MANIFEST_FILE.test(p) && !KUSTOMIZE_CONFIG.test(p);
}

/** A URL without credentials in it (user:password@), for messages and sources. */
function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

/** Removes `user:password@` from every URL in a text. */
function scrubUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]*@/gi, '$1');
}

function joinSource(prefix: string, rel: string): string {
  const p = prefix.replace(/\/+$/, '');
  return p ? `${p}/${rel.replace(/^\/+/, '')}` : rel;
}

/**
 * The objects as the folder applies with kubectl (the last definition of an object wins, in reading order), and
 * every problem, those of the duplicates after the files' own.
 */
function withoutDuplicates<T extends ReadManifestsResult>(read: T): T {
  const deduped = dropDuplicateObjects(read.objects);
  return {
    ...read,
    objects: deduped.objects,
    problems: [...read.problems, ...deduped.problems],
  };
}

function tooLarge(source: string, size: number, max: number): InputProblem {
  return {
    source,
    message: `skipped: the file is ${size} bytes, more than the ${max} bytes manifests may have`,
    severity: 'error',
  };
}

function readerError(target: string, error: unknown): Error {
  const name = (error as Error)?.name;
  if (name === 'NotModifiedError') return error as Error; // the caller keeps its last result
  const url = displayUrl(target);
  let message = `Could not read manifests from ${url}`;
  if (name === 'NotAllowedError') {
    message = `Reading manifests from ${url} is not allowed: add an integration for its host, or allow it in backend.reading.allow`;
  } else if (name === 'NotFoundError') {
    message = `No manifests found at ${url}`;
  }
  // ForwardedError keeps the cause's name (NotAllowedError, NotFoundError, ...), so HTTP status mapping still
  // works. The cause is copied with any credentials in the URL (user:token@) removed from its message.
  const causeMessage = scrubUrlCredentials(
    String((error as Error)?.message ?? error),
  );
  const cause = Object.assign(new Error(causeMessage), {
    name: typeof name === 'string' && name ? name : 'Error',
  });
  return new ForwardedError(message, cause);
}

/**
 * Reads Kubernetes manifests through Backstage's UrlReaderService.
 *
 * - A URL ending in `.yaml` / `.yml` is one file: `readUrl`.
 * - Anything else is a folder (GitHub / GitLab / Bitbucket tree URLs, or whatever the configured readers
 *   support): `readTree`, then every `*.yaml` / `*.yml` file in it (kustomization files excepted), sorted by
 *   path. Each object's source is the target URL joined with the file's path inside the tree.
 * - Files are read in the order `kubectl apply -f` walks a folder (depth first, entries by name in code-point
 *   order), each file's documents in order; an object defined twice keeps its last definition, and each earlier one is a problem naming both
 *   places (see `dropDuplicateObjects`).
 *
 * Problems in files (bad YAML, malformed objects, files above `maxFileBytes`) are returned, never thrown.
 * A reader failure (URL not allowed, not found, network) throws an error naming the URL, with the reader's
 * error name kept (`NotAllowedError`, `NotFoundError`): the caller keeps its last good data.
 * `NotModifiedError` (with `options.etag`) is passed on unchanged.
 */
export async function readManifestsFromUrl(
  reader: UrlReaderService,
  target: string,
  options: ReadManifestsFromUrlOptions = {},
): Promise<ReadManifestsFromUrlResult> {
  const max = options.maxFileBytes ?? DEFAULT_MAX_MANIFEST_FILE_BYTES;
  const shown = displayUrl(target);
  const objects: LocatedObject[] = [];
  const problems: InputProblem[] = [];

  let pathname = target;
  try {
    pathname = new URL(target).pathname;
  } catch {
    // not an absolute URL: let the reader decide
  }

  if (MANIFEST_FILE.test(pathname)) {
    let buffer: Buffer;
    let etag: string | undefined;
    try {
      const response = await reader.readUrl(target, {
        etag: options.etag,
        signal: options.signal,
      });
      etag = response.etag;
      buffer = await response.buffer();
    } catch (e) {
      throw readerError(target, e);
    }
    if (buffer.length > max)
      return { objects, problems: [tooLarge(shown, buffer.length, max)], etag };
    return withoutDuplicates({
      ...parseManifests(buffer.toString('utf8'), shown),
      etag,
    });
  }

  const oversized = new Map<string, number>();
  let files;
  let etag: string | undefined;
  try {
    const response = await reader.readTree(target, {
      etag: options.etag,
      signal: options.signal,
      filter: (filePath: string, info?: { size: number }) => {
        if (!isManifestFile(filePath)) return false;
        if (info && info.size > max) {
          oversized.set(filePath, info.size);
          return false;
        }
        return true;
      },
    });
    etag = response.etag;
    files = await response.files();
  } catch (e) {
    throw readerError(target, e);
  }

  const wanted = files
    .filter(f => isManifestFile(f.path) && !oversized.has(f.path))
    .sort((a, b) => byWalkOrder(a.path, b.path));
  for (const [filePath, size] of [...oversized].sort(([a], [b]) =>
    byString(a, b),
  )) {
    problems.push(tooLarge(joinSource(shown, filePath), size, max));
  }
  for (const file of wanted) {
    const source = joinSource(shown, file.path);
    let content: Buffer;
    try {
      content = await file.content();
    } catch (e) {
      problems.push({
        source,
        message: `could not read: ${(e as Error)?.message ?? String(e)}`,
        severity: 'error',
      });
      continue;
    }
    if (content.length > max) {
      problems.push(tooLarge(source, content.length, max));
      continue;
    }
    const parsed = parseManifests(content.toString('utf8'), source);
    objects.push(...parsed.objects);
    problems.push(...parsed.problems);
  }
  return withoutDuplicates({ objects, problems, etag });
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Reads every `*.yaml` / `*.yml` file under a local folder (recursively, in kubectl's walk order), or one file
 * when `dir` is a file. Hidden entries (`.git`, ...) and kustomization files are skipped; symbolic links are
 * followed only when they resolve inside `dir`; files above 5 MB are skipped with a problem.
 *
 * An object's source is `sourcePrefix` joined with its path relative to `dir` (POSIX separators); without a
 * prefix, the relative path. Never throws for unreadable input: a missing folder is a problem. An object defined
 * twice keeps its last definition in that order, each earlier one reported (see `dropDuplicateObjects`).
 */
export async function readManifestsFromDirectory(
  dir: string,
  sourcePrefix?: string,
): Promise<ReadManifestsResult> {
  const max = DEFAULT_MAX_MANIFEST_FILE_BYTES;
  const objects: LocatedObject[] = [];
  const problems: InputProblem[] = [];
  const prefix = sourcePrefix ?? '';
  const sourceOf = (rel: string) =>
    rel ? joinSource(prefix, rel) : prefix || path.basename(dir);

  let root: string;
  let rootStat;
  try {
    root = await fs.realpath(dir);
    rootStat = await fs.stat(root);
  } catch (e) {
    problems.push({
      source: prefix || dir,
      message: `cannot read ${dir}: ${
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'no such file or folder'
          : (e as Error).message
      }`,
      severity: 'error',
    });
    return { objects, problems };
  }

  // Collect files first, then read them in sorted order.
  const files: Array<{ rel: string; real: string }> = [];
  if (rootStat.isFile()) {
    files.push({ rel: '', real: root });
  } else {
    const visited = new Set<string>([root]);
    const walk = async (real: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(real, { withFileTypes: true });
      } catch (e) {
        problems.push({
          source: sourceOf(rel),
          message: `cannot list: ${(e as Error).message}`,
          severity: 'error',
        });
        return;
      }
      entries.sort((a, b) => byString(a.name, b.name));
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        let childReal = path.join(real, entry.name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          try {
            childReal = await fs.realpath(childReal);
            const st = await fs.stat(childReal);
            isDir = st.isDirectory();
            isFile = st.isFile();
          } catch {
            if (isManifestFile(childRel)) {
              problems.push({
                source: sourceOf(childRel),
                message: 'skipped: broken symbolic link',
                severity: 'warning',
              });
            }
            continue;
          }
          if (!inside(root, childReal)) {
            problems.push({
              source: sourceOf(childRel),
              message:
                'skipped: symbolic link that points outside the manifests folder',
              severity: 'warning',
            });
            continue;
          }
        }
        if (isDir) {
          if (visited.has(childReal)) continue; // a link back into a folder already read
          visited.add(childReal);
          await walk(childReal, childRel);
        } else if (isFile && isManifestFile(childRel)) {
          files.push({ rel: childRel, real: childReal });
        }
      }
    };
    await walk(root, '');
  }

  files.sort((a, b) => byWalkOrder(a.rel, b.rel));
  for (const file of files) {
    const source = sourceOf(file.rel);
    try {
      const st = await fs.stat(file.real);
      if (st.size > max) {
        problems.push(tooLarge(source, st.size, max));
        continue;
      }
      const text = await fs.readFile(file.real, 'utf8');
      const parsed = parseManifests(text, source);
      objects.push(...parsed.objects);
      problems.push(...parsed.problems);
    } catch (e) {
      problems.push({
        source,
        message: `cannot read: ${(e as Error).message}`,
        severity: 'error',
      });
    }
  }
  return withoutDuplicates({ objects, problems });
}
