// Lists the files of a local build directory as site-relative keys, leaving out what must never
// be published.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { forEachLimit } from '../util/concurrency.js';
import { isHidden, unsafeKeyReason } from './keys.js';

export interface LocalFile {
  kind: 'local';
  key: string;
  path: string;
  size: number;
}

export interface LeftOut {
  key: string;
  reason: string;
}

export interface LocalScan {
  files: LocalFile[];
  leftOut: LeftOut[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8Name(name: Buffer): string | undefined {
  try {
    return strictUtf8.decode(name);
  } catch {
    return undefined;
  }
}

const inside = (root: string, path: string): boolean => path === root || path.startsWith(root + sep);

/**
 * Walks `root`, following symbolic links only while they stay inside it. Left out, with the
 * reason: dotfiles (except `.well-known/`), `exclude` matches, links that leave the source or
 * dangle, and names that cannot be keys.
 */
export async function scanLocalSource(root: string, exclude: (key: string) => boolean): Promise<LocalScan> {
  const realRoot = await realpath(root);
  const files: LocalFile[] = [];
  const leftOut: LeftOut[] = [];

  /** Lists one folder; returns its sub-folders to walk next, each with the real paths above it (for loops). */
  async function visit(dir: string, realDir: string, ancestors: ReadonlySet<string>): Promise<[string, string, ReadonlySet<string>][]> {
    const entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    const folders: [string, string, ReadonlySet<string>][] = [];
    await forEachLimit(entries, 64, async (raw) => {
        // An S3 key is UTF-8: a name in another encoding cannot be published under its own name.
        const name = utf8Name(raw.name);
        if (name === undefined) {
          leftOut.push({ key: relative(root, join(dir, raw.name.toString('utf8'))).split(sep).join('/'), reason: 'name is not valid UTF-8' });
          return;
        }
        const entry = { name, isDirectory: () => raw.isDirectory(), isFile: () => raw.isFile(), isSymbolicLink: () => raw.isSymbolicLink() };
        const path = join(dir, entry.name);
        const key = relative(root, path).split(sep).join('/');
        if (isHidden(key, entry.isDirectory())) {
          leftOut.push({ key: entry.isDirectory() ? `${key}/` : key, reason: 'dotfile' });
          return;
        }
        const unsafe = unsafeKeyReason(key);
        if (unsafe) {
          leftOut.push({ key, reason: `name ${unsafe}` });
          return;
        }
        let realPath = join(realDir, entry.name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        let size: number | undefined;
        if (entry.isSymbolicLink()) {
          try {
            realPath = await realpath(path);
          } catch {
            leftOut.push({ key, reason: 'broken symbolic link' });
            return;
          }
          if (!inside(realRoot, realPath)) {
            leftOut.push({ key, reason: 'symbolic link to outside the source' });
            return;
          }
          const target = await stat(realPath);
          isDir = target.isDirectory();
          isFile = target.isFile();
          size = target.size;
        }
        if (isDir) {
          if (ancestors.has(realPath)) leftOut.push({ key, reason: 'symbolic link loop' });
          else folders.push([path, realPath, new Set([...ancestors, realPath])]);
        } else if (isFile) {
          if (exclude(key)) leftOut.push({ key, reason: 'exclude' });
          else files.push({ kind: 'local', key, path, size: size ?? (await stat(realPath)).size });
        } else {
          leftOut.push({ key, reason: 'not a regular file' });
        }
    });
    return folders;
  }

  // Breadth first, a bounded number of folders at a time (each holds a directory handle).
  let level: [string, string, ReadonlySet<string>][] = [[root, realRoot, new Set([realRoot])]];
  while (level.length > 0) {
    const next: [string, string, ReadonlySet<string>][] = [];
    await forEachLimit(level, 32, async ([dir, realDir, ancestors]) => {
      next.push(...(await visit(dir, realDir, ancestors)));
    });
    level = next;
  }
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return { files: files.sort(byKey), leftOut: leftOut.sort(byKey) };
}
