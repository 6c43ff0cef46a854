// A bucket listed the way most tools list it: one ListObjectsV2 request after the other, each
// waiting for the continuation token of the one before, with the same SDK, client and connection
// settings as deploy-static. The sequential reference for Slipway's listing in ranges.
//   node bench/lib/list-chain.mjs <bucket>
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';

const [bucket = ''] = process.argv.slice(2);
const client = new S3Client({
  forcePathStyle: true,
  maxAttempts: 8,
  retryMode: 'standard',
  requestHandler: new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }),
    connectionTimeout: 10_000,
    requestTimeout: 120_000,
  }),
});
let objects = 0;
/** @type {string | undefined} */
let token;
do {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
  objects += page.Contents?.length ?? 0;
  token = page.IsTruncated ? page.NextContinuationToken : undefined;
} while (token);
console.log(objects);
