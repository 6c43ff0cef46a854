// The programs outside npm that the tests use, what each is for, and the one command that installs it.
// A fresh clone needs only the required ones (the README's quick start names them). An optional one
// that is missing turns its checks into skips, announced once; in CI (CI=true, as .ci/run runs) a
// missing optional tool is a failure, so the checks it runs can still fail there.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { MOTO_INSTALL } from '../../stand-ins/moto.mjs';

export interface Prerequisite {
  /** The command, as looked up on PATH. */
  command: string;
  /** Arguments that make it print its version and exit 0. */
  versionArgs: string[];
  /** What needs it. */
  neededBy: string;
  /** The one command that installs it on Debian or Ubuntu (what .ci/run runs). */
  install: string;
  /** Required: nothing can run without it. Optional: its checks are skipped where it is missing. */
  required: boolean;
}

export const MOTO: Prerequisite = {
  command: 'moto_server',
  versionArgs: ['--help'],
  neededBy: 'the local AWS endpoint of the integration, contract and reliability tests and of npm run demo',
  install: MOTO_INSTALL,
  required: true,
};

export const SHELLCHECK: Prerequisite = {
  command: 'shellcheck',
  versionArgs: ['--version'],
  neededBy: 'the shellcheck check of every run: script in the workflows and examples',
  install: 'apt-get update && apt-get install -y shellcheck',
  required: false,
};

export const PREREQUISITES: readonly Prerequisite[] = [MOTO, SHELLCHECK];

/** CI insists on every optional tool: a skip there would hide checks that must run. */
export const isStrict = (env: NodeJS.ProcessEnv = process.env): boolean => env.CI === 'true' || env.CI === '1';

const found = new Map<string, boolean>();

/** Is `tool` on this PATH? (Looked up once per PATH.) */
export function isInstalled(tool: Prerequisite, env: NodeJS.ProcessEnv = process.env): boolean {
  const key = `${tool.command}\0${env.PATH ?? ''}`;
  let ok = found.get(key);
  if (ok === undefined) {
    const probe = spawnSync(tool.command, tool.versionArgs, { env, stdio: 'ignore', timeout: 30_000 });
    ok = !probe.error && probe.status === 0;
    found.set(key, ok);
  }
  return ok;
}

/** The line that says a tool is missing, what is skipped (or fails) because of it, and how to install it. */
export function missingLine(tool: Prerequisite, strict: boolean): string {
  const consequence = tool.required ? 'nothing can run without it' : strict ? 'CI (CI=true) requires it' : `skipped: ${tool.neededBy}`;
  return `${tool.command} is not installed (${consequence}). Install it with: ${tool.install}`;
}

/**
 * Checks every prerequisite once, before any test runs. Returns the lines to print for optional
 * tools that are missing; throws one error naming every tool that must be there and is not.
 */
export function checkPrerequisites(env: NodeJS.ProcessEnv = process.env): string[] {
  const strict = isStrict(env);
  const missing = PREREQUISITES.filter((tool) => !isInstalled(tool, env));
  const fatal = missing.filter((tool) => tool.required || strict);
  if (fatal.length > 0) throw new Error(fatal.map((tool) => missingLine(tool, strict)).join('\n'));
  return missing.map((tool) => missingLine(tool, strict));
}

/**
 * A PATH on which every program of `env.PATH` is found but `command`: a folder of links to them, as
 * a fresh machine without that tool has. For tests of what happens when a tool is missing.
 */
export function pathWithout(command: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = mkdtempSync(join(tmpdir(), `slipway-path-without-${command}-`));
  for (const folder of (env.PATH ?? '').split(delimiter)) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name === command || existsSync(join(dir, name))) continue;
      symlinkSync(join(folder, name), join(dir, name));
    }
  }
  return dir;
}
