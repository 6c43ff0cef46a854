// The workflow files (.github/workflows/*.yml, examples/*.yml, whatever exists at run time) pass actionlint,
// shellcheck on their run: scripts, and our own checks (test/workflows/checks/). Fixtures prove each check fails.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { createContext, discoverWorkflowFiles, formatFinding, loadWorkflow, ourActionName, ourWorkflowFile } from './lib.js';
import type { CheckName, Finding } from './lib.js';
import { actionRuntime, checkActionlint, checkAll, checkShellcheck, SYNC_CHECKS } from './checks/index.js';
import { isInstalled, SHELLCHECK } from '../support/prerequisites.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(import.meta.dirname, 'fixtures');

const report = (findings: Finding[]): string[] => findings.map(formatFinding);

// Where shellcheck is missing, its checks are skipped (the global setup says so once, and fails in CI).
const hasShellcheck = isInstalled(SHELLCHECK);
const unavailable: ReadonlySet<CheckName> = new Set(hasShellcheck ? [] : ['shellcheck']);

describe('workflow files', () => {
  const files = discoverWorkflowFiles(repoRoot);
  const workflows = files.map((f) => loadWorkflow(f, repoRoot));
  const ctx = createContext(repoRoot, workflows);

  it('discovery only looks in .github/workflows and examples (never the fixtures)', () => {
    for (const f of files) expect(path.relative(repoRoot, f)).toMatch(/^(?:\.github\/workflows|examples)\/[^/]+\.ya?ml$/);
  });

  describe.each(workflows.map((wf) => [wf.name, wf] as const))('%s', (_name, wf) => {
    it('actionlint reports nothing', async () => {
      expect(report(await checkActionlint(wf))).toEqual([]);
    });
    it.for(Object.keys(SYNC_CHECKS) as Array<keyof typeof SYNC_CHECKS>)('%s reports nothing', (check, { skip }) => {
      skip(unavailable.has(check), `${check} is not installed`);
      expect(report(SYNC_CHECKS[check](wf, ctx))).toEqual([]);
    });
  });
});

describe('the checks fail on bad workflows (fixtures)', () => {
  const ctxFor = (file: string) => {
    const wf = loadWorkflow(path.join(fixtures, file), repoRoot);
    // Fixtures call ./.github/workflows/called.yml, which resolves to fixtures/reusable/called.yml.
    return { wf, ctx: createContext(repoRoot, [wf], path.join(fixtures, 'reusable')) };
  };
  const run = async (file: string): Promise<Finding[]> => {
    const { wf, ctx } = ctxFor(file);
    return checkAll(wf, ctx, unavailable);
  };

  it.each(['good.yml', 'good-workflow-run.yml', 'reusable/called.yml'])('%s passes every check', async (file) => {
    expect(report(await run(file))).toEqual([]);
  });

  // Each bad fixture is flagged by exactly these checks, with a message matching `match` (at `line` when given).
  const bad: Record<string, { checks: CheckName[]; match: RegExp; line?: number; count?: number }> = {
    'bad-unknown-input.yml': { checks: ['inputs'], match: /input "colour" is not declared by actions\/pr-preview/, line: 15 },
    'bad-missing-input.yml': { checks: ['inputs'], match: /required input "bucket" of deploy-static is not given/, line: 10 },
    'bad-reusable-call.yml': {
      checks: ['inputs'],
      match: /input "nope" is not declared|required input "domain"|required secret "DEPLOY_ROLE"|secret "UNDECLARED" is not declared/,
      count: 4,
    },
    'bad-untrusted-event.yml': { checks: ['actionlint', 'untrusted'], match: /github\.event\.pull_request\.title|github\.head_ref/ },
    'bad-untrusted-inputs.yml': { checks: ['untrusted'], match: /inputs\.target .*pass it through env:/, line: 15 },
    'bad-extra-permission.yml': { checks: ['permissions'], match: /extra issues: write/, line: 9 },
    'bad-write-where-read.yml': { checks: ['permissions'], match: /contents: write where read suffices/ },
    'bad-missing-permission.yml': { checks: ['permissions'], match: /missing deployments: write/ },
    'bad-reusable-permissions.yml': { checks: ['permissions'], match: /missing contents: read/ },
    'bad-no-permissions.yml': { checks: ['permissions'], match: /no top-level permissions|declares no permissions/, count: 2 },
    'bad-unknown-action.yml': { checks: ['permissions'], match: /actions\/cache@27d5ce7f\w+.*add it to the permission table/, line: 10 },
    'bad-release-permissions.yml': { checks: ['permissions'], match: /job publish: contents: read where write is needed/, line: 9 },
    'bad-gh-cli.yml': { checks: ['permissions'], match: /gh CLI.*add it to the permission table/ },
    'bad-prt-checkout.yml': {
      checks: ['prt-checkout'],
      match: /checks out the PR's code \(ref: \$\{\{ github\.event\.pull_request\.head\.sha \}\}\)/,
      line: 13,
    },
    'bad-prt-fetch.yml': { checks: ['prt-checkout'], match: /fetches or checks out the PR's code: git fetch/, count: 2 },
    'bad-shellcheck.yml': { checks: ['shellcheck'], match: /SC2086/, line: 14 },
    'bad-actionlint.yml': { checks: ['actionlint'], match: /label "ubuntu-lastest" is unknown/, line: 7 },
    'bad-workflow-run.yml': { checks: ['workflow-run'], match: /without head-sha/ },
    'bad-unpinned.yml': { checks: ['pinned'], match: /not pinned to a full commit SHA|no version comment/, count: 4 },
    'bad-unpinned-call.yml': {
      checks: ['pinned', 'permissions'],
      match: /someone\/elsewhere\/.github\/workflows\/build.yml@main \(job reuse\) is not pinned/,
      line: 9,
    },
    'bad-node20.yml': {
      checks: ['node-runtime'],
      match: /actions\/checkout v4\.4\.0 .*runs on node20.*move to v5\.0\.0/,
      line: 12,
      count: 2,
    },
    'bad-workflow-run-call.yml': { checks: ['workflow-run'], match: /takes head-sha from inputs\.head-sha, but does not give it/ },
  };

  it.for(Object.entries(bad))('%s is flagged', async ([file, want], { skip }) => {
    skip(
      want.checks.some((c) => unavailable.has(c)),
      'a check it needs is not installed',
    );
    const findings = await run(file);
    const text = report(findings).join('\n');
    expect([...new Set(findings.map((f) => f.check))].sort(), text).toEqual([...want.checks].sort());
    const mine = findings.filter((f) => want.checks.includes(f.check) && want.match.test(f.message));
    expect(mine.length, text).toBeGreaterThan(0);
    if (want.count !== undefined)
      expect(
        findings.filter((f) => f.check !== 'actionlint'),
        text,
      ).toHaveLength(want.count);
    if (want.line !== undefined)
      expect(
        mine.map((f) => f.line),
        text,
      ).toContain(want.line);
  });

  it('the untrusted check points at each offending script line', async () => {
    const lines = (await run('bad-untrusted-event.yml')).filter((f) => f.check === 'untrusted').map((f) => f.line);
    expect(lines).toEqual([11, 12]);
  });

  it('the pinned check tells a tag or short SHA from a full SHA that lacks its version comment', async () => {
    const pinned = (await run('bad-unpinned.yml'))
      .filter((f) => f.check === 'pinned')
      .map((f) => `${f.line}: ${f.message.replace(/ \(job [^)]*\)/, '').replace(/;.*$/, '')}`);
    expect(pinned).toEqual([
      '12: actions/checkout@v7 is not pinned to a full commit SHA',
      '13: actions/setup-node@8207627 is not pinned to a full commit SHA',
      '16: actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f has no version comment',
      '20: actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c has no version comment (found "# latest")',
    ]);
  });

  it.skipIf(!hasShellcheck)('shellcheck findings point at the YAML line and column', () => {
    const { wf } = ctxFor('bad-shellcheck.yml');
    expect(report(checkShellcheck(wf))).toEqual([
      'test/workflows/fixtures/bad-shellcheck.yml:14:14: [shellcheck] note: Double quote to prevent globbing and word splitting. [SC2086] (job build)',
    ]);
  });

  it.skipIf(!hasShellcheck)('shellcheck ignores "constant expression" warnings caused by the ${{ }} placeholder only', () => {
    const { wf } = ctxFor('good.yml');
    expect(report(checkShellcheck(wf))).toEqual([]);
  });

  it('fails, not skips, when shellcheck is not installed', () => {
    const { wf } = ctxFor('good.yml');
    const saved = process.env.PATH;
    process.env.PATH = path.join(fixtures, 'no-such-dir');
    try {
      expect(() => checkShellcheck(wf)).toThrow(/shellcheck is not installed.*apt-get install -y shellcheck/);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('.github/dependabot.yml', () => {
  const config = parseDocument(readFileSync(path.join(repoRoot, '.github/dependabot.yml'), 'utf8')).toJS() as {
    updates: Array<{ 'package-ecosystem': string; directory?: string; directories?: string[] }>;
  };
  const dirsOf = (ecosystem: string) =>
    config.updates.filter((u) => u['package-ecosystem'] === ecosystem).flatMap((u) => u.directories ?? [u.directory ?? '']);

  it('updates the pinned actions in every folder that holds workflows, and the npm packages', () => {
    const folders = new Set(discoverWorkflowFiles(repoRoot).map((f) => path.dirname(path.relative(repoRoot, f))));
    const covered = dirsOf('github-actions').map((d) => (d === '/' ? '.github/workflows' : d.replace(/^\//, '')));
    expect([...folders].filter((f) => !covered.includes(f))).toEqual([]);
    expect(dirsOf('npm')).toContain('/');
  });
});

describe('Node runtimes of known actions (the node-runtime check)', () => {
  it.each([
    ['actions/checkout', 'v4', 'node20'],
    ['actions/checkout', 'v4.4.0', 'node20'],
    ['actions/checkout', 'v5.0.0', 'node24'],
    ['actions/checkout', 'v7', 'node24'],
    ['actions/setup-python', 'v5.6.0', 'node20'],
    ['actions/upload-artifact', 'v5', 'node20'],
    ['actions/download-artifact', 'v6.0.0', 'node20'],
    ['aws-actions/configure-aws-credentials', 'v5.1.1', 'node20'],
    ['aws-actions/amazon-ecr-login', 'v2.0.1', 'node20'],
    ['aws-actions/amazon-ecr-login', 'v2', 'node24'],
    ['actions/setup-node', 'v3', 'node16'],
    ['actions/cache/restore', 'v4.2.0', 'node20'],
    ['someone/unknown', 'v1.0.0', undefined],
    ['actions/checkout', 'main', undefined],
  ])('%s %s runs on %s', (action, version, runtime) => {
    expect(actionRuntime(action, version)).toBe(runtime);
  });
});

describe('references to our actions and reusable workflows', () => {
  it.each([
    ['./actions/pr-preview', 'pr-preview'],
    ['acme/slipway/actions/deploy-static@v1', 'deploy-static'],
    ['acme/slipway/actions/invalidate@0123456789abcdef0123456789abcdef01234567', 'invalidate'],
    ['acme/other/actions/invalidate@v1', undefined],
    ['acme/slipway/actions/invalidate', undefined],
    ['actions/checkout@v4', undefined],
  ])('action %s → %s', (uses, name) => {
    expect(ourActionName(uses)).toBe(name);
  });

  it.each([
    ['./.github/workflows/preview.yml', 'preview.yml'],
    ['acme/slipway/.github/workflows/deploy-web.yml@main', 'deploy-web.yml'],
    ['acme/other/.github/workflows/deploy-web.yml@main', undefined],
    ['./actions/pr-preview', undefined],
  ])('workflow %s → %s', (uses, file) => {
    expect(ourWorkflowFile(uses)).toBe(file);
  });
});
