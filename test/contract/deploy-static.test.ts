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

describe('bad input (the table of every action is in bad-input.test.ts)', () => {
  const site = writeSite({ 'index.html': 'x' });
  it('reports every bad input of one step in its one error', async () => {
    const result = await run({ source: site, bucket: 'ok-bucket', delete: 'yes', concurrency: '0' });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/Input 'delete'.*Input 'concurrency'/);
  });
});
