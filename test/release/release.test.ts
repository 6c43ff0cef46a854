// The release: which version, its notes, the tags (against real local git repositories, one of them the
// "origin" the tags are pushed to), the workflow's shape, and a dry run of releasing this checkout's version.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkPackageVersion, compareVersions, parseVersion, releaseNotes, tagRelease } from '../../scripts/release/lib.mjs';

const root = new URL('../../', import.meta.url).pathname;
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

describe('version and notes', () => {
  it.each([
    ['v1.2.3', '1.2.3'],
    ['1.2.3', '1.2.3'],
    ['refs/tags/v0.10.0', '0.10.0'],
  ])('%s → %s', (raw, want) => {
    expect(parseVersion(raw)).toBe(want);
  });

  it.each(['v1.2', 'latest', 'v1.2.3-rc.1', ''])('%j is refused, naming the form', (raw) => {
    expect(() => parseVersion(raw)).toThrow(/version must be X\.Y\.Z or vX\.Y\.Z, like 0\.2\.0/);
  });

  it('orders versions numerically', () => {
    expect(['0.10.0', '0.9.1', '0.2.0', '1.0.0'].sort(compareVersions)).toEqual(['0.2.0', '0.9.1', '0.10.0', '1.0.0']);
  });

  it("the package's version must be the release's", () => {
    expect(() => checkPackageVersion('0.2.0', '{"version":"0.1.0"}')).toThrow(/package\.json says version 0\.1\.0, the release is 0\.2\.0/);
    expect(() => checkPackageVersion('0.1.0', '{"version":"0.1.0"}')).not.toThrow();
  });

  const changelog = [
    '# Changelog',
    '',
    '## [Unreleased]',
    '',
    '- next',
    '',
    '## [0.2.0] - 2026-12-01',
    '',
    '### Fixed',
    '',
    '- a bug',
    '',
    '## [0.1.0] - 2026-11-01',
    '',
    '- first',
    '',
    '## [0.0.9] - 2026-10-01',
    '',
    '[0.2.0]: https://example.com/v0.2.0',
    '[0.1.0]: https://example.com/v0.1.0',
  ].join('\n');

  it("a version's notes are its section, nothing above or below it", () => {
    expect(releaseNotes(changelog, '0.2.0')).toBe('### Fixed\n\n- a bug\n');
    expect(releaseNotes(changelog, '0.1.0')).toBe('- first\n');
  });

  it('a missing or empty section is an error that says what to write', () => {
    expect(() => releaseNotes(changelog, '0.3.0')).toThrow(
      /no "## \[0\.3\.0\] - YYYY-MM-DD" section: move the entries under \[Unreleased\]/,
    );
    expect(() => releaseNotes(changelog, '0.0.9')).toThrow(/section for 0\.0\.9 is empty/);
    expect(() => releaseNotes(changelog, '0.2')).toThrow(/no "## \[0\.2\]/);
  });

  it('CHANGELOG.md has a section for the version in package.json (the next release can be cut)', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(releaseNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version)).toMatch(/\n### Added\n/);
  });
});

describe('tagRelease, against a local repository and its origin', () => {
  let dir: string;
  let work: string;
  let origin: string;
  const commits: string[] = [];
  const tagAt = (repo: string, tag: string) => git(repo, 'rev-parse', `refs/tags/${tag}^{commit}`);
  const tags = (repo: string) => git(repo, 'tag', '--list').split('\n').filter(Boolean).sort();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-release-'));
    origin = join(dir, 'origin.git');
    work = join(dir, 'work');
    git(dir, 'init', '--quiet', '--bare', origin);
    git(dir, 'init', '--quiet', work);
    git(work, 'config', 'user.name', 'Release Test');
    git(work, 'config', 'user.email', 'release@example.com');
    git(work, 'remote', 'add', 'origin', origin);
    for (const n of [1, 2, 3]) {
      git(work, 'commit', '--quiet', '--allow-empty', '-m', `commit ${n}`);
      commits.push(git(work, 'rev-parse', 'HEAD'));
    }
    git(work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a dry run says what it would do and changes nothing', () => {
    const steps = tagRelease({ dir: work, version: '0.1.0', commit: commits[0]!, push: 'origin', dryRun: true });
    expect(steps).toEqual([
      `tag v0.1.0 at ${commits[0]!.slice(0, 12)}`,
      `move v0 to ${commits[0]!.slice(0, 12)} (v0.1.0)`,
      'push v0.1.0 to origin',
      'push v0 to origin (moved)',
    ]);
    expect([tags(work), tags(origin)]).toEqual([[], []]);
  });

  it('the first release: vX.Y.Z and the major tag on the commit, here and on origin', () => {
    tagRelease({ dir: work, version: '0.1.0', commit: commits[0]!, push: 'origin' });
    for (const repo of [work, origin]) expect([tagAt(repo, 'v0.1.0'), tagAt(repo, 'v0')]).toEqual([commits[0], commits[0]]);
  });

  it('the next release moves the major tag (on origin too); the old version stays', () => {
    tagRelease({ dir: work, version: '0.2.0', commit: commits[1]!, push: 'origin' });
    for (const repo of [work, origin])
      expect([tagAt(repo, 'v0.1.0'), tagAt(repo, 'v0.2.0'), tagAt(repo, 'v0')]).toEqual([commits[0], commits[1], commits[1]]);
  });

  it('a re-run of the same release is fine and changes nothing', () => {
    expect(tagRelease({ dir: work, version: '0.2.0', commit: commits[1]!, push: 'origin' })[0]).toBe(
      `v0.2.0 already at ${commits[1]!.slice(0, 12)}`,
    );
    expect(tagAt(origin, 'v0')).toBe(commits[1]);
  });

  it('a released version never moves', () => {
    expect(() => tagRelease({ dir: work, version: '0.2.0', commit: commits[2]!, push: 'origin' })).toThrow(
      /v0\.2\.0 already points at .*a released version never moves/,
    );
    expect(tagAt(origin, 'v0.2.0')).toBe(commits[1]);
  });

  it('a fix to an older line does not pull the major tag back', () => {
    const steps = tagRelease({ dir: work, version: '0.1.1', commit: commits[2]!, push: 'origin' });
    expect(steps).toContain('leave v0 at v0.2.0, the latest v0 release (v0.1.1 is older)');
    expect([tagAt(origin, 'v0.1.1'), tagAt(origin, 'v0')]).toEqual([commits[2], commits[1]]);
  });

  it('a new major gets its own major tag and leaves the old one', () => {
    tagRelease({ dir: work, version: '1.0.0', commit: commits[2]!, push: 'origin' });
    expect([tagAt(origin, 'v1'), tagAt(origin, 'v0')]).toEqual([commits[2], commits[1]]);
    expect(tags(origin)).toEqual(['v0', 'v0.1.0', 'v0.1.1', 'v0.2.0', 'v1', 'v1.0.0']);
  });
});

describe('a dry run of releasing this checkout', () => {
  it('release.mjs checks the version, prints the notes and says which tags it would make', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const run = (...args: string[]) =>
      execFileSync(process.execPath, ['scripts/release/release.mjs', ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, GITHUB_OUTPUT: '' },
      });
    expect(run('version', `v${version}`)).toBe(`version=${version}\ntag=v${version}\nmajor=v${version.split('.')[0]}\n`);
    expect(run('notes', version)).toBe(releaseNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version));
    const head = git(root, 'rev-parse', 'HEAD');
    expect(run('tag', version, 'HEAD', '--push', 'origin', '--dry-run')).toMatch(
      new RegExp(`^dry run: (tag v${version} at|v${version} already at) ${head.slice(0, 12)}\\n`),
    );
    expect(() => run('version', '9.9.9')).toThrow(/package\.json says version/);
  });
});

describe('.github/workflows/release.yml', () => {
  interface Job {
    needs?: string;
    permissions: Record<string, string>;
    steps: Array<{ run?: string; uses?: string; with?: Record<string, unknown> }>;
  }
  const wf = parse(readFileSync(join(root, '.github/workflows/release.yml'), 'utf8')) as {
    on: Record<string, { tags?: string[]; inputs?: Record<string, unknown> }>;
    permissions: object;
    jobs: Record<string, Job>;
  };

  it('runs on a vX.Y.Z tag or by hand with a version', () => {
    expect(wf.on.push?.tags).toEqual(['v*.*.*']);
    expect(Object.keys(wf.on.workflow_dispatch?.inputs ?? {})).toEqual(['version']);
  });

  it('contents: write only in the job that tags and publishes, after the checks', () => {
    expect(wf.permissions).toEqual({});
    const writers = Object.entries(wf.jobs)
      .filter(([, j]) => Object.values(j.permissions).includes('write'))
      .map(([id]) => id);
    expect(writers).toEqual(['publish']);
    expect(wf.jobs.publish!.permissions).toEqual({ contents: 'write' });
    expect(wf.jobs.publish!.needs).toBe('check');
    expect(wf.jobs.check!.permissions).toEqual({ contents: 'read' });
  });

  it('the checks run .ci/run (which rebuilds and compares the committed bundles) and check the version first', () => {
    const runs = wf.jobs.check!.steps.map((s) => s.run ?? '');
    expect(runs.findIndex((r) => r.includes('release.mjs version'))).toBeLessThan(runs.indexOf('.ci/run'));
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(
      /npm run build\nchanged=\$\(git status --porcelain -- 'actions\/\*\/dist' 'cli\/dist'/,
    );
  });

  it('publish tags (moving the major tag), then creates the release from the notes', () => {
    const script = wf.jobs.publish!.steps.map((s) => s.run ?? '').join('\n');
    expect(script.indexOf('release.mjs tag "$VERSION" "$COMMIT" --push origin')).toBeLessThan(
      script.indexOf('gh release create "$TAG" --verify-tag'),
    );
    expect(script).toMatch(/release\.mjs notes "\$VERSION" > "\$RUNNER_TEMP\/notes\.md"/);
  });
});
