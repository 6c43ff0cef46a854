// An HTTP proxy in front of moto that records every request the code under test sends (so tests
// count requests at the wire) and can inject faults: an error status, a connection reset, or a
// delay, per request.
import { createServer, request as httpRequest } from 'node:http';

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
 */

/** @typedef {{ kind: 'status', status: number, code: string, message?: string } | { kind: 'reset' } | { kind: 'delay', ms: number }} Fault */

/** @typedef {(request: RecordedRequest, index: number) => Fault | undefined} FaultPlan Decides per request; undefined lets it through. */

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
  if (p === '/distribution') return method === 'POST' ? (search.includes('WithTags') ? 'CreateDistributionWithTags' : 'CreateDistribution') : 'ListDistributions';
  if (/^\/origin-access-control\/[^/]+\/config$/.test(p)) return method === 'PUT' ? 'UpdateOriginAccessControl' : 'GetOriginAccessControlConfig';
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
  if (!key) for (const [name, ops] of Object.entries(S3_SUBRESOURCES)) if (query.has(name) && ops[method]) return /** @type {string} */ (ops[method]);
  if (method === 'GET' && !key) return query.get('list-type') === '2' ? 'ListObjectsV2' : query.has('versions') ? 'ListObjectVersions' : 'ListObjects';
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
 * @property {(plan: FaultPlan | undefined) => void} setFaults
 * @property {() => void} clear
 * @property {() => Promise<void>} close
 */

/** @param {string} code @param {string} message */
const errorBody = (code, message) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

/** @param {string} target the endpoint to forward to @returns {Promise<AwsProxy>} */
export async function startAwsProxy(target) {
  const upstream = new URL(target);
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {FaultPlan | undefined} */
  let faults;
  let index = 0;
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
    recorded.operation = recorded.service === 'cloudfront'
      ? cloudFrontOperation(recorded.method, url.pathname, url.search)
      : recorded.service === 'route53'
        ? route53Operation(recorded.method, url.pathname)
        : recorded.bucket === undefined && recorded.service === 's3' && recorded.method === 'GET'
          ? 'ListBuckets'
          : s3Operation(recorded.method, url.searchParams, req.headers, recorded.key);
    requests.push(recorded);
    const fault = faults?.(recorded, index++);
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
    req.on('end', () => {
      if (fault?.kind === 'reset') {
        recorded.status = 0;
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        recorded.status = fault.status;
        res.writeHead(fault.status, { 'content-type': 'application/xml' });
        res.end(errorBody(fault.code, fault.message ?? 'injected by the test proxy'));
        return;
      }
      const forward = () => {
        const out = httpRequest(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
          (upstreamRes) => {
            recorded.status = upstreamRes.statusCode;
            res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
            upstreamRes.pipe(res);
          },
        );
        out.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        out.end(Buffer.concat(chunks));
      };
      if (fault?.kind === 'delay') setTimeout(forward, fault.ms);
      else forward();
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
    setFaults: (plan) => {
      faults = plan;
      index = 0;
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
