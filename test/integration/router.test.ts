// deploy-static with a router, end to end: real framework layouts uploaded to moto's S3, the
// routing table written through the real SDK (SigV4A) to the KeyValueStore stand-in, and every
// page, asset and 404 requested through the edge simulator.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { parseDeployStaticSettings } from '../../src/actions/deploy-static/settings.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import { deployWithRouter } from '../../src/lib/router/routed-deploy.js';
import { createKvsClient, UPDATE_BATCH, writeEntries } from '../../src/lib/router/store.js';
import { hostKey, hostValue, LIMITS, type HostRule } from '../../src/lib/router/table.js';
import { syncSite } from '../../src/lib/s3-sync/sync.js';
import { startEdgeSimulator, type EdgeSimulator } from '../support/edge-simulator.js';
import { astroSite, craSpa, nextExport, viteSpa } from '../support/framework-builds.js';
import { inspector, motoEndpoint, newBucket, s3At, writeSite, type SiteFiles } from '../support/s3.js';
import { testEnvironment } from '../support/environment.js';

type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let kvs: FakeKvs;
beforeAll(async () => {
  kvs = await startFakeKvs();
});
afterAll(() => kvs.stop());

const cloudfront = new CloudFrontClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });

async function setHosts(arn: string, rules: HostRule[]): Promise<void> {
  await writeEntries(
    createKvsClient(kvs.endpoint),
    arn,
    { desired: new Map(rules.map((r) => [hostKey(r.host), hostValue(r)])), owns: () => false },
    silentLogger,
  );
}

interface Deploy {
  files: SiteFiles;
  bucket: string;
  arn: string;
  prefix?: string;
  site?: string;
  slash?: string;
}

async function deploy(d: Deploy) {
  const dir = writeSite(d.files);
  const settings = parseDeployStaticSettings(
    (name) =>
      ({
        source: dir,
        bucket: d.bucket,
        prefix: d.prefix ?? '',
        router: d.arn,
        site: d.site ?? '',
        'trailing-slash': d.slash ?? '',
        endpoint: motoEndpoint(),
        'force-path-style': 'true',
      })[name],
    testEnvironment(),
  );
  const s3 = s3At(motoEndpoint());
  return deployWithRouter(settings, settings.routing, { s3, kvs: createKvsClient(kvs.endpoint), cloudfront, log: silentLogger }, () =>
    syncSite(settings, { client: s3, log: silentLogger }),
  );
}

async function siteBehindEdge(
  files: SiteFiles,
  options: { prefix?: string; site?: string; host?: string; slash?: string; listBucket?: boolean } = {},
): Promise<{ edge: EdgeSimulator; arn: string; bucket: string; host: string }> {
  const bucket = await newBucket();
  const arn = kvs.createStore('router');
  const host = options.host ?? 'www.example.com';
  const result = await deploy({ files, bucket, arn, ...options });
  await setHosts(arn, [{ host, site: result.routed!.table.site }]);
  const edge = await startEdgeSimulator({ store: () => kvs.items(arn), s3: inspector(), bucket, listBucket: options.listBucket ?? true });
  return { edge, arn, bucket, host };
}

/** status, content-type family and the <title> (or the first bytes) of what a browser gets. */
async function browse(edge: EdgeSimulator, host: string, path: string): Promise<string> {
  const r = await edge.get(host, path);
  const type = (r.headers.get('content-type') ?? '').split(';')[0];
  const title = /<title>([^<]*)<\/title>/.exec(r.body)?.[1];
  const location = r.headers.get('location');
  return `${r.status} ${location ?? type} ${title ?? r.body.slice(0, 12)}`.trim();
}

describe('framework builds through the edge', () => {
  it('Next.js export: every page (about.html layout), asset and 404', async () => {
    const { edge, host } = await siteBehindEdge(nextExport);
    try {
      expect(await browse(edge, host, '/')).toBe('200 text/html Next home');
      expect(await browse(edge, host, '/about')).toBe('200 text/html Next about');
      expect(await browse(edge, host, '/about/')).toBe('200 text/html Next about');
      expect(await browse(edge, host, '/blog/hello')).toBe('200 text/html Next blog post');
      expect(await browse(edge, host, '/_next/static/chunks/main-4c3b2a1d.js')).toBe('200 text/javascript next()');
      expect(await browse(edge, host, '/about.txt')).toBe('200 text/plain rsc payload');
      expect(await browse(edge, host, '/missing')).toBe('404 text/html Next 404');
      expect(await browse(edge, host, '/blog/nope')).toBe('404 text/html Next 404');
      // A missing chunk is a real 404, never HTML.
      expect(await browse(edge, host, '/_next/static/chunks/gone-00000000.js')).toMatch(/^404 application\/xml/);
      expect(await browse(edge, host, '/.slipway/manifest.json')).toBe('404 text/plain Not Found');
    } finally {
      await edge.stop();
    }
  });

  it('Astro: about/index.html layout, trailing-slash always with 308s', async () => {
    const { edge, host } = await siteBehindEdge(astroSite, { slash: 'always' });
    try {
      expect(await browse(edge, host, '/')).toBe('200 text/html Astro home');
      expect(await browse(edge, host, '/about/')).toBe('200 text/html Astro about');
      expect(await browse(edge, host, '/about')).toBe('308 /about/');
      expect(await browse(edge, host, '/blog/hello/')).toBe('200 text/html Astro blog post');
      expect(await browse(edge, host, '/_astro/client.D5e6f7g8.js')).toBe('200 text/javascript astro()');
      expect(await browse(edge, host, '/nope/')).toBe('404 text/html Astro 404');
      expect(await browse(edge, host, '/_astro/gone.js')).toMatch(/^404 application\/xml/);
    } finally {
      await edge.stop();
    }
  });

  it.each([
    ['Vite', viteSpa, '/assets/index-BvK3fS2a.js', 'Vite SPA'],
    ['CRA', craSpa, '/static/js/main.8a3f1c2b.js', 'CRA'],
  ])('%s SPA: routes get index.html, assets themselves, a missing chunk a 404 (never HTML)', async (_name, files, asset, title) => {
    const { edge, host } = await siteBehindEdge(files);
    try {
      for (const route of ['/', '/users/42', '/settings/profile/']) expect(await browse(edge, host, route)).toBe(`200 text/html ${title}`);
      expect(await browse(edge, host, asset)).toMatch(/^200 text\/javascript/);
      expect(await browse(edge, host, '/assets/index-OLD00000.js')).toMatch(/^404 application\/xml/);
    } finally {
      await edge.stop();
    }
  });

  it('without s3:ListBucket a missing asset is the 403 S3 gives an OAC: still never a page', async () => {
    const { edge, host } = await siteBehindEdge(viteSpa, { listBucket: false });
    try {
      expect(await browse(edge, host, '/assets/index-OLD00000.js')).toMatch(/^403 application\/xml/);
    } finally {
      await edge.stop();
    }
  });

  it('_redirects and _headers of an Astro build work at the edge', async () => {
    const files = {
      ...astroSite,
      _redirects: '/old-about /about 301\n/blog/* /posts/:splat 302\n/docs/* /about 200\n/go https://example.org/x 307\n',
      _headers: '/*\n  X-Frame-Options: DENY\n/about\n  X-Robots-Tag: noindex\n',
    };
    const { edge, host } = await siteBehindEdge(files);
    try {
      expect(await browse(edge, host, '/old-about')).toBe('301 /about');
      // A page shadows an unforced pattern rule (Netlify semantics); other paths take it.
      expect(await browse(edge, host, '/blog/hello')).toBe('200 text/html Astro blog post');
      expect(await browse(edge, host, '/blog/other?x=1')).toBe('302 /posts/other?x=1');
      expect(await browse(edge, host, '/docs/anything')).toBe('200 text/html Astro about');
      expect(await browse(edge, host, '/go')).toBe('307 https://example.org/x');
      const about = await edge.get(host, '/about');
      expect(about.headers.get('x-frame-options')).toBe('DENY');
      expect(about.headers.get('x-robots-tag')).toBe('noindex');
      expect((await edge.get(host, '/')).headers.get('x-robots-tag')).toBeNull();
      expect((await edge.get(host, '/_astro/client.D5e6f7g8.js')).headers.get('x-frame-options')).toBe('DENY');
    } finally {
      await edge.stop();
    }
  });

  it('a Next.js export preview routes under its PR prefix on its own host', async () => {
    const { edge, host, arn, bucket } = await siteBehindEdge(nextExport, { prefix: 'pr-7/', host: 'pr-7.preview.example.com' });
    try {
      expect(kvs.items(arn).get('h:pr-7.preview.example.com')).toBe(`{"s":"${bucket}/pr-7"}`);
      expect(await browse(edge, host, '/about')).toBe('200 text/html Next about');
      expect(await browse(edge, host, '/blog/hello')).toBe('200 text/html Next blog post');
      expect(await browse(edge, host, '/nope')).toBe('404 text/html Next 404');
      expect(edge.originFetches).toContain('/pr-7/about.html');
      expect(await browse(edge, 'pr-8.preview.example.com', '/about')).toBe('404 text/plain Not Found');
    } finally {
      await edge.stop();
    }
  });
});

describe('deploy-time checks, before any upload', () => {
  it.each([
    ['an ambiguous layout', { 'index.html': 'a', 'docs.html': 'one', 'docs/index.html': 'two' }, /docs\.html and docs\/index\.html/],
    ['a bad _redirects line', { 'index.html': 'a', _redirects: '/a /b\n/c /d 999\n' }, /_redirects line 2: status "999"/],
    ['a bad _headers line', { 'index.html': 'a', _headers: '/*\n  Content-Length: 1\n' }, /_headers line 2: header content-length/],
  ])('%s fails the deploy and leaves the bucket and the store alone', async (_name, files, message) => {
    const bucket = await newBucket();
    const arn = kvs.createStore('router');
    await expect(deploy({ files, bucket, arn })).rejects.toThrow(message);
    expect((await inspector().send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
    expect(kvs.items(arn).size).toBe(0);
  });

  it('identical a.html and a/index.html are fine', async () => {
    const bucket = await newBucket();
    const result = await deploy({
      files: { 'index.html': 'a', 'docs.html': 'same', 'docs/index.html': 'same' },
      bucket,
      arn: kvs.createStore('router'),
    });
    expect(result.routed!.table.layout.pages.get('/docs')).toBe('docs.html');
  });
});

describe('writing the table', () => {
  it('the site defaults to bucket/prefix; a redeploy removes the pages that left the build and keeps other sites', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('router');
    await setHosts(arn, [{ host: 'a.example.com', site: 'other' }]);
    kvs.writeBehind(arn, 's:other', '{"p":"","m":"spa","t":"keep","r":0,"h":0}');
    await deploy({ files: astroSite, bucket, arn, prefix: 'web/' });
    const site = `${bucket}/web`;
    expect(kvs.items(arn).get(`p:${site}:/about`)).toBe('{"f":"about/index.html"}');
    const files: SiteFiles = Object.fromEntries(Object.entries(astroSite).filter(([k]) => k !== 'about/index.html'));
    const second = await deploy({ files, bucket, arn, prefix: 'web/' });
    expect(second.routed!.write).toMatchObject({ put: 0, deleted: 1 });
    expect(kvs.items(arn).has(`p:${site}:/about`)).toBe(false);
    expect(kvs.items(arn).get('s:other')).toBeDefined();
    expect(kvs.items(arn).get('h:a.example.com')).toBe('{"s":"other"}');
  });

  it('writes in batches of at most 50 keys, the site config last, each If-Match the latest ETag', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('router');
    const pages = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`p${i}.html`, `page ${i}`]));
    const before = kvs.requests.length;
    const result = await deploy({ files: { 'index.html': 'home', ...pages }, bucket, arn, site: 'big' });
    expect(result.routed!.write).toMatchObject({ put: 122, deleted: 0, conflicts: 0 });
    const updates = kvs.requests.slice(before).filter((r) => r.op === 'UpdateKeys');
    expect(updates).toHaveLength(Math.ceil(122 / UPDATE_BATCH));
    expect(updates.every((u) => u.status === 200 && (u.puts?.length ?? 0) <= UPDATE_BATCH)).toBe(true);
    // The config key that makes the site routable goes last, after every page it points to.
    expect(updates.at(-1)!.puts!.at(-1)).toBe('s:big');
    expect(updates.flatMap((u) => u.puts ?? []).indexOf('s:big')).toBe(121);
    expect(kvs.items(arn).get('s:big')).toBeDefined();
  });

  it('puts the `last` key after every other, whatever the order it was given in', async () => {
    const arn = kvs.createStore('router');
    const before = kvs.requests.length;
    const desired = new Map([
      ['s:x', '{}'],
      ['p:x:/a', '{"f":"a.html"}'],
      ['p:x:/b', '{"f":"b.html"}'],
    ]);
    await writeEntries(createKvsClient(kvs.endpoint), arn, { desired, owns: (k) => k.includes('x'), last: 's:x' }, silentLogger);
    expect(kvs.requests.slice(before).find((r) => r.op === 'UpdateKeys')!.puts).toEqual(['p:x:/a', 'p:x:/b', 's:x']);
  });

  it('retries with a fresh ETag when another writer changed the store (409 on the stale If-Match)', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('router');
    let raced = false;
    kvs.faults.plan((req) => {
      if (req.method === 'POST' && !raced) {
        raced = true;
        kvs.writeBehind(arn, 'h:racer.example.com', '{"s":"racer"}');
      }
      return undefined;
    });
    try {
      const result = await deploy({ files: nextExport, bucket, arn, site: 'raced' });
      expect(result.routed!.write!.conflicts).toBe(1);
      expect(kvs.requests.some((r) => r.op === 'UpdateKeys' && r.status === 409)).toBe(true);
      expect(kvs.items(arn).get('p:raced:/about')).toBe('{"f":"about.html"}');
      expect(kvs.items(arn).get('h:racer.example.com')).toBe('{"s":"racer"}');
    } finally {
      kvs.faults.clear();
    }
  });

  it('refuses, before writing, a table that would take the store over 5 MB', async () => {
    const arn = kvs.createStore('router');
    const desired = new Map(Array.from({ length: 5200 }, (_, i) => [`p:huge:/page-${i}`, 'x'.repeat(1000)]));
    const before = kvs.requests.length;
    await expect(
      writeEntries(createKvsClient(kvs.endpoint), arn, { desired, owns: (k) => k.startsWith('p:huge:') }, silentLogger),
    ).rejects.toThrow(/would hold \d+ bytes after this write; CloudFront allows 5242880/);
    expect(kvs.requests.slice(before).filter((r) => r.op === 'UpdateKeys')).toHaveLength(0);
    expect(LIMITS.storeBytes).toBe(5 * 1024 * 1024);
  });

  it('the stand-in refuses what CloudFront refuses: stale If-Match, unsigned requests, oversize keys and batches', async () => {
    const arn = kvs.createStore('router');
    const client = createKvsClient(kvs.endpoint);
    const { UpdateKeysCommand, PutKeyCommand } = await import('@aws-sdk/client-cloudfront-keyvaluestore');
    await expect(
      client.send(new UpdateKeysCommand({ KvsARN: arn, IfMatch: 'KVSTALE', Puts: [{ Key: 'a', Value: 'b' }] })),
    ).rejects.toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 409 } });
    const etag = kvs.etag(arn);
    await expect(client.send(new PutKeyCommand({ KvsARN: arn, IfMatch: etag, Key: 'k'.repeat(513), Value: 'v' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(client.send(new PutKeyCommand({ KvsARN: arn, IfMatch: etag, Key: 'k', Value: 'v'.repeat(1025) }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      client.send(
        new UpdateKeysCommand({ KvsARN: arn, IfMatch: etag, Puts: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }),
      ),
    ).rejects.toMatchObject({ name: 'ServiceQuotaExceededException' });
    const unsigned = await fetch(`${kvs.endpoint}/key-value-stores/${encodeURIComponent(arn)}`);
    expect(unsigned.status).toBe(403);
  });
});
