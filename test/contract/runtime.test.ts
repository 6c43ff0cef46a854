// The bundles are tested on the Node the runner gives them (action.yml: runs.using: node24), not on the
// machine's Node that runs vitest and the library tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RUNNER_NODE, runActionBundle } from '../../stand-ins/action-runner.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { motoEndpoint, newBucket, writeSite } from '../support/s3.js';

const root = new URL('../../', import.meta.url).pathname;

describe('the runtime of the contract tests', () => {
  it.each(['deploy-static', 'invalidate', 'pr-preview', 'ecs-deploy'])(
    "%s's bundle runs on the Node major its action.yml declares",
    async (action) => {
      const using = (parse(readFileSync(`${root}actions/${action}/action.yml`, 'utf8')) as { runs: { using: string } }).runs.using;
      const major = /^node(\d+)$/.exec(using)?.[1];
      expect(major).toBe('24');
      expect(execFileSync(RUNNER_NODE, ['--version'], { encoding: 'utf8' })).toMatch(new RegExp(`^v${major}\\.`));
      // No inputs: the action fails on its first required input, without a request; what matters is which Node ran it.
      let spawned = '';
      const run = await runActionBundle(action, {}, { onSpawn: (child) => (spawned = child.spawnfile) });
      expect(spawned).toBe(RUNNER_NODE);
      expect(run.exitCode).toBe(1);
      expect(run.errors).toHaveLength(1);
    },
  );

  it('deploys on Node 24 with nothing on stderr (no deprecation or SDK warning)', async () => {
    const bucket = await newBucket();
    const site = writeSite({ 'index.html': '<p>hi</p>', 'assets/app.js': 'x' });
    const run = await runActionBundle(
      'deploy-static',
      { source: site, bucket },
      { env: { ...awsEnvFor(motoEndpoint()), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined } },
    );
    expect(run.errors).toEqual([]);
    expect(run.outputs.uploaded).toBe('2');
    expect(run.stderr).toBe('');
  });

  it("npm ci leaves the machine's Node first on the PATH of npm scripts (the Node 24 bin link is removed)", () => {
    expect(existsSync(`${root}node_modules/.bin/node`)).toBe(false);
    expect(process.execPath).not.toBe(RUNNER_NODE);
  });
});
