// A minimal in-memory S3 for the planning-scale benchmark (100,000 objects would take moto
// minutes to store): ListObjectsV2 pages (ContinuationToken or StartAfter), PutObject (bodies
// hashed and dropped, except the manifest), GetObject of the manifest, HeadObject. Path-style
// only. `delayMs` holds every answer back that long, as a distant endpoint's round trip would.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const xml = (/** @type {string} */ s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The index of the first of the sorted `keys` above `key`. */
function firstAbove(/** @type {string[]} */ keys, /** @type {string} */ key) {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (/** @type {string} */ (keys[mid]) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export async function startSinkS3() {
  /** @type {Map<string, { etag: string, size: number, body?: Buffer, cacheControl?: string, contentType?: string }>} */
  const objects = new Map();
  /** The keys in order, kept until a PUT adds one (the bench's keys are ASCII: code-unit order is S3's). @type {string[] | undefined} */
  let sorted;
  let requests = 0;
  let delayMs = 0;
  const server = createServer((req, res) => {
    if (delayMs > 0) setTimeout(() => handle(req, res), delayMs);
    else handle(req, res);
  });
  const handle = (/** @type {import('node:http').IncomingMessage} */ req, /** @type {import('node:http').ServerResponse} */ res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://sink');
    const [, , ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && key === '') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const after = url.searchParams.get('continuation-token') ?? url.searchParams.get('start-after') ?? '';
        sorted ??= [...objects.keys()].sort();
        const page = [];
        let i = Math.max(firstAbove(sorted, after), prefix ? firstAbove(sorted, prefix) - (objects.has(prefix) ? 1 : 0) : 0);
        for (; i < sorted.length && page.length < 1000; i++) {
          const k = /** @type {string} */ (sorted[i]);
          if (!k.startsWith(prefix)) break;
          page.push(k);
        }
        const truncated = i < sorted.length && /** @type {string} */ (sorted[i]).startsWith(prefix);
        const contents = page
          .map(
            (k) =>
              `<Contents><Key>${xml(k)}</Key><ETag>"${objects.get(k)?.etag}"</ETag><Size>${objects.get(k)?.size}</Size><LastModified>2026-01-01T00:00:00.000Z</LastModified><StorageClass>STANDARD</StorageClass></Contents>`,
          )
          .join('');
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>sink</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${xml(page.at(-1) ?? '')}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`,
        );
        return;
      }
      const object = objects.get(key);
      if (req.method === 'PUT') {
        const body = Buffer.concat(chunks);
        const etag = createHash('md5').update(body).digest('hex');
        if (!objects.has(key)) sorted = undefined;
        objects.set(key, { etag, size: body.length, ...(key.endsWith('.slipway/manifest.json') ? { body } : {}) });
        res.writeHead(200, { etag: `"${etag}"` });
        res.end();
      } else if ((req.method === 'GET' || req.method === 'HEAD') && object) {
        res.writeHead(200, { etag: `"${object.etag}"`, 'content-length': object.body?.length ?? 0 });
        res.end(req.method === 'GET' ? object.body : undefined);
      } else {
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end(
          req.method === 'HEAD'
            ? undefined
            : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>not found</Message></Error>',
        );
      }
    });
  };
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  return {
    endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    get requests() {
      return requests;
    },
    resetCount: () => (requests = 0),
    /** Holds every later answer back `ms` milliseconds. */
    setDelay: (/** @type {number} */ ms) => (delayMs = ms),
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
