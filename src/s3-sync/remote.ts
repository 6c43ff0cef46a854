// What is in the bucket under the deploy prefix, read with one list request per 1,000 objects.
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type ObjectIdentifier, type S3Client } from '@aws-sdk/client-s3';
import { chunk, forEachLimit } from '../util/concurrency.js';
import { isNotFound } from '../aws/errors.js';
import { unquote } from './etag.js';
import { MANIFEST_KEY } from './keys.js';
import { parseManifest, serializeManifest, type Manifest } from './manifest.js';
import type { ObjectHeaders } from './rules.js';

export interface RemoteObject {
  etag: string;
  size: number;
}

export interface Listing {
  /** Site-relative key → object. */
  objects: Map<string, RemoteObject>;
  requests: number;
}

/** Lists every object whose key starts with `prefix` ('' or ending in '/'), keyed relative to it. */
export async function listObjects(client: S3Client, bucket: string, prefix: string): Promise<Listing> {
  const objects = new Map<string, RemoteObject>();
  let token: string | undefined;
  let requests = 0;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }));
    requests++;
    for (const o of page.Contents ?? []) {
      if (!o.Key?.startsWith(prefix) || o.Key.length === prefix.length) continue;
      objects.set(o.Key.slice(prefix.length), { etag: unquote(o.ETag ?? ''), size: o.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { objects, requests };
}

export async function readManifest(client: S3Client, bucket: string, prefix: string): Promise<Manifest | undefined> {
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + MANIFEST_KEY }));
    return parseManifest((await response.Body?.transformToString('utf8')) ?? '');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function writeManifest(client: S3Client, bucket: string, prefix: string, manifest: Manifest): Promise<void> {
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: prefix + MANIFEST_KEY,
      Body: serializeManifest(manifest),
      ContentType: 'application/json; charset=utf-8',
      CacheControl: 'no-store',
    }),
  );
}

export async function headObject(client: S3Client, bucket: string, key: string): Promise<ObjectHeaders & { etag: string }> {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return { etag: unquote(head.ETag ?? ''), cacheControl: head.CacheControl ?? '', contentType: head.ContentType ?? '' };
}

/**
 * Deletes objects (full keys, with version ids where given), 1,000 per request, `concurrency`
 * requests at a time; `onDeleted` sees each batch once S3 confirmed it. Any key S3 reports as not
 * deleted fails the call.
 */
export async function deleteObjects(client: S3Client, bucket: string, objects: readonly ObjectIdentifier[], concurrency: number, onDeleted: (batch: ObjectIdentifier[]) => void = () => undefined): Promise<number> {
  await forEachLimit(chunk(objects, 1000), Math.max(1, concurrency), async (batch) => {
    const response = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
    const errors = response.Errors ?? [];
    if (errors.length > 0) {
      const first = errors[0]!;
      throw new Error(`Could not delete ${errors.length} object(s), first s3://${bucket}/${first.Key ?? ''}: ${first.Code ?? ''} ${first.Message ?? ''}`.trim());
    }
    onDeleted(batch);
  });
  return objects.length;
}
