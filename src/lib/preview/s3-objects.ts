// Deleting whatever is under a prefix (or every version in a bucket), 1,000 keys per request.
import { ListObjectVersionsCommand, type ObjectIdentifier, type S3Client } from '@aws-sdk/client-s3';
import { deleteObjects, listObjects } from '../s3-sync/remote.js';

/** Deletes every object whose key starts with `prefix`, which must not be empty. Returns how many. */
export async function deletePrefix(client: S3Client, bucket: string, prefix: string, dryRun: boolean): Promise<number> {
  if (prefix === '' || !prefix.endsWith('/'))
    throw new Error(`refusing to delete under ${JSON.stringify(prefix)}: a preview prefix ends in '/' and is never the bucket root`);
  const keys = [...(await listObjects(client, bucket, prefix)).objects.keys()].map((k) => ({ Key: prefix + k }));
  return dryRun ? keys.length : deleteObjects(client, bucket, keys, 4);
}

/** Deletes every version and delete marker in a versioned bucket, so the bucket itself can be deleted. */
export async function deleteAllVersions(client: S3Client, bucket: string, dryRun: boolean): Promise<number> {
  const versions: ObjectIdentifier[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])])
      if (v.Key) versions.push({ Key: v.Key, VersionId: v.VersionId });
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined || versionMarker !== undefined);
  return dryRun ? versions.length : deleteObjects(client, bucket, versions, 4);
}
