// The committed bundle, run as the GitHub runner runs it: INPUT_* variables, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, exit code; AWS requests counted at a proxy in front of moto.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../stand-ins/action-runner.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { bucketState, md5, motoEndpoint, newBucket, putObject, touchAll, writeSite } from '../support/s3.js';

let proxy: AwsProxy;
beforeAll(async () => {
  proxy = await startAwsProxy(motoEndpoint());
});
afterAll(() => proxy.close());

/** The defaults the runner fills in from action.yml. */

const run = (inputs: Record<string, string>) => runActionBundle('deploy-static', inputs, { env: awsEnvFor(proxy.endpoint) });

describe('deploy-static, run as the runner runs it', () => {
  it('deploys, then redeploys only what changed, with outputs and a job summary', async () => {
    const bucket = await newBucket();
    const dir = writeSite({ 'index.html': 'v1', 'docs/index.html': 'docs', 'assets/app-1.js': 'a1', '.env': 'SECRET=1' });
    await putObject(bucket, 'gone.html', 'old page');

    const first = await run({ source: dir, bucket, 'stale-asset-grace': '0', delete: 'all' });
    expect(first.exitCode).toBe(0);
    expect(first.errors).toEqual([]);
    expect(first.outputs).toMatchObject({
      uploaded: '3',
      skipped: '0',
      deleted: '1',
      'bytes-uploaded': String(2 + 4 + 2),
      'changed-paths': '["/gone.html"]',
    });
    expect(JSON.parse(readFileSync(first.outputs['changed-paths-file']!, 'utf8'))).toEqual(['/gone.html']);
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
    const result = await run({ source: writeSite({ 'index.html': 'new' }), bucket, 'dry-run': 'true', delete: 'all' });
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

describe('what the step hands on, in every case', () => {
  it('a dry run reports no changed paths, so an invalidate after it submits nothing', async () => {
    const bucket = await newBucket();
    const dir = writeSite({ 'index.html': 'v1' });
    await run({ source: dir, bucket });
    writeFileSync(join(dir, 'index.html'), 'v2');
    const dry = await run({ source: dir, bucket, 'dry-run': 'true' });
    expect(dry.exitCode).toBe(0);
    expect(dry.outputs).toMatchObject({ uploaded: '1', 'changed-paths': '[]', 'changed-paths-file': '' });
    expect(dry.summary).toMatch(/\*\*Changed paths\*\* \(2, would become stale \(not reported in changed-paths: dry run\)\)/);
  });

  it('without GITHUB_STEP_SUMMARY (older GitHub Enterprise Server, other runners): a warning, and success', async () => {
    const result = await runActionBundle(
      'deploy-static',
      { source: writeSite({ 'index.html': 'x' }), bucket: await newBucket() },
      { env: { ...awsEnvFor(proxy.endpoint), GITHUB_STEP_SUMMARY: undefined } },
    );
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain('::warning::No job summary was written: GITHUB_STEP_SUMMARY is not set on this runner.');
    expect(result.outputs.uploaded).toBe('1');
  });

  it('a deploy that fails half-way still writes its outputs and a summary of what was done', async () => {
    const bucket = await newBucket();
    proxy.faults.inject({
      match: (r) => r.operation === 'PutObject' && r.key?.endsWith('.html') === true,
      times: Infinity,
      status: 403,
      code: 'AccessDenied',
    });
    try {
      const result = await run({ source: writeSite({ 'index.html': 'x', 'app-Bq3w7x1Z.js': 'js', 'logo.png': 'png' }), bucket });
      expect(result.exitCode).toBe(1);
      expect(result.errors).toEqual([expect.stringMatching(/Could not write s3:\/\/.*index\.html.*AccessDenied/)]);
      expect(result.outputs).toMatchObject({ uploaded: '3', deleted: '0' });
      expect(Number(result.outputs['bytes-uploaded'])).toBe(2 + 3);
      expect(result.summary).toContain('→');
    } finally {
      proxy.faults.clear();
    }
  });
});
