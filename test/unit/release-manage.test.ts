// The release action's settings (promote and gc inputs), named pointers, and gc's decisions.
import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../src/lib/util/clock.js';
import { parseReleaseSettings } from '../../src/actions/release/settings.js';
import { planGc, pointerHolders, type GcResult } from '../../src/lib/releases/gc.js';
import { gcAfterDeployLines, orphanLines } from '../../src/lib/releases/gc-report.js';
import { parsePointer, pointerValue } from '../../src/lib/releases/pointer.js';
import type { ReleaseRecord } from '../../src/lib/releases/stage.js';
import { testEnvironment } from '../support/environment.js';

const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
const C = 'cccccccccccccccc';
const settings = (inputs: Record<string, string>) =>
  parseReleaseSettings((name) => ({ bucket: 'web', router: 'web-router', ...inputs })[name], testEnvironment());

describe('release settings', () => {
  it('promote: from defaults to site, to is another site of the same store; keep-releases 10 and 7 days by default', () => {
    expect(settings({ command: 'promote', site: 'staging', to: 'production' })).toMatchObject({
      command: 'promote',
      from: 'staging',
      to: { site: 'production', bucket: 'web', prefix: '', router: 'web-router' },
      keepReleases: 10,
      staleGraceMs: 7 * 86_400_000,
      dryRun: false,
    });
    expect(
      settings({ command: 'promote', from: 'pr-7', to: 'production', 'to-bucket': 'web-prod', 'to-router': 'prod-router' }).to,
    ).toEqual({ site: 'production', bucket: 'web-prod', prefix: '', router: 'prod-router' });
    expect(settings({ command: 'promote', to: 'production', 'to-url': 'https://www.example.com/' }).toUrl).toBe('https://www.example.com/');
    expect(settings({ command: 'gc', 'keep-releases': '3', 'stale-asset-grace': '1h', 'dry-run': 'true' })).toMatchObject({
      keepReleases: 3,
      staleGraceMs: 3_600_000,
      dryRun: true,
    });
  });

  it.each([
    [{ command: 'deploy' }, /Input 'command' must be list, rollback, promote or gc/],
    [{ command: 'promote' }, /Input 'to' is required: the site that gets the release/],
    [{ command: 'promote', site: 'staging', to: 'staging' }, /Input 'to' names the site the release comes from/],
    [{ command: 'promote', to: 'Production!' }, /Input 'to'/],
    [{ command: 'gc', 'keep-releases': '0' }, /Input 'keep-releases' must be a whole number from 1 to 1000/],
    [{ command: 'gc', 'stale-asset-grace': 'a week' }, /Input 'stale-asset-grace' must be a duration/],
    [{ command: 'gc', to: 'production' }, /Input 'to' is for command promote only/],
    [{ command: 'list', 'release-id': A }, /Input 'release-id' is for command rollback and promote only/],
    [{ command: 'rollback', 'dry-run': 'true' }, /Input 'dry-run' is for command gc only/],
    [{ command: 'promote', to: 'production', 'to-bucket': 'Bad_Bucket' }, /Input 'to-bucket'/],
    [{ command: 'rollback', 'to-url': 'https://www.example.com/' }, /Input 'to-url' is for command promote only/],
    [{ command: 'promote', to: 'production', 'to-url': 'www.example.com' }, /Input 'to-url' must be the site's URL/],
  ])('%j is refused, naming the input', (inputs, message) => {
    expect(() => settings(inputs)).toThrow(message);
  });

  it('says durations as given', () => {
    expect([humanDuration(7 * 86_400_000), humanDuration(5_400_000), humanDuration(90_000), humanDuration(0)]).toEqual([
      '7d',
      '90m',
      '90s',
      '0ms',
    ]);
  });
});

describe('named pointers', () => {
  it('link to the table of the site that staged the release; b is bare when it is the site itself', () => {
    expect(pointerValue('web', A, B)).toBe(JSON.stringify({ l: `web~${A}`, b: B }));
    expect(pointerValue('production', A, B, 'staging', 'production')).toBe(JSON.stringify({ l: `staging~${A}`, b: B }));
    expect(parsePointer('production', pointerValue('production', A, B, 'staging', 'pr-7'))).toEqual({
      live: A,
      liveOwner: 'staging',
      before: B,
      beforeOwner: 'pr-7',
    });
    // A mirror-mode site's config and garbage are no release.
    expect(parsePointer('web', JSON.stringify({ p: '', m: 'spa' }))).toMatchObject({ live: '', before: '' });
    expect(parsePointer('web', 'not json')).toMatchObject({ live: '' });
  });

  it('holders: every s:<site> pointer, live and rollback; tables and rule chunks are not pointers', () => {
    const entries = new Map([
      ['s:staging', pointerValue('staging', A, B)],
      ['s:production', pointerValue('production', A, C, 'staging')],
      [`s:staging~${A}`, JSON.stringify({ p: '', l: `x~${C}` })],
      ['s:blog:r0', '[]'],
      ['h:www.example.com', JSON.stringify({ s: 'production' })],
    ]);
    expect(Object.fromEntries(pointerHolders(entries))).toEqual({
      [A]: ['staging', 'production'],
      [B]: ['staging (rollback)'],
      [C]: ['production (rollback)'],
    });
  });
});

describe('gc decisions', () => {
  const record = (id: string, site: string, createdAt: string): ReleaseRecord => ({
    version: 1,
    id,
    site,
    createdAt,
    poolDirs: [],
    files: {},
    table: {},
  });
  const now = new Date('2026-12-01T12:00:00Z');
  const records = [
    record(A, 'web', '2026-11-01T00:00:00Z'),
    record(B, 'web', '2026-11-02T00:00:00Z'),
    record(C, 'web', '2026-11-03T00:00:00Z'),
  ];
  const empty = { version: 1 as const, offSince: {}, deleting: [] };

  it('held and newest are kept; the others wait out the grace from when gc first saw them off', () => {
    const first = planGc(records, new Map([[C, ['web']]]), empty, { keep: 1, graceMs: 3_600_000 }, now);
    expect(first.releases.map((r) => r.decision)).toEqual(['held', 'grace', 'grace']);
    expect(first.index.offSince).toEqual({ [A]: now.toISOString(), [B]: now.toISOString() });
    const later = planGc(
      records,
      new Map([
        [C, ['web']],
        [A, ['web (rollback)']],
      ]),
      first.index,
      { keep: 1, graceMs: 3_600_000 },
      new Date(now.getTime() + 3_600_000),
    );
    // A is held again: its mark is cleared; B's grace is over.
    expect(later.releases.map((r) => [r.id, r.decision])).toEqual([
      [C, 'held'],
      [B, 'delete'],
      [A, 'held'],
    ]);
    expect(later.index.offSince).toEqual({ [B]: now.toISOString() });
  });

  it('keeps the newest keep-releases of each site, not of the store', () => {
    const mixed = [...records, record('dddddddddddddddd', 'pr-7', '2026-11-30T00:00:00Z')];
    const plan = planGc(mixed, new Map(), empty, { keep: 1, graceMs: 0 }, now);
    expect(plan.releases.map((r) => [r.id, r.decision])).toEqual([
      ['dddddddddddddddd', 'newest'],
      [C, 'newest'],
      [B, 'delete'],
      [A, 'delete'],
    ]);
  });
});

describe('gc summaries', () => {
  const base: GcResult = {
    dryRun: false,
    keep: 10,
    graceMs: 7 * 86_400_000,
    releases: [
      { id: C, site: 'web', createdAt: '2026-11-03T00:00:00Z', bytes: 1, heldBy: ['web'], offSince: '', decision: 'held' },
      {
        id: B,
        site: 'web',
        createdAt: '2026-11-02T00:00:00Z',
        bytes: 1,
        heldBy: [],
        offSince: '2026-11-30T00:00:00Z',
        decision: 'grace',
        deletableAt: '2026-12-07T00:00:00.000Z',
      },
    ],
    deleted: [A],
    objectsDeleted: 5,
    poolObjectsDeleted: 2,
    tableKeysDeleted: 3,
    spared: [],
    orphans: {
      folders: [{ id: 'dddddddddddddddd', objects: 2, lastModified: '2026-11-20T00:00:00.000Z', decision: 'delete' }],
      poolObjects: [
        {
          key: 'assets/x-Dq1w2e3r.js',
          id: 'dddddddddddddddd',
          lastModified: '2026-11-30T00:00:00.000Z',
          decision: 'grace',
          deletableAt: '2026-12-07T00:00:00.000Z',
        },
      ],
      foldersDeleted: 1,
      poolObjectsDeleted: 0,
      foldersInGrace: 0,
      poolObjectsInGrace: 1,
      objectsDeleted: 2,
    },
  };

  it("deploy-static's: releases deleted and kept and why, and what stagings that never finished left", () => {
    expect(gcAfterDeployLines(base).join('\n')).toBe(
      [
        '**Garbage collection** after the switch (keep 10 per site, `stale-asset-grace` 7d): 1 release deleted (`aaaaaaaaaaaaaaaa`: 5 objects, 2 of them pool files no kept release uses, 3 routing keys); 2 releases kept (1 held by a pointer, 1 in their grace period); left by stagings that never finished: 1 release folder and 0 pool objects deleted, 0 folders and 1 pool object kept in grace.',
        '',
        'In grace: `bbbbbbbbbbbbbbbb` until 2026-12-07T00:00:00.000Z.',
        '',
      ].join('\n'),
    );
    const quiet = { ...base, deleted: [], releases: [base.releases[0]!], orphans: { ...base.orphans, folders: [], poolObjects: [] } };
    expect(gcAfterDeployLines(quiet)[0]).toBe(
      '**Garbage collection** after the switch (keep 10 per site, `stale-asset-grace` 7d): 0 releases deleted; 1 release kept (1 held by a pointer); nothing left by a staging that never finished.',
    );
    expect(gcAfterDeployLines(undefined)[0]).toMatch(/^\*\*Garbage collection\*\* after the switch did not run to the end/);
  });

  it("the release action's: one line of counts and each orphan with its decision; a dry run says would delete", () => {
    expect(orphanLines(base)).toEqual([
      "**Left by stagings that never finished** (a release folder without a record, pool objects no record uses; never served, so kept only until 7d after their last write, by S3's LastModified): deleted 1 release folder and 0 pool objects (2 objects with their markers); kept in grace: 0 folders, 1 pool object.",
      '',
      '| what | kind | last written | decision |',
      '|---|---|---|---|',
      '| `_releases/dddddddddddddddd/` | release folder, 2 files | 2026-11-20T00:00:00.000Z | deleted |',
      '| `assets/x-Dq1w2e3r.js` | pool object of `dddddddddddddddd` | 2026-11-30T00:00:00.000Z | in grace until 2026-12-07T00:00:00.000Z |',
      '',
    ]);
    expect(orphanLines({ ...base, dryRun: true })[0]).toContain('would delete 1 release folder and 0 pool objects; kept in grace');
    expect(orphanLines({ ...base, orphans: { ...base.orphans, folders: [], poolObjects: [] } })).toEqual([]);
  });
});
