#!/usr/bin/env node
// The release workflow's steps (.github/workflows/release.yml), runnable by hand with --dry-run:
//   node scripts/release/release.mjs version <X.Y.Z | vX.Y.Z | refs/tags/vX.Y.Z>   checks it, prints version= and tag= lines
//   node scripts/release/release.mjs notes <X.Y.Z>                                prints its CHANGELOG.md section
//   node scripts/release/release.mjs tag <X.Y.Z> <commit> [--push <remote>] [--dry-run]
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPackageVersion, majorTag, parseVersion, releaseNotes, tagRelease } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [command, ...args] = process.argv.slice(2);
const flag = (/** @type {string} */ name) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : (args[i + 1] ?? '');
};

try {
  if (command === 'version') {
    const version = parseVersion(args[0] ?? '');
    checkPackageVersion(version, readFileSync(join(root, 'package.json'), 'utf8'));
    releaseNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
    const out = `version=${version}\ntag=v${version}\nmajor=${majorTag(version)}\n`;
    process.stdout.write(out);
    if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, out);
  } else if (command === 'notes') {
    process.stdout.write(releaseNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), parseVersion(args[0] ?? '')));
  } else if (command === 'tag') {
    const push = flag('push');
    const steps = tagRelease({
      dir: root,
      version: parseVersion(args[0] ?? ''),
      commit: args[1] ?? '',
      ...(push ? { push } : {}),
      dryRun: args.includes('--dry-run'),
    });
    for (const step of steps) console.log(args.includes('--dry-run') ? `dry run: ${step}` : step);
  } else {
    console.error('usage: release.mjs version <X.Y.Z> | notes <X.Y.Z> | tag <X.Y.Z> <commit> [--push <remote>] [--dry-run]');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`::error::${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
