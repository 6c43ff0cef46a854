// Where real AWS is stricter than moto (scripts/lib/aws-behaviours.mjs switches the AWS behaviour on at
// the proxy): each test here fails against a Slipway that relied on moto's shortcut.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteObjectsKeyErrors, sseKmsEtags } from '../../scripts/lib/aws-behaviours.mjs';
import { startAwsProxy, type AwsProxy } from '../../scripts/lib/aws-proxy.mjs';
import { silentLogger } from '../../src/log/logger.js';
import { MANIFEST_KEY } from '../../src/s3-sync/keys.js';
import { syncSite, type SyncSettings } from '../../src/s3-sync/sync.js';
import { bucketState, inspector, md5, motoEndpoint, newBucket, s3At, touchAll, writeSite } from '../support/s3.js';

let proxy: AwsProxy;
let bucket: string;
beforeEach(async () => {
  proxy = await startAwsProxy(motoEndpoint());
  bucket = await newBucket();
});
afterEach(() => proxy.close());

const settings = (dir: string, overrides: Partial<SyncSettings> = {}): SyncSettings => ({
  source: { kind: 'local', dir },
  bucket,
  prefix: '',
  delete: 'ours',
  framework: 'auto',
  headers: [],
  cacheControl: [],
  contentType: [],
  exclude: [],
  keep: [],
  staleGraceMs: 0,
  concurrency: 8,
  dryRun: false,
  ...overrides,
});
const deploy = (s: SyncSettings) => syncSite(s, { client: s3At(proxy.endpoint, 8), log: silentLogger });

const SITE = { 'index.html': '<p>home</p>', 'about/index.html': '<p>about</p>', 'assets/app-Bq3w7x1Z.js': 'console.log(1)', 'robots.txt': 'User-agent: *' };

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
    expect(proxy.ops('PutObject', 'CopyObject', 'HeadObject')).toEqual([]);
    expect(again).toMatchObject({ uploaded: 0, skipped: 4, changedPaths: [] });
  });

  it('a one-file change uploads that file and names only its paths', async () => {
    const dir = writeSite(SITE);
    await deploy(settings(dir));
    writeFileSync(join(dir, 'about/index.html'), '<p>about us</p>');
    proxy.clear();
    const again = await deploy(settings(dir));
    expect(proxy.ops('PutObject').map((r) => r.key)).toEqual(['about/index.html', MANIFEST_KEY]);
    expect(again.changedPaths).toEqual(['/about/', '/about/index.html']);
  });

  it('with the manifest lost, S3 stored checksums vouch instead (one HEAD each), and nothing is re-uploaded', async () => {
    const dir = writeSite(SITE);
    await deploy(settings(dir));
    await inspector().send(new DeleteObjectCommand({ Bucket: bucket, Key: MANIFEST_KEY }));
    proxy.clear();
    const again = await deploy(settings(dir));
    expect(proxy.ops('PutObject').map((r) => r.key)).toEqual([MANIFEST_KEY]);
    expect(proxy.ops('HeadObject')).toHaveLength(4);
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
