import { describe, expect, it } from 'vitest';
import { emptyManifest, type Manifest } from '../../src/lib/s3-sync/manifest.js';
import { planDeploy, type PlanInput, type SourceEntry } from '../../src/lib/s3-sync/plan.js';
import type { RemoteObject } from '../../src/lib/s3-sync/remote.js';
import { compileGlobs, HeaderRules, IMMUTABLE, SHORT_CACHE } from '../../src/lib/s3-sync/rules.js';

const DAY = 86_400_000;
const now = new Date('2026-11-21T12:00:00Z');
const file = (key: string, size = 10): SourceEntry => ({ kind: 'local', key, path: `/site/${key}`, size });
const remoteOf = (entries: Record<string, string>) =>
  new Map<string, RemoteObject>(Object.entries(entries).map(([k, etag]) => [k, { etag, size: 10 }]));
const rules = new HeaderRules();
const recorded = (remote: Map<string, RemoteObject>, keys: string[] = [...remote.keys()]): Manifest => {
  const m = emptyManifest();
  for (const k of keys) m.objects[k] = { etag: remote.get(k)!.etag, ...rules.headersFor(k) };
  return m;
};

function plan(overrides: Partial<PlanInput>) {
  return planDeploy({
    source: [],
    remote: new Map(),
    manifest: emptyManifest(),
    sameContent: new Set(),
    observedHeaders: new Map(),
    rules,
    delete: 'ours',
    keep: () => false,
    staleGraceMs: 7 * DAY,
    now,
    ...overrides,
  });
}

describe('writes', () => {
  it('uploads new and changed files, skips unchanged ones, assets before pages', () => {
    const remote = remoteOf({ 'index.html': 'a', 'assets/app-1.js': 'b', 'robots.txt': 'c' });
    const p = plan({
      source: [
        file('index.html'),
        file('about/index.html'),
        file('assets/app-1.js'),
        file('robots.txt'),
        file('sw.js'),
        file('assets/new-2.js'),
      ],
      remote,
      manifest: recorded(remote),
      sameContent: new Set(['assets/app-1.js', 'robots.txt']),
    });
    expect(p.writes.map((w) => [w.key, w.change])).toEqual([
      ['assets/new-2.js', 'new'],
      ['index.html', 'changed'],
      ['about/index.html', 'new'],
      ['sw.js', 'new'],
    ]);
    expect(p.skipped).toEqual(['assets/app-1.js', 'robots.txt']);
    // Only overwritten objects make cached copies stale; new keys were never cached.
    expect(p.changedPaths).toEqual(['/', '/index.html']);
  });

  it('updates headers in place when only the rules changed', () => {
    const remote = remoteOf({ 'logo.png': 'a', 'index.html': 'b' });
    const p = plan({
      source: [file('logo.png'), file('index.html')],
      remote,
      manifest: recorded(remote),
      sameContent: new Set(['logo.png', 'index.html']),
      rules: new HeaderRules([{ glob: '*.png', value: 'public, max-age=86400' }]),
    });
    expect(p.writes.map((w) => [w.key, w.change, w.headers.cacheControl])).toEqual([['logo.png', 'headers', 'public, max-age=86400']]);
    expect(p.changedPaths).toEqual(['/logo.png']);
  });

  it('does not trust a manifest entry whose ETag no longer matches the object', () => {
    const remote = remoteOf({ 'logo.png': 'new-etag' });
    const manifest = recorded(remoteOf({ 'logo.png': 'old-etag' }));
    const unknown = plan({ source: [file('logo.png')], remote, manifest, sameContent: new Set(['logo.png']) });
    expect(unknown.writes.map((w) => w.change)).toEqual(['headers']);
    const observed = plan({
      source: [file('logo.png')],
      remote,
      manifest,
      sameContent: new Set(['logo.png']),
      observedHeaders: new Map([['logo.png', rules.headersFor('logo.png')]]),
    });
    expect(observed.writes).toEqual([]);
    expect(observed.skipped).toEqual(['logo.png']);
  });
});

describe('deletions', () => {
  const source = [file('index.html')];
  it('deletes what left the source, and reports its paths', () => {
    const remote = remoteOf({ 'index.html': 'a', 'old.html': 'b', 'docs/index.html': 'c' });
    const p = plan({ source, remote, manifest: recorded(remote), sameContent: new Set(['index.html']) });
    expect(p.deletes).toEqual(['docs/index.html', 'old.html']);
    expect(p.changedPaths).toEqual(['/docs/', '/docs/index.html', '/old.html']);
  });

  it('deletes nothing when delete is false', () => {
    const p = plan({ source, remote: remoteOf({ 'old.html': 'b' }), delete: 'none' });
    expect(p.deletes).toEqual([]);
    expect(p.changedPaths).toEqual([]);
  });

  it('never deletes keep matches, its own manifest or another deployment below the prefix', () => {
    const remote = remoteOf({
      'uploads/a.jpg': 'a',
      '.slipway/manifest.json': 'm',
      'pr-7/.slipway/manifest.json': 'n',
      'pr-7/index.html': 'o',
      'gone.txt': 'g',
    });
    const p = plan({ source, remote, manifest: recorded(remote), keep: compileGlobs(['uploads/**']) });
    expect(p.deletes).toEqual(['gone.txt']);
    expect(p.kept).toEqual([
      { key: 'pr-7/.slipway/manifest.json', reason: 'another deployment' },
      { key: 'pr-7/index.html', reason: 'another deployment' },
      { key: 'uploads/a.jpg', reason: 'keep' },
    ]);
  });
});

describe('a first deploy into a used bucket (no manifest, or one that does not list the object)', () => {
  const remote = remoteOf({ 'index.html': 'a', 'backups/db.sql': 'b', 'uploads/cat.jpg': 'c', 'old.html': 'd' });
  const manifest = recorded(remote, ['index.html', 'old.html']);

  it('deletes only what an earlier deploy wrote, and keeps the rest, saying so', () => {
    const p = plan({ source: [file('index.html')], remote, manifest, sameContent: new Set(['index.html']) });
    expect(p.deletes).toEqual(['old.html']);
    expect(p.kept).toEqual([
      { key: 'backups/db.sql', reason: 'not written by Slipway' },
      { key: 'uploads/cat.jpg', reason: 'not written by Slipway' },
    ]);
  });

  it('with no manifest at all deletes nothing', () => {
    const p = plan({ source: [file('index.html')], remote, sameContent: new Set(['index.html']) });
    expect(p.deletes).toEqual([]);
    expect(p.kept.map((k) => k.reason)).toEqual(Array(3).fill('not written by Slipway'));
  });

  it('delete: all removes every object that left the source', () => {
    const p = plan({ source: [file('index.html')], remote, sameContent: new Set(['index.html']), delete: 'all' });
    expect(p.deletes).toEqual(['backups/db.sql', 'old.html', 'uploads/cat.jpg']);
  });
});

describe('stale immutable assets stay for the grace period, counted from the deploy that dropped them', () => {
  const remote = remoteOf({ 'index.html': 'a', 'assets/old-1a2B3c4D.js': 'b', 'robots-old.txt': 'c' });
  const manifest = recorded(remote);
  const input = { source: [file('index.html')], remote, sameContent: new Set(['index.html']) };

  it('first deploy without the asset: keeps it and remembers since when', () => {
    const p = plan({ ...input, manifest });
    expect(p.deletes).toEqual(['robots-old.txt']);
    expect(p.kept).toEqual([{ key: 'assets/old-1a2B3c4D.js', reason: 'stale asset', until: '2026-11-28T12:00:00.000Z' }]);
    expect(p.stale).toEqual({ 'assets/old-1a2B3c4D.js': now.toISOString() });
    expect(p.changedPaths).toEqual(['/robots-old.txt']);
  });

  it('a later deploy inside the grace keeps the first date (the upload time is not the clock)', () => {
    const p = plan({ ...input, manifest: { ...manifest, stale: { 'assets/old-1a2B3c4D.js': '2026-11-18T12:00:00.000Z' } } });
    expect(p.kept).toEqual([{ key: 'assets/old-1a2B3c4D.js', reason: 'stale asset', until: '2026-11-25T12:00:00.000Z' }]);
    expect(p.stale).toEqual({ 'assets/old-1a2B3c4D.js': '2026-11-18T12:00:00.000Z' });
  });

  it('after the grace it is deleted and forgotten', () => {
    const p = plan({ ...input, manifest: { ...manifest, stale: { 'assets/old-1a2B3c4D.js': '2026-11-14T11:59:59.000Z' } } });
    expect(p.deletes).toEqual(['assets/old-1a2B3c4D.js', 'robots-old.txt']);
    expect(p.stale).toEqual({});
  });

  it('a grace of 0 deletes at once; an asset back in the source is no longer stale', () => {
    expect(plan({ ...input, manifest, staleGraceMs: 0 }).deletes).toEqual(['assets/old-1a2B3c4D.js', 'robots-old.txt']);
    const back = plan({
      ...input,
      source: [file('index.html'), file('assets/old-1a2B3c4D.js')],
      manifest: { ...manifest, stale: { 'assets/old-1a2B3c4D.js': '2026-11-18T12:00:00.000Z' } },
      sameContent: new Set(['index.html', 'assets/old-1a2B3c4D.js']),
    });
    expect(back.stale).toEqual({});
    expect(back.skipped).toContain('assets/old-1a2B3c4D.js');
  });

  it('judges immutability by the headers the object was served with', () => {
    const remote2 = remoteOf({ 'index.html': 'a', 'legacy/chunk.js': 'b', 'assets/short.js': 'c' });
    const m = recorded(remote2);
    m.objects['legacy/chunk.js'] = { etag: 'b', cacheControl: IMMUTABLE, contentType: 'text/javascript' };
    m.objects['assets/short.js'] = { etag: 'c', cacheControl: SHORT_CACHE, contentType: 'text/javascript' };
    const p = plan({ ...input, remote: remote2, manifest: m });
    expect(p.kept.map((k) => k.key)).toEqual(['legacy/chunk.js']);
    expect(p.deletes).toEqual(['assets/short.js']);
  });
});
