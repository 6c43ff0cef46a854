// Carries out a plan: writes (assets, then entry points), then deletions, each phase only after
// the one before it succeeded completely.
import { CopyObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { reportProgress, type Logger } from '../log/logger.js';
import { describeError } from '../aws/errors.js';
import { forEachLimit } from '../util/concurrency.js';
import { md5Buffer, PART_SIZE, unquote } from './etag.js';
import { isEntryPoint } from './keys.js';
import { deleteObjects } from './remote.js';
import type { PlannedWrite, S3SourceObject } from './plan.js';

/** CopyObject handles objects up to 5 GiB. */
const MAX_COPY_SIZE = 5 * 1024 ** 3;

export interface Target {
  client: S3Client;
  bucket: string;
  prefix: string;
  concurrency: number;
}

export interface WriteResult {
  key: string;
  etag: string;
  bytes: number;
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
  const headers = { CacheControl: w.headers.cacheControl, ContentType: w.headers.contentType };
  if (w.change === 'headers') {
    const result = await client.send(
      new CopyObjectCommand({ Bucket: bucket, Key, CopySource: copySource(bucket, Key), MetadataDirective: 'REPLACE', ...headers }),
    );
    return { key: w.key, etag: unquote(result.CopyObjectResult?.ETag ?? ''), bytes: 0 };
  }
  const entry = w.entry;
  if (entry.kind === 's3') return copyFromSource(target, w, entry);
  if (entry.size <= PART_SIZE) {
    const body = await readFile(entry.path);
    const result = await client.send(
      new PutObjectCommand({ Bucket: bucket, Key, Body: body, ContentLength: body.length, ContentMD5: Buffer.from(md5Buffer(body), 'hex').toString('base64'), ...headers }),
    );
    return { key: w.key, etag: unquote(result.ETag ?? ''), bytes: body.length };
  }
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key, Body: createReadStream(entry.path), ...headers },
    partSize: PART_SIZE,
    queueSize: 4,
    leavePartsOnError: false,
  });
  const result = await upload.done();
  return { key: w.key, etag: unquote(result.ETag ?? ''), bytes: entry.size };
}

async function copyFromSource(target: Target, w: PlannedWrite, source: S3SourceObject): Promise<WriteResult> {
  if (source.size > MAX_COPY_SIZE) {
    throw new Error(`s3://${source.bucket}/${source.sourceKey} is larger than 5 GiB, which a server-side copy cannot promote`);
  }
  const result = await target.client.send(
    new CopyObjectCommand({
      Bucket: target.bucket,
      Key: target.prefix + w.key,
      CopySource: copySource(source.bucket, source.sourceKey),
      MetadataDirective: 'REPLACE',
      CacheControl: w.headers.cacheControl,
      ContentType: w.headers.contentType,
    }),
  );
  return { key: w.key, etag: unquote(result.CopyObjectResult?.ETag ?? ''), bytes: source.size };
}

const verb = (w: PlannedWrite) => (w.change === 'headers' ? 'updated headers of' : w.entry.kind === 's3' ? `copied (${w.change})` : `uploaded (${w.change})`);

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
      throw new DeployPhaseError(`${describeError(error)}. Nothing was deleted${name === 'assets' ? ' and no HTML page was written' : ''}.`, done, { cause: error });
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
