// npm run bench:releases — from "upload finished" to "the new version is served everywhere":
//   releases   deploy-static mode: releases; the switch is one write of the router's pointer, then
//              the key value store propagates it to every edge;
//   mirror     deploy-static mode: mirror, then the invalidate action; then CloudFront completes the
//              invalidation at every edge.
// Measured on the stand-ins (the committed bundles run as the runner runs them, moto behind the
// counting proxy, the KeyValueStore fake): the part each tool does itself, from the last object
// written (releases: the release's record; mirror: the deploy's last write) to the switch written
// (releases: the pointer changed in the store) or the invalidation accepted (mirror: CreateInvalidation
// received). The stand-ins have no edges, so what happens after is modelled, drawn from a seeded generator:
//   - key value store propagation to each of EDGES edge locations: uniform in KVS_LAG_S (default 1–5 s).
//     AWS publishes no percentile for it: the CloudFront developer guide says changes reach the
//     edges within seconds (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/kvs-with-functions.html).
//   - invalidation completion: uniform in INVALIDATION_S (default 60–300 s), AWS's own "object
//     invalidations typically take from 60 to 300 seconds" (quoted at https://thequickadvisor.com/?p=1455694;
//     the 2010 launch post said 10 to 15 minutes: https://aws.amazon.com/blogs/aws/new-cloudfront-feature-invalidation/).
// "Served everywhere" is the slowest edge. TRIALS (default 5), FILES (default 300) narrow it; the
// results go to bench/results/releases.{md,json}.
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runActionBundle } from '../stand-ins/action-runner.mjs';
import { seededRandom, startAwsProxy } from '../stand-ins/aws-proxy.mjs';
import { startFakeKvs } from '../stand-ins/fake-kvs.mjs';
import { awsEnvFor, startMoto } from '../stand-ins/moto.mjs';
import { generateSite } from './lib/site.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TRIALS = Number(process.env.TRIALS ?? 5);
const FILES = Number(process.env.FILES ?? 300);
const EDGES = Number(process.env.EDGES ?? 600);
const range = (/** @type {string} */ name, /** @type {string} */ fallback) => (process.env[name] ?? fallback).split(',').map(Number);
const [kvsLo = 1, kvsHi = 5] = range('KVS_LAG_S', '1,5');
const [invLo = 60, invHi = 300] = range('INVALIDATION_S', '60,300');
const random = seededRandom(2026);
const uniform = (/** @type {number} */ lo, /** @type {number} */ hi) => lo + (hi - lo) * random();

const moto = await startMoto();
const proxyStarted = Date.now();
const proxy = await startAwsProxy(moto.endpoint);
const kvs = await startFakeKvs();
const env = { ...awsEnvFor(proxy.endpoint), AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: kvs.endpoint };
const at = (/** @type {import('../stand-ins/aws-proxy.mjs').RecordedRequest} */ r) => proxyStarted + r.at;

async function newBucket() {
  const name = `bench-rel-${Math.random().toString(36).slice(2, 10)}`;
  await fetch(`${moto.endpoint}/${name}`, { method: 'PUT' });
  return name;
}

/** A site of FILES files; version v changes the entry chunk and the pages. */
function site(/** @type {number} */ v) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rel-'));
  generateSite(dir, FILES);
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>v${v}</title><script type="module" src="/assets/index.js"></script>`);
  return dir;
}

const DEPLOY = { prefix: '', 'dry-run': 'false', 'trailing-slash': 'keep', 'stale-asset-grace': '7d', concurrency: '16' };
const deploy = (/** @type {Record<string, string>} */ inputs) =>
  runActionBundle('deploy-static', { ...DEPLOY, ...inputs }, { env, timeoutMs: 600_000 });
const check = (/** @type {import('../stand-ins/action-runner.mjs').ActionRun} */ run, /** @type {string} */ what) => {
  if (run.exitCode !== 0) throw new Error(`${what} failed: ${run.errors.join('\n')}\n${run.stdout.slice(-2000)}`);
  return run;
};

/** Releases: record written (upload finished) → pointer changed in the store (measured) → every edge (modelled). */
async function releasesTrial() {
  const bucket = await newBucket();
  const arn = kvs.createStore('bench');
  kvs.writeBehind(arn, 'h:www.example.com', JSON.stringify({ s: 'web' }));
  check(await deploy({ source: site(1), bucket, router: arn, site: 'web', mode: 'releases', verify: 'false' }), 'releases v1');
  const before = kvs.items(arn).get('s:web');
  let switchedAt = 0;
  const poll = setInterval(() => {
    if (!switchedAt && kvs.items(arn).get('s:web') !== before) switchedAt = Date.now();
  }, 2);
  proxy.clear();
  const run = check(await deploy({ source: site(2), bucket, router: arn, site: 'web', mode: 'releases', verify: 'false' }), 'releases v2');
  clearInterval(poll);
  const record = proxy.requests
    .filter((r) => r.operation === 'PutObject' && (r.key ?? '').startsWith('.slipway/releases/') && (r.key ?? '').endsWith('.json'))
    .at(-1);
  if (!record || !switchedAt) throw new Error('releases: no record write or no pointer change seen');
  const measured = (switchedAt - at(record)) / 1000;
  let slowest = 0;
  for (let e = 0; e < EDGES; e++) slowest = Math.max(slowest, uniform(kvsLo, kvsHi));
  const bodies = proxy.requests.filter((r) => r.operation === 'PutObject' && !(r.key ?? '').startsWith('.slipway/')).length;
  return { measured, modelled: slowest, total: measured + slowest, bodies, invalidationPaths: 0, release: run.outputs['release-id'] };
}

/** Mirror: last object written (upload finished) → CreateInvalidation received (measured) → completed (modelled). */
/** @param {string} distributionId */
async function mirrorTrial(distributionId) {
  const bucket = await newBucket();
  check(await deploy({ source: site(1), bucket, delete: 'true', mode: 'mirror' }), 'mirror v1');
  proxy.clear();
  const run = check(await deploy({ source: site(2), bucket, delete: 'true', mode: 'mirror' }), 'mirror v2');
  const inv = check(
    await runActionBundle(
      'invalidate',
      {
        'distribution-id': distributionId,
        paths: run.outputs['changed-paths'] ?? '[]',
        'max-paths': '20',
        wait: 'false',
        timeout: '15m',
        'caller-reference': '',
      },
      { env, timeoutMs: 120_000 },
    ),
    'invalidate',
  );
  const writes = proxy.requests.filter(
    (r) => ['PutObject', 'CopyObject', 'DeleteObjects', 'CompleteMultipartUpload'].includes(r.operation) && r.service === 's3',
  );
  const created = proxy.requests.filter((r) => r.operation === 'CreateInvalidation').at(-1);
  const lastWrite = writes.at(-1);
  if (!created || !lastWrite) throw new Error('mirror: no write or no invalidation seen');
  const measured = (at(created) - at(lastWrite)) / 1000;
  const modelled = uniform(invLo, invHi);
  return {
    measured,
    modelled,
    total: measured + modelled,
    bodies: writes.filter((r) => r.operation === 'PutObject' && !(r.key ?? '').startsWith('.slipway/')).length,
    invalidationPaths: JSON.parse(run.outputs['changed-paths'] ?? '[]').length,
    id: inv.outputs['invalidation-ids'],
  };
}

const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const fmt = (/** @type {number} */ x) => x.toFixed(2);

try {
  const cf = new CloudFrontClient({
    region: 'us-east-1',
    endpoint: proxy.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const dist = await cf.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `bench-${Date.now()}`,
        Comment: 'bench',
        Enabled: true,
        Origins: { Quantity: 1, Items: [{ Id: 's', DomainName: 's.s3.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } }] },
        DefaultCacheBehavior: {
          TargetOriginId: 's',
          ViewerProtocolPolicy: 'redirect-to-https',
          ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
          MinTTL: 0,
          TrustedSigners: { Enabled: false, Quantity: 0 },
        },
      },
    }),
  );
  /** @typedef {{ measured: number, modelled: number, total: number, bodies: number, invalidationPaths: number }} Trial */
  /** @type {{ releases: Trial[], mirror: Trial[] }} */
  const results = { releases: [], mirror: [] };
  for (let t = 0; t < TRIALS; t++) {
    results.releases.push(await releasesTrial());
    results.mirror.push(await mirrorTrial(dist.Distribution?.Id ?? ''));
    process.stderr.write(`trial ${t + 1}/${TRIALS} done\n`);
  }
  const row = (/** @type {string} */ name, /** @type {Trial[]} */ list) =>
    `| ${name} | ${fmt(median(list.map((r) => r.measured)))} | ${fmt(median(list.map((r) => r.modelled)))} | ${fmt(median(list.map((r) => r.total)))} | ${fmt(Math.max(...list.map((r) => r.total)))} | ${median(list.map((r) => r.bodies))} | ${median(list.map((r) => r.invalidationPaths))} |`;
  const md = [
    `From "upload finished" to "new version served everywhere", ${TRIALS} trials, ${FILES}-file site, second deploy of a changed build (${new Date().toISOString()}).`,
    '',
    '| strategy | measured on the stand-ins, s (median) | modelled propagation, s (median) | served everywhere, s (median) | worst, s | file bodies sent | invalidation paths |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('releases: pointer write + key value store propagation', results.releases),
    row('mirror: invalidate step + invalidation completion', results.mirror),
    '',
    `Modelled: key value store propagation uniform ${kvsLo}–${kvsHi} s per edge, slowest of ${EDGES} edges (AWS: "within seconds", no percentile published); invalidation completion uniform ${invLo}–${invHi} s (AWS: "typically 60 to 300 seconds"). Measured: from the last object written to the pointer changed in the store (releases), or to CreateInvalidation received (mirror, including the invalidate step's start).`,
  ].join('\n');
  console.log(md);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'releases.md'), md + '\n');
  writeFileSync(
    join(root, 'bench', 'results', 'releases.json'),
    JSON.stringify(
      { trials: TRIALS, files: FILES, edges: EDGES, kvsLagS: [kvsLo, kvsHi], invalidationS: [invLo, invHi], results },
      null,
      2,
    ) + '\n',
  );
} finally {
  await proxy.close();
  await kvs.stop();
  await moto.stop();
}
