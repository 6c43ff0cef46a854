// The committed invalidate bundle, run as the runner runs it, alone and chained after deploy-static.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../stand-ins/action-runner.mjs';
import { cloudFrontCallerReferences } from '../../stand-ins/aws-behaviours.mjs';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { invalidationsOf, newDistribution } from '../support/cloudfront.js';
import { motoEndpoint, newBucket, writeSite } from '../support/s3.js';

let proxy: AwsProxy;
beforeAll(async () => {
  proxy = await startAwsProxy(motoEndpoint());
});
afterAll(() => proxy.close());

const github = { GITHUB_REPOSITORY: 'acme/web', GITHUB_RUN_ID: '9001', GITHUB_RUN_ATTEMPT: '1' };
const env = (extra: Record<string, string> = {}) => ({ ...awsEnvFor(proxy.endpoint), ...github, ...extra });
const invalidateRun = (inputs: Record<string, string>, extra: Record<string, string> = {}) =>
  runActionBundle('invalidate', inputs, { env: env(extra) });

describe('invalidate, run as the runner runs it', () => {
  it('chained after deploy-static: invalidates exactly its changed paths, and a re-run attempt reuses the reference', async () => {
    const bucket = await newBucket();
    const dist = await newDistribution();
    const dir = writeSite({ 'index.html': 'v1', 'assets/app-1.js': 'a' });
    const deployInputs = { source: dir, bucket };
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

describe('the documented wiring, deploy-static → invalidate, for any size of deploy', () => {
  /** The runner passes each input as one environment variable; Linux refuses one over 128 KiB (MAX_ARG_STRLEN). */
  const RUNNER_VARIABLE_LIMIT = 128 * 1024;

  it('a deploy changing 2,600 files hands invalidate paths that fit, and the full list by file', async () => {
    const bucket = await newBucket();
    const dist = await newDistribution();
    const files: Record<string, string> = { 'index.html': 'home' };
    for (let i = 0; i < 2600; i++)
      files[`docs/reference/api/v2/modules/components/section-${i % 40}/page-${i}-with-a-long-descriptive-name.html`] = `v1 ${i}`;
    const dir = writeSite(files);
    const deployInputs = { source: dir, bucket, concurrency: '32' };
    await runActionBundle('deploy-static', deployInputs, { env: env(), timeoutMs: 240_000 });
    for (const key of Object.keys(files)) writeFileSync(join(dir, key), `v2 ${key}`);
    const deployed = await runActionBundle('deploy-static', deployInputs, { env: env(), timeoutMs: 240_000 });
    expect(deployed.exitCode, deployed.stdout).toBe(0);

    const full = JSON.parse(readFileSync(deployed.outputs['changed-paths-file']!, 'utf8')) as string[];
    expect(full).toHaveLength(2600 + 2); // each page, and / with /index.html
    expect(JSON.stringify(full).length).toBeGreaterThan(RUNNER_VARIABLE_LIMIT); // the raw list could not be passed
    const bounded = deployed.outputs['changed-paths']!;
    expect(Buffer.byteLength(`INPUT_PATHS=${bounded}`)).toBeLessThan(RUNNER_VARIABLE_LIMIT);

    // paths: ${{ steps.web.outputs.changed-paths }} — as the README shows.
    const byOutput = await invalidateRun({ 'distribution-id': dist, paths: bounded, wait: 'false' });
    expect(byOutput.exitCode, byOutput.stdout).toBe(0);
    const covered = (paths: string[]) => full.every((p) => paths.some((q) => q === p || (q.endsWith('*') && p.startsWith(q.slice(0, -1)))));
    expect(JSON.parse(byOutput.outputs.paths!)).toEqual(['/', '/docs/reference/api/v2/modules/components/*', '/index.html']);
    expect(covered(JSON.parse(byOutput.outputs.paths!) as string[])).toBe(true);

    // paths-file: ${{ steps.web.outputs.changed-paths-file }} — every path, collapsed by invalidate's own max-paths.
    const byFile = await invalidateRun(
      { 'distribution-id': dist, 'paths-file': deployed.outputs['changed-paths-file']!, 'max-paths': '3000', wait: 'false' },
      { GITHUB_ACTION: 'invalidate-by-file' },
    );
    expect(byFile.exitCode, byFile.stdout).toBe(0);
    const submitted = JSON.parse(byFile.outputs.paths!) as string[];
    expect(submitted.length).toBeLessThanOrEqual(3000);
    expect(submitted).toContain('/index.html');
    expect(covered(submitted)).toBe(true);
  }, 300_000);

  it('two invalidate steps of one run with the same paths each get their own invalidation; a re-run attempt of one gets its own back', async () => {
    // CloudFront returns the existing invalidation for a caller reference used again with the same paths (moto does not).
    proxy.behave(cloudFrontCallerReferences());
    try {
      const dist = await newDistribution();
      const step = (name: string, attempt = '1') =>
        invalidateRun(
          { 'distribution-id': dist, paths: '/index.html', wait: 'false' },
          { GITHUB_RUN_ID: '7700', GITHUB_JOB: 'deploy', GITHUB_ACTION: name, GITHUB_RUN_ATTEMPT: attempt },
        );
      const [a, b, again] = [await step('invalidate-1'), await step('invalidate-2'), await step('invalidate-1', '2')];
      for (const r of [a, b, again]) expect(r.exitCode, r.stdout).toBe(0);
      const ids = (r: typeof a) => (JSON.parse(r.outputs['invalidation-ids']!) as Record<string, string[]>)[dist];
      expect(ids(b)).not.toEqual(ids(a));
      expect(ids(again)).toEqual(ids(a));
      expect(await invalidationsOf(dist)).toHaveLength(2);
    } finally {
      proxy.behave();
    }
  });
});
