// The release steps the release workflow runs (scripts/release/release.mjs), as functions the tests call:
// which version, its notes from CHANGELOG.md, and the tags — vX.Y.Z on the released commit, and the major tag
// (v0, v1, …) moved to it, never backwards.
import { execFileSync } from 'node:child_process';

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/** "v1.2.3", "1.2.3" or "refs/tags/v1.2.3" → "1.2.3"; anything else is an error naming the expected form. */
export function parseVersion(/** @type {string} */ raw) {
  const version = raw
    .trim()
    .replace(/^refs\/tags\//, '')
    .replace(/^v/, '');
  if (!SEMVER.test(version)) throw new Error(`version must be X.Y.Z or vX.Y.Z, like 0.2.0 (got ${JSON.stringify(raw)})`);
  return version;
}

/** @param {string} version X.Y.Z */
export const majorTag = (version) => `v${version.split('.')[0]}`;

/** @param {string} a @param {string} b X.Y.Z each; < 0, 0, > 0 */
export function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** The release's version must be the package's: `slipway --version` prints it. */
export function checkPackageVersion(/** @type {string} */ version, /** @type {string} */ packageJson) {
  const declared = JSON.parse(packageJson).version;
  if (declared !== version) {
    throw new Error(
      `package.json says version ${declared}, the release is ${version}: set "version": "${version}" in package.json (and rebuild, npm run build), commit, then release`,
    );
  }
}

/**
 * The body of `## [X.Y.Z] - date` in a Keep a Changelog file, up to the next `## ` heading (link references
 * at the end excluded). Missing or empty: an error saying what to write.
 */
export function releaseNotes(/** @type {string} */ changelog, /** @type {string} */ version) {
  const lines = changelog.split('\n');
  const heading = new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\](?:\\s|$)`);
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0)
    throw new Error(
      `CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section: move the entries under [Unreleased] into one, commit, then release`,
    );
  const body = [];
  for (const line of lines.slice(start + 1)) {
    if (/^## /.test(line) || /^\[[^\]]+\]: /.test(line)) break;
    body.push(line);
  }
  const notes = body.join('\n').trim();
  if (!notes) throw new Error(`CHANGELOG.md's section for ${version} is empty: say what changed`);
  return `${notes}\n`;
}

/**
 * Git in `dir`; returns trimmed stdout.
 * @param {string} dir @param {string[]} args
 */
function git(dir, args) {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The commit a tag points at (peeled), or undefined. */
function tagCommit(/** @type {string} */ dir, /** @type {string} */ tag) {
  try {
    return git(dir, ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`]);
  } catch {
    return undefined;
  }
}

/** The highest vX.Y.Z tag of a major, as X.Y.Z, or undefined. */
export function latestOfMajor(/** @type {string} */ dir, /** @type {string} */ major) {
  const versions = git(dir, ['tag', '--list', `${major}.*`])
    .split('\n')
    .map((t) => t.replace(/^v/, ''))
    .filter((v) => SEMVER.test(v));
  return versions.sort(compareVersions).at(-1);
}

/**
 * Tags a release in the repository at `dir`: `vX.Y.Z` on `commit` (already there on that commit: fine, a
 * re-run; on another commit: an error — a published version never moves), and the major tag moved to `commit`
 * unless a later release of that major exists (a fix to an older line must not pull users back). With `push`,
 * sends both to that remote (the major tag by force: it is meant to move). With `dryRun`, only says what it
 * would do. Returns the steps, in words.
 * @param {{ dir: string, version: string, commit: string, push?: string, dryRun?: boolean }} options
 */
export function tagRelease({ dir, version, commit, push, dryRun = false }) {
  const tag = `v${version}`;
  const major = majorTag(version);
  const target = git(dir, ['rev-parse', '--verify', `${commit}^{commit}`]);
  /** @type {string[]} */
  const steps = [];
  const run = (/** @type {string} */ what, /** @type {string[]} */ args) => {
    steps.push(what);
    if (!dryRun) git(dir, args);
  };

  const existing = tagCommit(dir, tag);
  if (existing && existing !== target)
    throw new Error(
      `${tag} already points at ${existing.slice(0, 12)}, not ${target.slice(0, 12)}: a released version never moves; release a new version`,
    );
  if (!existing) run(`tag ${tag} at ${target.slice(0, 12)}`, ['tag', '-a', tag, target, '-m', `Slipway ${tag}`]);
  else steps.push(`${tag} already at ${target.slice(0, 12)}`);

  const latest = latestOfMajor(dir, major);
  const newest = latest === undefined || compareVersions(version, latest) >= 0;
  if (newest) run(`move ${major} to ${target.slice(0, 12)} (${tag})`, ['tag', '-f', '-a', major, target, '-m', `Slipway ${tag}`]);
  else steps.push(`leave ${major} at v${latest}, the latest ${major} release (${tag} is older)`);

  if (push) {
    run(`push ${tag} to ${push}`, ['push', push, `refs/tags/${tag}`]);
    if (newest) run(`push ${major} to ${push} (moved)`, ['push', '--force', push, `refs/tags/${major}`]);
  }
  return steps;
}
