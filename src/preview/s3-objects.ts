// Deleting whatever is under a prefix (or every version in a bucket), 1,000 keys per request.
import { DeleteObjectsCommand, ListObjectsV2Command, ListObjectVersionsCommand, type ObjectIdentifier, type S3Client } from '@aws-sdk/client-s3';
import { chunk } from '../util/concurrency.js';

async function deleteBatches(client: S3Client, bucket: string, objects: ObjectIdentifier[]): Promise<number> {
  for (const batch of chunk(objects, 1000)) {
    const response = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
    const failed = response.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new Error(`S3 did not delete ${failed.length} of ${batch.length} objects in ${bucket} (first: ${first.Key}: ${first.Code} ${first.Message ?? ''})`);
    }
  }
  return objects.length;
}

/** Deletes every object whose key starts with `prefix`, which must not be empty. Returns how many. */
export async function deletePrefix(client: S3Client, bucket: string, prefix: string, dryRun: boolean): Promise<number> {
  if (prefix === '' || !prefix.endsWith('/')) throw new Error(`refusing to delete under ${JSON.stringify(prefix)}: a preview prefix ends in '/' and is never the bucket root`);
  const keys: ObjectIdentifier[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key?.startsWith(prefix)) keys.push({ Key: o.Key });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return dryRun ? keys.length : deleteBatches(client, bucket, keys);
}

/** Deletes every version and delete marker in a versioned bucket, so the bucket itself can be deleted. */
export async function deleteAllVersions(client: S3Client, bucket: string, dryRun: boolean): Promise<number> {
  const versions: ObjectIdentifier[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) if (v.Key) versions.push({ Key: v.Key, VersionId: v.VersionId });
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined || versionMarker !== undefined);
  return dryRun ? versions.length : deleteBatches(client, bucket, versions);
}
