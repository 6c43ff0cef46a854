// A local stand-in for the CloudFront KeyValueStore data-plane API (cloudfront-keyvaluestore), which
// moto does not have. The real SDK client talks to it through AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE
// (or `endpoint`). It behaves as the API reference says:
//   https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Operations_Amazon_CloudFront_KeyValueStore.html
// - every write carries If-Match with the store's current ETag, else 409 ConflictException;
//   every successful write answers a new ETag;
// - keys ≤ 512 bytes and values ≤ 1 KB (ValidationException), 5 MB per store and 50 keys per
//   UpdateKeys (ServiceQuotaExceededException, 402)
//   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-kvs
// - ListKeys pages by MaxResults (≤ 50) and NextToken;
// - requests must be signed with SigV4A (AWS4-ECDSA-P256-SHA256), as the SDK does only when
//   @aws-sdk/signature-v4a is loaded: an unsigned or SigV4 request gets 403. The signature itself is
//   not verified.
// Each write keeps the store's earlier contents (items maps are replaced, never changed), so an edge
// that sees updates late can read the store as it was some time ago (itemsAt): the edge simulator's
// per-edge propagation lag (edge-simulator.mjs).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Faults } from './faults.mjs';

export const KVS_LIMITS = { keyBytes: 512, valueBytes: 1024, storeBytes: 5 * 1024 * 1024, updateKeys: 50, listMax: 50 };

/**
 * @typedef {{ arn: string, name: string, items: Map<string, string>, etag: string, created: Date, modified: Date, history: { at: number, items: Map<string, string> }[] }} Store
 * @typedef {{ method: string, op: string, key?: string, ifMatch?: string, status: number, puts?: string[], deletes?: string[] }} KvsRequest
 */

class KvsError extends Error {
  /** @param {number} status @param {string} type @param {string} message */
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

const bytes = (/** @type {string} */ s) => Buffer.byteLength(s, 'utf8');
const sizeOf = (/** @type {Map<string, string>} */ items) => [...items].reduce((n, [k, v]) => n + bytes(k) + bytes(v), 0);
const newEtag = () => `KV${randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase()}`;

/** @param {Store} store */
function summary(store) {
  return { ItemCount: store.items.size, TotalSizeInBytes: sizeOf(store.items) };
}

/** @param {string} key */
function checkKey(key) {
  if (key === '' || bytes(key) > KVS_LIMITS.keyBytes)
    throw new KvsError(400, 'ValidationException', `Key must be 1 to ${KVS_LIMITS.keyBytes} bytes (got ${bytes(key)})`);
}

/** @param {string} key @param {unknown} value */
function checkValue(key, value) {
  if (typeof value !== 'string') throw new KvsError(400, 'ValidationException', `Value of ${key} must be a string`);
  if (bytes(value) > KVS_LIMITS.valueBytes)
    throw new KvsError(400, 'ValidationException', `Value of ${key} must be at most ${KVS_LIMITS.valueBytes} bytes (got ${bytes(value)})`);
}

/**
 * Applies puts and deletes all or nothing, after checking If-Match and the quotas.
 * @param {Store} store @param {string | undefined} ifMatch
 * @param {{ Key: string, Value: string }[]} puts @param {{ Key: string }[]} deletes
 */
function write(store, ifMatch, puts, deletes) {
  if (!ifMatch) throw new KvsError(400, 'ValidationException', 'If-Match is required');
  if (ifMatch !== store.etag)
    throw new KvsError(409, 'ConflictException', `Pre-condition failed: the store's ETag is ${store.etag}, not ${ifMatch}`);
  const next = new Map(store.items);
  for (const d of deletes) {
    checkKey(d.Key);
    next.delete(d.Key);
  }
  for (const p of puts) {
    checkKey(p.Key);
    checkValue(p.Key, p.Value);
    next.set(p.Key, p.Value);
  }
  if (sizeOf(next) > KVS_LIMITS.storeBytes)
    throw new KvsError(
      402,
      'ServiceQuotaExceededException',
      `The store would hold ${sizeOf(next)} bytes; the limit is ${KVS_LIMITS.storeBytes}`,
    );
  store.items = next;
  store.etag = newEtag();
  store.modified = new Date();
  store.history.push({ at: store.modified.getTime(), items: next });
}

/** @param {import('node:http').IncomingMessage} req */
async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new KvsError(400, 'ValidationException', 'The body is not JSON');
  }
}

/**
 * @param {{ accountId?: string }} [options]
 */
export async function startFakeKvs(options = {}) {
  const accountId = options.accountId ?? '123456789012';
  /** @type {Map<string, Store>} */
  const stores = new Map();
  /** @type {KvsRequest[]} */
  const requests = [];
  /** Status faults, answered with the error's code as x-amzn-errortype; a RegExp match is tested against the operation. @type {Faults<KvsRequest>} */
  const faults = new Faults({ describe: (r) => r.op });

  /** @param {string} arn */
  const storeOf = (arn) => {
    const store = stores.get(arn);
    if (!store) throw new KvsError(404, 'ResourceNotFoundException', `Key value store ${arn} not found`);
    return store;
  };

  /** @param {import('node:http').IncomingMessage} req @param {KvsRequest} record */
  async function handle(req, record) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/key-value-stores\/([^/]+)(\/keys(?:\/(.+))?)?$/.exec(url.pathname);
    if (!m) throw new KvsError(404, 'UnknownOperationException', `No such route ${req.method} ${url.pathname}`);
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('AWS4-ECDSA-P256-SHA256 ') || !req.headers['x-amz-region-set']) {
      throw new KvsError(
        403,
        'AccessDeniedException',
        'The request must be signed with SigV4A (AWS4-ECDSA-P256-SHA256 and X-Amz-Region-Set)',
      );
    }
    const arn = decodeURIComponent(m[1] ?? '');
    const key = m[3] === undefined ? undefined : decodeURIComponent(m[3]);
    const ifMatch = /** @type {string | undefined} */ (req.headers['if-match']);
    const store = storeOf(arn);
    if (!m[2] && req.method === 'GET') {
      return {
        op: 'DescribeKeyValueStore',
        etag: store.etag,
        body: {
          ...summary(store),
          KvsARN: arn,
          Created: store.created.getTime() / 1000,
          LastModified: store.modified.getTime() / 1000,
          Status: 'READY',
        },
      };
    }
    if (m[2] && key === undefined && req.method === 'GET') {
      const max = Math.min(Number(url.searchParams.get('MaxResults') ?? KVS_LIMITS.listMax), KVS_LIMITS.listMax);
      const start = Number(url.searchParams.get('NextToken') ?? '0');
      const all = [...store.items.keys()].sort();
      const page = all.slice(start, start + max).map((k) => ({ Key: k, Value: store.items.get(k) }));
      return { op: 'ListKeys', body: { Items: page, ...(start + max < all.length ? { NextToken: String(start + max) } : {}) } };
    }
    if (m[2] && key === undefined && req.method === 'POST') {
      const body = await readJson(req);
      const puts = body.Puts ?? [];
      const deletes = body.Deletes ?? [];
      record.puts = puts.map((/** @type {{ Key: string }} */ p) => p.Key);
      record.deletes = deletes.map((/** @type {{ Key: string }} */ d) => d.Key);
      if (puts.length + deletes.length > KVS_LIMITS.updateKeys)
        throw new KvsError(
          402,
          'ServiceQuotaExceededException',
          `UpdateKeys takes at most ${KVS_LIMITS.updateKeys} keys (got ${puts.length + deletes.length})`,
        );
      write(store, ifMatch, puts, deletes);
      return { op: 'UpdateKeys', etag: store.etag, body: summary(store) };
    }
    if (key !== undefined && req.method === 'GET') {
      const value = store.items.get(key);
      if (value === undefined) throw new KvsError(404, 'ResourceNotFoundException', `Key ${key} not found`);
      return { op: 'GetKey', body: { Key: key, Value: value, ...summary(store) } };
    }
    if (key !== undefined && req.method === 'PUT') {
      const body = await readJson(req);
      write(store, ifMatch, [{ Key: key, Value: body.Value }], []);
      return { op: 'PutKey', etag: store.etag, body: summary(store) };
    }
    if (key !== undefined && req.method === 'DELETE') {
      write(store, ifMatch, [], [{ Key: key }]);
      return { op: 'DeleteKey', etag: store.etag, body: summary(store) };
    }
    throw new KvsError(405, 'UnknownOperationException', `No such operation ${req.method} ${url.pathname}`);
  }

  /** @param {string | undefined} method @param {string} path */
  const operationOf = (method, path) => {
    const m = /^\/key-value-stores\/[^/]+(\/keys(\/.+)?)?$/.exec(path);
    if (!m) return '?';
    if (!m[1]) return method === 'GET' ? 'DescribeKeyValueStore' : '?';
    if (!m[2]) return method === 'GET' ? 'ListKeys' : method === 'POST' ? 'UpdateKeys' : '?';
    return { GET: 'GetKey', PUT: 'PutKey', DELETE: 'DeleteKey' }[method ?? ''] ?? '?';
  };

  const server = createServer((req, res) => {
    /** @type {KvsRequest} */
    const record = {
      method: req.method ?? '',
      op: operationOf(req.method, new URL(req.url ?? '/', 'http://localhost').pathname),
      status: 0,
      ...(req.headers['if-match'] ? { ifMatch: String(req.headers['if-match']) } : {}),
    };
    requests.push(record);
    const injected = faults.take(record);
    const reply = (/** @type {number} */ status, /** @type {Record<string, string>} */ headers, /** @type {unknown} */ body) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (injected && (injected.kind === undefined || injected.kind === 'status')) {
      return reply(
        injected.status,
        { 'x-amzn-errortype': injected.code ?? 'InternalServerException' },
        { message: injected.message ?? 'injected fault' },
      );
    }
    handle(req, record).then(
      (out) => {
        reply(200, out.etag ? { etag: out.etag } : {}, out.body);
      },
      (error) => {
        const e = error instanceof KvsError ? error : new KvsError(500, 'InternalServerException', String(error));
        reply(e.status, { 'x-amzn-errortype': e.type }, { message: e.message });
      },
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  // The SDK prefixes the account to the host (<account>.localhost): createKvsClient resolves it to loopback.
  const endpoint = `http://localhost:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    endpoint,
    requests,
    /** Creates a store, as the control plane's CreateKeyValueStore would; returns its ARN. @param {string} name */
    createStore(name) {
      const arn = `arn:aws:cloudfront::${accountId}:key-value-store/${randomUUID()}`;
      const now = new Date();
      const items = new Map();
      stores.set(arn, { arn, name, items, etag: newEtag(), created: now, modified: now, history: [{ at: now.getTime(), items }] });
      return arn;
    },
    /** The live items of a store (what the edge reads). @param {string} arn */
    items: (arn) => storeOf(arn).items,
    /**
     * The items as they were at `time` (ms since the epoch): what an edge sees whose copy of the store
     * lags by Date.now() - time. @param {string} arn @param {number} time
     */
    itemsAt(arn, time) {
      const { history } = storeOf(arn);
      const seen = history.filter((h) => h.at <= time).at(-1);
      return seen ? seen.items : new Map();
    },
    /** @param {string} arn */
    etag: (arn) => storeOf(arn).etag,
    /** Changes a store behind the client's back (another deploy writing), moving its ETag. @param {string} arn @param {string} key @param {string} value */
    writeBehind(arn, key, value) {
      const store = storeOf(arn);
      write(store, store.etag, [{ Key: key, Value: value }], []);
    },
    faults,
    stop: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
