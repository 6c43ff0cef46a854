// An already deployed build as a source: promoted by server-side copy, never downloaded.
import type { S3Client } from '@aws-sdk/client-s3';
import { isHidden, SLIPWAY_FOLDER, unsafeKeyReason } from './keys.js';
import type { LeftOut } from './local-source.js';
import type { S3SourceObject } from './plan.js';
import { listObjects, readManifest } from './remote.js';

/**
 * The build deployed at s3://bucket/prefix. Where a Slipway deploy put it there, its manifest says
 * which objects are the build: assets kept only for their grace period, and objects Slipway did not
 * write, are not promoted.
 */
export async function scanS3Source(
  client: S3Client,
  bucket: string,
  prefix: string,
  exclude: (key: string) => boolean,
): Promise<{ files: S3SourceObject[]; leftOut: LeftOut[] }> {
  const [listing, manifest] = await Promise.all([listObjects(client, bucket, prefix), readManifest(client, bucket, prefix)]);
  const files: S3SourceObject[] = [];
  const leftOut: LeftOut[] = [];
  for (const [key, object] of [...listing.objects].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // The source deployment's own bookkeeping is not part of the site.
    if (key.startsWith(SLIPWAY_FOLDER)) continue;
    const unsafe = unsafeKeyReason(key);
    if (manifest && key in manifest.stale)
      leftOut.push({ key, reason: 'kept there only for open pages (stale asset), not part of the build' });
    else if (manifest && !(key in manifest.objects)) leftOut.push({ key, reason: 'not written by the deploy that put the build there' });
    else if (isHidden(key)) leftOut.push({ key, reason: 'dotfile' });
    else if (unsafe) leftOut.push({ key, reason: `name ${unsafe}` });
    else if (key.endsWith('/')) leftOut.push({ key, reason: 'folder marker' });
    else if (exclude(key)) leftOut.push({ key, reason: 'exclude' });
    else files.push({ kind: 's3', key, size: object.size, etag: object.etag, bucket, sourceKey: prefix + key });
  }
  return { files, leftOut };
}
