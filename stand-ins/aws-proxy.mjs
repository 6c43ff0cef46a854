// An HTTP proxy in front of moto (or any AWS stand-in) that records every request the code under
// test sends (so tests count requests at the wire) and can inject faults per request: an error
// status, a connection reset before the request reaches AWS, a lost response after it did, or a
// delay. seededFaults() draws them at a rate from a seeded generator, so a failing run replays.
import { createServer, request as httpRequest } from 'node:http';
import { faultLabel, Faults } from './faults.mjs';

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path
 * @property {URLSearchParams} query
 * @property {import('node:http').IncomingHttpHeaders} headers
 * @property {string} service the service it is signed for (s3, cloudfront, …)
 * @property {string} operation operation name, inferred from the service, method, path, query and headers (S3: path-style addressing)
 * @property {string} [bucket]
 * @property {string} [key]
 * @property {number} at when it arrived, in ms since the proxy started
 * @property {number} [status] the status answered (0: connection reset)
 * @property {string} [fault] the fault injected, if any (kind, or status and code)
 * @property {string} [body] the request body, for services other than S3 (their bodies are small)
 */

/** The faults the proxy plays: every kind (stand-ins/faults.mjs). @typedef {import('./faults.mjs').Fault} Fault */

/** @typedef {(request: RecordedRequest, index: number) => Fault | undefined} FaultPlan Decides per request; undefined lets it through. */

/**
 * How AWS behaves where moto does not (stand-ins/aws-behaviours.mjs holds them, each with the AWS
 * page it follows). `reply` answers a request itself (the upstream never sees it); `response`
 * rewrites the upstream's answer. Both see only the requests `applies` accepts.
 * @typedef {object} Behaviour
 * @property {string} name
 * @property {(request: RecordedRequest) => boolean} applies
 * @property {(request: RecordedRequest, body: Buffer, upstream: string) => Promise<Reply | undefined> | Reply | undefined} [reply]
 * @property {(request: RecordedRequest, response: Reply) => Reply} [response]
 * @property {(request: RecordedRequest, headers: import('node:http').IncomingHttpHeaders) => import('node:http').IncomingHttpHeaders} [requestHeaders] rewrites what is forwarded
 */

/** @typedef {{ status: number, headers: Record<string, string | string[] | undefined>, body: Buffer }} Reply */

/** The service a request is signed for (from its SigV4 credential scope), e.g. s3, cloudfront, ecs. */
export function signedService(/** @type {import('node:http').IncomingHttpHeaders} */ headers) {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1] ?? 'unknown';
}

/** CloudFront's REST API: /2020-05-31/distribution/{id}/invalidation[/{id}] and friends. */
export function cloudFrontOperation(/** @type {string} */ method, /** @type {string} */ path, search = '') {
  const p = path.replace(/^\/\d{4}-\d{2}-\d{2}/, '');
  if (/^\/distribution\/[^/]+\/invalidation$/.test(p)) return method === 'POST' ? 'CreateInvalidation' : 'ListInvalidations';
  if (/^\/distribution\/[^/]+\/invalidation\/[^/]+$/.test(p)) return 'GetInvalidation';
  if (/^\/distribution\/[^/]+\/config$/.test(p)) return method === 'PUT' ? 'UpdateDistribution' : 'GetDistributionConfig';
  if (/^\/distribution\/[^/]+$/.test(p)) return method === 'DELETE' ? 'DeleteDistribution' : 'GetDistribution';
  if (p === '/distribution')
    return method === 'POST' ? (search.includes('WithTags') ? 'CreateDistributionWithTags' : 'CreateDistribution') : 'ListDistributions';
  if (/^\/origin-access-control\/[^/]+\/config$/.test(p))
    return method === 'PUT' ? 'UpdateOriginAccessControl' : 'GetOriginAccessControlConfig';
  if (/^\/origin-access-control\/[^/]+$/.test(p)) return method === 'DELETE' ? 'DeleteOriginAccessControl' : 'GetOriginAccessControl';
  if (p === '/origin-access-control') return method === 'POST' ? 'CreateOriginAccessControl' : 'ListOriginAccessControls';
  if (p === '/tagging') return method === 'GET' ? 'ListTagsForResource' : 'TagResource';
  return `cloudfront ${method} ${p}`;
}

/** Route 53's REST API: /2013-04-01/hostedzone/{id}/rrset and friends. */
export function route53Operation(/** @type {string} */ method, /** @type {string} */ path) {
  const p = path.replace(/^\/\d{4}-\d{2}-\d{2}/, '');
  if (/^\/hostedzone\/[^/]+\/rrset\/?$/.test(p)) return method === 'POST' ? 'ChangeResourceRecordSets' : 'ListResourceRecordSets';
  if (/^\/change\/[^/]+$/.test(p)) return 'GetChange';
  if (/^\/hostedzone\/?$/.test(p)) return method === 'POST' ? 'CreateHostedZone' : 'ListHostedZones';
  if (/^\/hostedzone\/[^/]+$/.test(p)) return method === 'DELETE' ? 'DeleteHostedZone' : 'GetHostedZone';
  return `route53 ${method} ${p}`;
}

/** Bucket subresources, as ?name in the query: the operation for each method. */
const S3_SUBRESOURCES = /** @type {Record<string, Record<string, string>>} */ ({
  tagging: { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'DeleteBucketTagging' },
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
  versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
  publicAccessBlock: { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' },
  ownershipControls: { GET: 'GetBucketOwnershipControls', PUT: 'PutBucketOwnershipControls' },
});

/** @param {string} method @param {URLSearchParams} query @param {import('node:http').IncomingHttpHeaders} headers @param {string | undefined} key */
export function s3Operation(method, query, headers, key) {
  if (!key)
    for (const [name, ops] of Object.entries(S3_SUBRESOURCES))
      if (query.has(name) && ops[method]) return /** @type {string} */ (ops[method]);
  if (method === 'GET' && !key)
    return query.get('list-type') === '2' ? 'ListObjectsV2' : query.has('versions') ? 'ListObjectVersions' : 'ListObjects';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return key ? 'HeadObject' : 'HeadBucket';
  if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'PUT' && query.has('partNumber')) return headers['x-amz-copy-source'] ? 'UploadPartCopy' : 'UploadPart';
  if (method === 'PUT' && key) return headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
  if (method === 'PUT') return 'CreateBucket';
  if (method === 'DELETE' && query.has('uploadId')) return 'AbortMultipartUpload';
  if (method === 'DELETE') return key ? 'DeleteObject' : 'DeleteBucket';
  return `${method} ${key ?? ''}`;
}

/**
 * @typedef {object} AwsProxy
 * @property {string} endpoint
 * @property {RecordedRequest[]} requests
 * @property {(...operations: string[]) => RecordedRequest[]} ops requests of these operations, in order
 * @property {Faults<RecordedRequest>} faults what to inject (stand-ins/faults.mjs); a RegExp match is tested against the operation
 * @property {(...behaviours: Behaviour[]) => void} behave switch AWS-like behaviours on (none: moto as it is)
 * @property {() => void} clear
 * @property {() => Promise<void>} close
 */

/** Services that speak JSON (awsJson1_1) rather than XML. */
const JSON_SERVICES = new Set(['ecs', 'logs']);

/** @param {string} service @param {string} code @param {string} message @returns {[string, string]} content type and body */
function errorResponse(service, code, message) {
  if (JSON_SERVICES.has(service)) return ['application/x-amz-json-1.1', JSON.stringify({ __type: code, message })];
  const xml =
    service === 'cloudfront' || service === 'route53'
      ? `<?xml version="1.0"?><ErrorResponse><Error><Type>Receiver</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>`
      : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return ['application/xml', xml];
}

/** A small, fast, seedable generator (mulberry32): the same seed gives the same faults. */
export function seededRandom(/** @type {number} */ seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each service's own way of saying "slow down". */
const THROTTLING = /** @type {Record<string, Fault>} */ ({
  s3: { kind: 'status', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
  cloudfront: { kind: 'status', status: 400, code: 'Throttling', message: 'Rate exceeded' },
  route53: { kind: 'status', status: 400, code: 'Throttling', message: 'Rate exceeded' },
  ecs: { kind: 'status', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
  logs: { kind: 'status', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
});

/**
 * A fault plan that fails `rate` (0–1) of the requests it applies to, choosing among internal
 * errors, service unavailable, the service's throttling error, connection resets, lost responses
 * and delays, from a seeded generator. `applies` narrows it (by service, operation, …).
 * @param {{ seed: number, rate: number, applies?: (r: RecordedRequest) => boolean, kinds?: string[], delayMs?: number }} options
 * @returns {FaultPlan & { injected: Record<string, number> }}
 */
export function seededFaults({
  seed,
  rate,
  applies = () => true,
  kinds = ['internal', 'unavailable', 'throttling', 'reset', 'drop-response', 'delay'],
  delayMs = 300,
}) {
  const random = seededRandom(seed);
  /** @type {Record<string, number>} */
  const injected = {};
  /** @type {FaultPlan} */
  const plan = (request) => {
    if (!applies(request) || random() >= rate) return undefined;
    const kind = /** @type {string} */ (kinds[Math.floor(random() * kinds.length)]);
    injected[kind] = (injected[kind] ?? 0) + 1;
    switch (kind) {
      case 'internal':
        return { kind: 'status', status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' };
      case 'unavailable':
        return { kind: 'status', status: 503, code: 'ServiceUnavailable', message: 'Service is unable to handle request.' };
      case 'throttling':
        return (
          THROTTLING[request.service] ?? { kind: 'status', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' }
        );
      case 'reset':
        return { kind: 'reset' };
      case 'drop-response':
        return { kind: 'drop-response' };
      default:
        return { kind: 'delay', ms: Math.floor(random() * delayMs) };
    }
  };
  return Object.assign(plan, { injected });
}

/** @param {string} target the endpoint to forward to @returns {Promise<AwsProxy>} */
export async function startAwsProxy(target) {
  const upstream = new URL(target);
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {Faults<RecordedRequest>} */
  const faults = new Faults({ describe: (r) => r.operation, kinds: ['status', 'reset', 'drop-response', 'delay'] });
  /** @type {Behaviour[]} */
  let behaviours = [];
  const started = Date.now();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined;
    /** @type {RecordedRequest} */
    const recorded = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      service: signedService(req.headers),
      operation: '',
      bucket: bucket || undefined,
      key: key || undefined,
      at: Date.now() - started,
    };
    const amzTarget = req.headers['x-amz-target'];
    recorded.operation =
      typeof amzTarget === 'string'
        ? (amzTarget.split('.').pop() ?? amzTarget)
        : recorded.service === 'cloudfront'
          ? cloudFrontOperation(recorded.method, url.pathname, url.search)
          : recorded.service === 'route53'
            ? route53Operation(recorded.method, url.pathname)
            : recorded.bucket === undefined && recorded.service === 's3' && recorded.method === 'GET'
              ? 'ListBuckets'
              : s3Operation(recorded.method, url.searchParams, req.headers, recorded.key);
    requests.push(recorded);
    const fault = faults.take(recorded);
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
    if (fault) recorded.fault = faultLabel(fault);
    req.on('end', () => {
      if (recorded.service !== 's3') recorded.body = Buffer.concat(chunks).toString('utf8');
      if (fault?.kind === 'reset') {
        recorded.status = 0;
        req.socket.destroy();
        return;
      }
      if (fault && (fault.kind === undefined || fault.kind === 'status')) {
        recorded.status = fault.status;
        const [type, body] = errorResponse(recorded.service, fault.code ?? 'InternalError', fault.message ?? 'injected by the test proxy');
        res.writeHead(fault.status, { 'content-type': type });
        res.end(body);
        return;
      }
      const active = behaviours.filter((b) => b.applies(recorded));
      /** @param {Reply} reply */
      const answer = (reply) => {
        recorded.status = reply.status;
        /** @type {Record<string, string | string[] | undefined>} */
        const headers = { ...reply.headers, 'content-length': String(reply.body.length) };
        delete headers['transfer-encoding'];
        res.writeHead(reply.status, headers);
        res.end(reply.body);
      };
      const forward = () => {
        /** @type {import('node:http').IncomingHttpHeaders} */
        let headers = { ...req.headers, host: upstream.host };
        for (const b of active) if (b.requestHeaders) headers = b.requestHeaders(recorded, headers);
        const out = httpRequest(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
          (upstreamRes) => {
            recorded.status = upstreamRes.statusCode;
            if (fault?.kind === 'drop-response') {
              // It took effect upstream; the caller never learns so.
              upstreamRes.resume();
              upstreamRes.on('end', () => req.socket.destroy());
              return;
            }
            const rewriters = active.filter((b) => b.response);
            if (rewriters.length === 0) {
              res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
              upstreamRes.pipe(res);
              return;
            }
            /** @type {Buffer[]} */
            const parts = [];
            upstreamRes.on('data', (/** @type {Buffer} */ c) => parts.push(c));
            upstreamRes.on('end', () => {
              /** @type {Reply} */
              let reply = { status: upstreamRes.statusCode ?? 502, headers: { ...upstreamRes.headers }, body: Buffer.concat(parts) };
              for (const b of rewriters) reply = /** @type {NonNullable<Behaviour['response']>} */ (b.response)(recorded, reply);
              answer(reply);
            });
          },
        );
        out.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        out.end(Buffer.concat(chunks));
      };
      const replied = async () => {
        for (const b of active) {
          const reply = b.reply ? await b.reply(recorded, Buffer.concat(chunks), upstream.origin) : undefined;
          if (reply) {
            answer(reply);
            return true;
          }
        }
        return false;
      };
      const go = () => {
        replied().then(
          (done) => (done ? undefined : forward()),
          (error) => {
            res.writeHead(500);
            res.end(String(error));
          },
        );
      };
      if (fault?.kind === 'delay') setTimeout(go, fault.ms);
      else go();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    ops: (...operations) => requests.filter((r) => operations.includes(r.operation)),
    faults,
    behave: (...list) => {
      behaviours = list;
    },
    clear: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
