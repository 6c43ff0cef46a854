// The redeploy's floor: only the unavoidable work of a content-based redeploy, with the same SDK,
// client and connection settings as deploy-static (keep-alive, 16 sockets, standard retries):
// start node, walk the folder, list the bucket, read and MD5 the local files whose remote copy
// has the same size, PUT what differs and delete what is gone. No manifest, no lease, no rules.
//   node bench/lib/floor.mjs <dir> <bucket> [concurrency]
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import { join, relative } from 'node:path';

const [dir = '', bucket = '', concurrency = '16'] = process.argv.slice(2);
const limit = Number(concurrency);
const client = new S3Client({
  forcePathStyle: true,
  maxAttempts: 8,
  retryMode: 'standard',
  requestHandler: new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: limit }),
    connectionTimeout: 10_000,
    requestTimeout: 120_000,
  }),
});

/** @type {Map<string, { etag: string, size: number }>} */
const remote = new Map();
/** @type {string | undefined} */
let token;
do {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
  for (const o of page.Contents ?? [])
    if (o.Key && !o.Key.startsWith('.')) remote.set(o.Key, { etag: (o.ETag ?? '').replaceAll('"', ''), size: o.Size ?? 0 });
  token = page.IsTruncated ? page.NextContinuationToken : undefined;
} while (token);

const files = readdirSync(dir, { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name));
const toPut = files.filter((path) => {
  const object = remote.get(relative(dir, path));
  remote.delete(relative(dir, path));
  if (!object || object.size !== statSync(path).size) return true;
  // A multipart ETag is not an MD5: count it as the same when sizes match (as the cheapest tool would).
  return !object.etag.includes('-') && createHash('md5').update(readFileSync(path)).digest('hex') !== object.etag;
});
let next = 0;
await Promise.all(
  Array.from({ length: limit }, async () => {
    while (next < toPut.length) {
      const path = /** @type {string} */ (toPut[next++]);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: relative(dir, path), Body: readFileSync(path) }));
    }
  }),
);
const gone = [...remote.keys()];
for (let i = 0; i < gone.length; i += 1000)
  await client.send(
    new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: gone.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }),
  );
