// Where real AWS is stricter than moto (stand-ins/aws-behaviours.mjs switches the AWS behaviour on at
// the proxy): each test here fails against a Slipway that relied on moto's shortcut.
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteObjectsKeyErrors, sseKmsEtags } from '../../stand-ins/aws-behaviours.mjs';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { silentLogger } from '../../src/lib/log/logger.js';
import { MANIFEST_KEY } from '../../src/lib/s3-sync/keys.js';
import { syncSite, type SyncSettings } from '../../src/lib/s3-sync/sync.js';
import { syncSettings } from '../support/sync.js';
import { bucketState, inspector, md5, motoEndpoint, newBucket, s3At, touchAll, writeSite } from '../support/s3.js';

let proxy: AwsProxy;
let bucket: string;
beforeEach(async () => {
  proxy = await startAwsProxy(motoEndpoint());
  bucket = await newBucket();
});
afterEach(() => proxy.close());

const settings = (dir: string, overrides: Partial<SyncSettings> = {}): SyncSettings =>
  syncSettings(dir, bucket, { staleGraceMs: 0, ...overrides });
const deploy = (s: SyncSettings) => syncSite(s, { client: s3At(proxy.endpoint, 8), log: silentLogger });

/** Writes of the site and its record (the deploy lease is not the site). */
const siteOps = (...operations: string[]) => proxy.ops(...operations).filter((r) => r.key !== '.slipway/lease.json');

const SITE = {
  'index.html': '<p>home</p>',
  'about/index.html': '<p>about</p>',
  'assets/app-Bq3w7x1Z.js': 'console.log(1)',
  'robots.txt': 'User-agent: *',
};

describe('an SSE-KMS bucket, whose ETags are not MD5s', () => {
  beforeEach(() => proxy.behave(sseKmsEtags([bucket])));

  it('the stand-in really gives opaque ETags (the positive control)', async () => {
    await deploy(settings(writeSite({ 'index.html': 'x' })));
    const listed = await s3At(proxy.endpoint).send(new (await import('@aws-sdk/client-s3')).ListObjectsV2Command({ Bucket: bucket }));
    const etag = listed.Contents?.find((o) => o.Key === 'index.html')?.ETag?.replace(/"/g, '');
    expect(etag).toMatch(/^[0-9a-f]{32}$/);
    expect(etag).not.toBe(md5('x'));
  });

  it('a no-change redeploy from a fresh checkout sends no PUT and reports no changed path', async () => {
    const dir = writeSite(SITE);
    await deploy(settings(dir));
    await touchAll(dir);
    proxy.clear();
    const again = await deploy(settings(dir));
    expect(siteOps('PutObject', 'CopyObject', 'HeadObject')).toEqual([]);
    expect(again).toMatchObject({ uploaded: 0, skipped: 4, changedPaths: [] });
  });

  it('a one-file change uploads that file and names only its paths', async () => {
    const dir = writeSite(SITE);
    await deploy(settings(dir));
    writeFileSync(join(dir, 'about/index.html'), '<p>about us</p>');
    proxy.clear();
    const again = await deploy(settings(dir));
    expect(siteOps('PutObject').map((r) => r.key)).toEqual(['about/index.html', MANIFEST_KEY]);
    expect(again.changedPaths).toEqual(['/about/', '/about/index.html']);
  });

  it('with the manifest lost, S3 stored checksums vouch instead (one HEAD each), and nothing is re-uploaded', async () => {
    const dir = writeSite(SITE);
    await deploy(settings(dir));
    await inspector().send(new DeleteObjectCommand({ Bucket: bucket, Key: MANIFEST_KEY }));
    proxy.clear();
    const again = await deploy(settings(dir));
    expect(siteOps('PutObject').map((r) => r.key)).toEqual([MANIFEST_KEY]);
    expect(siteOps('HeadObject')).toHaveLength(4);
    expect(again.uploaded).toBe(0);
  });
});

it('DeleteObjects per-key SlowDown errors are sent again until the keys are gone', async () => {
  const dir = writeSite({ ...SITE, 'old-1.txt': 'a', 'old-2.txt': 'b' });
  await deploy(settings(dir));
  const { rmSync } = await import('node:fs');
  rmSync(join(dir, 'old-1.txt'));
  rmSync(join(dir, 'old-2.txt'));
  const errors = deleteObjectsKeyErrors({ times: 2 });
  proxy.behave(errors);
  proxy.clear();
  const result = await deploy(settings(dir));
  expect(errors.replied).toBe(2);
  expect(proxy.ops('DeleteObjects').length).toBeGreaterThanOrEqual(3);
  expect(result.deleted).toBe(2);
  expect([...(await bucketState(bucket)).keys()]).not.toContain('old-1.txt');
});

it('a per-key error that is not transient (AccessDenied) fails the deploy naming the key', async () => {
  const dir = writeSite({ ...SITE, 'old-1.txt': 'a' });
  await deploy(settings(dir));
  const { rmSync } = await import('node:fs');
  rmSync(join(dir, 'old-1.txt'));
  proxy.behave(deleteObjectsKeyErrors({ times: 1, code: 'AccessDenied' }));
  await expect(deploy(settings(dir))).rejects.toThrow(/Could not delete 1 object, first s3:\/\/.*\/old-1\.txt: AccessDenied/);
});

describe('two deploys to one bucket and prefix at once', () => {
  const lease = { ttlMs: 60_000, waitMs: 60_000, pollMs: 50 };
  const deployAs = (owner: string, dir: string, options = lease) =>
    syncSite({ ...settings(dir), owner }, { client: s3At(proxy.endpoint, 8), log: silentLogger, lease: options });

  it('never interleave: the later one waits for the lease, then deploys over a complete site', async () => {
    const a = writeSite({ 'index.html': 'A', 'a.txt': 'a' });
    const b = writeSite({ 'index.html': 'B', 'b.txt': 'b' });
    const [first, second] = await Promise.all([deployAs('run A', a), deployAs('run B', b)]);
    expect(first.uploaded + second.uploaded).toBe(4);
    const state = await bucketState(bucket);
    const winner = state.get('index.html')!.md5 === md5('A') ? 'A' : 'B';
    // Whichever went second deployed over the first: the bucket is exactly its build (the other's file, written by
    // Slipway, was deleted), and the manifest agrees.
    expect([...state.keys()].sort()).toEqual([MANIFEST_KEY, 'index.html', winner === 'A' ? 'a.txt' : 'b.txt'].sort());
    expect(proxy.ops('PutObject').filter((r) => r.key === '.slipway/lease.json').length).toBeGreaterThanOrEqual(2);
    expect(state.has('.slipway/lease.json')).toBe(false);
  });

  it('give up after the bounded wait, naming the other deploy, having changed nothing', async () => {
    const { Lease } = await import('../../src/lib/s3-sync/lease.js');
    const held = await Lease.acquire(s3At(proxy.endpoint), bucket, '', 'workflow run https://github.com/acme/web/actions/runs/1', {
      clock: (await import('../../src/lib/util/clock.js')).systemClock,
      log: silentLogger,
      options: lease,
    });
    proxy.clear();
    await expect(deployAs('run B', writeSite({ 'index.html': 'B' }), { ...lease, waitMs: 300 })).rejects.toThrow(
      /Another deploy to s3:\/\/.*\/ is in progress: workflow run https:\/\/github\.com\/acme\/web\/actions\/runs\/1, started .*nothing was changed/,
    );
    expect(proxy.ops('PutObject').filter((r) => r.key !== '.slipway/lease.json')).toEqual([]);
    await held.release();
    expect((await bucketState(bucket)).size).toBe(0);
  });

  it('take over a lease that expired (a deploy that was killed)', async () => {
    await inspector().send(
      new (await import('@aws-sdk/client-s3')).PutObjectCommand({
        Bucket: bucket,
        Key: '.slipway/lease.json',
        Body: JSON.stringify({ owner: 'killed run', startedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-01T00:10:00.000Z' }),
      }),
    );
    const result = await deployAs('run B', writeSite({ 'index.html': 'B' }));
    expect(result.uploaded).toBe(1);
  });

  it("a deploy whose lease was taken over leaves the new holder's lease in place when it finishes", async () => {
    const { Lease } = await import('../../src/lib/s3-sync/lease.js');
    const held = await Lease.acquire(s3At(proxy.endpoint), bucket, '', 'run A', {
      clock: (await import('../../src/lib/util/clock.js')).systemClock,
      log: silentLogger,
      options: lease,
    });
    const theirs = JSON.stringify({ owner: 'run B', startedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2999-01-01T00:00:00.000Z' });
    await inspector().send(new PutObjectCommand({ Bucket: bucket, Key: '.slipway/lease.json', Body: theirs }));
    proxy.clear();
    await held.release();
    // One conditional delete on the ETag run A wrote, refused: run B's lease stays.
    expect(proxy.ops('DeleteObject').map((r) => [r.key, r.status])).toEqual([['.slipway/lease.json', 412]]);
    expect((await bucketState(bucket)).get('.slipway/lease.json')?.md5).toBe(md5(theirs));
  });

  it('a manifest changed behind the lease (a deploy that ignored it) is not overwritten', async () => {
    const dir = writeSite({ 'index.html': 'v1' });
    await deploy(settings(dir));
    writeFileSync(join(dir, 'index.html'), 'v2');
    // The other writer lands between this deploy's read of the manifest and its write.
    proxy.faults.plan((r) => {
      if (r.operation === 'PutObject' && r.key === 'index.html')
        void inspector().send(new PutObjectCommand({ Bucket: bucket, Key: MANIFEST_KEY, Body: '{"version":1,"objects":{},"stale":{}}' }));
      return undefined;
    });
    await expect(deploy(settings(dir))).rejects.toThrow(/was changed by another deploy while this one ran/);
    proxy.faults.clear();
  });
});

describe('a lease its holder can no longer be using is taken over at once', () => {
  const lease = { ttlMs: 60_000, waitMs: 300, pollMs: 50 };
  const putLease = async (record: Record<string, unknown>) =>
    inspector().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: '.slipway/lease.json',
        Body: JSON.stringify({
          owner: 'the other deploy',
          startedAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          ...record,
        }),
      }),
    );
  const deployAs = (extra: Partial<SyncSettings>) =>
    syncSite({ ...settings(writeSite({ 'index.html': 'x' })), ...extra }, { client: s3At(proxy.endpoint, 8), log: silentLogger, lease });

  it('left by an earlier attempt of the same workflow job (a cancelled or killed run, re-run)', async () => {
    await putLease({ run: 'acme/web/42/deploy' });
    expect((await deployAs({ owner: 'workflow run 42, attempt 2', runJob: 'acme/web/42/deploy' })).uploaded).toBe(1);
  });

  it('left by a process on this machine that is gone (a killed CLI deploy)', async () => {
    const { spawnSync } = await import('node:child_process');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    await putLease({ host: (await import('node:os')).hostname(), pid: Number(gone) });
    expect((await deployAs({})).uploaded).toBe(1);
  });

  it('but not one held by a process that is still running, nor by another job', async () => {
    await putLease({ host: (await import('node:os')).hostname(), pid: process.ppid, run: 'acme/web/42/other-job' });
    await expect(deployAs({ runJob: 'acme/web/42/deploy' })).rejects.toThrow(
      /Another deploy to s3:\/\/.* is in progress: the other deploy/,
    );
  });
});
