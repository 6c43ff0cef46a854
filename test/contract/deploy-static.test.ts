// The committed bundle, run as the GitHub runner runs it: INPUT_* variables, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, exit code; AWS requests counted at a proxy in front of moto.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../scripts/lib/action-runner.mjs';
import { awsEnvFor } from '../../scripts/lib/moto.mjs';
import { startAwsProxy, type AwsProxy } from '../../scripts/lib/aws-proxy.mjs';
import { bucketState, md5, motoEndpoint, newBucket, putObject, touchAll, writeSite } from '../support/s3.js';

let proxy: AwsProxy;
beforeAll(async () => {
  proxy = await startAwsProxy(motoEndpoint());
});
afterAll(() => proxy.close());

/** The defaults the runner fills in from action.yml. */
const DEFAULTS = { prefix: '', delete: 'true', 'cache-control': '', 'content-type': '', exclude: '', keep: '', 'stale-asset-grace': '7d', concurrency: '16', 'dry-run': 'false', region: '', endpoint: '', 'force-path-style': '' };

const run = (inputs: Record<string, string>) => runActionBundle('deploy-static', { ...DEFAULTS, ...inputs }, { env: awsEnvFor(proxy.endpoint) });

describe('deploy-static, run as the runner runs it', () => {
  it('deploys, then redeploys only what changed, with outputs and a job summary', async () => {
    const bucket = await newBucket();
    const dir = writeSite({ 'index.html': 'v1', 'docs/index.html': 'docs', 'assets/app-1.js': 'a1', '.env': 'SECRET=1' });
    await putObject(bucket, 'gone.html', 'old page');

    const first = await run({ source: dir, bucket, 'stale-asset-grace': '0' });
    expect(first.exitCode).toBe(0);
    expect(first.errors).toEqual([]);
    expect(first.outputs).toEqual({ uploaded: '3', skipped: '0', deleted: '1', 'bytes-uploaded': String(2 + 4 + 2), 'changed-paths': '["/gone.html"]' });
    expect(first.summary).toMatch(/\| uploaded \| headers updated \| skipped \| deleted \| kept \| bytes \| time \|/);
    expect(first.summary).toMatch(/\| 3 \| 0 \| 0 \| 1 \| 0 \| 8 B \| \d+\.\d s \|/);
    expect(first.summary).toContain('`/gone.html`');
    expect(first.stdout).toContain('::group::Upload 3 objects');

    writeFileSync(join(dir, 'index.html'), 'v2');
    writeFileSync(join(dir, 'docs/index.html'), 'docs changed');
    await touchAll(dir);
    const second = await run({ source: dir, bucket });
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({ uploaded: '2', skipped: '1', deleted: '0' });
    expect(JSON.parse(second.outputs['changed-paths']!)).toEqual(['/', '/docs/', '/docs/index.html', '/index.html']);
    const state = await bucketState(bucket);
    expect(state.get('index.html')?.md5).toBe(md5('v2'));
    expect(state.has('.env')).toBe(false);
  });

  it('dry-run reads but changes nothing', async () => {
    const bucket = await newBucket();
    await putObject(bucket, 'live.html', 'live');
    proxy.clear();
    const result = await run({ source: writeSite({ 'index.html': 'new' }), bucket, 'dry-run': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ uploaded: '1', deleted: '1' });
    expect(result.summary).toContain('Dry run');
    expect(proxy.requests.filter((r) => !['GET', 'HEAD'].includes(r.method))).toEqual([]);
    expect([...(await bucketState(bucket)).keys()]).toEqual(['live.html']);
  });

  it('fails with the reason when the bucket does not exist', async () => {
    const result = await run({ source: writeSite({ 'index.html': 'x' }), bucket: 'no-such-bucket-here' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/Could not read s3:\/\/no-such-bucket-here\/: .*NoSuchBucket, HTTP 404/);
  });
});

describe('bad input: exit 1, one error naming the input and the form, no request sent', () => {
  const site = writeSite({ 'index.html': 'x' });
  const fileSource = join(site, 'index.html');
  const cases: [string, Record<string, string>, RegExp][] = [
    ['missing source', { source: '', bucket: 'ok-bucket' }, /Input 'source' is required/],
    ['missing bucket', { source: site, bucket: '' }, /Input 'bucket' is required/],
    ['source that does not exist', { source: join(site, 'nope'), bucket: 'ok-bucket' }, /Input 'source' must be an existing directory/],
    ['source that is a file', { source: fileSource, bucket: 'ok-bucket' }, /Input 'source' must be a directory/],
    ['empty source', { source: writeSite({ '.env': 'x' }), bucket: 'ok-bucket' }, /Input 'source' must hold at least one file/],
    ['s3:// source without a bucket', { source: 's3://', bucket: 'ok-bucket' }, /Input 'source' .*bucket is missing/],
    ['source overlapping the target', { source: 's3://ok-bucket/site', bucket: 'ok-bucket', prefix: 'site/v2' }, /Input 'source' must not overlap the target/],
    ['invalid bucket name', { source: site, bucket: 'My_Bucket' }, /Input 'bucket' must be an S3 bucket name/],
    ['prefix with ..', { source: site, bucket: 'ok-bucket', prefix: 'a/../b' }, /Input 'prefix' must be a key prefix/],
    ['prefix with a leading /', { source: site, bucket: 'ok-bucket', prefix: '/site' }, /Input 'prefix' must be a key prefix/],
    ['delete: yes', { source: site, bucket: 'ok-bucket', delete: 'yes' }, /Input 'delete' must be true or false \(got "yes"\)/],
    ['dry-run: flase', { source: site, bucket: 'ok-bucket', 'dry-run': 'flase' }, /Input 'dry-run' must be true or false/],
    ['concurrency 0', { source: site, bucket: 'ok-bucket', concurrency: '0' }, /Input 'concurrency' must be a whole number from 1 to 256/],
    ['concurrency -3', { source: site, bucket: 'ok-bucket', concurrency: '-3' }, /Input 'concurrency' must be a whole number/],
    ['bad grace duration', { source: site, bucket: 'ok-bucket', 'stale-asset-grace': '7 days' }, /Input 'stale-asset-grace' must be a duration/],
    ['cache rule without =', { source: site, bucket: 'ok-bucket', 'cache-control': '*.png' }, /Input 'cache-control' must hold one GLOB=VALUE rule per line/],
    ['malformed glob', { source: site, bucket: 'ok-bucket', exclude: 'assets/[abc' }, /Input 'exclude' must hold valid globs/],
    ['bad content type', { source: site, bucket: 'ok-bucket', 'content-type': '*.x=not a type' }, /Input 'content-type' must hold GLOB=TYPE lines/],
    ['bad endpoint', { source: site, bucket: 'ok-bucket', endpoint: 'localhost:9000' }, /Input 'endpoint' must be an http/],
    ['bad force-path-style', { source: site, bucket: 'ok-bucket', 'force-path-style': 'on' }, /Input 'force-path-style' must be true or false/],
  ];
  it.each(cases)('%s', async (_name, inputs, message) => {
    proxy.clear();
    const result = await run(inputs);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(message);
    expect(proxy.requests).toEqual([]);
  });

  it('reports every bad input of one step in its one error', async () => {
    const result = await run({ source: site, bucket: 'ok-bucket', delete: 'yes', concurrency: '0' });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/Input 'delete'.*Input 'concurrency'/);
  });
});
