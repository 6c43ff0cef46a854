// The edge router (src/lib/router/edge/router.js as published) in node:vm against tables built by
// buildSiteTable: spa / file / dir builds × trailing-slash policies × redirects × headers × hosts,
// plus dot-segment and encoding attacks, the size limit and the KVS reads per request.
import { describe, expect, it } from 'vitest';
import { ROUTER_FUNCTION_CODE } from '../../src/generated/router-function.js';
import { buildSiteTable, hostKey, hostValue, LIMITS, type HostRule, type SlashPolicy } from '../../src/lib/router/table.js';
import { isResponse, loadRouter, viewerRequest, viewerResponse, type EdgeRequest, type EdgeResponse } from '../support/edge-router.js';

const BUILDS = {
  // Vite / CRA: one entry page.
  spa: ['index.html', 'assets/index-4f1c2a.js', 'assets/index-9b3e7d.css', 'favicon.svg', 'robots.txt'],
  // Next.js static export: about.html.
  file: ['index.html', 'about.html', 'docs/intro.html', '404.html', '_next/static/chunks/main-1a2b.js', 'logo.png'],
  // Astro: about/index.html.
  dir: ['index.html', 'about/index.html', 'docs/intro/index.html', '404.html', '_astro/index.1a2b.css', 'logo.png'],
} as const;
type BuildName = keyof typeof BUILDS;

interface SiteSpec {
  site?: string;
  prefix?: string;
  build?: BuildName;
  slash?: SlashPolicy;
  redirects?: string;
  headers?: string;
  hosts?: HostRule[];
}

function storeFor(...specs: SiteSpec[]): Map<string, string> {
  const store = new Map<string, string>();
  for (const spec of specs) {
    const site = spec.site ?? 'web';
    const table = buildSiteTable({
      site,
      prefix: spec.prefix ?? '',
      slash: spec.slash ?? 'keep',
      keys: BUILDS[spec.build ?? 'spa'],
      identical: () => false,
      redirects: spec.redirects,
      headers: spec.headers,
    });
    for (const [k, v] of table.entries) store.set(k, v);
    for (const rule of spec.hosts ?? [{ host: 'example.com', site }]) store.set(hostKey(rule.host), hostValue(rule));
  }
  return store;
}

/** What the viewer request becomes: `fetch <uri>` or `<status> [location]`. */
async function outcome(
  store: Map<string, string>,
  uri: string,
  host = 'example.com',
  query: Record<string, { value: string }> = {},
): Promise<string> {
  const result = await loadRouter(store).handler(viewerRequest(host, uri, query));
  if (!isResponse(result)) return `fetch ${result.uri}`;
  const location = result.headers.location?.value;
  return location ? `${result.statusCode} ${location}` : String(result.statusCode);
}

const ORIGIN_OK: () => EdgeResponse = () => ({
  statusCode: 200,
  statusDescription: 'OK',
  headers: { 'content-type': { value: 'text/html' } },
});

async function respond(store: Map<string, string>, uri: string, host = 'example.com'): Promise<EdgeResponse> {
  const result = await loadRouter(store).handler(viewerResponse(host, uri, ORIGIN_OK()));
  expect(isResponse(result)).toBe(true);
  return result as EdgeResponse;
}

describe('the published code', () => {
  it('is under the 10 KB CloudFront Functions limit', () => {
    expect(Buffer.byteLength(ROUTER_FUNCTION_CODE)).toBeLessThan(10 * 1024);
  });

  it('is an ES module for cloudfront-js-2.0: imports cloudfront first, declares handler, nothing else imported', () => {
    expect(ROUTER_FUNCTION_CODE.split('\n')[0]).toBe("import cf from 'cloudfront';");
    expect(ROUTER_FUNCTION_CODE.match(/\bimport\b/g)).toHaveLength(1);
    expect(ROUTER_FUNCTION_CODE).not.toMatch(/\brequire\s*\(|\bexport\b/);
    expect(ROUTER_FUNCTION_CODE).toMatch(/^async function handler\(event\)/m);
    expect(ROUTER_FUNCTION_CODE).not.toMatch(/^\s*\/\//m);
  });
});

describe('pages by build layout', () => {
  it.each<[BuildName, string, string]>([
    ['spa', '/', 'fetch /index.html'],
    ['spa', '/users/42', 'fetch /index.html'],
    ['spa', '/deep/route/', 'fetch /index.html'],
    ['spa', '/assets/index-4f1c2a.js', 'fetch /assets/index-4f1c2a.js'],
    ['spa', '/assets/missing-0000.js', 'fetch /assets/missing-0000.js'],
    ['file', '/', 'fetch /index.html'],
    ['file', '/about', 'fetch /about.html'],
    ['file', '/about/', 'fetch /about.html'],
    ['file', '/docs/intro', 'fetch /docs/intro.html'],
    ['file', '/about.html', 'fetch /about.html'],
    ['file', '/nope', 'fetch /404.html'],
    ['file', '/_next/static/chunks/main-1a2b.js', 'fetch /_next/static/chunks/main-1a2b.js'],
    ['file', '/_next/static/chunks/gone-0000.js', 'fetch /_next/static/chunks/gone-0000.js'],
    ['dir', '/about', 'fetch /about/index.html'],
    ['dir', '/about/', 'fetch /about/index.html'],
    ['dir', '/docs/intro/', 'fetch /docs/intro/index.html'],
    ['dir', '/nope/', 'fetch /404.html'],
  ])('%s build: %s → %s', async (build, uri, expected) => {
    expect(await outcome(storeFor({ build }), uri)).toBe(expected);
  });

  it('a missing file with an extension is never answered with a page (the origin decides: 403/404)', async () => {
    for (const build of ['spa', 'file', 'dir'] as const) {
      expect(await outcome(storeFor({ build }), '/assets/app-deadbeef.js')).toBe('fetch /assets/app-deadbeef.js');
    }
  });

  it('a multi-page build without 404.html answers unknown pages with a 404 from the edge', async () => {
    const store = storeFor({ build: 'file' });
    store.set('s:web', store.get('s:web')!.replace(',"n":"404.html"', ''));
    expect(await outcome(store, '/nope')).toBe('404');
  });

  it('the 404 page keeps status 404 on the response side; real pages keep theirs', async () => {
    const store = storeFor({ build: 'dir' });
    expect((await respond(store, '/nope')).statusCode).toBe(404);
    expect((await respond(store, '/about')).statusCode).toBe(200);
    expect((await respond(storeFor({ build: 'spa' }), '/users/1')).statusCode).toBe(200);
  });

  it('serves a site under its prefix and percent-encodes the rewritten key', async () => {
    const store = storeFor({
      build: 'dir',
      prefix: 'pr-7/',
      site: 'previews/pr-7',
      hosts: [{ host: 'pr-7.preview.example.com', site: 'previews/pr-7' }],
    });
    expect(await outcome(store, '/about', 'pr-7.preview.example.com')).toBe('fetch /pr-7/about/index.html');
    expect(await outcome(store, '/img/a%20b.png', 'pr-7.preview.example.com')).toBe('fetch /pr-7/img/a%20b.png');
  });
});

describe('trailing-slash policy (308, query kept)', () => {
  it.each<[BuildName, SlashPolicy, string, string]>([
    ['file', 'keep', '/about/', 'fetch /about.html'],
    ['file', 'always', '/about', '308 /about/'],
    ['file', 'always', '/about/', 'fetch /about.html'],
    ['file', 'never', '/about/', '308 /about'],
    ['file', 'never', '/about', 'fetch /about.html'],
    ['dir', 'always', '/docs/intro', '308 /docs/intro/'],
    ['dir', 'never', '/docs/intro/', '308 /docs/intro'],
    ['dir', 'always', '/', 'fetch /index.html'],
    ['dir', 'never', '/', 'fetch /index.html'],
    ['dir', 'always', '/logo.png', 'fetch /logo.png'],
  ])('%s build, %s: %s → %s', async (build, slash, uri, expected) => {
    expect(await outcome(storeFor({ build, slash }), uri)).toBe(expected);
  });

  it('keeps the query string on the redirect', async () => {
    expect(await outcome(storeFor({ build: 'dir', slash: 'always' }), '/about', 'example.com', { ref: { value: 'mail' } })).toBe(
      '308 /about/?ref=mail',
    );
  });
});

describe('_redirects', () => {
  const redirects = [
    '# moved pages',
    '/old-about    /about',
    '/blog/*       /news/:splat   302',
    '/u/:id/posts  /people/:id    307',
    '/go           https://example.org/x',
    '/app/*        /index.html    200',
    '/gone         /404.html      404',
    '/about        /elsewhere',
    '/docs/*       /manual/:splat 301!',
    '/legacy/*     /about         200',
  ].join('\n');

  it.each<[string, string]>([
    ['/old-about', '301 /about'],
    ['/old-about/', '301 /about'],
    ['/blog/2024/hello', '302 /news/2024/hello'],
    ['/u/42/posts', '307 /people/42'],
    ['/go', '301 https://example.org/x'],
    ['/app/settings/profile', 'fetch /index.html'],
    ['/gone', 'fetch /404.html'],
    // A file shadows an unforced rule, as on Netlify.
    ['/about', 'fetch /about/index.html'],
    // A forced rule wins over the page it matches.
    ['/docs/intro', '301 /manual/intro'],
    ['/legacy/x', 'fetch /about/index.html'],
    ['/nope', 'fetch /404.html'],
  ])('%s → %s', async (uri, expected) => {
    expect(await outcome(storeFor({ build: 'dir', redirects }), uri)).toBe(expected);
  });

  it('keeps the query string unless the target has one', async () => {
    expect(await outcome(storeFor({ build: 'dir', redirects }), '/old-about', 'example.com', { a: { value: '1' } })).toBe('301 /about?a=1');
  });

  it('unforced pattern rules do not take files with an extension (no HTML for a missing chunk)', async () => {
    const store = storeFor({ build: 'spa', redirects: '/*  /index.html  200' });
    expect(await outcome(store, '/assets/gone-0000.js')).toBe('fetch /assets/gone-0000.js');
    expect(await outcome(store, '/settings')).toBe('fetch /index.html');
  });

  it('a rewrite with 404 is answered with status 404 on the response side', async () => {
    expect((await respond(storeFor({ build: 'dir', redirects }), '/gone')).statusCode).toBe(404);
  });
});

describe('_headers on the response side', () => {
  const headers = [
    '/*',
    '  X-Frame-Options: DENY',
    '  Link: </a.css>; rel=preload',
    '/about',
    '  X-Robots-Tag: noindex',
    '  Link: </b.css>; rel=preload',
    '/blog/:slug',
    '  Cache-Control: no-cache',
  ].join('\n');

  it('applies every matching rule, combining repeated headers as Netlify does', async () => {
    const store = storeFor({ build: 'dir', headers });
    const about = await respond(store, '/about');
    expect(about.headers['x-frame-options']).toEqual({ value: 'DENY' });
    expect(about.headers['x-robots-tag']).toEqual({ value: 'noindex' });
    expect(about.headers.link).toEqual({ value: '</a.css>; rel=preload, </b.css>; rel=preload' });
    expect(about.headers['content-type']).toEqual({ value: 'text/html' });
    const home = await respond(store, '/');
    expect(home.headers['x-robots-tag']).toBeUndefined();
    expect((await respond(store, '/blog/hello')).headers['cache-control']).toEqual({ value: 'no-cache' });
    expect((await respond(store, '/blog/a/b')).headers['cache-control']).toBeUndefined();
  });

  it('leaves responses of unknown hosts alone', async () => {
    const store = storeFor({ build: 'dir', headers });
    const r = await respond(store, '/about', 'other.example.com');
    expect(r).toEqual(ORIGIN_OK());
  });
});

describe('hosts', () => {
  const hosts: HostRule[] = [
    { host: 'www.example.com', site: 'web' },
    { host: 'example.com', redirectTo: 'www.example.com' },
  ];

  it('redirects the apex to www with path and query', async () => {
    expect(await outcome(storeFor({ build: 'dir', hosts }), '/about/', 'example.com', { q: { value: 'x' } })).toBe(
      '301 https://www.example.com/about/?q=x',
    );
  });

  it('serves www, ignoring case and port', async () => {
    expect(await outcome(storeFor({ build: 'dir', hosts }), '/about', 'WWW.Example.COM:443')).toBe('fetch /about/index.html');
  });

  it('routes two sites of one store by host, each within its prefix', async () => {
    const store = storeFor(
      { site: 'web', build: 'file', hosts: [{ host: 'www.example.com', site: 'web' }] },
      { site: 'previews/pr-3', prefix: 'pr-3/', build: 'dir', hosts: [{ host: 'pr-3.preview.example.com', site: 'previews/pr-3' }] },
    );
    expect(await outcome(store, '/about', 'www.example.com')).toBe('fetch /about.html');
    expect(await outcome(store, '/about', 'pr-3.preview.example.com')).toBe('fetch /pr-3/about/index.html');
    expect(await outcome(store, '/about', 'pr-4.preview.example.com')).toBe('404');
  });

  it.each(['unknown.example.com', '', 'd111111abcdef8.cloudfront.net'])('unknown host %j → 404', async (host) => {
    expect(await outcome(storeFor({ build: 'dir' }), '/', host)).toBe('404');
  });

  it('no host header → 404, no-store', async () => {
    const r = (await loadRouter(storeFor({ build: 'dir' })).handler(viewerRequest(undefined, '/'))) as EdgeResponse;
    expect(r.statusCode).toBe(404);
    expect(r.headers['cache-control']).toEqual({ value: 'no-store' });
  });
});

describe('dot segments and encoding tricks → 404 from the edge', () => {
  it.each([
    '/..',
    '/../pr-2/index.html',
    '/a/../.slipway/manifest.json',
    '/./app.js',
    '/.slipway/manifest.json',
    '/.env',
    '/%2e%2e/pr-2/app.js',
    '/%2E%2E/pr-2/app.js',
    '/.%2e/x',
    '/a%2f..%2fb.js',
    '/a%5cb.js',
    '/a\\b.js',
    '/%00.js',
    '/%E0%A4%A.js',
    '/a/.well-known/x',
    'index.html',
    '',
  ])('%j', async (uri) => {
    expect(await outcome(storeFor({ build: 'dir', prefix: 'pr-1/', site: 'p1', hosts: [{ host: 'example.com', site: 'p1' }] }), uri)).toBe(
      '404',
    );
  });

  it('a leading /.well-known/ file is served as it is', async () => {
    expect(await outcome(storeFor({ build: 'dir' }), '/.well-known/security.txt')).toBe('fetch /.well-known/security.txt');
  });

  it('dots inside a name are fine', async () => {
    expect(await outcome(storeFor({ build: 'spa' }), '/a..b/c..d.js')).toBe('fetch /a..b/c..d.js');
  });
});

describe('KVS reads per request', () => {
  it('a page costs 3 reads; the worst case stays within the documented bound', async () => {
    const store = storeFor({ build: 'dir' });
    const router = loadRouter(store);
    await router.handler(viewerRequest('example.com', '/about'));
    expect(router.reads()).toBe(3);
    // Worst case: a miss that walks every pattern chunk, then a rewrite to a page.
    const many = Array.from({ length: 100 }, (_, i) => `/p${i}/:a/:b/*  /about  200`).join('\n');
    const worst = storeFor({ build: 'dir', redirects: many });
    const chunks = (JSON.parse(worst.get('s:web')!) as { r: number }).r;
    expect(chunks).toBeGreaterThan(1);
    const r = loadRouter(worst);
    expect(await r.handler(viewerRequest('example.com', '/p99/x/y/z')).then((x) => (x as EdgeRequest).uri)).toBe('/about/index.html');
    expect(r.reads()).toBe(3 + chunks + 1);
    expect(3 + LIMITS.chunks + 1).toBe(12);
  });
});
