// Inputs that name local files and folders, resolved against the working directory the driver passes.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from './errors.js';

/** A local build directory that exists (relative to `cwd`); `orForm` names what else the input takes. */
export function parseLocalDir(input: string, raw: string, cwd: string, orForm = ''): string {
  const or = orForm ? ` ${orForm}` : '';
  const dir = resolve(cwd, raw);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new InputError(input, `must be an existing directory (the build output)${or}; this path does not exist`, raw);
  }
  if (!isDir) throw new InputError(input, `must be a directory (the build output)${or}, not a file`, raw);
  return dir;
}
