// Support for the crash-and-rerun test: a seeded SPA-like site in two versions, a watcher that
// checks, while a deploy runs, that every HTML page in the bucket has its assets there, and a
// snapshot of how far a killed deploy got.
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { seededRandom } from '../../stand-ins/aws-proxy.mjs';
import { forEachLimit } from '../../src/lib/util/concurrency.js';
import type { StoredObject } from '../support/s3.js';

/** The proxy's seeded generator (mulberry32), values in [0, 1). */
export const prng = seededRandom;

const md5hex = (body: string | Buffer): string => createHash('md5').update(body).digest('hex');

export type Site = Record<string, Buffer>;

/** What the bundler would produce for one logical module or image, with its content-hashed key. */
interface Asset {
  name: string;
  ext: 'js' | 'css' | 'png' | 'svg';
  body: Buffer;
}

const keyOf = (a: Asset): string => `assets/${a.name}-${md5hex(a.body).slice(0, 8)}.${a.ext}`;

function text(rng: () => number, bytes: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 ;{}()=.'): string {
  let s = '';
  while (s.length < bytes) s += alphabet[Math.floor(rng() * alphabet.length)];
  return s;
}

function bytes(rng: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rng() * 256);
  return b;
}

const pick = <T>(rng: () => number, items: readonly T[], n: number): T[] => {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]!);
  return out;
};

interface PageSpec {
  key: string;
  /** Names of the assets it loads (besides the shared entry bundles). */
  uses: string[];
  /** A page that only uses assets no build changes, and carries no build id: identical in both versions. */
  stable: boolean;
}

function renderPage(page: PageSpec, assets: ReadonlyMap<string, Asset>, build: string, filler: string): string {
  const ref = (name: string) => `/${keyOf(assets.get(name)!)}`;
  const head = page.stable
    ? [`<link rel="stylesheet" href="${ref('legal')}">`]
    : [
        `<link rel="stylesheet" href="${ref('app')}">`,
        `<script type="module" src="${ref('main')}"></script>`,
        `<link rel="modulepreload" href="${ref('vendor')}">`,
      ];
  const body = page.uses.map((name) => {
    const a = assets.get(name)!;
    if (a.ext === 'png' || a.ext === 'svg') return `<img src="${ref(name)}" alt="${name}">`;
    if (a.ext === 'css') return `<link rel="stylesheet" href="${ref(name)}">`;
    return `<link rel="modulepreload" href="${ref(name)}">`;
  });
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${page.key}</title>`,
    ...(page.stable ? [] : [`<meta name="build" content="${build}">`]),
    ...head,
    '</head><body>',
    ...body,
    `<p>${filler}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}

export interface SiteVersions {
  v1: Site;
  v2: Site;
}

/**
 * A deterministic single-page-app build (≈310 files) and its next build: most hashed assets get
 * new content (so new keys, and pages that reference new keys), some pages, images and chunks go
 * away, others are added, a few files are left exactly as they were.
 */
export function generateSites(seed: number): SiteVersions {
  const rng = prng(seed);
  const assets = new Map<string, Asset>();
  const add = (name: string, ext: Asset['ext'], body: Buffer) => assets.set(name, { name, ext, body });
  add('main', 'js', Buffer.from(`import"./vendor";${text(rng, 30_000)}`));
  add('vendor', 'js', Buffer.from(text(rng, 60_000)));
  add('app', 'css', Buffer.from(`body{margin:0}${text(rng, 12_000)}`));
  add('legal', 'css', Buffer.from(`.legal{font:serif}${text(rng, 2_000)}`));
  for (let i = 0; i < 80; i++) add(`chunk-${String(i).padStart(2, '0')}`, 'js', Buffer.from(text(rng, 300 + Math.floor(rng() * 12_000))));
  for (let i = 0; i < 16; i++) add(`style-${String(i).padStart(2, '0')}`, 'css', Buffer.from(text(rng, 200 + Math.floor(rng() * 4_000))));
  for (let i = 0; i < 100; i++) add(`img-${String(i).padStart(3, '0')}`, 'png', bytes(rng, 500 + Math.floor(rng() * 12_000)));
  for (let i = 0; i < 10; i++)
    add(`icon-${String(i).padStart(2, '0')}`, 'svg', Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${text(rng, 400)}</svg>`));

  // Not hashed: public/ files copied as they are (short cache).
  const plain: Site = {
    'robots.txt': Buffer.from('User-agent: *\nAllow: /\n'),
    'favicon.ico': bytes(rng, 1_150),
    'manifest.webmanifest': Buffer.from('{"name":"Crash test","start_url":"/"}'),
    '.well-known/security.txt': Buffer.from('Contact: mailto:security@example.com\n'),
  };
  for (let i = 0; i < 60; i++) plain[`images/photo-${String(i).padStart(2, '0')}.jpg`] = bytes(rng, 1_000 + Math.floor(rng() * 15_000));

  const lazy = [...assets.keys()].filter((n) => !['main', 'vendor', 'app', 'legal'].includes(n));
  const pages: PageSpec[] = [];
  const page = (key: string, stable = false) => pages.push({ key, stable, uses: stable ? [] : pick(rng, lazy, 2 + Math.floor(rng() * 5)) });
  for (const key of ['index.html', 'about.html', 'pricing.html', 'app/index.html', 'app/settings/index.html', '404.html']) page(key);
  for (const key of ['legal/terms.html', 'legal/privacy.html']) page(key, true);
  for (let i = 0; i < 14; i++) page(`docs/guide-${String(i).padStart(2, '0')}.html`);
  for (let i = 0; i < 22; i++) page(`blog/post-${String(i).padStart(2, '0')}/index.html`);

  const build = (version: string, assetMap: ReadonlyMap<string, Asset>, pageList: PageSpec[], files: Site): Site => {
    const site: Site = { ...files };
    for (const a of assetMap.values()) site[keyOf(a)] = a.body;
    for (const p of pageList)
      site[p.key] = Buffer.from(renderPage(p, assetMap, version, text(prng(seed ^ p.key.length), 2_000 + p.key.length * 40)));
    const precache = ['main', 'vendor', 'app'].map((n) => `'/${keyOf(assetMap.get(n)!)}'`).join(', ');
    site['sw.js'] = Buffer.from(
      `const BUILD = '${version}';\nconst PRECACHE = [${precache}];\nself.addEventListener('install', (e) => e.waitUntil(caches.open(BUILD).then((c) => c.addAll(PRECACHE))));\n`,
    );
    return site;
  };
  const v1 = build('v1', assets, pages, plain);

  // The next build: new content (so new hashed keys) for most assets, a few left alone.
  const next = new Map<string, Asset>();
  for (const [name, a] of assets) {
    const unchanged = name === 'legal' || rng() < 0.15;
    next.set(
      name,
      unchanged ? a : { ...a, body: Buffer.concat([a.body, Buffer.from(a.ext === 'png' ? bytes(rng, 64) : `/*v2 ${name}*/`)]) },
    );
  }
  // Some chunks and images leave the build, some arrive.
  for (const name of pick(rng, lazy, 12)) next.delete(name);
  for (let i = 0; i < 6; i++)
    next.set(`chunk-new-${i}`, { name: `chunk-new-${i}`, ext: 'js', body: Buffer.from(text(rng, 500 + Math.floor(rng() * 6_000))) });
  for (let i = 0; i < 5; i++)
    next.set(`img-new-${i}`, { name: `img-new-${i}`, ext: 'png', body: bytes(rng, 800 + Math.floor(rng() * 8_000)) });
  const lazy2 = [...next.keys()].filter((n) => !['main', 'vendor', 'app', 'legal'].includes(n));
  // Pages: six blog posts removed, four guides added; every non-stable page now loads current assets.
  const pages2: PageSpec[] = pages
    .filter((p) => !/^blog\/post-1[6-9]|^blog\/post-2/.test(p.key))
    .map((p) => (p.stable ? p : { ...p, uses: p.uses.map((u) => (next.has(u) ? u : pick(rng, lazy2, 1)[0]!)) }));
  for (let i = 14; i < 18; i++) pages2.push({ key: `docs/guide-${i}.html`, stable: false, uses: pick(rng, lazy2, 3) });
  const plain2: Site = { ...plain };
  for (let i = 50; i < 60; i++) delete plain2[`images/photo-${i}.jpg`];
  for (let i = 0; i < 4; i++) plain2[`images/photo-${String(i).padStart(2, '0')}.jpg`] = bytes(rng, 2_000);
  for (let i = 60; i < 66; i++) plain2[`images/photo-${i}.jpg`] = bytes(rng, 1_500 + Math.floor(rng() * 6_000));
  const v2 = build('v2', next, pages2, plain2);
  return { v1, v2 };
}

/** HTML pages and service workers: the files that name other files. */
export const isEntryPoint = (key: string): boolean => /\.html?$/.test(key) || /(^|\/)(sw|service-worker)\.js$/.test(key);

/** The `/assets/...` paths a page or service worker references, as bucket keys. */
export function referencedAssets(body: string): string[] {
  return [...new Set([...body.matchAll(/\/(assets\/[A-Za-z0-9._-]+)/g)].map((m) => m[1]!))];
}

/** Every key under the bucket with its ETag (single-part uploads: the MD5 of the body). */
export async function listing(client: S3Client, bucket: string): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.set(o.Key!, (o.ETag ?? '').replace(/"/g, ''));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

const isNotFound = (error: unknown): boolean => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

/** A page the watcher read, and an asset it references that was missing while the page was still there. */
export interface Sighting {
  page: string;
  pageEtag: string;
  asset: string;
  /** Milliseconds since the watcher started. */
  atMs: number;
}

export interface WatchStats {
  /** Complete passes over the listed pages. */
  sweeps: number;
  /** HTML pages (and service workers) read, whose references were then all checked. */
  pagesChecked: number;
  /** HEAD requests for referenced assets. */
  assetChecks: number;
  /** An asset missing while the page that references it was still there, unchanged: the invariant broken. */
  violations: Sighting[];
  /** An asset missing, and the page read just before was gone by the time we looked again. */
  pageRemovedMeanwhile: Sighting[];
  /** An asset missing, and the page read just before had been replaced by another version meanwhile. */
  pageReplacedMeanwhile: Sighting[];
  errors: string[];
}

/**
 * Lists the bucket over and over until stopped; for each HTML page (and service worker) listed,
 * GETs its body, then at once HEADs every asset it references (a short gap between the two, so a
 * page that shows up before its assets is caught in the act). A missing asset is classified by
 * looking at the page once more: still there with the ETag that was read is a violation (the page
 * and the missing asset were visible at the same time); gone or replaced means the page changed
 * under the watcher.
 */
export function startWatcher(client: S3Client, bucket: string, concurrency = 2): { stop: () => Promise<WatchStats> } {
  const stats: WatchStats = {
    sweeps: 0,
    pagesChecked: 0,
    assetChecks: 0,
    violations: [],
    pageRemovedMeanwhile: [],
    pageReplacedMeanwhile: [],
    errors: [],
  };
  const started = Date.now();
  let stopped = false;

  const checkPage = async (page: string) => {
    if (stopped) return; // stop promptly: the pages already being checked finish, no new one starts
    let body: string;
    let pageEtag: string;
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: page }));
      body = await got.Body!.transformToString();
      pageEtag = (got.ETag ?? '').replace(/"/g, '');
    } catch (error) {
      if (isNotFound(error)) return; // removed since the listing: nothing to check
      throw error;
    }
    const missing: string[] = [];
    await Promise.all(
      referencedAssets(body).map(async (asset) => {
        stats.assetChecks++;
        try {
          await client.send(new HeadObjectCommand({ Bucket: bucket, Key: asset }));
        } catch (error) {
          if (!isNotFound(error)) throw error;
          missing.push(asset);
        }
      }),
    );
    if (missing.length > 0) {
      const atMs = Date.now() - started;
      let list = stats.pageRemovedMeanwhile;
      try {
        const again = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: page }));
        list = (again.ETag ?? '').replace(/"/g, '') === pageEtag ? stats.violations : stats.pageReplacedMeanwhile;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      for (const asset of missing) list.push({ page, pageEtag, asset, atMs });
    }
    stats.pagesChecked++;
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        const pages = [...(await listing(client, bucket)).keys()].filter(isEntryPoint);
        await forEachLimit(pages, concurrency, checkPage);
        if (!stopped) stats.sweeps++;
      } catch (error) {
        stats.errors.push(String(error));
        if (stats.errors.length > 20) return;
      }
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      await loop;
      return stats;
    },
  };
}

/** How far the bucket has got from `from` to `to`: writes of `to` landed, and keys only `from` had gone. */
export interface Progress {
  assetsWritten: number;
  assetsToWrite: number;
  pagesWritten: number;
  pagesToWrite: number;
  removed: number;
  toRemove: number;
}

export function progressOf(bucket: ReadonlyMap<string, string>, from: Site, to: Site): Progress {
  const p: Progress = { assetsWritten: 0, assetsToWrite: 0, pagesWritten: 0, pagesToWrite: 0, removed: 0, toRemove: 0 };
  for (const [key, body] of Object.entries(to)) {
    if (key.startsWith('.') && !key.startsWith('.well-known/')) continue;
    const etag = md5hex(body);
    if (from[key] && md5hex(from[key]) === etag) continue;
    const landed = bucket.get(key) === etag;
    if (isEntryPoint(key)) {
      p.pagesToWrite++;
      if (landed) p.pagesWritten++;
    } else {
      p.assetsToWrite++;
      if (landed) p.assetsWritten++;
    }
  }
  for (const key of Object.keys(from)) {
    if (to[key]) continue;
    p.toRemove++;
    if (!bucket.has(key)) p.removed++;
  }
  return p;
}

export const writesDone = (p: Progress): number => p.assetsWritten + p.pagesWritten;
export const isComplete = (p: Progress): boolean =>
  p.assetsWritten === p.assetsToWrite && p.pagesWritten === p.pagesToWrite && p.removed === p.toRemove;

/** What `bucketState` (test/support/s3.ts) returns, read with GETs `concurrency` at a time instead of one by one. */
export async function mirrorState(client: S3Client, bucket: string, concurrency = 16): Promise<Map<string, StoredObject>> {
  const keys = [...(await listing(client, bucket)).keys()];
  const found = new Map<string, StoredObject>();
  await forEachLimit(keys, concurrency, async (key) => {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = Buffer.from(await object.Body!.transformToByteArray());
    found.set(key, { md5: md5hex(body), cacheControl: object.CacheControl ?? '', contentType: object.ContentType ?? '' });
  });
  return new Map(keys.map((k) => [k, found.get(k)!]));
}
