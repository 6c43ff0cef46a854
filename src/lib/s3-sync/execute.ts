// Carries out a plan: writes (assets, then entry points), then deletions, each phase only after
// the one before it succeeded completely.
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  AbortMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
  type CopyObjectCommandInput,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { reportProgress, type Logger } from '../log/logger.js';
import { describeError } from '../aws/errors.js';
import { forEachLimit } from '../util/concurrency.js';
import { base64OfHex, md5Buffer, PART_SIZE, sha256Buffer, sha256File, unquote } from './etag.js';
import { isEntryPoint } from './keys.js';
import { deleteObjects } from './remote.js';
import type { PlannedWrite } from './plan.js';
import type { ObjectHeaders } from './rules.js';

/** A single CopyObject handles objects up to 5 GiB; larger ones are copied in parts (UploadPartCopy). */
export const MAX_COPY_SIZE = 5 * 1024 ** 3;
/** 512 MiB parts: a 5 TiB object (S3's largest) stays under 10,000 parts. */
const COPY_PART_SIZE = 512 * 1024 ** 2;

export interface Target {
  client: S3Client;
  bucket: string;
  prefix: string;
  concurrency: number;
  /** Header names Slipway sets on a key (HeaderRules.managedNamesFor): every other header of an object is kept on a copy. */
  managedNamesFor: (key: string) => readonly string[];
  /** HEAD answers this run already has, by full key in the target bucket: a copy need not read them again. */
  heads?: ReadonlyMap<string, HeadObjectCommandOutput>;
  /** For tests: copy in parts above this size (default 5 GiB), in parts of this size. */
  maxCopySize?: number;
  copyPartSize?: number;
}

/** Object headers as PutObject, CopyObject and CreateMultipartUpload take them. */
export function requestHeaders(h: ObjectHeaders) {
  const extra = h.extra ?? {};
  const metadata = Object.fromEntries(
    Object.entries(extra)
      .filter(([n]) => n.startsWith('x-amz-meta-'))
      .map(([n, v]) => [n.slice('x-amz-meta-'.length), v]),
  );
  return {
    CacheControl: h.cacheControl,
    ContentType: h.contentType,
    ...(extra['content-encoding'] ? { ContentEncoding: extra['content-encoding'] } : {}),
    ...(extra['content-disposition'] ? { ContentDisposition: extra['content-disposition'] } : {}),
    ...(extra['content-language'] ? { ContentLanguage: extra['content-language'] } : {}),
    ...(Object.keys(metadata).length > 0 ? { Metadata: metadata } : {}),
  };
}

/**
 * What a copy with MetadataDirective REPLACE must repeat so that it keeps them: every header of the
 * source that Slipway does not manage (CopyObject drops whatever the request leaves out), its storage
 * class, and — copying within one bucket — its encryption (S3 API reference, CopyObject).
 */
function keptHeaders(head: HeadObjectCommandOutput, managed: readonly string[], sameBucket: boolean): Partial<CopyObjectCommandInput> {
  const is = (name: string) => managed.includes(name);
  const metadata = Object.fromEntries(Object.entries(head.Metadata ?? {}).filter(([n]) => !is(`x-amz-meta-${n.toLowerCase()}`)));
  return {
    ...(head.ContentEncoding && !is('content-encoding') ? { ContentEncoding: head.ContentEncoding } : {}),
    ...(head.ContentDisposition && !is('content-disposition') ? { ContentDisposition: head.ContentDisposition } : {}),
    ...(head.ContentLanguage && !is('content-language') ? { ContentLanguage: head.ContentLanguage } : {}),
    ...(head.ExpiresString ? { Expires: new Date(head.ExpiresString) } : head.Expires ? { Expires: head.Expires } : {}),
    ...(head.WebsiteRedirectLocation ? { WebsiteRedirectLocation: head.WebsiteRedirectLocation } : {}),
    ...(Object.keys(metadata).length > 0 ? { Metadata: metadata } : {}),
    ...(head.StorageClass ? { StorageClass: head.StorageClass } : {}),
    ...(sameBucket && head.ServerSideEncryption ? { ServerSideEncryption: head.ServerSideEncryption } : {}),
    ...(sameBucket && head.SSEKMSKeyId ? { SSEKMSKeyId: head.SSEKMSKeyId } : {}),
    ...(sameBucket && head.BucketKeyEnabled !== undefined ? { BucketKeyEnabled: head.BucketKeyEnabled } : {}),
  };
}

/** Merges managed headers into kept ones (Metadata from both). */
function withManaged(kept: Partial<CopyObjectCommandInput>, headers: ObjectHeaders): Partial<CopyObjectCommandInput> {
  const managed = requestHeaders(headers);
  const metadata = { ...(kept.Metadata ?? {}), ...(managed.Metadata ?? {}) };
  return { ...kept, ...managed, ...(Object.keys(metadata).length > 0 ? { Metadata: metadata } : {}) };
}

export interface WriteResult {
  key: string;
  etag: string;
  bytes: number;
  /** SHA-256 of the content written (hex), where this write knows it (uploads). */
  sha256?: string;
}

/** Thrown when a phase fails; says what had already been done so the caller can record it. */
export class DeployPhaseError extends Error {
  constructor(
    message: string,
    readonly completed: WriteResult[],
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'DeployPhaseError';
  }
}

const copySource = (bucket: string, key: string): string => `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;

async function writeOne(target: Target, w: PlannedWrite): Promise<WriteResult> {
  const { client, bucket } = target;
  const Key = target.prefix + w.key;
  const headers = requestHeaders(w.headers);
  if (w.change === 'headers') {
    const etag = await copyObject(target, { bucket, key: Key }, Key, w.headers, target.managedNamesFor(w.key), true);
    return { key: w.key, etag, bytes: 0 };
  }
  const entry = w.entry;
  if (entry.kind === 's3') {
    const etag = await copyObject(
      target,
      { bucket: entry.bucket, key: entry.sourceKey },
      Key,
      w.headers,
      target.managedNamesFor(w.key),
      entry.bucket === bucket,
    );
    return { key: w.key, etag, bytes: entry.size };
  }
  if (entry.size <= PART_SIZE) {
    const body = await readFile(entry.path);
    const sha256 = sha256Buffer(body);
    // S3 keeps the SHA-256 as the object's full-object checksum: content identity that does not
    // depend on the ETag being an MD5 (it is not, under SSE-KMS, DSSE-KMS or SSE-C).
    const result = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key,
        Body: body,
        ContentLength: body.length,
        ContentMD5: base64OfHex(md5Buffer(body)),
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: base64OfHex(sha256),
        ...headers,
      }),
    );
    return { key: w.key, etag: unquote(result.ETag ?? ''), bytes: body.length, sha256 };
  }
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key, Body: createReadStream(entry.path), ...headers },
    partSize: PART_SIZE,
    queueSize: 4,
    leavePartsOnError: false,
  });
  const [result, sha256] = await Promise.all([upload.done(), sha256File(entry.path, entry.size)]);
  return { key: w.key, etag: unquote(result.ETag ?? ''), bytes: entry.size, sha256 };
}

/**
 * Copies s3://source to `key` of the target with `headers`, keeping every header Slipway does not
 * manage; objects over 5 GiB are copied in parts. Returns the new object's ETag.
 */
async function copyObject(
  target: Target,
  source: { bucket: string; key: string },
  key: string,
  headers: ObjectHeaders,
  managed: readonly string[],
  sameBucket: boolean,
): Promise<string> {
  const { client } = target;
  const known = source.bucket === target.bucket ? target.heads?.get(source.key) : undefined;
  const head = known ?? (await client.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.key })));
  const params = { Bucket: target.bucket, Key: key, ...withManaged(keptHeaders(head, managed, sameBucket), headers) };
  const size = head.ContentLength ?? 0;
  if (size <= (target.maxCopySize ?? MAX_COPY_SIZE)) {
    const result = await client.send(
      new CopyObjectCommand({ ...params, CopySource: copySource(source.bucket, source.key), MetadataDirective: 'REPLACE' }),
    );
    return unquote(result.CopyObjectResult?.ETag ?? '');
  }
  return copyInParts(target, params, copySource(source.bucket, source.key), size);
}

/** A copy too large for CopyObject: CreateMultipartUpload, UploadPartCopy per range, Complete (or Abort). */
async function copyInParts(
  target: Target,
  params: Partial<CopyObjectCommandInput> & { Bucket: string; Key: string },
  source: string,
  size: number,
): Promise<string> {
  const { client } = target;
  const partSize = target.copyPartSize ?? COPY_PART_SIZE;
  const { UploadId } = await client.send(new CreateMultipartUploadCommand(params));
  try {
    const ranges = Array.from(
      { length: Math.ceil(size / partSize) },
      (_, i) => [i * partSize, Math.min(size, (i + 1) * partSize) - 1] as const,
    );
    const parts: { PartNumber: number; ETag: string }[] = [];
    await forEachLimit(
      ranges.map((r, i) => [i + 1, ...r] as const),
      4,
      async ([PartNumber, first, last]) => {
        const part = await client.send(
          new UploadPartCopyCommand({
            Bucket: params.Bucket,
            Key: params.Key,
            UploadId,
            PartNumber,
            CopySource: source,
            CopySourceRange: `bytes=${first}-${last}`,
          }),
        );
        parts.push({ PartNumber, ETag: part.CopyPartResult?.ETag ?? '' });
      },
    );
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId, MultipartUpload: { Parts: parts } }),
    );
    return unquote(done.ETag ?? '');
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId })).catch(() => undefined);
    throw error;
  }
}

const verb = (w: PlannedWrite) =>
  w.change === 'headers' ? 'updated headers of' : w.entry.kind === 's3' ? `copied (${w.change})` : `uploaded (${w.change})`;

export async function executeWrites(target: Target, writes: readonly PlannedWrite[], log: Logger): Promise<WriteResult[]> {
  const done: WriteResult[] = [];
  const totalBytes = writes.reduce((sum, w) => sum + (w.change === 'headers' ? 0 : w.entry.size), 0);
  let bytes = 0;
  const phases: [string, PlannedWrite[]][] = [
    ['assets', writes.filter((w) => !isEntryPoint(w.key))],
    ['HTML pages and service workers', writes.filter((w) => isEntryPoint(w.key))],
  ];
  for (const [name, items] of phases) {
    if (items.length === 0) continue;
    log.debug(`writing ${items.length} ${name}`);
    try {
      await forEachLimit(items, target.concurrency, async (w) => {
        let result: WriteResult;
        try {
          result = await writeOne(target, w);
        } catch (error) {
          throw new Error(`Could not write s3://${target.bucket}/${target.prefix}${w.key}: ${describeError(error)}`, { cause: error });
        }
        done.push(result);
        bytes += result.bytes;
        reportProgress(log, { done: done.length, total: writes.length, bytes, totalBytes, line: `${verb(w)} ${w.key}` });
      });
    } catch (error) {
      throw new DeployPhaseError(
        `${describeError(error)}. Nothing was deleted${name === 'assets' ? ' and no HTML page was written' : ''}.`,
        done,
        { cause: error },
      );
    }
  }
  return done;
}

function deleteBatches(target: Target, keys: readonly string[], log: Logger): Promise<number> {
  const objects = keys.map((k) => ({ Key: target.prefix + k }));
  return deleteObjects(target.client, target.bucket, objects, Math.min(4, target.concurrency), (batch) => {
    for (const o of batch) log.info(`deleted ${o.Key!.slice(target.prefix.length)}`);
  });
}

/**
 * Removed pages and service workers go first, and only once they are all gone the assets: S3 gives
 * no order within a DeleteObjects request, so one request holding both could leave a removed page
 * served for a moment without the assets it references.
 */
export async function executeDeletes(target: Target, keys: readonly string[], log: Logger): Promise<number> {
  const entryPoints = keys.filter(isEntryPoint);
  const rest = keys.filter((k) => !isEntryPoint(k));
  return (await deleteBatches(target, entryPoints, log)) + (await deleteBatches(target, rest, log));
}
