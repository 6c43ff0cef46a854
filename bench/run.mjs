// npm run bench — deploy-static against rclone, `aws s3 sync` and the endpoint's own limits (a bare
// PutObject loop for full deploys, a bare list-and-hash script for redeploys), side by side in one run, on deterministic sites, against a private moto behind a counting
// proxy. Prints one Markdown table and writes bench/results/latest.{md,json}.
//   FILES=2000 REPEATS=3 SCALE=10000,100000 npm run bench (the defaults)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerNode } from '../stand-ins/action-runner.mjs';
import { startAwsProxy } from '../stand-ins/aws-proxy.mjs';
import { awsEnvFor, startMoto } from '../stand-ins/moto.mjs';
import { measure, median, spread } from './lib/measure.mjs';
import { changeSome, freshMtimes, generateSite } from './lib/site.mjs';
import { startSinkS3 } from './lib/sink-s3.mjs';
import { hasRclone, RCLONE_INSTALL, rcloneSync } from './lib/rclone.mjs';
import { assertSameAsSite } from './lib/same-bucket.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = Number(process.env.FILES ?? 2000);
const REPEATS = Number(process.env.REPEATS ?? 3);
const SCALE = (process.env.SCALE ?? '10000,100000').split(',').map(Number);
/** Scenario 7: how many objects to list, and the endpoint's delay per request. */
const LIST_FILES = Number(process.env.LIST_FILES ?? 100000);
const LATENCY_MS = 30;
/** SCENARIOS=5,6 runs only those scenarios. */
const want = (/** @type {number} */ n) => !process.env.SCENARIOS || process.env.SCENARIOS.split(',').map(Number).includes(n);
const work = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
const hasAws = spawnSync('aws', ['--version']).status === 0;
const withRclone = hasRclone();
const log = (/** @type {string} */ m) => console.error(`[bench] ${m}`);
/**
 * Every Node process of the bench — the action bundle, the floor, the bare loop, the listing chain, the
 * cold starts and `node -e 0` — runs on the runner's Node (node24, as action.yml says), not on the Node
 * that runs the bench.
 */
const NODE = runnerNode();

const moto = await startMoto();
const proxy = await startAwsProxy(moto.endpoint);
const env = { ...process.env, ...awsEnvFor(proxy.endpoint) };
let bucketSeq = 0;
async function newBucket() {
  const name = `bench-${process.pid}-${++bucketSeq}`;
  const r = await fetch(`${moto.endpoint}/${name}`, { method: 'PUT' });
  if (!r.ok) throw new Error(`cannot create bucket ${name}: ${r.status}`);
  return name;
}

/** deploy-static's committed bundle with INPUT_* variables, as the runner runs it. */
function slipway(
  /** @type {string} */ dir,
  /** @type {string} */ bucket,
  /** @type {Record<string, string>} */ extra = {},
  endpointEnv = env,
) {
  const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
  writeFileSync(out, '');
  /** @type {Record<string, string>} */
  const inputs = {
    source: dir,
    bucket,
    prefix: '',
    delete: 'true',
    'cache-control': '',
    'content-type': '',
    exclude: '',
    keep: '',
    'stale-asset-grace': '7d',
    concurrency: '16',
    'dry-run': 'false',
    region: '',
    endpoint: '',
    'force-path-style': '',
    ...extra,
  };
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
  return measure(NODE, [join(root, 'actions/deploy-static/dist/index.js')], {
    env: { ...endpointEnv, ...inputEnv, GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: out },
    proxy,
  });
}
const awsSync = (/** @type {string} */ dir, /** @type {string} */ bucket) =>
  measure('aws', ['--endpoint-url', proxy.endpoint, 's3', 'sync', dir, `s3://${bucket}`, '--delete', '--only-show-errors'], { env, proxy });
const bare = (/** @type {string} */ dir, /** @type {string} */ bucket) =>
  measure(NODE, [join(root, 'bench/lib/bare-put.mjs'), dir, bucket, '16'], { env, proxy });
const floor = (/** @type {string} */ dir, /** @type {string} */ bucket) =>
  measure(NODE, [join(root, 'bench/lib/floor.mjs'), dir, bucket, '16'], { env, proxy });
const rclone = (/** @type {string} */ dir, /** @type {string} */ bucket) => {
  const { command, args, env: rcloneEnv } = rcloneSync(dir, bucket, env, proxy.endpoint);
  return measure(command, args, { env: rcloneEnv, proxy });
};
/** Runs one tool, then checks it left the bucket holding exactly the site (a faster tool that leaves a different bucket has not won). */
async function checked(
  /** @type {string} */ tool,
  /** @type {(d: string, b: string) => ReturnType<typeof measure>} */ fn,
  /** @type {string} */ dir,
  /** @type {string} */ bucket,
) {
  const run = await fn(dir, bucket);
  await assertSameAsSite(tool, moto.endpoint, bucket, dir);
  return run;
}

/** @type {{ scenario: string, tool: string, runs: Awaited<ReturnType<typeof measure>>[] }[]} */
const rows = [];
const record = (/** @type {string} */ scenario, /** @type {string} */ tool, /** @type {Awaited<ReturnType<typeof measure>>} */ run) => {
  let row = rows.find((r) => r.scenario === scenario && r.tool === tool);
  if (!row) rows.push((row = { scenario, tool, runs: [] }));
  row.runs.push(run);
  log(`${scenario} / ${tool}: ${run.seconds.toFixed(2)} s, ${run.requests} requests, ${run.puts} bodies, ${run.rssMiB.toFixed(0)} MiB`);
};
/** @type {Record<string, unknown>} */
const extra = {};

try {
  // 1. Full deploy to an empty bucket.
  const site = join(work, 'site');
  const keys = want(1) || want(2) || want(3) || want(4) ? generateSite(site, FILES, { large: 3 }) : [];
  const s1 = `1. full deploy, ${FILES} files`;
  const tools1 = [
    ['slipway', slipway],
    ...(withRclone ? [['rclone', rclone]] : []),
    ...(hasAws ? [['aws s3 sync', awsSync]] : []),
    ['bare PutObject loop', bare],
  ];
  /** The last bucket each tool deployed, reused by scenario 2. @type {Record<string, string>} */
  const deployed = {};
  for (let r = 0; r < (want(1) ? REPEATS : 0); r++) {
    for (let t = 0; t < tools1.length; t++) {
      const [name, fn] = /** @type {[string, (d: string, b: string) => ReturnType<typeof measure>]} */ (tools1[(t + r) % tools1.length]);
      const bucket = await newBucket();
      record(s1, name, await checked(name, fn, site, bucket));
      deployed[name] = bucket;
    }
  }

  // 2. CI redeploy: fresh mtimes, 1% changed (same sizes), each tool on its own bucket, in turn.
  const s2 = '2. CI redeploy, 1% changed, fresh mtimes';
  /** Redeploying tools: name, function, and the bucket a first deploy left for it. */
  const redeployers = /** @type {[string, (d: string, b: string) => ReturnType<typeof measure>, string][]} */ ([
    ['slipway', slipway, deployed.slipway ?? ''],
    ...(withRclone ? [['rclone', rclone, deployed.rclone ?? '']] : []),
    ...(hasAws && want(2) ? [['aws s3 sync --delete', awsSync, deployed['aws s3 sync'] ?? '']] : []),
    ['redeploy floor (list + hash)', floor, deployed['bare PutObject loop'] ?? ''],
  ]);
  if (want(2) || want(3) || want(4)) {
    for (const tool of redeployers) {
      if (tool[2]) continue;
      tool[2] = await newBucket();
      await (tool[0] === 'slipway' ? slipway(site, tool[2]) : bare(site, tool[2]));
    }
  }
  const slipBucket = redeployers[0]?.[2] ?? '';
  const redeployRound = async (/** @type {string} */ scenario, /** @type {number} */ r) => {
    for (let t = 0; t < redeployers.length; t++) {
      const [name, fn, bucket] = /** @type {(typeof redeployers)[number]} */ (redeployers[(t + r) % redeployers.length]);
      if (scenario.startsWith('3.') && name.startsWith('aws')) continue;
      record(scenario, name, await checked(name, fn, site, bucket));
    }
  };
  for (let r = 0; r < (want(2) ? REPEATS : 0); r++) {
    changeSome(site, keys, 0.01, r + 1);
    freshMtimes(site);
    await redeployRound(s2, r);
  }

  // 3. No-change redeploy.
  const s3 = '3. no-change redeploy, fresh mtimes';
  for (let r = 0; r < (want(3) ? REPEATS : 0); r++) {
    freshMtimes(site);
    await redeployRound(s3, r);
  }

  // 4. A rule change only: new Cache-Control for *.png, alternating so every run changes something.
  const s4 = '4. rule change only (*.png cache-control)';
  for (let r = 0; r < (want(4) ? REPEATS : 0); r++) {
    record(s4, 'slipway', await slipway(site, slipBucket, { 'cache-control': r % 2 === 0 ? '*.png=public, max-age=86400' : '' }));
  }
  extra.pngFiles = keys.filter((k) => k.endsWith('.png')).length;

  // 5. Planning at scale: a dry run against a listing of the same size (an in-memory S3; moto would take minutes to store 100,000 objects).
  // 7. Listing LIST_FILES objects from an endpoint 30 ms away: Slipway's dry run (the listing in
  // ranges side by side, split where the manifest says) against its dry run with no delay, and a
  // sequential chain of list requests with the same SDK.
  /** @type {{ files: number, seconds: number, rssMiB: number, requests: number }[]} */
  const scale = [];
  const sink = await startSinkS3();
  const sinkEnv = { ...process.env, ...awsEnvFor(sink.endpoint) };
  /** A run against the sink, with the requests the sink answered. @param {() => ReturnType<typeof measure>} fn */
  const onSink = async (fn) => {
    sink.resetCount();
    const run = await fn();
    return { ...run, requests: sink.requests };
  };
  /** A dry run of the site just deployed must find every file unchanged: a faster plan that is wrong has not won. */
  const unchanged = (/** @type {number} */ n, /** @type {Awaited<ReturnType<typeof measure>>} */ run) => {
    if (!run.stdout.includes(`plan: 0 new, 0 changed, 0 header updates, ${n} unchanged, 0 to delete`))
      throw new Error(`the dry run of ${n} unchanged files planned changes:\n${run.stdout.slice(-2000)}`);
    return run;
  };
  const sizes = [...new Set([...(want(5) ? SCALE : []), ...(want(7) ? [LIST_FILES] : [])])];
  for (const n of sizes) {
    const dir = join(work, `scale-${n}`);
    generateSite(dir, n);
    const bucket = `scale-${n}`;
    await slipway(dir, bucket, { concurrency: '128' }, sinkEnv);
    if (want(5) && SCALE.includes(n)) {
      sink.resetCount();
      const runs = [];
      for (let r = 0; r < Math.min(REPEATS, 2); r++) runs.push(unchanged(n, await slipway(dir, bucket, { 'dry-run': 'true' }, sinkEnv)));
      const best = runs.sort((a, b) => a.seconds - b.seconds)[0];
      scale.push({
        files: n,
        seconds: best?.seconds ?? 0,
        rssMiB: Math.max(...runs.map((x) => x.rssMiB)),
        requests: sink.requests / runs.length,
      });
      log(`5. plan ${n} files: ${best?.seconds.toFixed(2)} s, ${Math.max(...runs.map((x) => x.rssMiB)).toFixed(0)} MiB`);
    }
    if (want(7) && n === LIST_FILES) {
      const s7 = `7. list ${n} objects, ${LATENCY_MS} ms per request`;
      const dryRun = async () => unchanged(n, await slipway(dir, bucket, { 'dry-run': 'true' }, sinkEnv));
      for (let r = 0; r < Math.min(REPEATS, 2); r++) {
        sink.setDelay(0);
        record(`7. plan ${n} files, no delay (reference)`, 'slipway dry run', await onSink(dryRun));
        sink.setDelay(LATENCY_MS);
        record(s7, 'slipway dry run (list ranges side by side)', await onSink(dryRun));
        record(
          s7,
          'sequential ListObjectsV2 chain (bare script)',
          await onSink(() => measure(NODE, [join(root, 'bench/lib/list-chain.mjs'), bucket], { env: sinkEnv })),
        );
      }
      sink.setDelay(0);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  await sink.close();
  extra.scale = scale;

  // 6. Start-up: each action's bundle, from spawning it to its first request, against the start-up
  // floor: a bundle (built here with the same ncc flags) of only @actions/core and the S3 client
  // sending one request — what any action that reads its inputs with the toolkit and talks to S3 pays.
  /** @type {{ action: string, bytes: number, ms: number }[]} */
  const startup = [];
  const tiny = join(work, 'tiny');
  generateSite(tiny, 2);
  /** Inputs that make each action's first request as early as it can (a dry run where there is one). */
  const actions = {
    'deploy-static': { source: tiny, bucket: 'cold-start', 'dry-run': 'true' },
    invalidate: { 'distribution-id': 'E2QWRUHAPOMQZL', paths: '/*', wait: 'false' },
    'ecs-deploy': { cluster: 'c', service: 's', 'container-name': 'api', image: 'api:1', wait: 'false', 'dry-run': 'true' },
    'pr-preview': {
      command: 'deploy',
      source: tiny,
      domain: 'preview.example.com',
      bucket: 'cold-start',
      'distribution-id': 'E2QWRUHAPOMQZL',
      'pr-number': '7',
      'head-sha': 'a'.repeat(40),
      'github-token': 'ghs_cold',
      comment: 'false',
      deployment: 'false',
    },
    release: {
      command: 'list',
      bucket: 'cold-start',
      router: 'arn:aws:cloudfront::123456789012:key-value-store/0a1b2c3d-0000-4000-8000-000000000000',
    },
    router: { command: 'setup', name: 'cold-start' },
  };
  if (want(6)) {
    const built = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
        'build',
        join(root, 'bench/lib/startup-floor.mjs'),
        '-o',
        join(work, 'startup-floor'),
        '--minify',
        '--quiet',
        '--no-cache',
        '--transpile-only',
      ],
      { cwd: root, encoding: 'utf8' },
    );
    if (built.status !== 0) throw new Error(`cannot bundle the start-up floor: ${built.stderr}`);
    const floorBundle = join(work, 'startup-floor', 'index.mjs');
    const scripts = [
      ...Object.entries(actions).map(([action, inputs]) => ({ action, script: join(root, 'actions', action, 'dist/index.js'), inputs })),
      { action: 'start-up floor (@actions/core + S3 client, bundled)', script: floorBundle, inputs: {} },
    ];
    // Five rounds, every script once per round (the floor among them), so the machine's drift
    // falls on all alike.
    /** @type {number[][]} */
    const times = scripts.map(() => []);
    for (let r = 0; r < 5; r++) for (const [i, { script, inputs }] of scripts.entries()) times[i]?.push(await coldStart(script, inputs));
    for (const [i, { action, script }] of scripts.entries()) {
      const t = times[i] ?? [];
      if (t.some((x) => x < 0)) throw new Error(`${action} sent no request within 10 s of its start`);
      startup.push({ action, bytes: statSync(script).size, ms: median(t) });
    }
  }
  const nodeOnly = [];
  for (let r = 0; r < 5; r++) nodeOnly.push(timeCommand(NODE, ['-e', '0']));
  extra.startup = startup;
  extra.nodeBaselineMs = median(nodeOnly);
} finally {
  await proxy.close();
  await moto.stop();
  rmSync(work, { recursive: true, force: true });
}

/** Milliseconds from spawning a bundle to its first request (AWS or GitHub) arriving; -1 when none came within 10 s. */
async function coldStart(/** @type {string} */ script, /** @type {Record<string, string>} */ inputs) {
  const server = createServer((_req, res) => {
    res.writeHead(500);
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const out = join(work, `cold-${Math.random().toString(36).slice(2)}`);
  writeFileSync(out, '');
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
  const started = process.hrtime.bigint();
  const first = new Promise((resolve) => server.once('request', () => resolve(Number(process.hrtime.bigint() - started) / 1e6)));
  const child = spawn(NODE, [script], {
    env: {
      ...process.env,
      ...awsEnvFor(endpoint),
      ...inputEnv,
      GITHUB_API_URL: endpoint,
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_OUTPUT: out,
      GITHUB_STEP_SUMMARY: out,
    },
    stdio: 'ignore',
  });
  const ms = /** @type {number} */ (await Promise.race([first, new Promise((resolve) => setTimeout(() => resolve(-1), 10_000))]));
  child.kill('SIGKILL');
  server.closeAllConnections();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return ms;
}

function timeCommand(/** @type {string} */ cmd, /** @type {string[]} */ args) {
  const t = process.hrtime.bigint();
  spawnSync(cmd, args);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

// Report.
const fmt = (/** @type {number} */ x, d = 2) => x.toFixed(d);
const lines = [
  `| scenario | tool | time, median (min–max) s | requests | bodies sent | MiB sent | peak RSS MiB |`,
  '|---|---|---:|---:|---:|---:|---:|',
];
for (const row of rows) {
  const t = row.runs.map((r) => r.seconds);
  const [lo = 0, hi = 0] = spread(t);
  lines.push(
    `| ${row.scenario} | ${row.tool} | ${fmt(median(t))} (${fmt(lo)}–${fmt(hi)}) | ${median(row.runs.map((r) => r.requests))} | ${median(row.runs.map((r) => r.puts))} | ${fmt(median(row.runs.map((r) => r.bytesSent)) / 1048576, 1)} | ${fmt(median(row.runs.map((r) => r.rssMiB)), 0)} |`,
  );
}
const med = (/** @type {string} */ scenario, /** @type {string} */ tool) => {
  const row = rows.find((r) => r.scenario.startsWith(scenario) && r.tool.startsWith(tool));
  return row ? median(row.runs.map((r) => r.seconds)) : NaN;
};
const full = { slipway: med('1.', 'slipway'), aws: med('1.', 'aws'), bare: med('1.', 'bare') };
const redeploy = { slipway: med('2.', 'slipway'), aws: med('2.', 'aws') };
const ok = (/** @type {boolean} */ b) => (b ? '✅' : '❌');
/** A target's verdict, or — when its scenario did not run (SCENARIOS, FILES). */
const verdict = (/** @type {boolean} */ ran, /** @type {boolean} */ b) => (ran ? ok(b) : '—');
/** Slipway against rclone (≥ 1.5× faster) and against the floor (within 1.3×), per redeploy scenario. */
const peerTargets = ['2.', '3.'].flatMap((n) => {
  const name = n === '2.' ? 'CI redeploy' : 'no-change redeploy';
  const [s, rc, fl] = [med(n, 'slipway'), med(n, 'rclone'), med(n, 'redeploy floor')];
  if (Number.isNaN(s)) return [];
  return [
    withRclone
      ? `| ${name} ≥ 1.5× faster than rclone | ${fmt(rc / s)}× (slipway ${fmt(s)} s, rclone ${fmt(rc)} s) | ${ok(rc / s >= 1.5)} |`
      : `| ${name} ≥ 1.5× faster than rclone | rclone not installed: skipped (\`${RCLONE_INSTALL}\`) | — |`,
    `| ${name} within 1.3× of the floor | ${fmt(s / fl)}× the floor (${fmt(fl)} s) | ${ok(s / fl <= 1.3)} |`,
  ];
});
const noChange = rows.find((r) => r.scenario.startsWith('3.') && r.tool === 'slipway')?.runs ?? [];
/** Scenario 7: Slipway's dry run with and without the delay, and the sequential chain with it. */
const listing = { reference: med('7. plan', 'slipway'), ranges: med('7. list', 'slipway'), chain: med('7. list', 'sequential') };
const ruleChange = rows.find((r) => r.scenario.startsWith('4.'))?.runs ?? [];
const scale = /** @type {{ files: number, seconds: number, rssMiB: number, requests: number }[]} */ (extra.scale);
const startup = /** @type {{ action: string, bytes: number, ms: number }[]} */ (extra.startup);
// Linear: the marginal cost per file (between consecutive sizes) does not grow with size.
const marginal = scale.slice(1).map((s, i) => ((s.seconds - (scale[i]?.seconds ?? 0)) / (s.files - (scale[i]?.files ?? 0))) * 1e6);
/** Linear (or better): no step's cost per added file exceeds 1.5× the smallest size's average cost per file. */
const firstAverage = scale[0] ? (scale[0].seconds / scale[0].files) * 1e6 : NaN;
const linear = marginal.length > 0 && marginal.every((m) => m <= firstAverage * 1.5);
const actionStarts = startup.filter((s) => !s.action.startsWith('start-up floor'));
const big = scale.at(-1);
const targets = [
  `| full deploy within 90% of the endpoint's limit | slipway ${fmt(full.slipway)} s vs bare loop ${fmt(full.bare)} s: ${fmt((full.bare / full.slipway) * 100, 0)}% of the limit | ${verdict(!Number.isNaN(full.slipway), full.bare / full.slipway >= 0.9)} |`,
  `| full deploy faster than rclone | ${withRclone ? `${fmt(med('1.', 'rclone') / full.slipway)}× (rclone ${fmt(med('1.', 'rclone'))} s)` : `rclone not installed: skipped (\`${RCLONE_INSTALL}\`)`} | ${withRclone ? verdict(!Number.isNaN(full.slipway), full.slipway < med('1.', 'rclone')) : '—'} |`,
  `| full deploy faster than aws s3 sync | ${hasAws ? `${fmt(full.aws / full.slipway)}× (aws ${fmt(full.aws)} s)` : 'aws CLI not installed: skipped'} | ${hasAws ? verdict(!Number.isNaN(full.slipway), full.slipway < full.aws) : '—'} |`,
  `| CI redeploy ≥ 10× faster than aws s3 sync, only changed files sent | ${hasAws ? `${fmt(redeploy.aws / redeploy.slipway, 1)}×` : 'skipped'}; slipway sent ${median(rows.find((r) => r.scenario.startsWith('2.') && r.tool === 'slipway')?.runs.map((r) => r.puts) ?? [0])} bodies for ${Math.round(FILES * 0.01)} changed files (+1 manifest) | ${hasAws ? verdict(!Number.isNaN(redeploy.slipway), redeploy.aws / redeploy.slipway >= 10) : '—'} |`,
  ...peerTargets,
  `| no-change redeploy: 0 bodies, ≤ 1 list per 990 objects + the manifest and the lease's 2 requests | ${median(noChange.map((r) => r.puts))} PUTs, ${median(noChange.map((r) => r.requests))} requests for ${FILES} objects | ${verdict(noChange.length > 0, median(noChange.map((r) => r.puts)) === 0 && median(noChange.map((r) => r.requests)) <= Math.ceil((FILES + 2) / 990) + 3)} |`,
  ...(Number.isNaN(listing.ranges)
    ? []
    : [
        `| ${LIST_FILES} objects listed side by side, ${LATENCY_MS} ms per request | ${LATENCY_MS} ms per request adds ${fmt(listing.ranges - listing.reference)} s to Slipway's dry run (${fmt(listing.reference)} → ${fmt(listing.ranges)} s); one sequential chain of list requests takes ${fmt(listing.chain)} s | ${ok(listing.ranges - listing.reference < listing.chain / 4)} |`,
      ]),
  `| rule change: no body re-sent | ${median(ruleChange.map((r) => r.ops.CopyObject ?? 0))} CopyObject, ${median(ruleChange.map((r) => r.puts))} PUTs (the manifest) for ${String(extra.pngFiles)} .png files | ${verdict(ruleChange.length > 0, median(ruleChange.map((r) => r.puts)) <= 1)} |`,
  `| 100,000-file plan < 5 s and < 250 MB, linear | ${big ? `${big.files} files: ${fmt(big.seconds)} s, ${fmt(big.rssMiB, 0)} MiB; µs per file: ${fmt(firstAverage, 0)} on average at ${scale[0]?.files}, then ${marginal.map((x) => fmt(x, 0)).join(' → ')} per added file up to ${scale.map((s) => s.files).join(' → ')}` : 'not run'} | ${big ? ok(big.seconds < 5 && big.rssMiB < 250 && linear) : '—'} |`,
  `| cold start < 200 ms to the first request, per action | ${startup.map((s) => `${s.action} ${fmt(s.ms, 0)} ms (${fmt(s.bytes / 1048576, 1)} MiB)`).join(', ')}; node -e 0 (to its exit): ${fmt(/** @type {number} */ (extra.nodeBaselineMs), 0)} ms | ${actionStarts.length > 0 ? ok(actionStarts.every((s) => s.ms > 0 && s.ms < 200)) : '—'} |`,
];
const report = [
  `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench\` (FILES=${FILES}, REPEATS=${REPEATS}; moto behind a counting proxy on one 2-core machine; tools alternated within each repeat).`,
  '',
  ...lines,
  ...(withRclone ? [] : ['', `rclone is not installed: its column is skipped (\`${RCLONE_INSTALL}\` on Debian).`]),
  '',
  '| target | measured | |',
  '|---|---|---|',
  ...targets,
  '',
  `Planning at scale (dry run against an in-memory S3 with a listing of the same size): ${scale.map((s) => `${s.files} files ${fmt(s.seconds)} s / ${fmt(s.rssMiB, 0)} MiB / ${Math.round(s.requests)} requests`).join('; ')}.`,
].join('\n');
console.log(`\n${report}\n`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/latest.md'), `${report}\n`);
writeFileSync(
  join(root, 'bench/results/latest.json'),
  JSON.stringify(
    { files: FILES, repeats: REPEATS, rows: rows.map((r) => ({ ...r, runs: r.runs.map(({ stdout: _s, ...x }) => x) })), ...extra },
    null,
    2,
  ),
);
