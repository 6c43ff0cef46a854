// The sync engine against moto, with every request counted at a proxy in front of it.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/log/logger.js';
import { InputError } from '../../src/inputs/errors.js';
import { MANIFEST_KEY } from '../../src/lib/s3-sync/keys.js';
import { parseManifest } from '../../src/lib/s3-sync/manifest.js';
import { IMMUTABLE, NO_CACHE, SHORT_CACHE } from '../../src/lib/s3-sync/rules.js';
import { syncSite, type SyncSettings } from '../../src/lib/s3-sync/sync.js';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { s3FormEncodedListings } from '../../stand-ins/aws-behaviours.mjs';
import { syncSettings } from '../support/sync.js';
import { LEASE_KEY } from '../../src/lib/s3-sync/lease.js';
import {
  bucketState,
  headers,
  inspector,
  md5,
  motoEndpoint,
  newBucket,
  putObject,
  s3At,
  touchAll,
  writeSite,
  type SiteFiles,
} from '../support/s3.js';

const DAY = 86_400_000;
let proxy: AwsProxy;
let bucket: string;

beforeEach(async () => {
  proxy = await startAwsProxy(motoEndpoint());
  bucket = await newBucket();
});
afterEach(() => proxy.close());

const SITE: SiteFiles = {
  'index.html': '<script src="/assets/app-Bq3w7x1Z.js"></script>',
  'docs/index.html': '<h1>docs</h1>',
  'assets/app-Bq3w7x1Z.js': 'console.log(1)',
  'assets/app-Cx9k2LmQ.css': 'body{}',
  'robots.txt': 'User-agent: *',
  'sw.js': 'self.addEventListener("fetch", () => {})',
  '.env': 'SECRET=1',
  '.git/config': '[core]',
  '.well-known/security.txt': 'Contact: x',
};

const settings = (dir: string, overrides: Partial<SyncSettings> = {}): SyncSettings => syncSettings(dir, bucket, overrides);

/** Requests for the site and its record: the deploy lease (one conditional PUT and one conditional DELETE per deploy) aside. */
const siteOps = (...operations: string[]) => proxy.ops(...operations).filter((r) => r.key !== LEASE_KEY);

const deploy = (s: SyncSettings, now?: Date) =>
  syncSite(s, { client: s3At(proxy.endpoint, s.concurrency), log: silentLogger, now: now ? () => now : undefined });

/** What a correct mirror of `files` looks like (dotfiles left out, .well-known kept). */
function expectedMirror(files: SiteFiles, prefix = '') {
  const published = Object.entries(files).filter(
    ([k]) => !k.split('/').some((s, i) => s.startsWith('.') && !(i === 0 && s === '.well-known')),
  );
  return Object.fromEntries(published.map(([k, body]) => [prefix + k, md5(body)]));
}

async function contentOf(prefix = '') {
  const state = await bucketState(bucket, prefix);
  state.delete(prefix + MANIFEST_KEY);
  return Object.fromEntries([...state].map(([k, o]) => [k, o.md5]));
}

describe('a first deploy', () => {
  it('mirrors the source with the default headers, and leaves dotfiles out', async () => {
    const result = await deploy(settings(writeSite(SITE)));
    expect(await contentOf()).toEqual(expectedMirror(SITE));
    const state = await bucketState(bucket);
    expect(state.get('index.html')).toMatchObject({ cacheControl: NO_CACHE, contentType: 'text/html; charset=utf-8' });
    expect(state.get('assets/app-Bq3w7x1Z.js')).toMatchObject({ cacheControl: IMMUTABLE, contentType: 'text/javascript; charset=utf-8' });
    expect(state.get('robots.txt')).toMatchObject({ cacheControl: SHORT_CACHE, contentType: 'text/plain; charset=utf-8' });
    expect(state.get('sw.js')?.cacheControl).toBe(NO_CACHE);
    expect(result).toMatchObject({ uploaded: 7, skipped: 0, deleted: 0, changedPaths: [] });
    expect(result.leftOut.map((l) => l.key).sort()).toEqual(['.env', '.git/']);
    expect(siteOps('PutObject').map((r) => r.key)).not.toContain('.env');
  });

  it('writes every asset before the first HTML page or service worker', async () => {
    const files: SiteFiles = { 'index.html': 'x', 'a/index.html': 'y', 'sw.js': 'z' };
    for (let i = 0; i < 40; i++) files[`assets/chunk-${i}.js`] = `chunk ${i}`;
    await deploy(settings(writeSite(files), { concurrency: 16 }));
    const puts = siteOps('PutObject').filter((r) => r.key !== MANIFEST_KEY);
    const entry = (k?: string) => /\.html$|(^|\/)sw\.js$/.test(k ?? '');
    const firstEntry = puts.findIndex((r) => entry(r.key));
    expect(firstEntry).toBe(40);
    expect(puts.slice(firstEntry).every((r) => entry(r.key))).toBe(true);
  });
});

describe('a redeploy', () => {
  it('from a fresh checkout with nothing changed sends no per-file request', async () => {
    const files: SiteFiles = { 'index.html': 'home' };
    for (let i = 0; i < 2500; i++) files[`assets/f-${i}.js`] = `export const n = ${i};`;
    const dir = writeSite(files);
    await deploy(settings(dir, { concurrency: 32 }));
    await touchAll(dir);
    proxy.clear();
    const result = await deploy(settings(dir));
    // One list request per 1,000 objects (2,502 with the manifest: 3 pages) and one manifest read.
    expect(
      proxy.requests
        .filter((r) => r.key !== LEASE_KEY)
        .map((r) => r.operation)
        .sort(),
    ).toEqual(['GetObject', 'ListObjectsV2', 'ListObjectsV2', 'ListObjectsV2']);
    // And the lease that keeps another deploy out: taken, then deleted only if still ours (If-Match its ETag).
    const leaseRequests = proxy.requests.filter((r) => r.key === LEASE_KEY);
    expect(leaseRequests.map((r) => r.operation)).toEqual(['PutObject', 'DeleteObject']);
    expect(leaseRequests[1]?.headers['if-match']).toMatch(/^"[0-9a-f]{32}"$/);
    expect(result).toMatchObject({ uploaded: 0, skipped: 2501, deleted: 0, changedPaths: [] });

    // One changed file: that file and the manifest are written, nothing else.
    writeFileSync(join(dir, 'assets/f-7.js'), 'export const n = 8;');
    proxy.clear();
    const one = await deploy(settings(dir));
    expect(siteOps('PutObject').map((r) => r.key)).toEqual(['assets/f-7.js', MANIFEST_KEY]);
    expect(proxy.requests.filter((r) => r.key !== LEASE_KEY)).toHaveLength(6);
    expect(one).toMatchObject({ uploaded: 1, skipped: 2500, changedPaths: ['/assets/f-7.js'] });
  });

  it('uploads a file whose content changed but whose size did not', async () => {
    const dir = writeSite({ 'index.html': 'aaaa', 'app.js': 'v1()' });
    await deploy(settings(dir));
    writeFileSync(join(dir, 'app.js'), 'v2()');
    proxy.clear();
    const result = await deploy(settings(dir));
    expect(siteOps('PutObject').map((r) => r.key)).toEqual(['app.js', MANIFEST_KEY]);
    expect(result.changedPaths).toEqual(['/app.js']);
    expect((await contentOf())['app.js']).toBe(md5('v2()'));
  });

  it('updates headers in place when only the rules change, sending no body', async () => {
    const dir = writeSite({ 'index.html': 'home', 'logo.png': randomBytes(2000), 'photo.png': randomBytes(3000) });
    await deploy(settings(dir));
    proxy.clear();
    const result = await deploy(settings(dir, { cacheControl: [{ glob: '*.png', value: 'public, max-age=86400' }] }));
    expect(
      siteOps('CopyObject')
        .map((r) => r.key)
        .sort(),
    ).toEqual(['logo.png', 'photo.png']);
    expect(siteOps('PutObject').map((r) => r.key)).toEqual([MANIFEST_KEY]);
    expect(await headers(bucket, 'logo.png')).toEqual({ cacheControl: 'public, max-age=86400', contentType: 'image/png' });
    expect(result).toMatchObject({ uploaded: 0, headersUpdated: 2, skipped: 1, changedPaths: ['/logo.png', '/photo.png'] });
    // Unchanged since: nothing to do.
    proxy.clear();
    await deploy(settings(dir, { cacheControl: [{ glob: '*.png', value: 'public, max-age=86400' }] }));
    expect(siteOps('CopyObject', 'PutObject', 'HeadObject')).toEqual([]);
  });

  it('fixes the headers of objects another tool uploaded, reading each once, without re-uploading', async () => {
    await putObject(bucket, 'index.html', 'home', { CacheControl: 'max-age=86400', ContentType: 'text/html' });
    await putObject(bucket, 'app.js', 'code', { CacheControl: SHORT_CACHE, ContentType: 'text/javascript; charset=utf-8' });
    const dir = writeSite({ 'index.html': 'home', 'app.js': 'code' });
    const result = await deploy(settings(dir));
    expect(
      siteOps('HeadObject')
        .map((r) => r.key)
        .sort(),
    ).toEqual(['app.js', 'index.html']);
    expect(siteOps('CopyObject').map((r) => r.key)).toEqual(['index.html']);
    expect(siteOps('PutObject').map((r) => r.key)).toEqual([MANIFEST_KEY]);
    expect(await headers(bucket, 'index.html')).toEqual({ cacheControl: NO_CACHE, contentType: 'text/html; charset=utf-8' });
    expect(result.changedPaths).toEqual(['/', '/index.html']);
  });
});

it('handles keys with spaces, plus signs, percent signs and non-ASCII names, in uploads, header updates and deletes', async () => {
  // Listings as S3 encodes them (a space as +), not as moto does.
  proxy.behave(s3FormEncodedListings());
  const files: SiteFiles = {
    'index.html': 'x',
    'docs/My File ü+1.png': 'png',
    'ça va/é #1.txt': 'txt',
    'gone & done.txt': 'bye',
    '100% a%20b.txt': '%',
  };
  const dir = writeSite(files);
  await deploy(settings(dir));
  rmSync(join(dir, 'gone & done.txt'));
  const result = await deploy(
    settings(dir, {
      cacheControl: [
        { glob: '*.png', value: 'no-store' },
        { glob: '*.txt', value: 'no-cache' },
      ],
    }),
  );
  expect(result).toMatchObject({ uploaded: 0, headersUpdated: 3, deleted: 1 });
  expect(await headers(bucket, 'docs/My File ü+1.png')).toMatchObject({ cacheControl: 'no-store' });
  expect(await headers(bucket, 'ça va/é #1.txt')).toMatchObject({ cacheControl: 'no-cache' });
  expect(Object.keys(await contentOf()).sort()).toEqual(['100% a%20b.txt', 'docs/My File ü+1.png', 'index.html', 'ça va/é #1.txt']);
  expect(proxy.ops('ListObjectsV2').every((r) => r.query.get('encoding-type') === 'url')).toBe(true);
});

it('hashes a large build on a worker thread, and still finds the one file changed in place', async () => {
  const files: SiteFiles = { 'index.html': '<h1>x</h1>' };
  for (let i = 0; i < 40; i++) files[`assets/c${i}.js`] = `export const v = ${i};`.padEnd(64, ' ');
  const dir = writeSite(files);
  // The thread starts from 10 small files here (5,000 in a deploy), so this build of 41 uses it.
  const run = () => syncSite(settings(dir), { client: s3At(proxy.endpoint, 16), log: silentLogger, hashAheadFrom: 10 });
  await run();
  // The same size, other bytes: only the content hash the manifest recorded can tell.
  writeFileSync(join(dir, 'assets/c7.js'), `export const v = 'X';`.padEnd(64, ' '));
  proxy.clear();
  const second = await run();
  expect(second).toMatchObject({ uploaded: 1, skipped: 40 });
  expect(siteOps('PutObject').map((r) => r.key)).toEqual(['assets/c7.js', MANIFEST_KEY]);
  const manifest = parseManifest(
    (await (await inspector().send(new GetObjectCommand({ Bucket: bucket, Key: MANIFEST_KEY }))).Body?.transformToString()) ?? '',
  );
  expect(manifest?.objects['assets/c3.js']?.sha256).toBe(createHash('sha256').update(files['assets/c3.js']!).digest('hex'));
  // A third run finds nothing to do.
  proxy.clear();
  expect(await run()).toMatchObject({ uploaded: 0, skipped: 41 });
});

describe('a re-run of the same workflow run', () => {
  it('reports the paths the earlier attempt changed, so their invalidation is not lost', async () => {
    const dir = writeSite({ 'index.html': 'v1', 'app.js': 'a1' });
    await deploy(settings(dir, { runId: '100' }));
    writeFileSync(join(dir, 'app.js'), 'a2');
    const attempt1 = await deploy(settings(dir, { runId: '101' }));
    expect(attempt1.changedPaths).toEqual(['/app.js']);
    // Attempt 2 of run 101 (say the invalidation step failed): nothing left to upload, same paths reported.
    proxy.clear();
    const attempt2 = await deploy(settings(dir, { runId: '101' }));
    expect(attempt2).toMatchObject({ uploaded: 0, changedPaths: ['/app.js'] });
    expect(siteOps('PutObject')).toEqual([]);
    // Another run that changes nothing reports nothing, and does not rewrite the manifest.
    const next = await deploy(settings(dir, { runId: '102' }));
    expect(next.changedPaths).toEqual([]);
    expect(siteOps('PutObject')).toEqual([]);
  });
});

describe('deletions', () => {
  it('happen only under the prefix: "site" never touches "site2/" or the root', async () => {
    for (const k of ['site/old.html', 'site/assets/old.js', 'site2/index.html', 'other.txt', 'sitemap.xml']) await putObject(bucket, k, k);
    const result = await deploy(settings(writeSite({ 'index.html': 'new' }), { prefix: 'site/', staleGraceMs: 0, delete: 'all' }));
    const keys = [...(await bucketState(bucket)).keys()].sort();
    expect(keys).toEqual(['other.txt', 'site/.slipway/manifest.json', 'site/index.html', 'site2/index.html', 'sitemap.xml']);
    expect(result.deleted).toBe(2);
    expect(result.changedPaths).toEqual(['/assets/old.js', '/old.html']);
  });

  it('never happen when a write failed: no HTML written either, and the old site still whole', async () => {
    const dir = writeSite({ 'index.html': 'v1', 'assets/a-1.js': 'a1', 'old.html': 'old' });
    await deploy(settings(dir));
    writeSite({ 'index.html': 'v2 uses b-2', 'assets/b-2.js': 'b2' }, dir);
    rmSync(join(dir, 'old.html'));
    proxy.clear();
    proxy.faults.inject({ match: { operation: 'PutObject', key: 'assets/b-2.js' }, times: Infinity, status: 403, code: 'AccessDenied' });
    await expect(deploy(settings(dir))).rejects.toThrow(/assets\/b-2\.js.*AccessDenied.*Nothing was deleted and no HTML page was written/);
    expect(siteOps('DeleteObjects')).toEqual([]);
    expect(siteOps('PutObject').map((r) => r.key)).not.toContain('index.html');
    const content = await contentOf();
    expect(content['index.html']).toBe(md5('v1'));
    expect(content['old.html']).toBe(md5('old'));
  });

  it('keep `keep` matches, and the folders of other Slipway deployments below the prefix', async () => {
    const preview = writeSite({ 'index.html': 'preview 7' });
    await deploy(settings(preview, { prefix: 'pr-7/' }));
    await putObject(bucket, 'uploads/avatar.png', 'user upload');
    await putObject(bucket, 'stray.txt', 'stray');
    const result = await deploy(settings(writeSite({ 'index.html': 'main' }), { keep: ['uploads/**'], delete: 'all' }));
    const keys = [...(await bucketState(bucket)).keys()].sort();
    expect(keys).toEqual(['.slipway/manifest.json', 'index.html', 'pr-7/.slipway/manifest.json', 'pr-7/index.html', 'uploads/avatar.png']);
    expect(result.deleted).toBe(1);
  });

  it('keep immutable assets that left the source for the grace period, counted from the deploy that dropped them', async () => {
    const dir = writeSite({ 'index.html': 'v1', 'assets/a-1a2b3c4d.js': 'a1', 'assets/logo.png': 'logo' });
    const t0 = new Date('2026-11-01T00:00:00Z');
    await deploy(settings(dir), t0);
    rmSync(join(dir, 'assets/a-1a2b3c4d.js'));
    writeSite({ 'index.html': 'v2', 'assets/b-2b3c4d5e.js': 'b2' }, dir);

    const t1 = new Date(t0.getTime() + 10 * DAY); // long after a-1.js was uploaded: upload time is not the clock
    const dropped = await deploy(settings(dir), t1);
    expect(dropped.deleted).toBe(0);
    expect(dropped.plan.kept).toEqual([
      { key: 'assets/a-1a2b3c4d.js', reason: 'stale asset', until: new Date(t1.getTime() + 7 * DAY).toISOString() },
    ]);
    expect(await contentOf()).toHaveProperty('assets/a-1a2b3c4d.js');

    expect((await deploy(settings(dir), new Date(t1.getTime() + 6 * DAY))).deleted).toBe(0);
    const after = await deploy(settings(dir), new Date(t1.getTime() + 7 * DAY + 1000));
    expect(after.deleted).toBe(1);
    expect(after.changedPaths).toEqual(['/assets/a-1a2b3c4d.js']);
    expect(await contentOf()).not.toHaveProperty('assets/a-1a2b3c4d.js');
  });

  it('remove pages and service workers first, and only then the assets they referenced', async () => {
    const dir = writeSite({
      ...SITE,
      'old/index.html': '<script src="/assets/old-1.js"></script>',
      'assets/old-1.js': 'old',
      'legacy.txt': 'x',
    });
    await deploy(settings(dir, { staleGraceMs: 0 }));
    rmSync(join(dir, 'old'), { recursive: true });
    rmSync(join(dir, 'assets/old-1.js'));
    rmSync(join(dir, 'legacy.txt'));
    const order: string[] = [];
    const log = { ...silentLogger, info: (m: string) => (m.startsWith('deleted ') ? order.push(m.slice('deleted '.length)) : undefined) };
    proxy.clear();
    await syncSite(settings(dir, { staleGraceMs: 0 }), { client: s3At(proxy.endpoint, 8), log });
    // Sorted in one request, assets/old-1.js would come first; S3 gives no order inside a request.
    expect(order).toEqual(['old/index.html', 'assets/old-1.js', 'legacy.txt']);
    expect(siteOps('DeleteObjects')).toHaveLength(2);
  });

  it('delete: false leaves objects that left the source', async () => {
    await putObject(bucket, 'legacy.html', 'legacy');
    await deploy(settings(writeSite({ 'index.html': 'x' }), { delete: 'none' }));
    expect(await contentOf()).toHaveProperty('legacy.html');
    expect(siteOps('DeleteObjects')).toEqual([]);
  });
});

describe('large files', () => {
  const big = randomBytes(9 * 1024 * 1024 + 17);

  it('go up in parts, and are recognised on the next deploy without re-upload', async () => {
    const dir = writeSite({ 'index.html': 'x', 'video.mp4': big });
    await deploy(settings(dir));
    expect(siteOps('CreateMultipartUpload').map((r) => r.key)).toEqual(['video.mp4']);
    expect(siteOps('UploadPart')).toHaveLength(2);
    expect((await contentOf())['video.mp4']).toBe(md5(big));
    await touchAll(dir);
    proxy.clear();
    await deploy(settings(dir));
    expect(siteOps('PutObject', 'UploadPart', 'CreateMultipartUpload')).toEqual([]);
  });

  it('uploaded by another tool with 5 MiB parts are recognised too', async () => {
    // 10 MiB + 1 in 5 MiB parts is 3 parts, which 4 MiB parts would also give: the part size must be known, not guessed.
    const other = randomBytes(10 * 1024 * 1024 + 1);
    await new Upload({
      client: inspector(),
      params: { Bucket: bucket, Key: 'video.mp4', Body: other, CacheControl: SHORT_CACHE, ContentType: 'video/mp4' },
      partSize: 5 * 1024 * 1024,
    }).done();
    await deploy(settings(writeSite({ 'index.html': 'x', 'video.mp4': other })));
    expect(siteOps('UploadPart', 'CreateMultipartUpload', 'CopyObject')).toEqual([]);
    expect(siteOps('PutObject').map((r) => r.key)).toEqual(['index.html', MANIFEST_KEY]);
  });
});

describe('transient errors', () => {
  it('are retried: throttling, 5xx and connection resets still end in an exact mirror', async () => {
    const files: SiteFiles = { 'index.html': 'home' };
    for (let i = 0; i < 30; i++) files[`assets/c-${i}.js`] = `c${i}`;
    const seen = new Set<string>();
    proxy.faults.plan((r, i) => {
      if (r.operation !== 'PutObject' && r.operation !== 'ListObjectsV2') return undefined;
      const first = !seen.has(`${r.operation} ${r.key ?? ''}`);
      seen.add(`${r.operation} ${r.key ?? ''}`);
      if (!first) return undefined;
      return [
        { kind: 'status', status: 503, code: 'SlowDown' } as const,
        { kind: 'status', status: 500, code: 'InternalError' } as const,
        { kind: 'reset' } as const,
      ][i % 3];
    });
    const result = await deploy(settings(writeSite(files)));
    expect(result.uploaded).toBe(31);
    expect(await contentOf()).toEqual(expectedMirror(files));
    expect(proxy.requests.filter((r) => r.status !== 200).length).toBeGreaterThanOrEqual(30);
  });
});

describe('promotion from s3://bucket/prefix', () => {
  it('copies server-side with the target rules, never downloads, and skips what is already there', async () => {
    const staging = await newBucket();
    const source = writeSite(SITE);
    await syncSite({ ...settings(source), bucket: staging, prefix: 'web/' }, { client: inspector(), log: silentLogger });
    proxy.clear();
    const promote = settings(source, {
      source: { kind: 's3', bucket: staging, prefix: 'web/' },
      cacheControl: [{ glob: '*.txt', value: 'no-store' }],
    });
    const result = await deploy(promote);
    // The only read of the source is its manifest (which objects are the build), never a site object.
    expect(
      siteOps('GetObject')
        .filter((r) => r.bucket === staging)
        .map((r) => r.key),
    ).toEqual([`web/${MANIFEST_KEY}`]);
    expect(siteOps('PutObject').map((r) => r.key)).toEqual([MANIFEST_KEY]);
    expect(siteOps('CopyObject')).toHaveLength(7);
    expect(await contentOf()).toEqual(expectedMirror(SITE));
    expect((await headers(bucket, 'robots.txt')).cacheControl).toBe('no-store');
    expect(result.bytesUploaded).toBeGreaterThan(0);
    proxy.clear();
    const again = await deploy(promote);
    expect(siteOps('CopyObject', 'PutObject')).toEqual([]);
    expect(again.skipped).toBe(7);
  });
});

describe('refusals before any request', () => {
  it('a source with nothing publishable fails without touching the bucket', async () => {
    const dir = writeSite({ '.env': 'x', '.git/HEAD': 'y' });
    await putObject(bucket, 'index.html', 'live site');
    const attempt = deploy(settings(dir));
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(attempt).rejects.toThrow(/Input 'source' must hold at least one file/);
    expect(proxy.requests).toEqual([]);
    expect(await contentOf()).toEqual({ 'index.html': md5('live site') });
  });
});

describe('symbolic links', () => {
  it('are followed inside the source and never to outside it', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'slipway-outside-'));
    writeFileSync(join(outside, 'id_rsa'), 'PRIVATE KEY');
    const dir = writeSite({ 'index.html': 'x', 'real/data.json': '{}' });
    symlinkSync(join(outside, 'id_rsa'), join(dir, 'key.txt'));
    symlinkSync(outside, join(dir, 'linked-dir'));
    symlinkSync(join(dir, 'real'), join(dir, 'alias'));
    const result = await deploy(settings(dir));
    expect(Object.keys(await contentOf()).sort()).toEqual(['alias/data.json', 'index.html', 'real/data.json']);
    expect(result.leftOut).toEqual(
      expect.arrayContaining([
        { key: 'key.txt', reason: 'symbolic link to outside the source' },
        { key: 'linked-dir', reason: 'symbolic link to outside the source' },
      ]),
    );
  });
});

describe('dry run', () => {
  it('reads but never writes, and reports what a real run would do', async () => {
    await putObject(bucket, 'old.html', 'old');
    const result = await deploy(settings(writeSite(SITE), { dryRun: true, delete: 'all' }));
    expect(proxy.requests.every((r) => ['ListObjectsV2', 'GetObject', 'HeadObject'].includes(r.operation))).toBe(true);
    expect(result).toMatchObject({ dryRun: true, uploaded: 7, deleted: 1, changedPaths: ['/old.html'] });
    expect(await contentOf()).toEqual({ 'old.html': md5('old') });
  });
});
