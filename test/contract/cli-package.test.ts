// The published package: `npm pack`, then `npm install -g` of the tarball into an empty prefix, from a folder
// with no repository around it, with an empty npm cache and a registry that cannot be reached — so nothing can
// come from anywhere but the tarball. The installed `slipway` command then deploys.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNNER_NODE } from '../../stand-ins/action-runner.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { bucketState, motoEndpoint, newBucket, writeSite } from '../support/s3.js';

const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const work = realpathSync(mkdtempSync(join(tmpdir(), 'slipway-pack-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment of a user's shell: none of the npm_* settings `npm test` hands its children. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, ...extra };
}

describe('the npm package', () => {
  let prefix = '';

  it('packs only the command, its bundle and the docs, with no dependencies to install', async () => {
    const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, env: cleanEnv() });
    const [pack] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const paths = pack!.files.map((f) => f.path).sort();
    expect(paths).toEqual([
      'CHANGELOG.md',
      'README.md',
      'bin/slipway.js',
      'cli/dist/index.js',
      'cli/dist/licenses.txt',
      'cli/dist/package.json',
      'package.json',
    ]);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: object;
      optionalDependencies?: object;
      private?: boolean;
    };
    expect([manifest.dependencies, manifest.optionalDependencies, manifest.private]).toEqual([undefined, undefined, undefined]);

    // Install from an empty folder, with an empty cache and an unreachable registry.
    const empty = join(work, 'elsewhere');
    prefix = join(work, 'prefix');
    mkdirSync(empty);
    await exec(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--cache',
        join(work, 'cache'),
        '--registry',
        'http://127.0.0.1:9/',
        '--no-audit',
        '--no-fund',
        join(work, pack!.filename),
      ],
      { cwd: empty, env: cleanEnv() },
    );
    expect(existsSync(join(prefix, 'bin', 'slipway'))).toBe(true);
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'slipway', 'node_modules'))).toBe(false);
  }, 120_000);

  it("the installed slipway prints its version and help, and deploys (on Node 24, as the user's `node`)", async () => {
    expect(prefix, 'installed by the test above').not.toBe('');
    const bin = join(prefix, 'bin', 'slipway');
    const cwd = join(work, 'elsewhere');
    const env = cleanEnv({ PATH: `${dirname(RUNNER_NODE)}:${process.env.PATH ?? ''}`, ...awsEnvFor(motoEndpoint()) });
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect((await exec(bin, ['--version'], { cwd, env })).stdout).toBe(`${version}\n`);
    expect((await exec(bin, ['deploy-static', '--help'], { cwd, env })).stdout).toMatch(
      /^Usage: slipway deploy-static --source <source> --bucket <bucket> \[flags\]/,
    );
    const bucket = await newBucket();
    const site = writeSite({ 'index.html': '<p>installed</p>', 'app.js': 'x' });
    const { stdout } = await exec(bin, ['deploy-static', '--source', site, '--bucket', bucket, '--json'], { cwd, env });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, outputs: { uploaded: 2 } });
    expect([...(await bucketState(bucket)).keys()].sort()).toEqual(['.slipway/manifest.json', 'app.js', 'index.html']);
  }, 60_000);
});
