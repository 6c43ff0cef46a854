// A stand-in for CloudFront's edge with the router on its default behaviour: the published edge
// router run as CloudFront Functions runs it, against the router's key value store (the fake in
// fake-kvs.mjs), in front of moto's S3. Nothing in moto runs CloudFront Functions or serves a
// distribution, so tests and the demo request https://site/about here and see what a browser would.
//
// The function runtime (loadRouter): the router's code in node:vm, with a `cloudfront` module whose
// kvs() reads a Map: get(key, { format: 'json' }) parses, a missing key rejects, as the runtime's does.
//   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-custom-methods.html
//   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html
//
// One request at one POP (startEdgeSimulator):
//   1. viewer-request: the router against the store's items as this POP sees them;
//   2. a response the function generates goes straight back (never cached);
//   3. otherwise the POP's cache, keyed by the rewritten URI (CachingOptimized: no host, no query);
//      https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-the-cache-key.html
//   4. on a miss, a signed GET from S3 (as an origin access control signs it); a missing key answers
//      403 AccessDenied, as S3 does for an OAC without s3:ListBucket (404 NoSuchKey with listBucket);
//      https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Permissions)
//   5. viewer-response with the viewer's own request, only for statuses below 400, as CloudFront does;
//      https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html
//   6. a function that throws is a 503.
// Only what CloudFront would cache is cached: 200s whose Cache-Control allows it.
//
// POPs (option `edges`): each has its own cache and sees the key value store as it was lagMs ago
// (storeAt, e.g. the KeyValueStore fake's itemsAt), read key by key as the function reads it. A request
// goes to the POP named by x-edge-pop, else round robin; every answer names its POP in x-amz-cf-pop, as
// CloudFront's responses do. AWS documents no bound for KeyValueStore propagation, only that updates
// reach the edges "within seconds" (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/kvs-with-functions.html);
// one published measurement saw 21-32 s at a single POP. Tests and the demo scale those seconds down.
//
// Reached over plain HTTP on 127.0.0.1: the viewer's host is the x-viewer-host header, else the Host
// header less its port and a trailing .localhost, so http://www.example.com.localhost:<port>/ (edgeUrl)
// is https://www.example.com/ to the router (Slipway resolves *.localhost to loopback). Every other
// viewer header reaches the function (it reads host and x-slipway-verify).
//
// Deliberately different from CloudFront: one origin (the bucket) and one behaviour; no TLS, no HTTP/2,
// no compression, no query strings or cookies in the cache key and no TTLs (a cached object stays until
// stop); no Origin Shield or regional edge caches; function limits (10 KB of code, 1 ms of compute) are
// checked by the router's own tests, not here. `requests` records every request the edge answered.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createServer } from 'node:http';
import vm from 'node:vm';
import { publishedRouterCode } from '../scripts/lib/router-code.mjs';

/**
 * @typedef {{ value: string, multiValue?: { value: string }[] }} Field
 * @typedef {{ method: string, uri: string, querystring: Record<string, Field>, headers: Record<string, Field>, cookies: Record<string, Field> }} EdgeRequest
 * @typedef {{ statusCode: number, statusDescription?: string, headers: Record<string, Field>, body?: { encoding: string, data: string } }} EdgeResponse
 * @typedef {{ context: { eventType: 'viewer-request' | 'viewer-response' }, request: EdgeRequest, response?: EdgeResponse }} EdgeEvent
 * @typedef {{ handler: (event: EdgeEvent) => Promise<EdgeRequest | EdgeResponse>, reads: () => number, resetReads: () => void }} LoadedRouter
 * @typedef {{ pop: string, lagMs: number }} EdgeOption a POP, and how long after a store write it sees it
 * @typedef {{ status: number, headers: Record<string, string>, body: Buffer }} Cached
 * @typedef {{ at: number, pop: string, host: string, path: string, verify: boolean, status: number, origin?: string }} EdgeRequestRecord
 *   verify: the request carried x-slipway-verify (a verification); origin: the URI fetched from S3 on a miss
 * @typedef {object} EdgeSimulator
 * @property {string} url http://127.0.0.1:<port>
 * @property {(host: string) => string} edgeUrl http://<host>.localhost:<port>/: the site's URL on this edge (host as the router sees it)
 * @property {string[]} pops the POPs, in round-robin order
 * @property {(host: string, path: string, options?: { pop?: string, headers?: Record<string, string> }) => Promise<{ status: number, headers: Headers, body: string }>} get
 *   requests `path` on `host` as a browser would (no redirect following); `pop` picks the edge
 * @property {string[]} originFetches origin fetches so far, by rewritten URI
 * @property {EdgeRequestRecord[]} requests every request answered, in order
 * @property {() => Promise<void>} stop
 */

const IMPORT = "import cf from 'cloudfront';";

/**
 * Loads the router against `store` (read at call time, so a caller may change it between requests).
 * @param {ReadonlyMap<string, string>} store
 * @param {string} [code] the function's code as published (default: src/lib/router/edge/router.js less its comment lines, as the build publishes it)
 * @returns {LoadedRouter}
 */
export function loadRouter(store, code = publishedRouterCode()) {
  if (code.split('\n')[0] !== IMPORT) throw new Error(`the router must start with ${IMPORT}`);
  let reads = 0;
  const cf = {
    kvs: () => ({
      get: (/** @type {string} */ key, /** @type {{ format?: string } | undefined} */ options) => {
        reads++;
        const value = store.get(key);
        if (value === undefined) return Promise.reject(new Error(`Key ${key} not found`));
        return Promise.resolve(options?.format === 'json' ? JSON.parse(value) : value);
      },
      exists: (/** @type {string} */ key) => Promise.resolve(store.has(key)),
    }),
  };
  const handler = /** @type {LoadedRouter['handler']} */ (vm.runInNewContext(`${code.slice(IMPORT.length)}\n;handler`, { cf }));
  return { handler, reads: () => reads, resetReads: () => void (reads = 0) };
}

/**
 * A viewer-request event for `uri` on `host` (no host header when undefined).
 * @param {string | undefined} host @param {string} uri @param {Record<string, Field>} [querystring]
 * @returns {EdgeEvent}
 */
export function viewerRequest(host, uri, querystring = {}) {
  return {
    context: { eventType: 'viewer-request' },
    request: { method: 'GET', uri, querystring, headers: host === undefined ? {} : { host: { value: host } }, cookies: {} },
  };
}

/**
 * @param {string} host @param {string} uri @param {EdgeResponse} response @param {Record<string, Field>} [querystring]
 * @returns {EdgeEvent}
 */
export function viewerResponse(host, uri, response, querystring = {}) {
  return { ...viewerRequest(host, uri, querystring), context: { eventType: 'viewer-response' }, response };
}

/** @param {EdgeRequest | EdgeResponse} r @returns {r is EdgeResponse} */
export const isResponse = (r) => 'statusCode' in r;

/** @param {Cached} c */
const cacheable = (c) => c.status === 200 && !/no-cache|no-store|max-age=0\b|private/.test(c.headers['cache-control'] ?? '');

/** @param {URL} url */
function querystring(url) {
  /** @type {Record<string, Field>} */
  const qs = {};
  for (const [k, v] of url.searchParams) {
    const prev = qs[k];
    qs[k] = prev ? { value: prev.value, multiValue: [...(prev.multiValue ?? [{ value: prev.value }]), { value: v }] } : { value: v };
  }
  return qs;
}

const ACCESS_DENIED = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
);
const NO_SUCH_KEY = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
);

/**
 * A GET signed as the origin access control signs it (moto answers unsigned requests 403).
 * @param {import('@aws-sdk/client-s3').S3Client} s3 @param {string} bucket @param {string} uri @param {boolean} listBucket
 * @returns {Promise<Cached>}
 */
async function fromOrigin(s3, bucket, uri, listBucket) {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: decodeURIComponent(uri.slice(1)) }));
    /** @type {Record<string, string>} */
    const headers = {};
    if (out.ContentType) headers['content-type'] = out.ContentType;
    if (out.CacheControl) headers['cache-control'] = out.CacheControl;
    if (out.ETag) headers.etag = out.ETag;
    return { status: 200, headers, body: Buffer.from((await out.Body?.transformToByteArray()) ?? []) };
  } catch (error) {
    if (/** @type {{ name?: string }} */ (error).name === 'NoSuchKey') {
      return listBucket
        ? { status: 404, headers: { 'content-type': 'application/xml' }, body: NO_SUCH_KEY }
        : { status: 403, headers: { 'content-type': 'application/xml' }, body: ACCESS_DENIED };
    }
    throw error;
  }
}

/** @param {EdgeResponse} r @returns {Cached} */
function generated(r) {
  return {
    status: r.statusCode,
    headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.value])),
    body: Buffer.from(r.body?.data ?? ''),
  };
}

/**
 * Starts an edge on a free 127.0.0.1 port.
 * @param {object} options
 * @param {ReadonlyMap<string, string> | (() => ReadonlyMap<string, string>)} options.store the store's live items
 * @param {import('@aws-sdk/client-s3').S3Client} options.s3 a client of the origin's S3 (moto)
 * @param {string} options.bucket the origin bucket
 * @param {boolean} [options.listBucket] the bucket policy grants the distribution s3:ListBucket, so a
 *   missing key answers 404 NoSuchKey instead of 403 (what Slipway's set-up recommends)
 * @param {EdgeOption[]} [options.edges] POPs with their propagation lag (they need storeAt); default one POP, SIM1, no lag
 * @param {(time: number) => ReadonlyMap<string, string>} [options.storeAt] the store's items as they were at a time (ms since the epoch)
 * @param {string} [options.code] the router's code (default: as the build publishes it)
 * @returns {Promise<EdgeSimulator>}
 */
export async function startEdgeSimulator(options) {
  const { store, storeAt } = options;
  const items = typeof store === 'function' ? store : () => store;
  if (options.edges && !storeAt) throw new Error('edges with a propagation lag need storeAt');
  const code = options.code ?? publishedRouterCode();
  const edges = (options.edges ?? [{ pop: 'SIM1', lagMs: 0 }]).map((e) => {
    // The store is read at request time, key by key, as this edge sees it.
    const view = () => (storeAt && e.lagMs > 0 ? storeAt(Date.now() - e.lagMs) : items());
    const seen = /** @type {ReadonlyMap<string, string>} */ (
      /** @type {unknown} */ ({ get: (/** @type {string} */ k) => view().get(k), has: (/** @type {string} */ k) => view().has(k) })
    );
    return { ...e, router: loadRouter(seen, code), cache: /** @type {Map<string, Cached>} */ (new Map()) };
  });
  let turn = 0;
  /** @type {string[]} */
  const originFetches = [];
  /** @type {EdgeRequestRecord[]} */
  const requests = [];

  /** @param {(typeof edges)[number]} edge @param {import('node:http').IncomingMessage} req @param {EdgeRequestRecord} record @returns {Promise<Cached>} */
  async function serveAt(edge, req, record) {
    const { router, cache } = edge;
    const url = new URL(req.url ?? '/', 'http://edge');
    /** @type {Record<string, Field>} */
    const headers = {};
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string' && !name.startsWith('x-viewer-') && name !== 'x-edge-pop') headers[name] = { value };
    headers.host = { value: record.host };
    /** @type {EdgeRequest} */
    const request = { method: 'GET', uri: url.pathname, querystring: querystring(url), headers, cookies: {} };
    const viewerRequest = structuredClone(request);
    const result = await router.handler({ context: { eventType: 'viewer-request' }, request });
    if (isResponse(result)) return generated(result);
    let cached = cache.get(result.uri);
    if (!cached) {
      originFetches.push(result.uri);
      record.origin = result.uri;
      cached = await fromOrigin(options.s3, options.bucket, result.uri, options.listBucket ?? false);
      if (cacheable(cached)) cache.set(result.uri, cached);
    }
    if (cached.status >= 400) return cached;
    /** @type {EdgeResponse} */
    const response = {
      statusCode: cached.status,
      statusDescription: 'OK',
      headers: Object.fromEntries(Object.entries(cached.headers).map(([k, v]) => [k, { value: v }])),
    };
    const out = /** @type {EdgeResponse} */ (
      await router.handler({ context: { eventType: 'viewer-response' }, request: viewerRequest, response })
    );
    return {
      status: out.statusCode,
      headers: Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k, v.value])),
      body: cached.body,
    };
  }

  /** @param {import('node:http').IncomingMessage} req */
  async function serve(req) {
    const wanted = req.headers['x-edge-pop'];
    const edge = edges.find((e) => e.pop === wanted) ?? edges[turn++ % edges.length];
    if (!edge) throw new Error('no edge');
    /** @type {EdgeRequestRecord} */
    const record = {
      at: Date.now(),
      pop: edge.pop,
      host: String(req.headers['x-viewer-host'] ?? req.headers.host ?? '')
        .replace(/:\d*$/, '')
        .replace(/\.localhost$/, ''),
      path: req.url ?? '/',
      verify: req.headers['x-slipway-verify'] !== undefined,
      status: 0,
    };
    requests.push(record);
    try {
      const answer = await serveAt(edge, req, record);
      record.status = answer.status;
      return { ...answer, headers: { ...answer.headers, 'x-amz-cf-pop': edge.pop } };
    } catch (error) {
      record.status = 503;
      throw error;
    }
  }

  const server = createServer((req, res) => {
    serve(req).then(
      (r) => {
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      },
      (/** @type {unknown} */ error) => {
        // A function that throws is a 503 at CloudFront.
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end(String(error));
      },
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    edgeUrl: (host) => `http://${host}.localhost:${port}/`,
    pops: edges.map((e) => e.pop),
    originFetches,
    requests,
    async get(host, path, opts = {}) {
      const response = await fetch(`${url}${path}`, {
        headers: { 'x-viewer-host': host, ...(opts.pop ? { 'x-edge-pop': opts.pop } : {}), ...opts.headers },
        redirect: 'manual',
      });
      return { status: response.status, headers: response.headers, body: await response.text() };
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
