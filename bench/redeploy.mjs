// npm run bench:redeploy — what a redeploy costs, counted at the wire: deploy-static (its committed
// bundle, run as the runner runs it) against rclone, `aws s3 sync` and the bare floor (list + hash), both through one counting proxy in
// front of a private moto, on the same generated site, in the same run.
//   FILES=20000 node bench/redeploy.mjs
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runActionBundle, runnerNode } from '../stand-ins/action-runner.mjs';
import { startAwsProxy } from '../stand-ins/aws-proxy.mjs';
import { awsEnvFor, startMoto } from '../stand-ins/moto.mjs';
import { changeSome, freshMtimes, generateSite } from './lib/site.mjs';
import { hasRclone, RCLONE_INSTALL, rcloneSync } from './lib/rclone.mjs';
import { assertSameAsSite } from './lib/same-bucket.mjs';

const FILES = Number(process.env.FILES ?? 2000);
const execFileAsync = promisify(execFile);

const moto = await startMoto();
const proxy = await startAwsProxy(moto.endpoint);
const env = { ...awsEnvFor(proxy.endpoint) };
const site = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
const keys = generateSite(site, FILES);
/** @type {{ tool: string, scenario: string, seconds: number, requests: number, bodies: number, ops: Record<string, number> }[]} */
const rows = [];

/** @param {string} tool @param {string} scenario @param {() => Promise<void> | void} fn @param {string} bucket */
async function measure(tool, scenario, fn, bucket) {
  proxy.clear();
  const start = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await assertSameAsSite(tool, moto.endpoint, bucket, site);
  /** @type {Record<string, number>} */
  const ops = {};
  for (const r of proxy.requests) ops[r.operation] = (ops[r.operation] ?? 0) + 1;
  // Bodies of content: the deploy lease (one small PutObject per deploy) is not one.
  const bodies = proxy.requests.filter(
    (r) => (r.operation === 'PutObject' || r.operation === 'UploadPart') && !r.key?.endsWith('.slipway/lease.json'),
  ).length;
  rows.push({ tool, scenario, seconds, requests: proxy.requests.length, bodies, ops });
  console.error(`${tool}: ${scenario}: ${seconds.toFixed(2)} s, ${proxy.requests.length} requests`);
}

const slipway = (/** @type {string} */ bucket) => async () => {
  const run = await runActionBundle(
    'deploy-static',
    { source: site, bucket, prefix: '', delete: 'true', 'dry-run': 'false', concurrency: '16', 'stale-asset-grace': '7d' },
    { env },
  );
  if (run.exitCode !== 0) throw new Error(run.stdout);
};
// Asynchronous: the proxy lives in this process, so a synchronous spawn would block it.
const awsSync = (/** @type {string} */ bucket) => async () => {
  await execFileAsync('aws', ['--endpoint-url', proxy.endpoint, 's3', 'sync', site, `s3://${bucket}`, '--delete', '--only-show-errors'], {
    env: { ...process.env, ...env },
  });
};
const hasAws = spawnSync('aws', ['--version']).status === 0;
const withRclone = hasRclone();
const rclone = (/** @type {string} */ bucket) => async () => {
  const { command, args, env: rcloneEnv } = rcloneSync(site, bucket, { ...process.env, ...env }, proxy.endpoint);
  await execFileAsync(command, args, { env: rcloneEnv });
};
const floor = (/** @type {string} */ bucket) => async () => {
  // On the runner's Node, as the action bundle runs.
  await execFileAsync(runnerNode(), [join(import.meta.dirname, 'lib/floor.mjs'), site, bucket, '16'], {
    env: { ...process.env, ...env },
  });
};
/** @typedef {[string, (bucket: string) => () => Promise<void>, string]} Tool */
/** @type {Tool[]} */
const tools = [['slipway', slipway, 'bench-slipway']];
if (withRclone) tools.push(['rclone', rclone, 'bench-rclone']);
if (hasAws) tools.push(['aws s3 sync', awsSync, 'bench-awscli']);
tools.push(['redeploy floor (list + hash)', floor, 'bench-floor']);
const round = async (/** @type {string} */ scenario) => {
  for (const [name, fn, bucket] of tools) await measure(name, scenario, fn(bucket), bucket);
};

try {
  for (const [, , b] of tools)
    execFileSync('aws', ['--endpoint-url', moto.endpoint, 's3', 'mb', `s3://${b}`], { env: { ...process.env, ...env }, stdio: 'ignore' });
  await round(`first deploy (${FILES} files)`);
  freshMtimes(site);
  await round('no-change redeploy, fresh mtimes');
  changeSome(site, keys, 1 / FILES, 1);
  freshMtimes(site);
  await round('one file changed, fresh mtimes');
} finally {
  rmSync(site, { recursive: true, force: true });
  await proxy.close();
  await moto.stop();
}

console.log(`\n| tool | scenario | time (s) | requests | bodies sent | requests by operation |\n|---|---|---:|---:|---:|---|`);
for (const r of rows) {
  const ops = Object.entries(r.ops)
    .sort()
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  console.log(`| ${r.tool} | ${r.scenario} | ${r.seconds.toFixed(2)} | ${r.requests} | ${r.bodies} | ${ops} |`);
}
if (!hasAws) console.log('\n(aws CLI not found: its rows are skipped)');
if (!withRclone) console.log(`\n(rclone not installed: its rows are skipped; \`${RCLONE_INSTALL}\` on Debian)`);
