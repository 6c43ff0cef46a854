// The slipway command line as a person meets it: help and version, usage errors on stderr with exit 2 and a
// suggestion, flags named as flags, results on stdout and logs on stderr, counts instead of a line per file,
// --json, and the supported Node versions. It runs bin/slipway.js (the committed cli/dist bundle).
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_NODE } from '../../stand-ins/action-runner.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { actionSpecs } from '../../src/generated/action-specs.js';
import { bucketState, motoEndpoint, newBucket, writeSite } from '../support/s3.js';

const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI on `node` (Node 24 unless said), with the SDK's own Node warning left on, as a user has it. */
async function slipway(args: string[], options: { env?: Record<string, string | undefined>; node?: string } = {}): Promise<Run> {
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined, ...options.env };
  try {
    const { stdout, stderr } = await exec(options.node ?? RUNNER_NODE, ['bin/slipway.js', ...args], {
      cwd: root,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const commands = Object.keys(actionSpecs);

describe('help and version', () => {
  it('--version prints the package version', async () => {
    expect(await slipway(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([[[]], [['-h']], [['--help']], [['help']]])('slipway %j prints the usage on stdout, exit 0', async (args) => {
    const run = await slipway(args);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: slipway <command> \[flags\]/);
    for (const c of commands) expect(run.stdout).toMatch(new RegExp(`^  ${c}\\s`, 'm'));
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 {2}done\n {2}1 .*\n {2}2 {2}usage error/);
  });

  it.each(
    commands.flatMap((c) => [
      [c, '--help'],
      [c, '-h'],
      ['help', c],
    ]),
  )('slipway %s %s: the flags and an example, exit 0', async (...args) => {
    const run = await slipway(args);
    const command = args[0] === 'help' ? args[1] : args[0];
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^Usage: slipway ${command} `));
    expect(run.stdout).toMatch(new RegExp(`^Examples?:\\n  (?:[A-Z_]+=.* )?slipway ${command} --`, 'm'));
  });
});

describe('usage errors: stderr, exit 2, a suggestion, nothing on stdout, no request', () => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(500).end();
  });
  let endpointEnv: Record<string, string> = {};
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpointEnv = awsEnvFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    [
      ['deploy-statik'],
      /^slipway: unknown command "deploy-statik"; did you mean deploy-static\?\nRun 'slipway --help' for the commands\.\n$/,
    ],
    [['--verison'], /^slipway: unknown flag --verison; did you mean --version\?/],
    [['help', 'invalidat'], /unknown command "invalidat"; did you mean invalidate\?/],
    [
      ['deploy-static', '--source', 'dist', '--bucket', 'b', '--dryrun'],
      /^slipway: unknown flag --dryrun for slipway deploy-static; did you mean --dry-run\?\nRun 'slipway deploy-static --help' for its flags and an example\.\n$/,
    ],
    [['deploy-static', '--source'], /flag --source needs a value/],
    [
      ['deploy-static', '--source', 'test', '--bucket', 'Bad_Bucket'],
      /^slipway: Flag --bucket must be an S3 bucket name.*\(got "Bad_Bucket"\)\.\n/,
    ],
    [['deploy-static', '--source', 'no-such-dir', '--bucket', 'Bad_Bucket'], /^slipway: Flag --source .*\nslipway: Flag --bucket /],
    [['invalidate', '--distribution-id', 'E2QWRUHAPOMQZL', '--max-paths', 'lots'], /^slipway: Flag --max-paths /],
    [['ecs-deploy', '--cluster', 'c'], /^slipway: Flag --service /],
  ])('slipway %j', async (args, message) => {
    const before = requests;
    const run = await slipway(args, { env: endpointEnv });
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/Input '/);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(requests - before).toBe(0);
  });
});

describe('a deploy', () => {
  it('results on stdout, logs on stderr; counts instead of a line per file; every file there', async () => {
    const files = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`assets/f${i}.js`, `export const n = ${i};`]));
    const site = writeSite({ ...files, 'index.html': '<p>hi</p>' });
    const bucket = await newBucket();
    const run = await slipway(['deploy-static', '--source', site, '--bucket', bucket], { env: awsEnvFor(motoEndpoint()) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\nuploaded=1501\n/);
    expect(run.stdout).not.toMatch(/uploaded \(new\)/);
    expect(run.stderr).not.toMatch(/uploaded \(new\)/);
    expect(run.stderr).toMatch(/^1,501\/1,501 files, [\d.]+\/[\d.]+ MiB, .*done in \d+s$/m);
    expect(run.stderr.trimEnd().split('\n').length).toBeLessThan(20);
    expect((await bucketState(bucket)).size).toBe(1501 + 1); // and Slipway's manifest
  }, 120_000);

  it('--verbose: one line per file on stderr', async () => {
    const site = writeSite(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.js`, String(i)])));
    const run = await slipway(['deploy-static', '--source', site, '--bucket', await newBucket(), '--verbose'], {
      env: awsEnvFor(motoEndpoint()),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.match(/^uploaded \(new\) f\d+\.js$/gm)).toHaveLength(40);
    expect(run.stderr).toMatch(/^debug: /m);
  });

  it('--json: one JSON object on stdout with typed outputs; logs stay on stderr', async () => {
    const site = writeSite({ 'index.html': 'hi', 'about/index.html': 'about' });
    const run = await slipway(['deploy-static', '--source', site, '--bucket', await newBucket(), '--json'], {
      env: awsEnvFor(motoEndpoint()),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      command: 'deploy-static',
      ok: true,
      outputs: { uploaded: 2, skipped: 0, deleted: 0, 'changed-paths': [] },
    });
    expect(run.stderr).toMatch(/files to publish/);
  });

  it('--json on a failure: still one JSON object, ok false with the error; exit 1', async () => {
    const site = writeSite({ 'index.html': 'hi' });
    const run = await slipway(['deploy-static', '--source', site, '--bucket', 'no-such-bucket-slipway', '--json'], {
      env: awsEnvFor(motoEndpoint()),
    });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      command: 'deploy-static',
      ok: false,
      error: expect.stringMatching(/NoSuchBucket/) as unknown,
    });
    expect(run.stderr).toMatch(/^error: .*NoSuchBucket/m);
  });
});

describe('supported Node versions (22 and later; tested on 24, and on the machine Node 20)', () => {
  const deploy = async (node: string) => {
    const site = writeSite({ 'index.html': 'hi' });
    return slipway(['deploy-static', '--source', site, '--bucket', await newBucket()], { node, env: awsEnvFor(motoEndpoint()) });
  };

  it('Node 24: works, no warning', async () => {
    const run = await deploy(RUNNER_NODE);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/warning|Warning/);
  });

  it("Node 20 (end of life): still works, with one warning line of ours instead of the SDK's seven", async () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major, 'the machine Node is older than 22').toBeLessThan(22);
    const run = await deploy(process.execPath);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/uploaded=1/);
    expect(run.stderr.match(/warning/gi)).toHaveLength(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^warning: Node ${process.versions.node} is not supported \\(end of life\\); slipway supports Node 22 and later\\. Continuing\\.$`,
        'm',
      ),
    );
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning/);
  });
});
