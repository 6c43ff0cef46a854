// The endpoint's limit: a bare loop of concurrent PutObject calls with the same SDK, client and
// connection settings as deploy-static (keep-alive, 16 sockets, standard retries), nothing else.
//   node bench/lib/bare-put.mjs <dir> <bucket> [concurrency]
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
const files = readdirSync(dir, { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name));
let next = 0;
await Promise.all(
  Array.from({ length: limit }, async () => {
    while (next < files.length) {
      const path = /** @type {string} */ (files[next++]);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: relative(dir, path), Body: await readFile(path) }));
    }
  }),
);
