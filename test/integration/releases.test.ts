// deploy-static mode: releases, end to end on the stand-ins: builds staged in moto's S3, routing
// tables and the live pointer written through the real SDK (SigV4A) to the KeyValueStore fake, and
// every page and chunk requested through the edge simulator running the published router.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { parseDeployStaticSettings } from '../../src/actions/deploy-static/settings.js';
import { silentLogger, type Logger } from '../../src/lib/log/logger.js';
import { deployRelease } from '../../src/lib/releases/deploy.js';
import { listReleases, rollback } from '../../src/lib/releases/manage.js';
import { ActivationConflict } from '../../src/lib/releases/pointer.js';
import { PoolConflict } from '../../src/lib/releases/stage.js';
import { releaseOutputs } from '../../src/actions/deploy-static/release-report.js';
import { createKvsClient, writeEntries } from '../../src/lib/router/store.js';
import { hostKey, hostValue } from '../../src/lib/router/table.js';
import { startEdgeSimulator, type EdgeSimulator } from '../support/edge-simulator.js';
import { inspector, motoEndpoint, newBucket, s3At, writeSite, type SiteFiles } from '../support/s3.js';

type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let kvs: FakeKvs;
beforeAll(async () => {
  kvs = await startFakeKvs();
});
afterAll(() => kvs.stop());

const cloudfront = new CloudFrontClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
const HOST = 'www.example.com';
const SITE = 'web';

const page = (title: string, script: string) => `<!doctype html><html><head><title>${title}</title><script type="module" src="/${script}"></script></head><body></body></html>`;
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
  s3.middlewareStack.add((next, context) => (args) => {
    commands.push(`${String(context.commandName)} ${(args.input as { Key?: string }).Key ?? ''}`);
    return next(args);
  }, { step: 'initialize' });
  return { s3, commands };
}

interface Site {
  bucket: string;
  arn: string;
  edge: EdgeSimulator;
}

async function newSite(): Promise<Site> {
  const bucket = await newBucket();
  const arn = kvs.createStore('router');
  await writeEntries(createKvsClient(kvs.endpoint), arn, { desired: new Map([[hostKey(HOST), hostValue({ host: HOST, site: SITE })]]), owns: () => false }, silentLogger);
  const edge = await startEdgeSimulator({ store: () => kvs.items(arn), s3: inspector(), bucket, listBucket: true });
  return { bucket, arn, edge };
}

function deploy(site: Site, files: SiteFiles, options: { s3?: S3Client; log?: Logger } = {}) {
  const dir = writeSite(files);
  const settings = parseDeployStaticSettings((name) => ({ source: dir, bucket: site.bucket, router: site.arn, site: SITE, mode: 'releases', endpoint: motoEndpoint(), 'force-path-style': 'true' })[name] ?? '');
  return deployRelease(settings, settings.routing!, { s3: options.s3 ?? s3At(motoEndpoint()), kvs: createKvsClient(kvs.endpoint), cloudfront, log: options.log ?? silentLogger });
}

const livePointer = (site: Site): string | undefined => (JSON.parse(kvs.items(site.arn).get(`s:${SITE}`) ?? '{}') as { l?: string }).l;
const target = (site: Site) => ({ bucket: site.bucket, prefix: '', site: SITE, storeArn: site.arn });
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
      expect(await keys(site.bucket)).toEqual([
        '.slipway/releases/' + first.id + '.json',
        '.slipway/releases-gc.json',
        `_releases/${first.id}/index.html`,
        `_releases/${first.id}/robots.txt`,
        'assets/chunk-C1d2e3f4.js',
        'assets/index-Bv1a2b3c.js',
      ].sort());

      const before = kvs.requests.length;
      const second = await deploy(site, v2);
      const updates = kvs.requests.slice(before).filter((r) => r.op === 'UpdateKeys');
      // The release's own table first (invisible), then the pointer alone, last.
      expect(updates.at(-1)?.puts).toEqual([`s:${SITE}`]);
      expect(updates.slice(0, -1).flatMap((u) => u.puts ?? []).every((k) => k.startsWith(`s:${SITE}~${second.id}`) || k.startsWith(`p:${SITE}~${second.id}:`))).toBe(true);
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
      const result = await rollback(target(site), deps(s3));
      expect(result).toEqual({ from: second.id, to: first.id, restoredTable: false });
      const writes = kvs.requests.slice(before).filter((r) => r.op !== 'DescribeKeyValueStore' && r.op !== 'GetKey' && r.op !== 'ListKeys');
      expect(writes.map((w) => [w.op, w.puts, w.deletes])).toEqual([['UpdateKeys', [`s:${SITE}`], []]]);
      // The store's lease (taken and given back) is the only object written.
      expect(commands.filter((c) => /Put|Copy|Upload|Delete/.test(c))).toEqual(['PutObjectCommand .slipway/lease.json', 'DeleteObjectCommand .slipway/lease.json']);
      expect(await title(site.edge)).toBe('200 v1');
      const listed = await listReleases(target(site), deps());
      expect(listed.map((r) => [r.id, r.live])).toEqual([[second.id, false], [first.id, true]]);
      // And forward again: the pointer remembers where it came from.
      expect((await rollback(target(site), deps())).to).toBe(second.id);
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
