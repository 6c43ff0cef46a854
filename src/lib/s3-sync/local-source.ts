// Lists the files of a local build directory as site-relative keys, leaving out what must never
// be published.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
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
 * dangle, and names that cannot be keys. Synchronous calls: on a local disk one `stat` takes
 * microseconds, far less than a promise and a trip through libuv's thread pool per file.
 * `onFile` sees each file to publish as soon as it is found (hash-ahead.ts starts on them).
 */
export function scanLocalSource(
  root: string,
  exclude: (key: string) => boolean,
  onFile: (file: LocalFile) => void = () => undefined,
): Promise<LocalScan> {
  try {
    return Promise.resolve(scanLocalSourceSync(root, exclude, onFile));
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- whatever the file system threw, as the awaited calls did
    return Promise.reject(error);
  }
}

function scanLocalSourceSync(root: string, exclude: (key: string) => boolean, onFile: (file: LocalFile) => void): LocalScan {
  const realRoot = realpathSync(root);
  const files: LocalFile[] = [];
  const leftOut: LeftOut[] = [];

  /**
   * Lists one folder, then walks its sub-folders; `base`: its key with a trailing slash ('' at the
   * root); `ancestors`: the real paths above it (for loops).
   */
  function visit(dir: string, base: string, realDir: string, ancestors: ReadonlySet<string>): void {
    // An S3 key is UTF-8: a name in another encoding cannot be published under its own name. Node
    // shows such a name with U+FFFD in it; only then is the folder read again as bytes, to tell.
    const listed = readdirSync(dir, { withFileTypes: true });
    const entries = listed.some((e) => e.name.includes('\uFFFD')) ? readdirSync(dir, { withFileTypes: true, encoding: 'buffer' }) : listed;
    for (const raw of entries) {
      const name = typeof raw.name === 'string' ? raw.name : utf8Name(raw.name);
      if (name === undefined) {
        leftOut.push({ key: base + raw.name.toString('utf8'), reason: 'name is not valid UTF-8' });
        continue;
      }
      const path = join(dir, name);
      const key = base + name;
      if (isHidden(key, raw.isDirectory())) {
        leftOut.push({ key: raw.isDirectory() ? `${key}/` : key, reason: 'dotfile' });
        continue;
      }
      const unsafe = unsafeKeyReason(key);
      if (unsafe) {
        leftOut.push({ key, reason: `name ${unsafe}` });
        continue;
      }
      let realPath = join(realDir, name);
      let isDir = raw.isDirectory();
      let isFile = raw.isFile();
      let size: number | undefined;
      if (raw.isSymbolicLink()) {
        try {
          realPath = realpathSync(path);
        } catch {
          leftOut.push({ key, reason: 'broken symbolic link' });
          continue;
        }
        if (!inside(realRoot, realPath)) {
          leftOut.push({ key, reason: 'symbolic link to outside the source' });
          continue;
        }
        const target = statSync(realPath);
        isDir = target.isDirectory();
        isFile = target.isFile();
        size = target.size;
      }
      if (isDir) {
        if (ancestors.has(realPath)) leftOut.push({ key, reason: 'symbolic link loop' });
        else visit(path, `${key}/`, realPath, new Set([...ancestors, realPath]));
      } else if (isFile) {
        if (exclude(key)) leftOut.push({ key, reason: 'exclude' });
        else {
          const file: LocalFile = { kind: 'local', key, path, size: size ?? statSync(realPath).size };
          files.push(file);
          onFile(file);
        }
      } else {
        leftOut.push({ key, reason: 'not a regular file' });
      }
    }
  }

  visit(root, '', realRoot, new Set([realRoot]));
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return { files: files.sort(byKey), leftOut: leftOut.sort(byKey) };
}
