// deploy-static mode: releases, end to end on the stand-ins: builds staged in moto's S3, routing
// tables and the live pointer written through the real SDK (SigV4A) to the KeyValueStore fake, and
// every page and chunk requested through the edge simulator running the published router. Every deploy
// verifies the staged release through the simulator over HTTP (verify-url), as it would through
// CloudFront, and waits until the simulator's edges serve it.
import { DeleteObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { parseDeployStaticSettings } from '../../src/actions/deploy-static/settings.js';
import { silentLogger, type Logger } from '../../src/lib/log/logger.js';
import { deployRelease } from '../../src/lib/releases/deploy.js';
import { listReleases, rollback } from '../../src/lib/releases/manage.js';
import { promote } from '../../src/lib/releases/promote.js';
import { ActivationConflict } from '../../src/lib/releases/pointer.js';
import { VerificationFailed } from '../../src/lib/releases/verify.js';
import { PoolConflict } from '../../src/lib/releases/stage.js';
import { releaseOutputs } from '../../src/actions/deploy-static/release-report.js';
import { verificationFailedSummary } from '../../src/lib/releases/verify-report.js';
import { createKvsClient, writeEntries } from '../../src/lib/router/store.js';
import { hostKey, hostValue } from '../../src/lib/router/table.js';
import { startEdgeSimulator, type EdgeOption, type EdgeSimulator } from '../support/edge-simulator.js';
import { inspector, motoEndpoint, newBucket, putObject, s3At, writeSite, type SiteFiles } from '../support/s3.js';
import { testEnvironment } from '../support/environment.js';

type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let kvs: FakeKvs;
beforeAll(async () => {
  kvs = await startFakeKvs();
});
afterAll(() => kvs.stop());

const cloudfront = new CloudFrontClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
const HOST = 'www.example.com';
const SITE = 'web';

const page = (title: string, script: string) =>
  `<!doctype html><html><head><title>${title}</title><script type="module" src="/${script}"></script></head><body></body></html>`;
const v1: SiteFiles = {
  'index.html': page('v1', 'assets/index-Bv1a2b3c.js'),
  'assets/index-Bv1a2b3c.js': 'import("./chunk-C1d2e3f4.js")',
  'assets/chunk-C1d2e3f4.js': 'console.log("v1 chunk")',
  'robots.txt': 'User-agent: *',
};
const v2: SiteFiles = {
  'index.html': page('v2', 'assets/index-Bv2x9y8z.js'),
  'assets/index-Bv2x9y8z.js': 'import("./chunk-C2q3w4e5.js")',
  'assets/chunk-C2q3w4e5.js': 'console.log("v2 chunk")',
  'robots.txt': 'User-agent: *',
};

/** An S3 client that records the commands it sends, with the key each names. */
function recordingS3(): { s3: S3Client; commands: string[] } {
  const s3 = s3At(motoEndpoint());
  const commands: string[] = [];
  s3.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(`${String(context.commandName)} ${(args.input as { Key?: string }).Key ?? ''}`);
      return next(args);
    },
    { step: 'initialize' },
  );
  return { s3, commands };
}

interface Site {
  bucket: string;
  arn: string;
  edge: EdgeSimulator;
}

/** @param edges POPs with their KeyValueStore propagation lag (default: one, no lag) */
async function newSite(edges?: EdgeOption[]): Promise<Site> {
  const bucket = await newBucket();
  const arn = kvs.createStore('router');
  await writeEntries(
    createKvsClient(kvs.endpoint),
    arn,
    { desired: new Map([[hostKey(HOST), hostValue({ host: HOST, site: SITE })]]), owns: () => false },
    silentLogger,
  );
  const edge = await startEdgeSimulator({
    store: () => kvs.items(arn),
    s3: inspector(),
    bucket,
    listBucket: true,
    ...(edges ? { edges, storeAt: (t: number) => kvs.itemsAt(arn, t) } : {}),
  });
  return { bucket, arn, edge };
}

/** Polls every 20 ms (a second on AWS), up to 10 s. */
const POLL_MS = 20;

function deploy(site: Site, files: SiteFiles, options: { s3?: S3Client; log?: Logger; inputs?: Record<string, string> } = {}) {
  const dir = writeSite(files);
  const inputs: Record<string, string> = {
    source: dir,
    bucket: site.bucket,
    router: site.arn,
    site: SITE,
    mode: 'releases',
    endpoint: motoEndpoint(),
    'force-path-style': 'true',
    'verify-url': site.edge.edgeUrl(HOST),
    ...options.inputs,
  };
  const settings = parseDeployStaticSettings((name) => inputs[name] ?? '', testEnvironment());
  const cdn = { wait: { confirmations: site.edge.pops.length, intervalMs: POLL_MS, timeoutMs: 10_000 } };
  return deployRelease(settings, settings.routing!, {
    s3: options.s3 ?? s3At(motoEndpoint()),
    kvs: createKvsClient(kvs.endpoint),
    cloudfront,
    log: options.log ?? silentLogger,
    cdn,
  });
}

const livePointer = (site: Site): string | undefined => (JSON.parse(kvs.items(site.arn).get(`s:${SITE}`) ?? '{}') as { l?: string }).l;
const target = (site: Site) => ({ bucket: site.bucket, prefix: '', site: SITE, storeArn: site.arn });
const cdnOf = (site: Site) => ({ wait: { confirmations: site.edge.pops.length, intervalMs: POLL_MS, timeoutMs: 10_000 } });
const deps = (s3: S3Client = s3At(motoEndpoint())) => ({ s3, kvs: createKvsClient(kvs.endpoint), cloudfront, log: silentLogger });

async function keys(bucket: string): Promise<string[]> {
  const out = await inspector().send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function title(edge: EdgeSimulator): Promise<string> {
  const r = await edge.get(HOST, '/');
  return `${r.status} ${/<title>([^<]*)<\/title>/.exec(r.body)?.[1] ?? r.body.slice(0, 20)}`;
}

async function script(edge: EdgeSimulator, path: string): Promise<string> {
  const r = await edge.get(HOST, path);
  return `${r.status} ${(r.headers.get('content-type') ?? '').split(';')[0]} ${r.body}`;
}

describe('deploy-static mode: releases', () => {
  it('v1 then v2: v2 goes live by one pointer write, a v1 page still open loads its chunks', async () => {
    const site = await newSite();
    try {
      const first = await deploy(site, v1);
      expect(first.previousId).toBe('');
      expect(first.url).toBe(`https://${HOST}/`);
      expect(await title(site.edge)).toBe('200 v1');
      expect(await keys(site.bucket)).toEqual(
        [
          '.slipway/releases/' + first.id + '.json',
          '.slipway/releases-gc.json',
          `_releases/${first.id}/index.html`,
          `_releases/${first.id}/robots.txt`,
          'assets/chunk-C1d2e3f4.js',
          'assets/index-Bv1a2b3c.js',
        ].sort(),
      );

      const before = kvs.requests.length;
      const second = await deploy(site, v2);
      const updates = kvs.requests.slice(before).filter((r) => r.op === 'UpdateKeys');
      // The release's own table first (invisible), then the pointer alone, last.
      expect(updates.at(-1)?.puts).toEqual([`s:${SITE}`]);
      expect(
        updates
          .slice(0, -1)
          .flatMap((u) => u.puts ?? [])
          .every((k) => k.startsWith(`s:${SITE}~${second.id}`) || k.startsWith(`p:${SITE}~${second.id}:`)),
      ).toBe(true);
      expect(second.previousId).toBe(first.id);
      expect(second.stage).toMatchObject({ uploaded: 3, copied: 1, poolReused: 0 });
      expect(await title(site.edge)).toBe('200 v2');
      // The v1 page a visitor still has open asks for its own chunks: served from the pool.
      expect(await script(site.edge, '/assets/index-Bv1a2b3c.js')).toBe('200 text/javascript import("./chunk-C1d2e3f4.js")');
      expect(await script(site.edge, '/assets/chunk-C1d2e3f4.js')).toBe('200 text/javascript console.log("v1 chunk")');
      expect(await script(site.edge, '/assets/chunk-C2q3w4e5.js')).toBe('200 text/javascript console.log("v2 chunk")');
      // Unknown chunks are a real 404, never the SPA's HTML.
      expect((await site.edge.get(HOST, '/assets/chunk-Gone1234.js')).status).toBe(404);
      expect(releaseOutputs(second)).toMatchObject({ 'release-id': second.id, 'previous-release-id': first.id, 'changed-paths': '[]' });
    } finally {
      await site.edge.stop();
    }
  });

  it('the same build deployed twice is the same release: nothing uploaded, nothing switched', async () => {
    const site = await newSite();
    try {
      const first = await deploy(site, v1);
      const { s3, commands } = recordingS3();
      const again = await deploy(site, v1, { s3 });
      expect(again.id).toBe(first.id);
      expect(again.switched).toBe(false);
      expect(again.stage?.reused).toBe(true);
      // Only Slipway's own small objects (the store's lease, the gc index): no file of the site.
      expect(commands.filter((c) => /Put|Copy|Upload/.test(c) && !c.includes(' .slipway/'))).toEqual([]);
    } finally {
      await site.edge.stop();
    }
  });

  it('rollback is one pointer write: no object bodies sent, the old release served again', async () => {
    const site = await newSite();
    try {
      const first = await deploy(site, v1);
      const second = await deploy(site, v2);
      const { s3, commands } = recordingS3();
      const before = kvs.requests.length;
      const result = await rollback(target(site), { ...deps(s3), cdn: cdnOf(site) }, undefined, { verifyUrl: site.edge.edgeUrl(HOST) });
      expect(result).toMatchObject({
        from: second.id,
        to: first.id,
        restoredTable: false,
        verification: { problems: [] },
        propagation: { served: true },
      });
      const writes = kvs.requests.slice(before).filter((r) => r.op !== 'DescribeKeyValueStore' && r.op !== 'GetKey' && r.op !== 'ListKeys');
      expect(writes.map((w) => [w.op, w.puts, w.deletes])).toEqual([['UpdateKeys', [`s:${SITE}`], []]]);
      // The store's lease (taken and given back) is the only object written.
      expect(commands.filter((c) => /Put|Copy|Upload|Delete/.test(c))).toEqual([
        'PutObjectCommand .slipway/lease.json',
        'DeleteObjectCommand .slipway/lease.json',
      ]);
      expect(await title(site.edge)).toBe('200 v1');
      const listed = await listReleases(target(site), deps());
      expect(listed.map((r) => [r.id, r.live])).toEqual([
        [second.id, false],
        [first.id, true],
      ]);
      // And forward again: the pointer remembers where it came from.
      expect((await rollback(target(site), deps(), undefined, { verify: false })).to).toBe(second.id);
      expect(await title(site.edge)).toBe('200 v2');
    } finally {
      await site.edge.stop();
    }
  });

  it('two deploys activating at once: one wins, the other fails cleanly, the site serves the winner', async () => {
    const site = await newSite();
    try {
      await deploy(site, v1);
      // Both deploys reach the switch before either writes it.
      let arrived = 0;
      let release!: () => void;
      const barrier = new Promise<void>((resolve) => (release = resolve));
      const gated: Logger = {
        ...silentLogger,
        group: async (title, fn) => {
          if (title.startsWith('Activate')) {
            if (++arrived === 2) release();
            await barrier;
          }
          return fn();
        },
      };
      const a = { ...v2, 'index.html': page('A', 'assets/index-Bv2x9y8z.js') };
      const b = { ...v2, 'index.html': page('B', 'assets/index-Bv2x9y8z.js') };
      const results = await Promise.allSettled([deploy(site, a, { log: gated }), deploy(site, b, { log: gated })]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ActivationConflict);
      expect(String((lost[0] as PromiseRejectedResult).reason)).toMatch(/another deploy activated first\). Nothing was switched/);
      const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof deploy>>>).value;
      expect(livePointer(site)).toBe(`${SITE}~${winner.id}`);
      expect(await title(site.edge)).toBe(results[0].status === 'fulfilled' ? '200 A' : '200 B');
    } finally {
      await site.edge.stop();
    }
  });

  it('the pool refuses to overwrite an immutable key with different bytes, before writing anything', async () => {
    const site = await newSite();
    try {
      const first = await deploy(site, v1);
      const stateBefore = await keys(site.bucket);
      const storeBefore = new Map(kvs.items(site.arn));
      const changed = { ...v2, 'assets/chunk-C1d2e3f4.js': 'console.log("same name, other bytes")' };
      await expect(deploy(site, changed)).rejects.toThrow(PoolConflict);
      await expect(deploy(site, changed)).rejects.toThrow(/different bytes: assets\/chunk-C1d2e3f4\.js\./);
      expect(await keys(site.bucket)).toEqual(stateBefore);
      expect(kvs.items(site.arn)).toEqual(storeBefore);
      expect(await script(site.edge, '/assets/chunk-C1d2e3f4.js')).toBe('200 text/javascript console.log("v1 chunk")');
      expect(livePointer(site)).toBe(`${SITE}~${first.id}`);
    } finally {
      await site.edge.stop();
    }
  });
});

describe('rollback verifies its target through the CDN first', () => {
  // v1 and v2 staged without verification, so the edge has cached nothing of v1 when it is broken.
  const noVerify = { inputs: { verify: 'false' } };

  it.each([
    [
      'a chunk deleted from S3',
      (bucket: string) => inspector().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'assets/index-Bv1a2b3c.js' })),
      'answered 404, expected 200',
    ],
    [
      'a script served as text/html',
      (bucket: string) =>
        putObject(bucket, 'assets/index-Bv1a2b3c.js', v1['assets/index-Bv1a2b3c.js']!, {
          ContentType: 'text/html',
          CacheControl: 'public, max-age=31536000, immutable',
        }),
      'a script served as text/html (browsers refuse to run it)',
    ],
  ])('to a release with %s: verification fails, the pointer is unchanged', async (_name, breakIt, problem) => {
    const site = await newSite();
    try {
      await deploy(site, v1, noVerify);
      const second = await deploy(site, v2, noVerify);
      await breakIt(site.bucket);
      const pointer = kvs.items(site.arn).get(`s:${SITE}`);
      const before = kvs.requests.length;
      const error = await rollback(target(site), { ...deps(), cdn: cdnOf(site) }, undefined, { verifyUrl: site.edge.edgeUrl(HOST) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(VerificationFailed);
      expect((error as VerificationFailed).report.problems).toEqual([
        { url: `${site.edge.edgeUrl(HOST)}assets/index-Bv1a2b3c.js`, from: '/', problem },
      ]);
      expect(kvs.requests.slice(before).filter((r) => r.op === 'UpdateKeys')).toEqual([]);
      expect(kvs.items(site.arn).get(`s:${SITE}`)).toBe(pointer);
      expect(livePointer(site)).toBe(`${SITE}~${second.id}`);
      expect(await title(site.edge)).toBe('200 v2');
    } finally {
      await site.edge.stop();
    }
  });

  it('a good target is verified, switched, and waited for until every edge serves it', async () => {
    const site = await newSite([
      { pop: 'FRA56-P1', lagMs: 0 },
      { pop: 'IAD89-P2', lagMs: 300 },
    ]);
    try {
      const first = await deploy(site, v1, noVerify);
      // Verified and waited for: every POP serves v2 before the rollback starts.
      const second = await deploy(site, v2);
      const result = await rollback(target(site), { ...deps(), cdn: cdnOf(site) }, undefined, { verifyUrl: site.edge.edgeUrl(HOST) });
      expect(result).toMatchObject({
        from: second.id,
        to: first.id,
        verification: { pages: 1, references: 1, problems: [] },
        propagation: { served: true },
      });
      // The slower POP sees the pointer 300 ms after the write: that is the time reported.
      expect(result.propagation!.ms).toBeGreaterThanOrEqual(300 - 2 * POLL_MS);
      expect(result.propagation!.pops).toEqual({ 'FRA56-P1': first.id, 'IAD89-P2': first.id });
      expect(livePointer(site)).toBe(`${SITE}~${first.id}`);
    } finally {
      await site.edge.stop();
    }
  });

  it('promote verifies too: through a host of the site whose table the pointer links to; a broken release is not promoted', async () => {
    const site = await newSite();
    try {
      const first = await deploy(site, v1, noVerify);
      const production = { ...target(site), site: 'production' };
      // No host maps to production: its pointer will link to web's table, verified through web's host
      // (production's, with web~<id>, would be a 403: the router looks the token up in <host's site>~<id>).
      await inspector().send(new DeleteObjectCommand({ Bucket: site.bucket, Key: 'assets/index-Bv1a2b3c.js' }));
      const error = await promote(target(site), production, { ...deps(), cdn: cdnOf(site) }, undefined, {
        verifyUrl: site.edge.edgeUrl(HOST),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(VerificationFailed);
      expect((error as VerificationFailed).report.problems.map((p) => p.problem)).toEqual(['answered 404, expected 200']);
      expect(kvs.items(site.arn).has('s:production')).toBe(false);
      await putObject(site.bucket, 'assets/index-Bv1a2b3c.js', v1['assets/index-Bv1a2b3c.js']!, {
        ContentType: 'text/javascript; charset=utf-8',
        CacheControl: 'public, max-age=31536000, immutable',
      });
      const promoted = await promote(target(site), production, { ...deps(), cdn: cdnOf(site) }, undefined, {
        verifyUrl: site.edge.edgeUrl(HOST),
      });
      expect(promoted).toMatchObject({
        mode: 'pointer',
        id: first.id,
        switched: true,
        verification: { url: site.edge.edgeUrl(HOST), problems: [] },
      });
      expect(promoted.propagation).toBeUndefined();
      expect(JSON.parse(kvs.items(site.arn).get('s:production')!)).toEqual({ l: `${SITE}~${first.id}` });
    } finally {
      await site.edge.stop();
    }
  });

  it("promote by pointer with to-url: verified through from's host, then waited for on to's own URL until every POP serves it", async () => {
    const lag: EdgeOption[] = [
      { pop: 'NEAR', lagMs: 0 },
      { pop: 'FAR', lagMs: 300 },
    ];
    const site = await newSite(lag);
    try {
      const PROD = 'prod.example.com';
      await writeEntries(
        createKvsClient(kvs.endpoint),
        site.arn,
        { desired: new Map([[hostKey(PROD), hostValue({ host: PROD, site: 'production' })]]), owns: () => false },
        silentLogger,
      );
      const first = await deploy(site, v1);
      const production = { ...target(site), site: 'production' };
      const before = site.edge.requests.length;
      const promoted = await promote(target(site), production, { ...deps(), cdn: cdnOf(site) }, undefined, {
        verifyUrl: site.edge.edgeUrl(HOST),
        toUrl: site.edge.edgeUrl(PROD),
      });
      expect(promoted).toMatchObject({ mode: 'pointer', id: first.id, verification: { problems: [] }, propagation: { served: true } });
      expect(promoted.propagation!.ms).toBeGreaterThanOrEqual(200);
      expect(Object.keys(promoted.propagation!.pops).sort()).toEqual(['FAR', 'NEAR']);
      // Verification went to web's host with the token; the wait to production's host, without.
      const asked = site.edge.requests.slice(before);
      expect(new Set(asked.filter((q) => q.verify).map((q) => q.host))).toEqual(new Set([HOST]));
      expect(new Set(asked.filter((q) => !q.verify).map((q) => `${q.host} ${q.path}`))).toEqual(new Set([`${PROD} /_slipway/release`]));
      expect((await site.edge.get(PROD, '/', { pop: 'FAR' })).body).toContain('<title>v1</title>');
    } finally {
      await site.edge.stop();
    }
  });

  it('verify: false switches without a request through the CDN; without it, no host and no verify-url fails naming verify-url', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('router');
    const bare: Site = { bucket, arn, edge: { edgeUrl: () => 'http://127.0.0.1:9/', pops: ['X'] } as unknown as EdgeSimulator };
    const first = await deploy(bare, v1, { inputs: { verify: 'false', 'verify-url': '' } });
    const second = await deploy(bare, v2, { inputs: { verify: 'false', 'verify-url': '' } });
    const before = kvs.requests.length;
    await expect(rollback(target(bare), deps())).rejects.toThrow(
      /Input 'verify-url' must be set: the router maps no host to site web, so there is no URL to verify release [0-9a-f]{16} through \(or set verify: false\)/,
    );
    expect(kvs.requests.slice(before).filter((r) => r.op === 'UpdateKeys')).toEqual([]);
    let requested = 0;
    const result = await rollback(
      target(bare),
      { ...deps(), cdn: { get: () => (requested++, Promise.reject(new Error('no CDN'))) } },
      undefined,
      { verify: false },
    );
    expect(result).toEqual({ from: second.id, to: first.id, restoredTable: false });
    expect(requested).toBe(0);
  });
});

describe('verification through the CDN, before the switch', () => {
  const tokenOf = (site: Site, id: string): string => (JSON.parse(kvs.items(site.arn).get(`s:${SITE}~${id}`)!) as { k: string }).k;

  async function failedVerification(site: Site, files: SiteFiles, inputs: Record<string, string> = {}): Promise<VerificationFailed> {
    const error = await deploy(site, files, { inputs }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VerificationFailed);
    return error as VerificationFailed;
  }

  it.each([
    [
      'a script served as text/html',
      {},
      { 'content-type': 'assets/index-*.js=text/html' },
      '/assets/index-Bv2x9y8z.js',
      'a script served as text/html (browsers refuse to run it)',
    ],
    [
      'a missing chunk',
      {
        'index.html': page('v2', 'assets/index-Bv2x9y8z.js').replace(
          '</head>',
          '<link rel="modulepreload" href="/assets/chunk-Missing9.js"></head>',
        ),
      },
      {},
      '/assets/chunk-Missing9.js',
      'answered 404, expected 200',
    ],
  ])('catches %s; nothing switches, v1 still served', async (_name, change, inputs, path, problem) => {
    const site = await newSite();
    try {
      const first = await deploy(site, v1);
      const failed = await failedVerification(site, { ...v2, ...change }, inputs);
      expect(failed.report.problems).toEqual([{ url: `${site.edge.edgeUrl(HOST).slice(0, -1)}${path}`, from: '/', problem }]);
      expect(livePointer(site)).toBe(`${SITE}~${first.id}`);
      expect(await title(site.edge)).toBe('200 v1');
      const summary = verificationFailedSummary(SITE, failed.id, failed.report);
      expect(summary).toContain(`${path}\``);
      expect(summary).toContain('nothing was switched, the live release is unchanged');
    } finally {
      await site.edge.stop();
    }
  });

  it('catches a wrong Cache-Control (a pool file another tool left with the same bytes); nothing switches', async () => {
    const site = await newSite();
    try {
      const first = await deploy(site, v1);
      // Same bytes, so the pool reuses it, but not the headers the rules give a hashed chunk.
      await putObject(site.bucket, 'assets/index-Bv2x9y8z.js', v2['assets/index-Bv2x9y8z.js']!, {
        CacheControl: 'no-cache',
        ContentType: 'text/javascript; charset=utf-8',
      });
      const failed = await failedVerification(site, v2);
      expect(failed.report.problems).toEqual([
        {
          url: `${site.edge.edgeUrl(HOST)}assets/index-Bv2x9y8z.js`,
          from: '/',
          problem: 'Cache-Control "no-cache", expected "public, max-age=31536000, immutable"',
        },
      ]);
      expect(livePointer(site)).toBe(`${SITE}~${first.id}`);
      expect(await title(site.edge)).toBe('200 v1');
    } finally {
      await site.edge.stop();
    }
  });

  it('the staged release is served only with its token: the public gets the live one, a wrong token a 403', async () => {
    const site = await newSite();
    try {
      await deploy(site, v1);
      const failed = await failedVerification(site, v2, { 'content-type': 'assets/index-*.js=text/html' });
      const staged = (token: string) => site.edge.get(HOST, '/', { headers: { 'x-slipway-verify': `${failed.id}.${token}` } });
      const right = await staged(tokenOf(site, failed.id));
      expect([right.status, /<title>(v\d)/.exec(right.body)?.[1]]).toEqual([200, 'v2']);
      expect((await staged('A'.repeat(32))).status).toBe(403);
      expect(
        (await site.edge.get(HOST, '/', { headers: { 'x-slipway-verify': `${'0'.repeat(16)}.${tokenOf(site, failed.id)}` } })).status,
      ).toBe(403);
      expect(await title(site.edge)).toBe('200 v1');
      const release = await site.edge.get(HOST, '/_slipway/release');
      expect([release.status, release.headers.get('cache-control')]).toEqual([200, 'no-store']);
    } finally {
      await site.edge.stop();
    }
  });

  it('with no verify-url and no host mapped to the site, the deploy fails naming verify-url before writing anything', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('router');
    const edge = await startEdgeSimulator({ store: () => kvs.items(arn), s3: inspector(), bucket });
    try {
      await expect(deploy({ bucket, arn, edge }, v1, { inputs: { 'verify-url': '' } })).rejects.toThrow(
        /Input 'verify-url' must be set: the router maps no host to site web, so there is no URL to verify the release through \(or set verify: false\)/,
      );
      expect(await keys(bucket)).toEqual([]);
      expect(kvs.items(arn).size).toBe(0);
    } finally {
      await edge.stop();
    }
  });

  it('verify: false switches without fetching anything through the CDN', async () => {
    const site = await newSite();
    try {
      await deploy(site, v1);
      const before = site.edge.originFetches.length;
      const second = await deploy(site, { ...v2 }, { inputs: { verify: 'false', 'content-type': 'assets/index-*.js=text/html' } });
      expect(site.edge.originFetches.length).toBe(before);
      expect([second.verification, second.propagation]).toEqual([undefined, undefined]);
      expect(livePointer(site)).toBe(`${SITE}~${second.id}`);
    } finally {
      await site.edge.stop();
    }
  });
});

describe('activation with per-edge propagation lag', () => {
  // Three POPs that see each store write 0, 150 and 400 ms late: AWS's "within seconds", scaled down.
  const EDGES: EdgeOption[] = [
    { pop: 'IAD89-C1', lagMs: 0 },
    { pop: 'FRA56-P2', lagMs: 150 },
    { pop: 'NRT57-C3', lagMs: 400 },
  ];
  const SLOWEST = 400;

  /** A visitor's page load at random POPs (the page at one, each file at another): what it got. */
  async function pageLoad(edge: EdgeSimulator): Promise<string> {
    const at = () => EDGES[Math.floor(Math.random() * EDGES.length)]!.pop;
    const html = await edge.get(HOST, '/', { pop: at() });
    const version = /<title>(v\d)<\/title>/.exec(html.body)?.[1];
    const src = /<script type="module" src="([^"]+)"/.exec(html.body)?.[1];
    if (html.status !== 200 || !version || !src) return `page ${html.status} ${html.body.slice(0, 40)}`;
    const entry = await edge.get(HOST, src, { pop: at() });
    const chunk = /import\("\.\/([^"]+)"\)/.exec(entry.body)?.[1];
    if (entry.status !== 200 || !(entry.headers.get('content-type') ?? '').startsWith('text/javascript') || !chunk)
      return `${version} entry ${entry.status} ${entry.headers.get('content-type')}`;
    const loaded = await edge.get(HOST, `/assets/${chunk}`, { pop: at() });
    return loaded.status === 200 && loaded.body === `console.log("${version} chunk")`
      ? version
      : `${version} chunk ${loaded.status} ${loaded.body.slice(0, 40)}`;
  }

  it('every page load during and after the switch is one whole release, never a mix', async () => {
    const site = await newSite(EDGES);
    try {
      await deploy(site, v1);
      const loads: string[] = [];
      let deploying = true;
      const visitors = Array.from({ length: 4 }, async () => {
        while (deploying) loads.push(await pageLoad(site.edge));
        for (let i = 0; i < 10; i++) loads.push(await pageLoad(site.edge));
      });
      const second = await deploy(site, v2).finally(() => (deploying = false));
      await Promise.all(visitors);
      expect(second.switched).toBe(true);
      expect(loads.filter((l) => l !== 'v1' && l !== 'v2')).toEqual([]);
      expect(loads).toContain('v1');
      // The deploy returned after every POP served v2, so every later load is v2.
      expect(loads.slice(-40)).toEqual(Array(40).fill('v2'));
    } finally {
      await site.edge.stop();
    }
  });

  it('the wait after the switch ends when every POP answers the new id; the time reported is the slowest POP lag', async () => {
    const site = await newSite(EDGES);
    try {
      await deploy(site, v1);
      const second = await deploy(site, v2);
      const p = second.propagation!;
      expect(p.served).toBe(true);
      expect(p.pops).toEqual(Object.fromEntries(EDGES.map((e) => [e.pop, second.id])));
      expect(p.ms).toBeGreaterThanOrEqual(SLOWEST - EDGES.length * POLL_MS);
      expect(p.ms).toBeLessThan(SLOWEST + 500);
      for (const e of EDGES) expect((await site.edge.get(HOST, '/_slipway/release', { pop: e.pop })).body).toBe(second.id);
      expect(releaseOutputs(second)['propagation-ms']).toBe(String(p.ms));
      // Verification waited for the staged table to reach every POP too (else the slow one answers 403).
      expect(second.verification?.problems).toEqual([]);
      expect(second.verification!.waitMs).toBeGreaterThanOrEqual(SLOWEST - EDGES.length * POLL_MS);
    } finally {
      await site.edge.stop();
    }
  });
});
