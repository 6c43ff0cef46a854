// deploy-static on the builds users really deploy (test/support/builds.ts), against moto: which files
// each framework's build gets as immutable, revalidated or briefly cached; that a new build keeps the
// chunks open tabs still need; and the corner cases of real builds (pre-compressed files, names that
// are not UTF-8, promotion of a build with grace-kept assets, objects Slipway did not write).
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { silentLogger } from '../../src/lib/log/logger.js';
import { MANIFEST_KEY } from '../../src/lib/s3-sync/keys.js';
import { IMMUTABLE, NO_CACHE, SHORT_CACHE } from '../../src/lib/s3-sync/rules.js';
import { syncSite, type SyncSettings } from '../../src/lib/s3-sync/sync.js';
import { angularBuild, astroBuild, craBuild, nextBuild, sveltekitBuild, viteBuild, type Build } from '../support/builds.js';
import { syncSettings } from '../support/sync.js';
import { LEASE_KEY } from '../../src/lib/s3-sync/lease.js';
import { bucketState, inspector, motoEndpoint, newBucket, putObject, s3At, writeSite } from '../support/s3.js';

let proxy: AwsProxy;
let bucket: string;
beforeEach(async () => {
  proxy = await startAwsProxy(motoEndpoint());
  bucket = await newBucket();
});
afterEach(() => proxy.close());

const settings = (dir: string, overrides: Partial<SyncSettings> = {}): SyncSettings => syncSettings(dir, bucket, overrides);
/** Requests for the site and its record: the deploy lease aside. */
const siteOps = (...operations: string[]) => proxy.ops(...operations).filter((r) => r.key !== LEASE_KEY);
const deploy = (s: SyncSettings, log = silentLogger) => syncSite(s, { client: s3At(proxy.endpoint, 8), log });

describe.each([
  ['vite', viteBuild],
  ['cra', craBuild],
  ['next', nextBuild],
  ['astro', astroBuild],
  ['sveltekit', sveltekitBuild],
] as const)('a %s build', (framework, build: (version?: number) => Build) => {
  it('is detected; hashed files are immutable, entry points revalidate and go last, the rest is cached briefly', async () => {
    const v1 = build(1);
    const result = await deploy(settings(writeSite(v1.files)));
    expect(result.framework.name).toBe(framework);
    const state = await bucketState(bucket);
    for (const key of v1.hashed) expect(state.get(key)?.cacheControl, key).toBe(IMMUTABLE);
    for (const key of v1.entryPoints) expect(state.get(key)?.cacheControl, key).toBe(NO_CACHE);
    for (const key of v1.plain) expect(state.get(key)?.cacheControl, key).toBe(SHORT_CACHE);
    const order = siteOps('PutObject')
      .map((r) => r.key ?? '')
      .filter((k) => k !== MANIFEST_KEY);
    const firstEntry = Math.min(...v1.entryPoints.map((k) => order.indexOf(k)));
    expect(Math.max(...[...v1.hashed, ...v1.plain].map((k) => order.indexOf(k)))).toBeLessThan(firstEntry);
  });

  it('the next build keeps the chunks it dropped for the grace period, so open tabs still load them', async () => {
    const v1 = build(1);
    const dir = writeSite(v1.files);
    await deploy(settings(dir));
    const v2 = build(2);
    const dropped = v1.hashed.filter((k) => !(k in v2.files));
    expect(dropped.length).toBeGreaterThan(0);
    for (const k of Object.keys(v1.files)) if (!(k in v2.files)) rmSync(join(dir, k));
    writeSite(v2.files, dir);
    const result = await deploy(settings(dir));
    expect(
      result.plan.kept
        .filter((k) => k.reason === 'stale asset')
        .map((k) => k.key)
        .sort(),
    ).toEqual(dropped.sort());
    const keys = [...(await bucketState(bucket)).keys()];
    for (const k of dropped) expect(keys).toContain(k);
  });
});

it('an Angular build: hashed root bundles immutable; its service workers and ngsw.json revalidate', async () => {
  const b = angularBuild();
  const result = await deploy(settings(writeSite(b.files)));
  expect(result.framework.name).toBe('angular');
  const state = await bucketState(bucket);
  for (const key of b.hashed) expect(state.get(key)?.cacheControl, key).toBe(IMMUTABLE);
  for (const key of b.entryPoints) expect(state.get(key)?.cacheControl, key).toBe(NO_CACHE);
});

it('upper-case and .xhtml pages are pages too', async () => {
  await deploy(settings(writeSite({ 'INDEX.HTML': '<p>', 'doc.xhtml': '<p/>', 'a.txt': 'a' })));
  const state = await bucketState(bucket);
  expect(state.get('INDEX.HTML')?.cacheControl).toBe(NO_CACHE);
  expect(state.get('doc.xhtml')?.cacheControl).toBe(NO_CACHE);
});

it('the framework input names it; cache-control rules still win', async () => {
  const result = await deploy(
    settings(writeSite({ 'index.html': 'x', 'static/js/main.js': 'js' }), {
      framework: 'cra',
      cacheControl: [{ glob: 'index.html', value: 'no-store' }],
    }),
  );
  expect(result.framework).toMatchObject({ name: 'cra', reason: 'the framework input' });
  const state = await bucketState(bucket);
  expect(state.get('static/js/main.js')?.cacheControl).toBe(IMMUTABLE);
  expect(state.get('index.html')?.cacheControl).toBe('no-store');
});

it('warns when a file cached as immutable changes content under the same name', async () => {
  const dir = writeSite({ 'index.html': 'x', 'assets/index-BQw3kz1a.js': 'v1' });
  await deploy(settings(dir));
  writeFileSync(join(dir, 'assets/index-BQw3kz1a.js'), 'v2');
  const warnings: string[] = [];
  const result = await deploy(settings(dir), { ...silentLogger, warning: (m) => warnings.push(m) });
  expect(result.warnings).toEqual([
    expect.stringMatching(/^assets\/index-BQw3kz1a\.js is cached as immutable, yet its content changed under the same name/),
  ]);
  expect(warnings).toEqual(result.warnings);
});

it('warns about a cache-control rule that decides no file', async () => {
  const result = await deploy(
    settings(writeSite({ 'index.html': 'x', 'a.png': 'p' }), {
      cacheControl: [
        { glob: '*.png, *.jpg', value: 'public, max-age=60' },
        { glob: '*.png', value: 'public, max-age=600' },
      ],
    }),
  );
  expect(result.warnings).toEqual([
    expect.stringMatching(/The cache-control rule \*\.png, \*\.jpg=public, max-age=60 decides no file of this build/),
  ]);
});

describe('a first deploy into a bucket that holds other things', () => {
  it('deletes nothing Slipway did not write, and lists it; delete: all removes it', async () => {
    await putObject(bucket, 'backups/db.sql', 'dump');
    await putObject(bucket, 'uploads/cat.jpg', 'cat');
    const dir = writeSite({ 'index.html': 'home' });
    const first = await deploy(settings(dir));
    expect(first.deleted).toBe(0);
    expect(first.plan.kept).toEqual([
      { key: 'backups/db.sql', reason: 'not written by Slipway' },
      { key: 'uploads/cat.jpg', reason: 'not written by Slipway' },
    ]);
    expect(siteOps('DeleteObjects')).toEqual([]);
    const all = await deploy(settings(dir, { delete: 'all' }));
    expect(all.deleted).toBe(2);
    expect([...(await bucketState(bucket)).keys()].sort()).toEqual([MANIFEST_KEY, 'index.html']);
  });
});

describe('object headers beyond Cache-Control and Content-Type', () => {
  const head = (key: string) => inspector().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));

  it('serves .svgz gzip-encoded, and a pre-compressed Unity build with the headers rules give', async () => {
    await deploy(
      settings(writeSite({ 'index.html': 'x', 'logo.svgz': 'gz', 'Build/game.wasm.br': 'br', 'Build/game.data.br': 'br' }), {
        headers: [
          { glob: 'Build/*.br', name: 'content-encoding', value: 'br' },
          { glob: 'Build/*.data.br', name: 'x-amz-meta-build', value: '42' },
        ],
        contentType: [{ glob: 'Build/*.wasm.br', value: 'application/wasm' }],
      }),
    );
    expect(await head('logo.svgz')).toMatchObject({ ContentEncoding: 'gzip', ContentType: 'image/svg+xml; charset=utf-8' });
    expect(await head('Build/game.wasm.br')).toMatchObject({ ContentEncoding: 'br', ContentType: 'application/wasm' });
    expect(await head('Build/game.data.br')).toMatchObject({ ContentEncoding: 'br', Metadata: { build: '42' } });
  });

  it('a header-only update keeps the headers Slipway does not manage (another tool set them)', async () => {
    await inspector().send(
      new (await import('@aws-sdk/client-s3')).PutObjectCommand({
        Bucket: bucket,
        Key: 'app.js',
        Body: 'code',
        ContentType: 'text/javascript; charset=utf-8',
        CacheControl: 'max-age=1',
        ContentEncoding: 'gzip',
        ContentDisposition: 'inline',
        ContentLanguage: 'en',
        Metadata: { owner: 'team-a' },
      }),
    );
    await deploy(settings(writeSite({ 'index.html': 'x', 'app.js': 'code' }), { delete: 'none' }));
    expect(siteOps('CopyObject').map((r) => r.key)).toEqual(['app.js']);
    expect(await head('app.js')).toMatchObject({
      CacheControl: SHORT_CACHE,
      ContentEncoding: 'gzip',
      ContentDisposition: 'inline',
      ContentLanguage: 'en',
      Metadata: { owner: 'team-a' },
    });
  });

  it('changing a headers rule rewrites the header in place, without re-sending the body', async () => {
    const dir = writeSite({ 'index.html': 'x', 'report.pdf': 'pdf' });
    await deploy(settings(dir));
    proxy.clear();
    await deploy(settings(dir, { headers: [{ glob: '*.pdf', name: 'content-disposition', value: 'attachment' }] }));
    expect(siteOps('PutObject').map((r) => r.key)).toEqual([MANIFEST_KEY]);
    expect(siteOps('CopyObject').map((r) => r.key)).toEqual(['report.pdf']);
    expect(await head('report.pdf')).toMatchObject({ ContentDisposition: 'attachment' });
    proxy.clear();
    await deploy(settings(dir, { headers: [{ glob: '*.pdf', name: 'content-disposition', value: 'attachment' }] }));
    expect(siteOps('CopyObject', 'PutObject', 'HeadObject')).toEqual([]);
  });

  it('objects over the single-copy limit are copied in parts (UploadPartCopy), keeping their headers', async () => {
    const { PART_SIZE } = await import('../../src/lib/s3-sync/etag.js');
    const big = Buffer.alloc(PART_SIZE + 6 * 1024 * 1024, 7);
    await inspector().send(
      new (await import('@aws-sdk/client-s3')).PutObjectCommand({
        Bucket: bucket,
        Key: 'video.mp4',
        Body: big,
        ContentType: 'video/mp4',
        CacheControl: 'x',
        Metadata: { owner: 'team-a' },
      }),
    );
    const { executeWrites } = await import('../../src/lib/s3-sync/execute.js');
    await executeWrites(
      {
        client: s3At(proxy.endpoint, 4),
        bucket,
        prefix: '',
        concurrency: 4,
        managedNamesFor: () => [],
        maxCopySize: 10 * 1024 * 1024,
        copyPartSize: 5 * 1024 * 1024,
      },
      [
        {
          key: 'video.mp4',
          change: 'headers',
          headers: { cacheControl: SHORT_CACHE, contentType: 'video/mp4' },
          entry: { kind: 'local', key: 'video.mp4', path: '', size: big.length },
        },
      ],
      silentLogger,
    );
    expect(siteOps('CopyObject')).toEqual([]);
    expect(siteOps('UploadPartCopy')).toHaveLength(3);
    expect(await head('video.mp4')).toMatchObject({ CacheControl: SHORT_CACHE, ContentLength: big.length, Metadata: { owner: 'team-a' } });
  });
});

it('promotion copies only the build the source manifest records, not its grace-kept stale assets', async () => {
  const staging = await newBucket();
  const dir = writeSite({ 'index.html': 'v1', 'assets/a-1a2b3c4d.js': 'a1' });
  const toStaging = (s: SyncSettings) => syncSite({ ...s, bucket: staging }, { client: inspector(), log: silentLogger });
  await toStaging(settings(dir));
  rmSync(join(dir, 'assets/a-1a2b3c4d.js'));
  writeSite({ 'index.html': 'v2', 'assets/b-2b3c4d5e.js': 'b2' }, dir);
  const staged = await toStaging(settings(dir));
  expect(staged.plan.kept.map((k) => k.key)).toEqual(['assets/a-1a2b3c4d.js']);
  const promoted = await deploy(settings(dir, { source: { kind: 's3', bucket: staging, prefix: '' } }));
  expect(promoted.uploaded).toBe(2);
  expect(promoted.leftOut).toEqual([
    { key: 'assets/a-1a2b3c4d.js', reason: 'kept there only for open pages (stale asset), not part of the build' },
  ]);
  expect([...(await bucketState(bucket)).keys()].sort()).toEqual([MANIFEST_KEY, 'assets/b-2b3c4d5e.js', 'index.html']);
});

it('a file whose name is not valid UTF-8 is left out with its reason; the rest deploys', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-latin1-'));
  writeFileSync(join(dir, 'index.html'), 'home');
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name');
  const result = await deploy(settings(dir));
  expect(result.leftOut).toEqual([{ key: 'caf\uFFFD.txt', reason: 'name is not valid UTF-8' }]);
  expect([...(await bucketState(bucket)).keys()].sort()).toEqual([MANIFEST_KEY, 'index.html']);
});

it('URL paths agree with what a browser requests: %, ?, # and spaces are encoded, once', async () => {
  const dir = writeSite({ 'index.html': 'x', 'report%20final.txt': 'v1', 'faq?.html': 'v1', 'a b#c.txt': 'v1' });
  await deploy(settings(dir));
  writeSite({ 'report%20final.txt': 'v2', 'faq?.html': 'v2', 'a b#c.txt': 'v2' }, dir);
  const result = await deploy(settings(dir));
  expect(result.changedPaths).toEqual(['/a%20b%23c.txt', '/faq%3F.html', '/report%2520final.txt']);
});
