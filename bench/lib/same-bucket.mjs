// Did a tool leave the bucket holding exactly the site, byte for byte? Every local file must be
// there with its content (ETag = MD5 for single-part objects; multipart ETags differ between tools'
// part sizes, so those bodies are read and compared), and nothing else but Slipway's `.slipway/`.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const md5 = (/** @type {Uint8Array} */ b) => createHash('md5').update(b).digest('hex');

/** The differences between the bucket and the folder (empty when they hold the same bytes). */
export async function bucketDifferences(/** @type {string} */ endpoint, /** @type {string} */ bucket, /** @type {string} */ dir) {
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  /** @type {Map<string, string>} */
  const remote = new Map();
  /** @type {string | undefined} */
  let token;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key && !o.Key.startsWith('.slipway/')) remote.set(o.Key, (o.ETag ?? '').replaceAll('"', ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  /** @type {string[]} */
  const differences = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const key = relative(dir, join(e.parentPath, e.name)).split(sep).join('/');
    const etag = remote.get(key);
    remote.delete(key);
    const local = md5(readFileSync(join(e.parentPath, e.name)));
    if (etag === undefined) differences.push(`${key}: missing`);
    else if (etag.includes('-')) {
      const body = await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToByteArray();
      if (!body || md5(body) !== local) differences.push(`${key}: different content`);
    } else if (etag !== local) differences.push(`${key}: different content`);
  }
  for (const key of remote.keys()) differences.push(`${key}: not in the site`);
  client.destroy();
  return differences;
}

/** Throws, naming the tool and the first differences, unless the bucket holds exactly the site. */
export async function assertSameAsSite(
  /** @type {string} */ tool,
  /** @type {string} */ endpoint,
  /** @type {string} */ bucket,
  /** @type {string} */ dir,
) {
  const differences = await bucketDifferences(endpoint, bucket, dir);
  if (differences.length > 0)
    throw new Error(`${tool} left s3://${bucket} different from the site (${differences.length}): ${differences.slice(0, 5).join('; ')}`);
}
