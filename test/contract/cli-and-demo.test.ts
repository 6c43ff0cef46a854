// The quick start's promises: `npm run demo` works on its own, and the slipway CLI runs the same
// library as the action.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { awsEnvFor } from '../../scripts/lib/moto.mjs';
import { bucketState, motoEndpoint, newBucket, writeSite } from '../support/s3.js';

const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

describe('slipway CLI', () => {
  it('deploys with flags named after the inputs', async () => {
    const bucket = await newBucket();
    const site = writeSite({ 'index.html': 'hi', 'assets/a.js': 'a' });
    const { stdout } = await exec(process.execPath, ['bin/slipway.js', 'deploy-static', '--source', site, '--bucket', bucket, '--prefix', 'web', '--cache-control', '*.js=no-store'], {
      cwd: root,
      env: { ...process.env, ...awsEnvFor(motoEndpoint()) },
    });
    expect(stdout).toContain('uploaded=2');
    const state = await bucketState(bucket);
    expect(state.get('web/assets/a.js')?.cacheControl).toBe('no-store');
  });

  it('rejects an unknown flag, naming it', async () => {
    const attempt = exec(process.execPath, ['bin/slipway.js', 'deploy-static', '--sorce', 'x'], { cwd: root });
    await expect(attempt).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/no flag --sorce/) as unknown });
  });
});

describe('npm run demo', () => {
  it('starts its own endpoint, deploys the sample site, redeploys one change and stops', async () => {
    const { stdout } = await exec(process.execPath, ['scripts/demo.mjs'], { cwd: root, timeout: 60_000 });
    expect(stdout).toMatch(/uploaded = 7/);
    expect(stdout).toMatch(/uploaded = 2\n\s+skipped = 5/);
    expect(stdout).toContain('changed-paths = ["/assets/index-9b3e7d.js","/robots.txt"]');
  });
});
