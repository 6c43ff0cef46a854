// The committed invalidate bundle, run as the runner runs it, alone and chained after deploy-static.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../scripts/lib/action-runner.mjs';
import { startAwsProxy, type AwsProxy } from '../../scripts/lib/aws-proxy.mjs';
import { awsEnvFor } from '../../scripts/lib/moto.mjs';
import { invalidationsOf, newDistribution } from '../support/cloudfront.js';
import { motoEndpoint, newBucket, writeSite } from '../support/s3.js';

let proxy: AwsProxy;
beforeAll(async () => {
  proxy = await startAwsProxy(motoEndpoint());
});
afterAll(() => proxy.close());

const DEFAULTS = { paths: '/*', 'max-paths': '20', wait: 'true', timeout: '15m', 'caller-reference': '' };
const github = { GITHUB_REPOSITORY: 'acme/web', GITHUB_RUN_ID: '9001', GITHUB_RUN_ATTEMPT: '1' };
const env = (extra: Record<string, string> = {}) => ({ ...awsEnvFor(proxy.endpoint), ...github, ...extra });
const invalidateRun = (inputs: Record<string, string>, extra: Record<string, string> = {}) => runActionBundle('invalidate', { ...DEFAULTS, ...inputs }, { env: env(extra) });

describe('invalidate, run as the runner runs it', () => {
  it('chained after deploy-static: invalidates exactly its changed paths, and a re-run attempt reuses the reference', async () => {
    const bucket = await newBucket();
    const dist = await newDistribution();
    const dir = writeSite({ 'index.html': 'v1', 'assets/app-1.js': 'a' });
    const deployInputs = { source: dir, bucket, prefix: '', delete: 'true', 'cache-control': '', 'content-type': '', exclude: '', keep: '', 'stale-asset-grace': '7d', concurrency: '16', 'dry-run': 'false', region: '', endpoint: '', 'force-path-style': '' };
    await runActionBundle('deploy-static', deployInputs, { env: env() });
    writeFileSync(join(dir, 'index.html'), 'v2');
    const deployed = await runActionBundle('deploy-static', deployInputs, { env: env() });
    expect(deployed.outputs['changed-paths']).toBe('["/","/index.html"]');

    const first = await invalidateRun({ 'distribution-id': dist, paths: deployed.outputs['changed-paths']! });
    expect(first.exitCode).toBe(0);
    expect(first.outputs.paths).toBe('["/","/index.html"]');
    const ids = JSON.parse(first.outputs['invalidation-ids']!) as Record<string, string[]>;
    expect(Object.keys(ids)).toEqual([dist]);
    expect(ids[dist]).toHaveLength(1);
    expect(first.summary).toMatch(new RegExp(`\\| \`${dist}\` \\| \`${ids[dist]![0]}\` \\| completed \\|`));

    // Re-run attempt 2 of the same run: deploy-static reports the same paths, invalidate the same reference.
    const redeployed = await runActionBundle('deploy-static', deployInputs, { env: env({ GITHUB_RUN_ATTEMPT: '2' }) });
    expect(redeployed.outputs).toMatchObject({ uploaded: '0', 'changed-paths': '["/","/index.html"]' });
    await invalidateRun({ 'distribution-id': dist, paths: redeployed.outputs['changed-paths']! }, { GITHUB_RUN_ATTEMPT: '2' });
    const stored = await invalidationsOf(dist);
    expect(new Set(stored.map((s) => s.callerReference)).size).toBe(1);
  });

  it('an empty list means nothing to do: success, said in the log and summary, no request', async () => {
    proxy.clear();
    const result = await invalidateRun({ 'distribution-id': 'E2QWRUHAPOMQZL', paths: '[]' });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('No paths to invalidate');
    expect(result.summary).toContain('No paths to invalidate');
    expect(result.outputs).toEqual({ 'invalidation-ids': '{}', paths: '[]' });
    expect(proxy.requests).toEqual([]);
  });

  it('an empty paths input warns that nothing is invalidated', async () => {
    const result = await invalidateRun({ 'distribution-id': 'E2QWRUHAPOMQZL', paths: '' });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/::warning::The 'paths' input is empty/);
  });

  it('fails with outputs and summary when a distribution fails', async () => {
    const dist = await newDistribution();
    const result = await invalidateRun({ 'distribution-id': `${dist},E0NOSUCHDIST00`, paths: '/a.html' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/E0NOSUCHDIST00: .*NoSuchDistribution/);
    const ids = JSON.parse(result.outputs['invalidation-ids']!) as Record<string, string[]>;
    expect(ids[dist]).toHaveLength(1);
    expect(ids.E0NOSUCHDIST00).toEqual([]);
    expect(result.summary).toContain('failed: ');
  });
});
