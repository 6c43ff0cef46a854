// How AWS behaves where moto does not, for the AWS proxy (stand-ins/aws-proxy.mjs): switched on
// per test with proxy.behave(...), each following the AWS page it cites, so a test can never pass
// because of one of moto's shortcuts.
import { randomBytes } from 'node:crypto';

/** @typedef {import('./aws-proxy.mjs').Behaviour} Behaviour */
/** @typedef {import('./aws-proxy.mjs').Reply} Reply */

const ETAG_OPS = new Set([
  'PutObject',
  'CopyObject',
  'CompleteMultipartUpload',
  'UploadPart',
  'ListObjectsV2',
  'HeadObject',
  'GetObject',
  'DeleteObject',
]);
const WRITES = new Set(['PutObject', 'CopyObject', 'CompleteMultipartUpload']);
const unxml = (/** @type {string} */ s) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const bare = (/** @type {string} */ etag) => unxml(etag).replace(/^"|"$/g, '');

/**
 * Buckets encrypted with SSE-KMS (or DSSE-KMS, SSE-C): the ETag of an object "is not an MD5 digest
 * of its object data" (S3 API reference, Object: ETag; and "Checking object integrity" in the user
 * guide). Every write gets a fresh opaque ETag, which listings, HEAD and GET then return.
 * @param {Iterable<string>} buckets
 * @returns {Behaviour & { etags: Map<string, { md5: string, opaque: string }> }}
 */
export function sseKmsEtags(buckets) {
  const encrypted = new Set(buckets);
  /** bucket/key → the upstream (MD5) ETag and the opaque one AWS would give. */
  const etags = new Map();
  /** @param {string} bucket @param {string} key @param {string} md5 @param {boolean} write */
  const opaqueFor = (bucket, key, md5, write) => {
    const id = `${bucket}/${key}`;
    let entry = etags.get(id);
    if (write || !entry || entry.md5 !== md5) {
      const parts = /-\d+$/.exec(md5)?.[0] ?? '';
      entry = { md5, opaque: randomBytes(16).toString('hex') + parts };
      etags.set(id, entry);
    }
    return entry.opaque;
  };
  return {
    name: 'sse-kms ETags',
    etags,
    applies: (r) => r.bucket !== undefined && encrypted.has(r.bucket) && ETAG_OPS.has(r.operation),
    // Conditions name the ETag the caller saw (the opaque one); the stand-in behind knows the MD5.
    requestHeaders: (r, headers) => {
      const entry = etags.get(`${r.bucket ?? ''}/${r.key ?? ''}`);
      const ifMatch = headers['if-match'];
      if (!entry || typeof ifMatch !== 'string') return headers;
      return { ...headers, 'if-match': bare(ifMatch) === entry.opaque ? `"${entry.md5}"` : ifMatch };
    },
    response: (r, reply) => {
      if (reply.status >= 300) return reply;
      const bucket = /** @type {string} */ (r.bucket);
      const write = WRITES.has(r.operation);
      const header = reply.headers.etag;
      if (typeof header === 'string' && r.operation !== 'UploadPart') {
        return { ...reply, headers: { ...reply.headers, etag: `"${opaqueFor(bucket, r.key ?? '', bare(header), write)}"` } };
      }
      if (r.operation === 'CopyObject' || r.operation === 'CompleteMultipartUpload') {
        const text = reply.body
          .toString('utf8')
          .replace(/<ETag>([^<]*)<\/ETag>/, (_, e) => `<ETag>&quot;${opaqueFor(bucket, r.key ?? '', bare(e), true)}&quot;</ETag>`);
        return { ...reply, body: Buffer.from(text) };
      }
      if (r.operation === 'ListObjectsV2') {
        const text = reply.body.toString('utf8').replace(/<Contents>([\s\S]*?)<\/Contents>/g, (block) => {
          const key = unxml(/<Key>([^<]*)<\/Key>/.exec(block)?.[1] ?? '');
          return block.replace(/<ETag>([^<]*)<\/ETag>/, (_, e) => `<ETag>&quot;${opaqueFor(bucket, key, bare(e), false)}&quot;</ETag>`);
        });
        return { ...reply, body: Buffer.from(text) };
      }
      return reply;
    },
  };
}

/**
 * Keys in a listing asked for with encoding-type=url, encoded as S3 encodes them: form-encoding, a
 * space as `+` and a `+` as `%2B` (S3 API reference, ListObjectsV2: EncodingType; the exact form
 * measured on S3: https://github.com/brekkylab/backlot/issues/178). moto percent-encodes a space
 * (`%20`), so a client that forgot the `+` would pass against moto and fail on S3.
 * @returns {Behaviour}
 */
export function s3FormEncodedListings() {
  const s3Encode = (/** @type {string} */ key) => encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
  return {
    name: 'S3 url-encoded listings',
    applies: (r) => r.operation === 'ListObjectsV2' && r.query.get('encoding-type') === 'url',
    response: (_r, reply) => {
      if (reply.status !== 200) return reply;
      const text = reply.body
        .toString('utf8')
        .replace(
          /<(Key|Prefix|StartAfter)>([^<]*)<\/\1>/g,
          (_, name, value) => `<${name}>${s3Encode(decodeURIComponent(unxml(value)))}</${name}>`,
        );
      return { ...reply, body: Buffer.from(text) };
    },
  };
}

/**
 * DeleteObjects answers 200 and reports per key what it could not delete, with codes such as
 * SlowDown or InternalError (S3 API reference, DeleteObjects: Error); the SDK retries whole
 * requests only. The first `times` DeleteObjects requests delete nothing and report every key so.
 * @param {{ times?: number, code?: string }} [options]
 * @returns {Behaviour & { replied: number }}
 */
export function deleteObjectsKeyErrors({ times = 1, code = 'SlowDown' } = {}) {
  const behaviour = {
    name: `DeleteObjects per-key ${code}`,
    replied: 0,
    applies: (/** @type {import('./aws-proxy.mjs').RecordedRequest} */ r) => r.operation === 'DeleteObjects',
    reply: (/** @type {import('./aws-proxy.mjs').RecordedRequest} */ _r, /** @type {Buffer} */ body) => {
      if (behaviour.replied >= times) return undefined;
      behaviour.replied++;
      const keys = [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
      const errors = keys
        .map((k) => `<Error><Key>${k}</Key><Code>${code}</Code><Message>Please reduce your request rate.</Message></Error>`)
        .join('');
      return {
        status: 200,
        headers: { 'content-type': 'application/xml' },
        body: Buffer.from(
          `<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${errors}</DeleteResult>`,
        ),
      };
    },
  };
  return behaviour;
}

const xmlError = (/** @type {number} */ status, /** @type {string} */ code, /** @type {string} */ message) => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: Buffer.from(
    `<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>aws-behaviour</RequestId></ErrorResponse>`,
  ),
});
const tag = (/** @type {string} */ xml, /** @type {string} */ name) => unxml(new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '');

/**
 * CloudFront's caller references, which moto ignores: CreateInvalidation with a reference already
 * used for the same paths returns the existing invalidation, with other paths it fails
 * InvalidationBatchAlreadyExists (CloudFront API reference, CreateInvalidation); CreateDistribution
 * with a reference already used fails DistributionAlreadyExists (CreateDistribution,
 * CreateDistributionWithTags). A retried request after a lost response meets exactly this.
 * @returns {Behaviour & { created: Map<string, string>, invalidations: Map<string, string> }}
 */
export function cloudFrontCallerReferences() {
  /** CallerReference → 'distribution'. */
  const created = new Map();
  /** distribution id + CallerReference → the sorted paths. */
  const invalidations = new Map();
  return {
    name: 'CloudFront caller references',
    created,
    invalidations,
    applies: (r) =>
      r.service === 'cloudfront' &&
      (r.operation === 'CreateInvalidation' || r.operation === 'CreateDistribution' || r.operation === 'CreateDistributionWithTags'),
    reply: async (r, body, upstream) => {
      const xml = body.toString('utf8');
      const reference = tag(xml, 'CallerReference');
      if (r.operation !== 'CreateInvalidation') {
        if (created.has(reference))
          return xmlError(
            409,
            'DistributionAlreadyExists',
            `The caller reference that you are using to create a distribution is associated with another distribution. Already exists: ${created.get(reference)}`,
          );
        created.set(reference, 'distribution');
        return undefined;
      }
      const distribution = /\/distribution\/([^/]+)\/invalidation$/.exec(r.path)?.[1] ?? '';
      const paths = [...xml.matchAll(/<Path>([^<]*)<\/Path>/g)]
        .map((m) => unxml(m[1] ?? ''))
        .sort()
        .join('\n');
      const id = `${distribution}\0${reference}`;
      const earlier = invalidations.get(id);
      if (earlier === undefined) {
        invalidations.set(id, paths);
        return undefined;
      }
      if (earlier !== paths)
        return xmlError(400, 'InvalidationBatchAlreadyExists', 'The caller reference was already used with other paths.');
      // The same request again: the invalidation it created, as CloudFront returns it.
      const base = `${upstream}/2020-05-31/distribution/${distribution}/invalidation`;
      // moto routes a request by the service its signature names (it does not check the signature).
      const signed = {
        headers: {
          authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cloudfront/aws4_request, SignedHeaders=host, Signature=0',
        },
      };
      const list = await (await fetch(base, signed)).text();
      for (const m of list.matchAll(/<Id>([^<]*)<\/Id>/g)) {
        const one = await (await fetch(`${base}/${m[1]}`, signed)).text();
        if (tag(one, 'CallerReference') === reference)
          return { status: 201, headers: { 'content-type': 'text/xml', location: `${base}/${m[1]}` }, body: Buffer.from(one) };
      }
      return undefined;
    },
  };
}
