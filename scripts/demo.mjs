// npm run demo: the main job on the embedded endpoint. Starts moto, deploys demo/site with the
// deploy-static action exactly as the runner would, then redeploys after a one-file change from a
// fresh checkout (new mtimes everywhere), printing each run's job summary and outputs.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runActionBundle } from './lib/action-runner.mjs';
import { awsEnvFor, startMoto } from './lib/moto.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const moto = await startMoto();
const env = awsEnvFor(moto.endpoint);
Object.assign(process.env, env);
const site = mkdtempSync(join(tmpdir(), 'slipway-demo-'));
let failed = false;
try {
  const bucket = 'slipway-demo-site';
  await new S3Client({ forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
  cpSync(join(root, 'demo/site'), site, { recursive: true });

  /** @param {string} title */
  const deploy = async (title) => {
    console.log(`\n=== ${title}\n`);
    const run = await runActionBundle('deploy-static', { source: site, bucket, prefix: '', delete: 'true', 'dry-run': 'false', concurrency: '16', 'stale-asset-grace': '7d' }, { env });
    console.log(run.summary);
    for (const [name, value] of Object.entries(run.outputs)) console.log(`  ${name} = ${value}`);
    if (run.exitCode !== 0) {
      failed = true;
      console.log(run.stdout);
      throw new Error(`deploy-static exited ${run.exitCode}`);
    }
  };

  await deploy(`First deploy of demo/site to s3://${bucket} on ${moto.endpoint}`);

  // A new build: one asset changed (same size, new content), and every file has a new mtime.
  const js = join(site, 'assets/index-9b3e7d.js');
  writeFileSync(js, readFileSync(js, 'utf8').replace('Hello', 'Howdy'));
  writeFileSync(join(site, 'robots.txt'), 'User-agent: *\nDisallow: /about/\n');
  const later = new Date(Date.now() + 60_000);
  for (const e of await readdir(site, { withFileTypes: true, recursive: true })) if (e.isFile()) utimesSync(join(e.parentPath, e.name), later, later);
  await deploy('Redeploy from a fresh checkout: two files changed, every mtime new');
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
} finally {
  rmSync(site, { recursive: true, force: true });
  await moto.stop();
}
process.exitCode = failed ? 1 : 0;
