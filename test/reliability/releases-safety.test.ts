// deploy-static mode: releases and the release action, the committed bundles run as the runner runs
// them, under faults and kills:
//   - behind the seeded fault proxy (as faults.test.ts), S3 failing 10% of calls and the key value
//     store 10% of its calls, then 100% of S3 writes, then every store write;
//   - killed with SIGKILL at every phase of a deploy (as crash.test.ts does for mirror), then run again.
// A watcher reads the router's store and the bucket the whole time: the live pointer must never
// point at an incomplete release (no record, or a file of its record missing). After a switch the
// previous release is one rollback away; rollback and promote send no object body and no invalidation.
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../stand-ins/action-runner.mjs';
import { seededFaults, seededRandom, startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { inspector, motoEndpoint, newBucket, writeSite, type SiteFiles } from '../support/s3.js';

type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let kvs: FakeKvs;
let proxy: AwsProxy;
beforeAll(async () => {
  kvs = await startFakeKvs();
  proxy = await startAwsProxy(motoEndpoint());
});
afterAll(async () => {
  await proxy.close();
  await kvs.stop();
});

const SITE = 'web';
/** A 60-file SPA build: pages, hashed chunks (half of them new in v2), an unhashed file. */
function build(version: number): SiteFiles {
  const out: SiteFiles = { 'robots.txt': 'User-agent: *', 'favicon.svg': `<svg>${version}</svg>` };
  for (let i = 0; i < 40; i++)
    out[`assets/chunk-${i}-${i % 2 === 0 && version > 1 ? 'Bn' : 'Bo'}${i}x9.js`] = `/* ${i} ${i % 2 === 0 ? version : 1} */`;
  for (let p = 0; p < 18; p++)
    out[p === 0 ? 'index.html' : `docs/p${p}/index.html`] =
      `<title>v${version}</title><script src="/assets/chunk-${p}-${p % 2 === 0 && version > 1 ? 'Bn' : 'Bo'}${p}x9.js"></script>`;
  return out;
}

const env = (endpoint: string) => ({
  ...awsEnvFor(endpoint),
  AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: kvs.endpoint,
  GITHUB_SHA: 'c'.repeat(40),
});
const DEPLOY = {
  prefix: '',
  'dry-run': 'false',
  'trailing-slash': 'keep',
  mode: 'releases',
  verify: 'false',
  site: SITE,
  'stale-asset-grace': '7d',
  concurrency: '8',
};
const deploy = (dir: string, bucket: string, arn: string, options: { endpoint?: string; onSpawn?: (c: ChildProcess) => void } = {}) =>
  runActionBundle(
    'deploy-static',
    { ...DEPLOY, source: dir, bucket, router: arn },
    { env: env(options.endpoint ?? motoEndpoint()), timeoutMs: 240_000, ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}) },
  );
const release = (inputs: Record<string, string>, endpoint = motoEndpoint()) =>
  runActionBundle(
    'release',
    {
      command: 'list',
      prefix: '',
      site: SITE,
      'release-id': '',
      'keep-releases': '10',
      'stale-asset-grace': '7d',
      'dry-run': 'false',
      ...inputs,
    },
    { env: env(endpoint) },
  );

const pointerOf = (arn: string) => JSON.parse(kvs.items(arn).get(`s:${SITE}`) ?? '{}') as { l?: string; b?: string };
const liveId = (arn: string) => pointerOf(arn).l?.split('~')[1] ?? '';

/** Is release `id` complete in the bucket: its record there and every file it names? (Read straight from moto.) */
async function incompleteness(bucket: string, id: string): Promise<string | undefined> {
  const s3 = inspector();
  let record: { files: Record<string, { pool: boolean }> };
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `.slipway/releases/${id}.json` }));
    record = JSON.parse(await out.Body!.transformToString()) as typeof record;
  } catch {
    return `release ${id}: no record`;
  }
  const keys = new Set<string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }));
    for (const o of page.Contents ?? []) keys.add(o.Key!);
    token = page.NextContinuationToken;
  } while (token);
  const missing = Object.entries(record.files)
    .map(([k, f]) => (f.pool ? k : `_releases/${id}/${k}`))
    .filter((k) => !keys.has(k));
  return missing.length > 0 ? `release ${id}: ${missing.length} files missing, first ${missing[0]}` : undefined;
}

/** Watches the live pointer until stopped: every release it points at must be complete. */
function watchPointer(bucket: string, arn: string) {
  const seen = new Set<string>();
  const violations: string[] = [];
  let checks = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const id = liveId(arn);
      if (id) {
        seen.add(id);
        const problem = await incompleteness(bucket, id);
        // Read again: the problem counts only if the pointer still named that release after the look.
        if (problem && liveId(arn) === id) violations.push(problem);
        checks++;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { seen, violations, checks };
    },
  };
}

async function newSite() {
  const bucket = await newBucket();
  const arn = kvs.createStore('router');
  kvs.writeBehind(arn, 'h:www.example.com', JSON.stringify({ s: SITE }));
  return { bucket, arn };
}

describe('releases under faults (seeded fault proxy in front of S3, faults in the key value store)', () => {
  it('(the watcher catches a pointer to an incomplete release)', async () => {
    const { bucket, arn } = await newSite();
    const v1 = await deploy(writeSite(build(1)), bucket, arn);
    expect(v1.errors).toEqual([]);
    // Wherever the release keeps it (the pool, or the release's own folder for a name that is not a content hash).
    const listed = await inspector().send(new ListObjectsV2Command({ Bucket: bucket }));
    const chunk = (listed.Contents ?? []).map((o) => o.Key!).find((k) => k.endsWith('assets/chunk-3-Bo3x9.js'));
    expect(chunk).toBeDefined();
    await inspector().send(new DeleteObjectCommand({ Bucket: bucket, Key: chunk }));
    const watcher = watchPointer(bucket, arn);
    await new Promise((r) => setTimeout(r, 300));
    const watch = await watcher.stop();
    expect(watch.violations[0]).toBe(`release ${v1.outputs['release-id']}: 1 files missing, first ${chunk}`);
  }, 120_000);

  it.each([1, 2])(
    'seed %i: 10% of S3 and store calls fail; the pointer only ever names a complete release, and the deploy ends with v1 one rollback away',
    async (seed) => {
      const { bucket, arn } = await newSite();
      const v1 = await deploy(writeSite(build(1)), bucket, arn);
      expect(v1.errors).toEqual([]);
      const plan = seededFaults({ seed: seed * 13, rate: 0.1, applies: (r) => r.service === 's3' });
      const random = seededRandom(seed * 17);
      let kvsFaults = 0;
      proxy.faults.plan(plan);
      kvs.faults.plan(() => {
        if (random() >= 0.1) return undefined;
        kvsFaults++;
        return { status: kvsFaults % 2 === 1 ? 503 : 500 };
      });
      const watcher = watchPointer(bucket, arn);
      const v2 = await deploy(writeSite(build(2)), bucket, arn, { endpoint: proxy.endpoint }).finally(() => {
        proxy.faults.clear();
        kvs.faults.clear();
      });
      const watch = await watcher.stop();
      expect(watch.violations).toEqual([]);
      expect(watch.checks).toBeGreaterThan(0);
      expect(Object.values(plan.injected).reduce((a, b) => a + b, 0) + kvsFaults).toBeGreaterThan(5);
      expect(v2.errors).toEqual([]);
      expect(v2.exitCode).toBe(0);
      expect(pointerOf(arn)).toEqual({ l: `${SITE}~${v2.outputs['release-id']}`, b: v1.outputs['release-id'] });
      expect(await incompleteness(bucket, v2.outputs['release-id']!)).toBeUndefined();
      const back = await release({ command: 'rollback', verify: 'false', bucket, router: arn });
      expect(back.errors).toEqual([]);
      expect(liveId(arn)).toBe(v1.outputs['release-id']);
    },
    300_000,
  );

  it('every S3 write fails: the deploy fails, naming the failure, and the site still serves v1', async () => {
    const { bucket, arn } = await newSite();
    const v1 = await deploy(writeSite(build(1)), bucket, arn);
    expect(v1.errors).toEqual([]);
    proxy.faults.inject({
      match: (r) =>
        r.service === 's3' && (r.operation === 'PutObject' || r.operation === 'CopyObject') && !(r.key ?? '').endsWith('lease.json'),
      times: Infinity,
      status: 500,
      code: 'InternalError',
    });
    const v2 = await deploy(writeSite(build(2)), bucket, arn, { endpoint: proxy.endpoint }).finally(() => proxy.faults.clear());
    expect(v2.exitCode).toBe(1);
    expect(v2.errors).toHaveLength(1);
    expect(v2.errors[0]).toMatch(/InternalError|internal error/i);
    expect(pointerOf(arn)).toEqual({ l: `${SITE}~${v1.outputs['release-id']}` });
  }, 300_000);

  it('every write to the store fails: the release is staged, nothing switches, a re-run makes it live', async () => {
    const { bucket, arn } = await newSite();
    const v1 = await deploy(writeSite(build(1)), bucket, arn);
    kvs.faults.inject({ match: { op: 'UpdateKeys' }, times: Infinity, status: 503 });
    const dir = writeSite(build(2));
    const failed = await deploy(dir, bucket, arn).finally(() => kvs.faults.clear());
    expect(failed.exitCode).toBe(1);
    expect(pointerOf(arn)).toEqual({ l: `${SITE}~${v1.outputs['release-id']}` });
    const again = await deploy(dir, bucket, arn);
    expect(again.errors).toEqual([]);
    expect(again.outputs['previous-release-id']).toBe(v1.outputs['release-id']);
  }, 300_000);

  it('rollback and promote, counted at the wire: no object body, no copy, no invalidation; one store write each', async () => {
    const { bucket, arn } = await newSite();
    kvs.writeBehind(arn, 'h:staging.example.com', JSON.stringify({ s: 'staging' }));
    const v1 = await deploy(writeSite(build(1)), bucket, arn);
    const v2 = await deploy(writeSite(build(2)), bucket, arn);
    const staged = await runActionBundle(
      'deploy-static',
      { ...DEPLOY, site: 'staging', source: writeSite(build(3)), bucket, router: arn },
      { env: env(motoEndpoint()) },
    );
    expect([v1.exitCode, v2.exitCode, staged.exitCode]).toEqual([0, 0, 0]);
    for (const [inputs, live] of [
      [{ command: 'rollback', verify: 'false' }, v1.outputs['release-id']],
      [{ command: 'promote', from: 'staging', to: SITE, verify: 'false' }, staged.outputs['release-id']],
    ] as const) {
      proxy.clear();
      const before = kvs.requests.length;
      const run = await release({ ...inputs, bucket, router: arn }, proxy.endpoint);
      expect(run.errors).toEqual([]);
      expect(liveId(arn)).toBe(live);
      const writes = proxy.requests.filter((r) =>
        ['PutObject', 'CopyObject', 'UploadPart', 'CreateMultipartUpload', 'DeleteObject', 'DeleteObjects'].includes(r.operation),
      );
      // The store's lease, taken and given back, is all that is written to the bucket.
      expect(writes.map((r) => `${r.operation} ${r.key ?? ''}`)).toEqual([
        'PutObject .slipway/lease.json',
        'DeleteObject .slipway/lease.json',
      ]);
      expect(proxy.requests.filter((r) => r.service === 'cloudfront')).toEqual([]);
      expect(
        kvs.requests
          .slice(before)
          .filter((q) => q.op === 'UpdateKeys')
          .map((q) => q.puts),
      ).toEqual([[`s:${SITE}`]]);
    }
  }, 300_000);
});

/** Phases of a releases deploy, by the group the bundle opens for each. */
const PHASES = [
  'Read the build',
  'Check the routing table',
  'Stage the shared asset pool',
  'Stage release',
  'Write the routing table of release',
  'Activate release',
  'Collect garbage',
];

describe('releases deploy killed with SIGKILL at every phase, then run again', () => {
  it.each(
    PHASES.flatMap(
      (phase, i) =>
        [
          [phase, 0, i],
          [phase, 40, i],
        ] as [string, number, number][],
    ),
  )(
    'killed %s +%ims: the live pointer is v1 or a complete v2; the re-run ends on v2 with v1 one rollback away',
    async (phase, delayMs) => {
      const { bucket, arn } = await newSite();
      const v1 = await deploy(writeSite(build(1)), bucket, arn);
      expect(v1.errors).toEqual([]);
      const dir = writeSite(build(2));
      const watcher = watchPointer(bucket, arn);
      let killedAt = '';
      const killed = await deploy(dir, bucket, arn, {
        onSpawn: (child) => {
          let buffered = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            buffered += String(chunk);
            if (!killedAt && buffered.includes(`::group::${phase}`)) {
              killedAt = phase;
              setTimeout(() => child.kill('SIGKILL'), delayMs);
            }
          });
        },
      });
      await new Promise((r) => setTimeout(r, 200));
      const during = await watcher.stop();
      expect(killedAt, killed.stdout).toBe(phase);
      // A kill during the last phases may come after the process has finished.
      if (killed.signal !== 'SIGKILL') expect(killed.exitCode).toBe(0);
      expect(during.violations).toEqual([]);
      const afterKill = pointerOf(arn);
      if (afterKill.l !== `${SITE}~${v1.outputs['release-id']}`) expect(afterKill.b).toBe(v1.outputs['release-id']);

      const watcher2 = watchPointer(bucket, arn);
      const rerun = await deploy(dir, bucket, arn);
      expect((await watcher2.stop()).violations).toEqual([]);
      expect(rerun.errors, rerun.stdout).toEqual([]);
      expect(pointerOf(arn)).toEqual({ l: `${SITE}~${rerun.outputs['release-id']}`, b: v1.outputs['release-id'] });
      expect(await incompleteness(bucket, rerun.outputs['release-id']!)).toBeUndefined();
      // The re-run staged the same release: whatever the killed run left is its now, nothing is orphaned
      // (every release folder has its record, no staging marker is left).
      const all = await inspector().send(new ListObjectsV2Command({ Bucket: bucket }));
      const stored = (all.Contents ?? []).map((o) => o.Key!);
      const folders = [...new Set(stored.filter((k) => k.startsWith('_releases/')).map((k) => k.split('/')[1]))];
      expect(folders.filter((id) => !stored.includes(`.slipway/releases/${id}.json`))).toEqual([]);
      expect(stored.filter((k) => k.startsWith('.slipway/staging/'))).toEqual([]);
      const back = await release({ command: 'rollback', verify: 'false', bucket, router: arn });
      expect(back.errors).toEqual([]);
      expect(liveId(arn)).toBe(v1.outputs['release-id']);
    },
    300_000,
  );
});
