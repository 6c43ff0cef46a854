// npm run bench:redeploy — what a redeploy costs, counted at the wire: deploy-static (its committed
// bundle, run as the runner runs it) against `aws s3 sync`, both through one counting proxy in
// front of a private moto, on the same generated site, in the same run.
//   FILES=3000 node bench/redeploy.mjs
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runActionBundle } from '../scripts/lib/action-runner.mjs';
import { startAwsProxy } from '../scripts/lib/aws-proxy.mjs';
import { awsEnvFor, startMoto } from '../scripts/lib/moto.mjs';
import { changeSome, freshMtimes, generateSite } from './lib/site.mjs';

const FILES = Number(process.env.FILES ?? 3000);
const execFileAsync = promisify(execFile);

const moto = await startMoto();
const proxy = await startAwsProxy(moto.endpoint);
const env = { ...awsEnvFor(proxy.endpoint) };
const site = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
const keys = generateSite(site, FILES);
/** @type {{ tool: string, scenario: string, seconds: number, requests: number, bodies: number, ops: Record<string, number> }[]} */
const rows = [];

/** @param {string} tool @param {string} scenario @param {() => Promise<void> | void} fn */
async function measure(tool, scenario, fn) {
  proxy.clear();
  const start = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  /** @type {Record<string, number>} */
  const ops = {};
  for (const r of proxy.requests) ops[r.operation] = (ops[r.operation] ?? 0) + 1;
  const bodies = proxy.requests.filter((r) => r.operation === 'PutObject' || r.operation === 'UploadPart').length;
  rows.push({ tool, scenario, seconds, requests: proxy.requests.length, bodies, ops });
  console.error(`${tool}: ${scenario}: ${seconds.toFixed(2)} s, ${proxy.requests.length} requests`);
}

const slipway = (/** @type {string} */ bucket) => async () => {
  const run = await runActionBundle('deploy-static', { source: site, bucket, prefix: '', delete: 'true', 'dry-run': 'false', concurrency: '16', 'stale-asset-grace': '7d' }, { env });
  if (run.exitCode !== 0) throw new Error(run.stdout);
};
// Asynchronous: the proxy lives in this process, so a synchronous spawn would block it.
const awsSync = (/** @type {string} */ bucket) => async () => {
  await execFileAsync('aws', ['--endpoint-url', proxy.endpoint, 's3', 'sync', site, `s3://${bucket}`, '--delete', '--only-show-errors'], { env: { ...process.env, ...env } });
};
const hasAws = spawnSync('aws', ['--version']).status === 0;

try {
  for (const b of ['bench-slipway', 'bench-awscli']) execFileSync('aws', ['--endpoint-url', moto.endpoint, 's3', 'mb', `s3://${b}`], { env: { ...process.env, ...env }, stdio: 'ignore' });
  await measure('slipway', `first deploy (${FILES} files)`, slipway('bench-slipway'));
  if (hasAws) await measure('aws s3 sync', `first deploy (${FILES} files)`, awsSync('bench-awscli'));
  freshMtimes(site);
  await measure('slipway', 'no-change redeploy, fresh mtimes', slipway('bench-slipway'));
  if (hasAws) await measure('aws s3 sync', 'no-change redeploy, fresh mtimes', awsSync('bench-awscli'));
  changeSome(site, keys, 1 / FILES, 1);
  freshMtimes(site);
  await measure('slipway', 'one file changed, fresh mtimes', slipway('bench-slipway'));
  if (hasAws) await measure('aws s3 sync', 'one file changed, fresh mtimes', awsSync('bench-awscli'));
} finally {
  rmSync(site, { recursive: true, force: true });
  await proxy.close();
  await moto.stop();
}

console.log(`\n| tool | scenario | time (s) | requests | bodies sent | requests by operation |\n|---|---|---:|---:|---:|---|`);
for (const r of rows) {
  const ops = Object.entries(r.ops).sort().map(([op, n]) => `${op} ${n}`).join(', ');
  console.log(`| ${r.tool} | ${r.scenario} | ${r.seconds.toFixed(2)} | ${r.requests} | ${r.bodies} | ${ops} |`);
}
if (!hasAws) console.log('\n(aws CLI not found: its rows are skipped)');
