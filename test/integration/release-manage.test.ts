// The release action's promote and gc, and the store's size budget, on the stand-ins: moto's S3,
// the KeyValueStore fake through the real SDK (SigV4A), every page and chunk requested through the
// edge simulator running the published router.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { parseDeployStaticSettings } from '../../src/actions/deploy-static/settings.js';
import { silentLogger, type Logger } from '../../src/lib/log/logger.js';
import { StoreBudgetExceeded } from '../../src/lib/releases/budget.js';
import { deployRelease } from '../../src/lib/releases/deploy.js';
import { collectGarbage } from '../../src/lib/releases/gc.js';
import { emptyManifest, serializeManifest } from '../../src/lib/s3-sync/manifest.js';
import { GC_INDEX_KEY, ReleaseUnavailable, readGcIndex } from '../../src/lib/releases/guard.js';
import { listReleases, rollback, type ReleaseTarget } from '../../src/lib/releases/manage.js';
import { promote } from '../../src/lib/releases/promote.js';
import { createKvsClient, writeEntries } from '../../src/lib/router/store.js';
import { hostKey, hostValue } from '../../src/lib/router/table.js';
import { testEnvironment } from '../support/environment.js';
import { startEdgeSimulator, type EdgeSimulator } from '../support/edge-simulator.js';
import { inspector, motoEndpoint, newBucket, s3At, writeSite, type SiteFiles } from '../support/s3.js';

type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let kvs: FakeKvs;
beforeAll(async () => {
  kvs = await startFakeKvs();
});
afterAll(() => kvs.stop());

const cloudfront = new CloudFrontClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
const STAGING = 'staging.example.com';
const PRODUCTION = 'www.example.com';
const DAY = 86_400_000;

const page = (title: string, script: string) =>
  `<!doctype html><html><head><title>${title}</title><script type="module" src="/${script}"></script></head><body></body></html>`;
/** Build n: its own entry chunk, a chunk shared by every build, robots.txt unchanged. */
const build = (n: number): SiteFiles => ({
  'index.html': page(`v${n}`, `assets/index-B${n}x9y8z7.js`),
  [`assets/index-B${n}x9y8z7.js`]: `import("./shared-Cq1w2e3r.js"); console.log(${n})`,
  'assets/shared-Cq1w2e3r.js': 'export const shared = 1',
  'robots.txt': 'User-agent: *',
});

/** An S3 client that records the commands it sends, and the keys of its PutObjects. */
function recordingS3(): { s3: S3Client; commands: string[]; puts: string[] } {
  const s3 = s3At(motoEndpoint());
  const commands: string[] = [];
  const puts: string[] = [];
  s3.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(String(context.commandName));
      if (context.commandName === 'PutObjectCommand') puts.push(String((args.input as { Key?: string }).Key));
      return next(args);
    },
    { step: 'initialize' },
  );
  return { s3, commands, puts };
}

interface Router {
  bucket: string;
  arn: string;
  edge: EdgeSimulator;
}

/** A bucket and a router with staging.example.com → site staging, www.example.com → site production. */
async function newRouter(bucket?: string): Promise<Router> {
  const b = bucket ?? (await newBucket());
  const arn = kvs.createStore('router');
  const hosts = new Map([
    [hostKey(STAGING), hostValue({ host: STAGING, site: 'staging' })],
    [hostKey(PRODUCTION), hostValue({ host: PRODUCTION, site: 'production' })],
  ]);
  await writeEntries(createKvsClient(kvs.endpoint), arn, { desired: hosts, owns: () => false }, silentLogger);
  const edge = await startEdgeSimulator({ store: () => kvs.items(arn), s3: inspector(), bucket: b, listBucket: true });
  return { bucket: b, arn, edge };
}

function deploy(r: Router, site: string, files: SiteFiles, options: { grace?: string; log?: Logger; prefix?: string; s3?: S3Client } = {}) {
  const dir = writeSite(files);
  const inputs: Record<string, string> = {
    source: dir,
    bucket: r.bucket,
    prefix: options.prefix ?? '',
    router: r.arn,
    site,
    mode: 'releases',
    verify: 'false',
    'stale-asset-grace': options.grace ?? '7d',
    endpoint: motoEndpoint(),
    'force-path-style': 'true',
  };
  const settings = parseDeployStaticSettings((name) => inputs[name] ?? '', testEnvironment());
  return deployRelease(settings, settings.routing!, {
    s3: options.s3 ?? s3At(motoEndpoint()),
    kvs: createKvsClient(kvs.endpoint),
    cloudfront,
    log: options.log ?? silentLogger,
  });
}

// No CDN runs in these tests: rollback and promote switch without verifying (releases.test.ts verifies).
const NO_VERIFY = { verify: false } as const;
const deps = (s3: S3Client = s3At(motoEndpoint())) => ({ s3, kvs: createKvsClient(kvs.endpoint), cloudfront, log: silentLogger });
const target = (r: Router, site: string, prefix = ''): ReleaseTarget => ({ bucket: r.bucket, prefix, site, storeArn: r.arn });
const store = (r: Router, prefix = '') => ({ s3: s3At(motoEndpoint()), bucket: r.bucket, prefix, log: silentLogger });
const pointer = (r: Router, site: string) => JSON.parse(kvs.items(r.arn).get(`s:${site}`) ?? '{}') as { l?: string; b?: string };

async function keys(bucket: string, prefix = ''): Promise<string[]> {
  const out = await inspector().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function title(edge: EdgeSimulator, host: string): Promise<string> {
  const r = await edge.get(host, '/');
  return `${r.status} ${/<title>([^<]*)<\/title>/.exec(r.body)?.[1] ?? r.body.slice(0, 30)}`;
}

const writesOf = (requests: FakeKvs['requests']) =>
  requests.filter((q) => q.op === 'UpdateKeys' || q.op === 'PutKey' || q.op === 'DeleteKey');

describe('promote', () => {
  it('same bucket and router: one pointer write, production serves exactly what staging verified, no body, no invalidation', async () => {
    const r = await newRouter();
    try {
      const staged = await deploy(r, 'staging', build(1));
      expect(await title(r.edge, STAGING)).toBe('200 v1');
      expect((await r.edge.get(PRODUCTION, '/')).status).toBe(404);
      const { s3, commands, puts } = recordingS3();
      const before = kvs.requests.length;
      const result = await promote(target(r, 'staging'), target(r, 'production'), deps(s3), undefined, NO_VERIFY);
      expect(result).toMatchObject({ mode: 'pointer', id: staged.id, previous: '', switched: true, copied: 0, poolCopied: 0 });
      // One write: production's pointer, linking to staging's table of that release.
      expect(writesOf(kvs.requests.slice(before)).map((w) => [w.op, w.puts, w.deletes])).toEqual([['UpdateKeys', ['s:production'], []]]);
      expect(pointer(r, 'production')).toEqual({ l: `staging~${staged.id}` });
      // No object body and no copy: only the store's lease (a small JSON object of Slipway's own) and reads.
      expect(commands.filter((c) => /Copy|Upload|CreateInvalidation/.test(c))).toEqual([]);
      expect(puts).toEqual(['.slipway/lease.json']);
      expect(await title(r.edge, PRODUCTION)).toBe('200 v1');
      expect((await r.edge.get(PRODUCTION, '/assets/index-B1x9y8z7.js')).body).toContain('console.log(1)');

      // Staging moves on; production stays; list shows who holds what.
      const next = await deploy(r, 'staging', build(2));
      expect(await title(r.edge, STAGING)).toBe('200 v2');
      expect(await title(r.edge, PRODUCTION)).toBe('200 v1');
      const listed = await listReleases(target(r, 'production'), deps());
      expect(listed.map((x) => [x.id, x.live, [...x.pointers].sort()])).toEqual([
        [next.id, false, ['staging']],
        [staged.id, true, ['production', 'staging (rollback)']],
      ]);

      // Promote again, then roll production back: one write each, back to v1.
      const second = await promote(target(r, 'staging'), target(r, 'production'), deps(), undefined, NO_VERIFY);
      expect(second).toMatchObject({ id: next.id, previous: staged.id });
      expect(pointer(r, 'production')).toEqual({ l: `staging~${next.id}`, b: `staging~${staged.id}` });
      expect(await title(r.edge, PRODUCTION)).toBe('200 v2');
      const back = await rollback(target(r, 'production'), deps(), undefined, NO_VERIFY);
      expect(back).toEqual({ from: next.id, to: staged.id, restoredTable: false });
      expect(await title(r.edge, PRODUCTION)).toBe('200 v1');
    } finally {
      await r.edge.stop();
    }
  });

  it('a preview deployed as a named pointer is promoted the same way', async () => {
    const r = await newRouter();
    try {
      await writeEntries(
        createKvsClient(kvs.endpoint),
        r.arn,
        {
          desired: new Map([[hostKey('pr-7.preview.example.com'), hostValue({ host: 'pr-7.preview.example.com', site: 'pr-7' })]]),
          owns: () => false,
        },
        silentLogger,
      );
      const preview = await deploy(r, 'pr-7', build(7));
      expect(await title(r.edge, 'pr-7.preview.example.com')).toBe('200 v7');
      const result = await promote(target(r, 'pr-7'), target(r, 'production'), deps(), undefined, NO_VERIFY);
      expect(result).toMatchObject({ mode: 'pointer', id: preview.id });
      expect(await title(r.edge, PRODUCTION)).toBe('200 v7');
    } finally {
      await r.edge.stop();
    }
  });

  it('across buckets and routers: release folder and pool copied server-side, record last, then one switch; nothing uploaded', async () => {
    const staging = await newRouter();
    const production = await newRouter();
    try {
      const staged = await deploy(staging, 'staging', build(3));
      const { s3, commands, puts } = recordingS3();
      const result = await promote(target(staging, 'staging'), target(production, 'production'), deps(s3), undefined, NO_VERIFY);
      expect(result).toMatchObject({ mode: 'copy', id: staged.id, switched: true, copied: 2, poolCopied: 2, poolReused: 0 });
      expect(commands.filter((c) => c === 'CopyObjectCommand')).toHaveLength(4);
      // No file body: the only writes besides the copies are the lease (copy, then activation), the
      // marker naming the pool keys the copy writes (for gc, should it never finish) and the record.
      expect(puts).toEqual([
        '.slipway/lease.json',
        `.slipway/staging/${staged.id}.json`,
        `.slipway/releases/${staged.id}.json`,
        '.slipway/lease.json',
      ]);
      expect(await keys(production.bucket)).toEqual([
        `.slipway/releases/${staged.id}.json`,
        `_releases/${staged.id}/index.html`,
        `_releases/${staged.id}/robots.txt`,
        'assets/index-B3x9y8z7.js',
        'assets/shared-Cq1w2e3r.js',
      ]);
      expect(pointer(production, 'production')).toEqual({ l: `production~${staged.id}` });
      expect(await title(production.edge, PRODUCTION)).toBe('200 v3');
      const chunk = await production.edge.get(PRODUCTION, '/assets/shared-Cq1w2e3r.js');
      expect([chunk.status, chunk.headers.get('content-type'), chunk.headers.get('cache-control')]).toEqual([
        200,
        'text/javascript; charset=utf-8',
        'public, max-age=31536000, immutable',
      ]);
    } finally {
      await staging.edge.stop();
      await production.edge.stop();
    }
  });

  it('across buckets, a pool key holding other bytes stops the promotion before anything is switched', async () => {
    const staging = await newRouter();
    const production = await newRouter();
    try {
      await deploy(staging, 'staging', build(4));
      await deploy(production, 'production', { ...build(9), 'assets/shared-Cq1w2e3r.js': 'export const shared = "other bytes"' });
      const live = pointer(production, 'production');
      await expect(promote(target(staging, 'staging'), target(production, 'production'), deps(), undefined, NO_VERIFY)).rejects.toThrow(
        /different bytes: assets\/shared-Cq1w2e3r\.js/,
      );
      expect(pointer(production, 'production')).toEqual(live);
      expect(await title(production.edge, PRODUCTION)).toBe('200 v9');
    } finally {
      await staging.edge.stop();
      await production.edge.stop();
    }
  });
});

describe('gc', () => {
  it('keeps what pointers hold and the newest, deletes the rest only after the grace, and an open v1 page still loads its chunks within it', async () => {
    const r = await newRouter();
    try {
      const ids: string[] = [];
      for (const n of [1, 2, 3, 4]) ids.push((await deploy(r, 'staging', build(n))).id);
      const [v1, v2, v3, v4] = ids as [string, string, string, string];
      const t0 = Date.now();
      // keep 1: v4 live, v3 its rollback target; v1 and v2 are off every pointer (the gc at the end of
      // each deploy saw them leave).
      const first = await collectGarbage(store(r), createKvsClient(kvs.endpoint), r.arn, {
        keep: 1,
        graceMs: DAY,
        now: () => new Date(t0),
      });
      expect(first.deleted).toEqual([]);
      expect(first.releases.map((x) => [x.id, x.decision])).toEqual([
        [v4, 'held'],
        [v3, 'held'],
        [v2, 'grace'],
        [v1, 'grace'],
      ]);
      const offSince = (await readGcIndex(store(r))).offSince;
      expect(Object.keys(offSince).sort()).toEqual([v1, v2].sort());
      expect(Object.values(offSince).every((at) => Date.parse(at) <= t0)).toBe(true);
      // Within the grace, a v1 page still open loads its own entry chunk.
      expect((await r.edge.get(STAGING, '/assets/index-B1x9y8z7.js')).body).toContain('console.log(1)');
      // The grace counts from when gc first saw them off: not yet over one hour before its end.
      const early = await collectGarbage(store(r), createKvsClient(kvs.endpoint), r.arn, {
        keep: 1,
        graceMs: DAY,
        now: () => new Date(t0 + DAY - 3_600_000),
      });
      expect(early.deleted).toEqual([]);

      const before = kvs.requests.length;
      const late = await collectGarbage(store(r), createKvsClient(kvs.endpoint), r.arn, {
        keep: 1,
        graceMs: DAY,
        now: () => new Date(t0 + DAY),
      });
      expect(late.deleted.sort()).toEqual([v1, v2].sort());
      // Their entry chunks, release folders, records and routing tables are gone; the shared chunk v3 and v4 use stays.
      const left = await keys(r.bucket);
      for (const id of [v1, v2]) expect(left.filter((k) => k.includes(id))).toEqual([]);
      expect(left).not.toContain('assets/index-B1x9y8z7.js');
      expect(left).not.toContain('assets/index-B2x9y8z7.js');
      expect(left).toContain('assets/index-B3x9y8z7.js');
      expect(left).toContain('assets/shared-Cq1w2e3r.js');
      expect(late.poolObjectsDeleted).toBe(2);
      expect([...kvs.items(r.arn).keys()].filter((k) => k.includes(v1) || k.includes(v2))).toEqual([]);
      expect(writesOf(kvs.requests.slice(before)).flatMap((w) => w.puts ?? [])).toEqual([]);
      // The site and its rollback still work.
      expect(await title(r.edge, STAGING)).toBe('200 v4');
      expect((await rollback(target(r, 'staging'), deps(), undefined, NO_VERIFY)).to).toBe(v3);
      expect(await title(r.edge, STAGING)).toBe('200 v3');
      // A deleted release cannot be rolled back to: refused with the reason, nothing switched.
      await expect(rollback(target(r, 'staging'), deps(), v1, NO_VERIFY)).rejects.toThrow(/no record .* Nothing was switched/);
      expect(pointer(r, 'staging').l).toBe(`staging~${v3}`);
    } finally {
      await r.edge.stop();
    }
  });

  it('keeps a release another site promoted, and keep-releases per site', async () => {
    const r = await newRouter();
    try {
      const a = await deploy(r, 'staging', build(11));
      await promote(target(r, 'staging'), target(r, 'production'), deps(), undefined, NO_VERIFY);
      for (const n of [12, 13, 14]) await deploy(r, 'staging', build(n));
      const result = await collectGarbage(store(r), createKvsClient(kvs.endpoint), r.arn, { keep: 1, graceMs: 0 });
      // build 11 is production's live release: kept, though staging moved on three times.
      expect(result.releases.find((x) => x.id === a.id)).toMatchObject({ decision: 'held', heldBy: ['production'] });
      expect(result.deleted).toHaveLength(1);
      expect(await title(r.edge, PRODUCTION)).toBe('200 v11');
    } finally {
      await r.edge.stop();
    }
  });

  it('a dry run deletes nothing and writes nothing', async () => {
    const r = await newRouter();
    try {
      for (const n of [21, 22, 23]) await deploy(r, 'staging', build(n));
      const objects = await keys(r.bucket);
      const items = new Map(kvs.items(r.arn));
      const result = await collectGarbage(store(r), createKvsClient(kvs.endpoint), r.arn, { keep: 1, graceMs: 0, dryRun: true });
      expect(result.releases.filter((x) => x.decision === 'delete')).toHaveLength(1);
      expect(await keys(r.bucket)).toEqual(objects);
      expect(kvs.items(r.arn)).toEqual(items);
    } finally {
      await r.edge.stop();
    }
  });

  it('never deletes a release a pointer takes while gc runs: it re-reads the pointers before deleting', async () => {
    const r = await newRouter();
    try {
      const ids: string[] = [];
      for (const n of [31, 32, 33]) ids.push((await deploy(r, 'staging', build(n))).id);
      // Another router writer points production at build 31 between gc's first and second read of the pointers.
      let reads = 0;
      kvs.faults.plan((q) => {
        if (q.op === 'ListKeys' && ++reads === 2) kvs.writeBehind(r.arn, 's:production', JSON.stringify({ l: `staging~${ids[0]}` }));
        return undefined;
      });
      const result = await collectGarbage(store(r), createKvsClient(kvs.endpoint), r.arn, { keep: 1, graceMs: 0 }).finally(() =>
        kvs.faults.clear(),
      );
      expect(result.spared).toEqual([ids[0]]);
      expect(result.deleted).toEqual([]);
      expect(await keys(r.bucket, `.slipway/releases/${ids[0]}`)).toHaveLength(1);
      expect(await title(r.edge, PRODUCTION)).toBe('200 v31');
      expect((await readGcIndex(store(r))).deleting).toEqual([]);
    } finally {
      await r.edge.stop();
    }
  });

  it('a gc killed half-way: the release it was deleting is refused for activation, then a redeploy stages it anew', async () => {
    const r = await newRouter();
    try {
      const ids: string[] = [];
      for (const n of [41, 42, 43]) ids.push((await deploy(r, 'staging', build(n))).id);
      // gc dies after naming its candidate and deleting the routing table (the fake answers the next write 500).
      kvs.faults.inject({ match: { op: 'UpdateKeys' }, times: Infinity, status: 500 });
      await expect(collectGarbage(store(r), createKvsClient(kvs.endpoint), r.arn, { keep: 1, graceMs: 0 })).rejects.toThrow();
      kvs.faults.clear();
      expect((await readGcIndex(store(r))).deleting).toEqual([ids[0]]);
      await expect(rollback(target(r, 'staging'), deps(), ids[0], NO_VERIFY)).rejects.toThrow(ReleaseUnavailable);
      await expect(rollback(target(r, 'staging'), deps(), ids[0], NO_VERIFY)).rejects.toThrow(/being removed by garbage collection/);
      expect(pointer(r, 'staging').l).toBe(`staging~${ids[2]}`);
      // Deploying that build again stages it in full and makes it live.
      const again = await deploy(r, 'staging', build(41));
      expect(again.id).toBe(ids[0]);
      expect(again.stage?.reused).toBe(false);
      expect(await title(r.edge, STAGING)).toBe('200 v41');
      expect((await readGcIndex(store(r))).deleting).toEqual([]);
    } finally {
      await r.edge.stop();
    }
  });

  it("runs at the end of every deploy with deploy-static's stale-asset-grace", async () => {
    const r = await newRouter();
    try {
      const ids: string[] = [];
      for (const n of [51, 52, 53]) ids.push((await deploy(r, 'staging', build(n), { grace: '0' })).id);
      // With grace 0 and keep 10 everything is still kept; gc has recorded when build 51 left its last pointer.
      const last = await deploy(r, 'staging', build(54), { grace: '0' });
      expect(last.gc?.releases.find((x) => x.id === ids[0])).toMatchObject({ decision: 'newest' });
      const index = await inspector().send(new ListObjectsV2Command({ Bucket: r.bucket, Prefix: GC_INDEX_KEY }));
      expect(index.KeyCount).toBe(1);
      expect(Object.keys((await readGcIndex(store(r))).offSince).sort()).toEqual([ids[0], ids[1]].sort());
    } finally {
      await r.edge.stop();
    }
  });
});

/** A client that dies where a killed deploy would: its PutObject of a release record fails, after every file was staged. */
function dyingBeforeTheRecord(): S3Client {
  const s3 = s3At(motoEndpoint());
  s3.middlewareStack.add(
    (next, context) => (args) => {
      const key = String((args.input as { Key?: string }).Key ?? '');
      if (context.commandName === 'PutObjectCommand' && /^\.slipway\/releases\/[0-9a-f]{16}\.json$/.test(key))
        return Promise.reject(new Error('killed before the record'));
      return next(args);
    },
    { step: 'initialize' },
  );
  return s3;
}

describe('gc sweeps what a staging that never finished left', () => {
  it('an orphan release folder and pool object stay within the grace and go after it; a pool key a record uses never goes; a dry run deletes nothing', async () => {
    const r = await newRouter();
    const gc = (options: { graceMs: number; at?: number; dryRun?: boolean }) =>
      collectGarbage(store(r), createKvsClient(kvs.endpoint), r.arn, {
        keep: 10,
        graceMs: options.graceMs,
        ...(options.dryRun ? { dryRun: true } : {}),
        ...(options.at ? { now: () => new Date(options.at!) } : {}),
      });
    try {
      const v71 = await deploy(r, 'staging', build(71));
      // A staging that finishes leaves no marker.
      expect(await keys(r.bucket, '.slipway/staging/')).toEqual([]);

      // A staging that wrote its record but died before removing its marker: the marker names a pool key
      // the record uses. Even with no grace at all, gc removes only the marker.
      await inspector().send(
        new PutObjectCommand({
          Bucket: r.bucket,
          Key: `.slipway/staging/${v71.id}.json`,
          Body: JSON.stringify({ version: 1, id: v71.id, startedAt: new Date().toISOString(), pool: ['assets/index-B71x9y8z7.js'] }),
        }),
      );
      const before = await keys(r.bucket);
      const stale = await gc({ graceMs: 0 });
      expect(stale.orphans).toMatchObject({ folders: [], poolObjects: [], objectsDeleted: 1 });
      expect(await keys(r.bucket)).toEqual(before.filter((k) => !k.startsWith('.slipway/staging/')));

      // Build 72 (its own entry chunk, and an extra chunk) dies just before its record.
      const killed = { ...build(72), 'assets/extra-Dq1w2e3r.js': 'export const extra = 72' };
      await expect(deploy(r, 'staging', killed, { s3: dyingBeforeTheRecord() })).rejects.toThrow(/killed before the record/);
      const folders = (await keys(r.bucket, '_releases/')).map((k) => k.split('/')[1]!).filter((id) => id !== v71.id);
      const orphan = folders[0]!;
      expect(await keys(r.bucket, `_releases/${orphan}/`)).toEqual([`_releases/${orphan}/index.html`, `_releases/${orphan}/robots.txt`]);
      expect(await keys(r.bucket, `.slipway/releases/${orphan}`)).toEqual([]);
      expect(await keys(r.bucket, 'assets/')).toEqual(
        expect.arrayContaining(['assets/extra-Dq1w2e3r.js', 'assets/index-B72x9y8z7.js', 'assets/shared-Cq1w2e3r.js']),
      );
      expect(await keys(r.bucket, '.slipway/staging/')).toEqual([`.slipway/staging/${orphan}.json`]);

      // Build 73 finds build 72's entry chunk in the pool with its bytes and uses it: its record now holds it.
      const v73 = await deploy(r, 'staging', { ...build(72), 'robots.txt': 'User-agent: *\nDisallow: /73' });
      expect(v73.stage?.poolReused).toBe(2);
      // The gc after that deploy sees the orphans, within the grace (7 days): kept.
      expect(v73.gc?.orphans).toMatchObject({
        folders: [{ id: orphan, objects: 2, decision: 'grace' }],
        poolObjects: [{ key: 'assets/extra-Dq1w2e3r.js', id: orphan, decision: 'grace' }],
        foldersDeleted: 0,
        poolObjectsDeleted: 0,
        foldersInGrace: 1,
        poolObjectsInGrace: 1,
      });
      const deletableAt = Date.parse(v73.gc!.orphans.folders[0]!.deletableAt!);
      expect(deletableAt - Date.parse(v73.gc!.orphans.folders[0]!.lastModified)).toBe(7 * DAY);
      const staged = await keys(r.bucket);

      // An hour before the grace ends: still kept.
      const early = await gc({ graceMs: 7 * DAY, at: deletableAt - 3_600_000 });
      expect([early.orphans.foldersInGrace, early.orphans.poolObjectsInGrace, early.orphans.objectsDeleted]).toEqual([1, 1, 0]);
      expect(await keys(r.bucket)).toEqual(staged);
      // A dry run after the grace says what would go, and deletes nothing.
      const dry = await gc({ graceMs: 7 * DAY, at: deletableAt + 60_000, dryRun: true });
      expect(dry.orphans.folders.map((f) => f.decision)).toEqual(['delete']);
      expect(dry.orphans.poolObjects.map((p) => [p.key, p.decision])).toEqual([['assets/extra-Dq1w2e3r.js', 'delete']]);
      expect(await keys(r.bucket)).toEqual(staged);

      const late = await gc({ graceMs: 7 * DAY, at: deletableAt + 60_000 });
      expect(late.orphans).toMatchObject({
        foldersDeleted: 1,
        poolObjectsDeleted: 1,
        foldersInGrace: 0,
        poolObjectsInGrace: 0,
        objectsDeleted: 4,
      });
      expect(late.deleted).toEqual([]);
      const left = await keys(r.bucket);
      expect(left.filter((k) => k.includes(orphan))).toEqual([]);
      expect(left).not.toContain('assets/extra-Dq1w2e3r.js');
      // Named by the dead staging's marker, but build 73's record uses it: it stays, as does everything of 71 and 73.
      expect(staged.filter((k) => !left.includes(k)).sort()).toEqual(
        [
          `_releases/${orphan}/index.html`,
          `_releases/${orphan}/robots.txt`,
          'assets/extra-Dq1w2e3r.js',
          `.slipway/staging/${orphan}.json`,
        ].sort(),
      );
      expect(await title(r.edge, STAGING)).toBe('200 v72');
      expect((await r.edge.get(STAGING, '/assets/index-B72x9y8z7.js')).status).toBe(200);
      expect((await rollback(target(r, 'staging'), deps(), undefined, NO_VERIFY)).to).toBe(v71.id);
      expect(await title(r.edge, STAGING)).toBe('200 v71');
    } finally {
      await r.edge.stop();
    }
  });

  it("a dead staging's pool key that the mirror's manifest lists stays after the grace; a key two dead markers name is deleted once", async () => {
    const r = await newRouter();
    try {
      await deploy(r, 'staging', build(81));
      const killed = {
        ...build(82),
        'assets/mirrored-Dq1w2e3r.js': 'export const m = 82',
        'assets/twice-Dq1w2e3r.js': 'export const t = 82',
      };
      await expect(deploy(r, 'staging', killed, { s3: dyingBeforeTheRecord() })).rejects.toThrow(/killed before the record/);
      const [marker] = await keys(r.bucket, '.slipway/staging/');
      const dead = JSON.parse(
        await (await inspector().send(new GetObjectCommand({ Bucket: r.bucket, Key: marker! }))).Body!.transformToString(),
      ) as { pool: string[] };
      expect(dead.pool).toEqual(expect.arrayContaining(['assets/mirrored-Dq1w2e3r.js', 'assets/twice-Dq1w2e3r.js']));
      // A second dead staging named one of the same keys.
      const second = `.slipway/staging/${'f'.repeat(16)}.json`;
      await inspector().send(
        new PutObjectCommand({
          Bucket: r.bucket,
          Key: second,
          Body: JSON.stringify({ version: 1, id: 'f'.repeat(16), startedAt: new Date().toISOString(), pool: ['assets/twice-Dq1w2e3r.js'] }),
        }),
      );
      // A mirror deploy of the prefix found the mirrored chunk in place (same bytes) and recorded it as its own.
      const manifest = emptyManifest();
      manifest.objects['assets/mirrored-Dq1w2e3r.js'] = {
        etag: 'e',
        cacheControl: 'public, max-age=31536000, immutable',
        contentType: 'text/javascript',
      };
      await inspector().send(new PutObjectCommand({ Bucket: r.bucket, Key: '.slipway/manifest.json', Body: serializeManifest(manifest) }));

      const late = await collectGarbage(store(r), createKvsClient(kvs.endpoint), r.arn, {
        keep: 10,
        graceMs: DAY,
        now: () => new Date(Date.now() + 2 * DAY),
      });
      expect(late.orphans.poolObjects.map((p) => p.key)).not.toContain('assets/mirrored-Dq1w2e3r.js');
      expect(late.orphans.poolObjects.filter((p) => p.key === 'assets/twice-Dq1w2e3r.js')).toHaveLength(1);
      const left = await keys(r.bucket, 'assets/');
      expect(left).toContain('assets/mirrored-Dq1w2e3r.js');
      expect(left).not.toContain('assets/twice-Dq1w2e3r.js');
    } finally {
      await r.edge.stop();
    }
  });
});

describe('the store size budget', () => {
  it('a release whose routing table would take the store over 5 MB fails with the figures, before anything is uploaded or switched', async () => {
    const r = await newRouter();
    try {
      const first = await deploy(r, 'staging', build(61));
      // Fill the store with another site's entries up to 300 bytes short of CloudFront's 5 MB.
      const client = createKvsClient(kvs.endpoint);
      let room = 5 * 1024 * 1024 - 300 - [...kvs.items(r.arn)].reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
      const filler = new Map<string, string>();
      for (let i = 0; room > 0; i++) {
        const key = `p:other:/page-${String(i).padStart(5, '0')}`;
        const value = 'x'.repeat(Math.max(1, Math.min(1000, room - key.length)));
        filler.set(key, value);
        room -= key.length + value.length;
      }
      const batch = [...filler];
      for (let i = 0; i < batch.length; i += 2000)
        await writeEntries(client, r.arn, { desired: new Map(batch.slice(i, i + 2000)), owns: () => false }, silentLogger);
      const objects = await keys(r.bucket);
      const error = await deploy(r, 'staging', build(62)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreBudgetExceeded);
      expect(String(error)).toMatch(
        /holds \d+ bytes; this release's routing table adds \d+: \d+ bytes, over CloudFront's 5242880-byte \(5 MB\) limit per store\. Nothing was uploaded or switched\. 1 release routing tables take \d+ bytes/,
      );
      expect(await keys(r.bucket)).toEqual(objects);
      expect(pointer(r, 'staging').l).toBe(`staging~${first.id}`);
    } finally {
      await r.edge.stop();
    }
  });
});
