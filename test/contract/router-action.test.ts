// The router's command line: `slipway router code` prints exactly the published function, for
// Terraform's aws_cloudfront_function and CDK's cloudfront.Function.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROUTER_FUNCTION_CODE } from '../../src/generated/router-function.js';

const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

describe('slipway router', () => {
  it('code prints the function, byte for byte, under 10 KB', async () => {
    const { stdout } = await exec(process.execPath, ['bin/slipway.js', 'router', 'code'], { cwd: root });
    expect(stdout).toBe(ROUTER_FUNCTION_CODE);
    expect(Buffer.byteLength(stdout)).toBeLessThan(10 * 1024);
  });

  it('takes setup and status as a first word, and names a bad flag', async () => {
    const attempt = exec(process.execPath, ['bin/slipway.js', 'router', 'status', '--nmae', 'x'], { cwd: root });
    // Usage errors exit 2 (nothing was sent), naming the flag as typed.
    await expect(attempt).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown flag --nmae for slipway router/) as unknown,
    });
    const bad = exec(process.execPath, ['bin/slipway.js', 'router', 'setup', '--hosts', 'example.com'], { cwd: root });
    await expect(bad).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--hosts must hold lines HOST=SITE/) as unknown });
  });
});
