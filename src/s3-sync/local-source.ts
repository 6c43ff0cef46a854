// Lists the files of a local build directory as site-relative keys, leaving out what must never
// be published.
import { opendir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
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
  const visited = new Set<string>([realRoot]);

  async function walk(dir: string, realDir: string): Promise<void> {
    const entries = [];
    for await (const entry of await opendir(dir)) entries.push(entry);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const key = relative(root, path).split(sep).join('/');
      if (isHidden(key, entry.isDirectory())) {
        leftOut.push({ key: entry.isDirectory() ? `${key}/` : key, reason: 'dotfile' });
        continue;
      }
      const unsafe = unsafeKeyReason(key);
      if (unsafe) {
        leftOut.push({ key, reason: `name ${unsafe}` });
        continue;
      }
      let realPath = join(realDir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          realPath = await realpath(path);
        } catch {
          leftOut.push({ key, reason: 'broken symbolic link' });
          continue;
        }
        if (!inside(realRoot, realPath)) {
          leftOut.push({ key, reason: 'symbolic link to outside the source' });
          continue;
        }
        const target = await stat(realPath);
        isDir = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDir) {
        if (visited.has(realPath)) {
          leftOut.push({ key, reason: 'symbolic link loop' });
          continue;
        }
        visited.add(realPath);
        await walk(path, realPath);
        visited.delete(realPath);
      } else if (isFile) {
        if (exclude(key)) {
          leftOut.push({ key, reason: 'exclude' });
          continue;
        }
        files.push({ kind: 'local', key, path, size: (await stat(realPath)).size });
      } else {
        leftOut.push({ key, reason: 'not a regular file' });
      }
    }
  }

  await walk(root, realRoot);
  return { files, leftOut };
}
