// A fresh machine without shellcheck (or moto) runs `npm test` as a newcomer would: the checks that need a
// missing optional tool are skipped with one line saying why and how to install it, and the run passes; in CI
// (CI=true) the same absence fails the run, so those checks can never silently stop running there. A missing
// moto_server stops the run with one message, not a cascade of failures.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isInstalled, MOTO, pathWithout, SHELLCHECK } from '../support/prerequisites.js';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const hidden: string[] = [];
afterAll(() => {
  for (const dir of hidden) rmSync(dir, { recursive: true, force: true });
});

/** `npm test` on one file, with `tool` missing from PATH; the exit code and everything it printed. */
async function suiteWithout(
  tool: string,
  file: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number; output: string }> {
  const PATH = pathWithout(tool);
  hidden.push(PATH);
  const run = exec(process.execPath, [vitest, 'run', file, '--reporter=default'], {
    cwd: root,
    env: { ...process.env, CI: undefined, VITEST: undefined, FORCE_COLOR: '0', NO_COLOR: '1', ...env, PATH },
    timeout: 120_000,
  });
  try {
    const { stdout, stderr } = await run;
    return { code: 0, output: `${stdout}\n${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}\n${e.stderr ?? ''}` };
  }
}

const SKIP_LINE =
  /prerequisites: shellcheck is not installed \(skipped: the shellcheck check of every run: script in the workflows and examples\)\. Install it with: apt-get update && apt-get install -y shellcheck/g;

describe.skipIf(!isInstalled(MOTO))('the suite where a tool is missing', () => {
  it('without shellcheck: passes, its checks skipped, said once with the install command', async () => {
    const { code, output } = await suiteWithout(SHELLCHECK.command, 'test/workflows/workflows.test.ts', {});
    expect(code, output).toBe(0);
    expect(output.match(SKIP_LINE), output).toHaveLength(1);
    // The shellcheck tests are reported as skipped, everything else ran and passed.
    const tally = /Tests\s+(\d+) passed \| (\d+) skipped/.exec(output);
    expect(tally, output).not.toBeNull();
    expect(Number(tally?.[1])).toBeGreaterThan(50);
    expect(Number(tally?.[2])).toBeGreaterThanOrEqual(10);
    expect(output).not.toMatch(/failed/);
  });

  it('without shellcheck in CI (CI=true): fails before any test, naming the tool and its install command', async () => {
    const { code, output } = await suiteWithout(SHELLCHECK.command, 'test/workflows/workflows.test.ts', { CI: 'true' });
    expect(code, output).not.toBe(0);
    expect(output).toContain(
      'shellcheck is not installed (CI (CI=true) requires it). Install it with: apt-get update && apt-get install -y shellcheck',
    );
    expect(output).not.toMatch(/✓/);
  });

  it('without moto_server: one clear message, no cascade of failing tests', async () => {
    const { code, output } = await suiteWithout(MOTO.command, 'test/unit/keys.test.ts', {});
    expect(code, output).not.toBe(0);
    expect(output.match(/moto_server is not installed/g), output).toHaveLength(1);
    expect(output).toContain(MOTO.install);
    expect(output).not.toMatch(/✓|FAIL/);
  });
});
