// Staging a release in the bucket, in an order that never touches what is live:
//   1. check every pool key: one that exists with different bytes fails the deploy, naming the file,
//      before anything is written (an older release may still load it);
//   2. upload missing pool files with If-None-Match: * (a racing writer cannot be overwritten either);
//   3. the release folder: files an earlier release holds with the same bytes and headers are copied
//      server-side, the others uploaded;
//   4. the release record, last: a release without its record is incomplete and is never activated.
// All of it under the store's lease (guard.ts), so garbage collection never deletes a pool object
// this staging has just found in place, nor anything it is writing. Before step 2 a marker names the
// pool keys it will write (staging.ts), deleted after step 4: what a staging that never finishes
// leaves (a release folder with no record, pool objects no record uses) is for gc to sweep.
import { requestHeaders } from '../s3-sync/execute.js';
import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { isNotFound, isPreconditionFailed } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';
import { fileMatchesEtag, unquote } from '../s3-sync/etag.js';
import type { ObjectHeaders } from '../s3-sync/rules.js';
import { forEachLimit } from '../util/concurrency.js';
import { readGcIndex, readStoreJson, underStoreLease, writeGcIndex, writeStoreJson } from './guard.js';
import { recordKey, releaseFolder, type BuildFile, type ReleaseLayout } from './layout.js';
import { clearStagingMarker, writeStagingMarker } from './staging.js';

export interface ReleaseRecord {
  version: 1;
  id: string;
  site: string;
  createdAt: string;
  commit?: string;
  run?: string;
  actor?: string;
  poolDirs: string[];
  files: Record<string, { size: number; sha256: string; pool: boolean; headers: ObjectHeaders }>;
  /** The release's routing table (its own site in the store), so a rollback can restore it. */
  table: Record<string, string>;
}

export interface StageTarget {
  s3: S3Client;
  bucket: string;
  prefix: string;
  concurrency: number;
  log: Logger;
}

export interface StageResult {
  /** The record already existed: this exact build was staged before, nothing was written. */
  reused: boolean;
  uploaded: number;
  copied: number;
  poolReused: number;
  bytesUploaded: number;
}

export class PoolConflict extends Error {
  constructor(readonly keys: string[]) {
    super(
      `The shared asset pool already holds ${keys.length === 1 ? 'a file' : `${keys.length} files`} with different bytes: ${keys.join(', ')}. Files marked immutable must never change under the same name (older releases still load them); nothing was written. Give the file a content hash in its name, or a cache-control rule that is not immutable.`,
    );
    this.name = 'PoolConflict';
  }
}

/** Writes a release's record: the last write of a staging (or a promotion's copy), after which the release is complete. */
export async function writeRecord(t: Pick<StageTarget, 's3' | 'bucket' | 'prefix'>, record: ReleaseRecord): Promise<void> {
  await writeStoreJson(t, recordKey(record.id), record);
}

export async function readRecord(t: Pick<StageTarget, 's3' | 'bucket' | 'prefix'>, id: string): Promise<ReleaseRecord | undefined> {
  return (await readStoreJson(t, recordKey(id))) as ReleaseRecord | undefined;
}

/** Is the pool key free (true), holding these bytes (false)? Different bytes: the key is returned as a conflict. */
async function poolState(t: StageTarget, file: BuildFile, path: string): Promise<'missing' | 'same' | 'different'> {
  try {
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: t.prefix + file.key }));
    return (await fileMatchesEtag(path, file.size, unquote(head.ETag ?? ''))) ? 'same' : 'different';
  } catch (error) {
    if (isNotFound(error)) return 'missing';
    throw error;
  }
}

async function put(t: StageTarget, key: string, path: string, headers: ObjectHeaders, ifNoneMatch: boolean): Promise<number> {
  const body = await readFile(path);
  await t.s3.send(
    new PutObjectCommand({
      Bucket: t.bucket,
      Key: t.prefix + key,
      Body: body,
      ...requestHeaders(headers),
      ...(ifNoneMatch ? { IfNoneMatch: '*' } : {}),
    }),
  );
  return body.length;
}

/** The pool files this build needs that are missing; a key holding other bytes fails here, before anything is written. */
async function checkPool(
  t: StageTarget,
  pool: readonly BuildFile[],
  paths: ReadonlyMap<string, string>,
  result: StageResult,
): Promise<BuildFile[]> {
  const missing: BuildFile[] = [];
  const conflicts: string[] = [];
  await forEachLimit(pool, t.concurrency, async (f) => {
    const state = await poolState(t, f, paths.get(f.key)!);
    if (state === 'missing') missing.push(f);
    else if (state === 'different') conflicts.push(f.key);
    else result.poolReused++;
  });
  if (conflicts.length > 0) throw new PoolConflict(conflicts.sort());
  return missing;
}

async function uploadPool(
  t: StageTarget,
  missing: readonly BuildFile[],
  paths: ReadonlyMap<string, string>,
  result: StageResult,
): Promise<void> {
  await forEachLimit(missing, t.concurrency, async (f) => {
    try {
      result.bytesUploaded += await put(t, f.key, paths.get(f.key)!, f.headers, true);
      result.uploaded++;
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      // Another deploy wrote it meanwhile: fine if it holds the same bytes.
      if ((await poolState(t, f, paths.get(f.key)!)) !== 'same') throw new PoolConflict([f.key]);
      result.poolReused++;
    }
  });
}

/** Where an earlier release holds a file with the same bytes and headers, by sha256 + headers. */
function copySources(earlier: readonly ReleaseRecord[]): Map<string, string> {
  const sources = new Map<string, string>();
  for (const record of earlier) {
    for (const [key, f] of Object.entries(record.files)) {
      if (!f.pool) sources.set(JSON.stringify([f.sha256, f.headers]), releaseFolder(record.id) + key);
    }
  }
  return sources;
}

async function stageReleaseFolder(
  t: StageTarget,
  layout: ReleaseLayout,
  paths: ReadonlyMap<string, string>,
  earlier: readonly ReleaseRecord[],
  result: StageResult,
): Promise<void> {
  const sources = copySources(earlier);
  const folder = releaseFolder(layout.id);
  await forEachLimit(layout.release, t.concurrency, async (f) => {
    const source = sources.get(JSON.stringify([f.sha256, f.headers]));
    if (source !== undefined) {
      const copySource = `${t.bucket}/${encodeURIComponent(t.prefix + source).replace(/%2F/g, '/')}`;
      await t.s3.send(
        new CopyObjectCommand({
          Bucket: t.bucket,
          Key: t.prefix + folder + f.key,
          CopySource: copySource,
          MetadataDirective: 'REPLACE',
          ...requestHeaders(f.headers),
        }),
      );
      result.copied++;
      return;
    }
    result.bytesUploaded += await put(t, folder + f.key, paths.get(f.key)!, f.headers, false);
    result.uploaded++;
  });
}

/**
 * @param paths local path of every build key
 * @param earlier records of earlier releases whose release-folder objects may be copied
 */
export async function stageRelease(
  t: StageTarget,
  layout: ReleaseLayout,
  record: ReleaseRecord,
  paths: ReadonlyMap<string, string>,
  earlier: readonly ReleaseRecord[],
): Promise<StageResult> {
  const result: StageResult = { reused: false, uploaded: 0, copied: 0, poolReused: 0, bytesUploaded: 0 };
  return underStoreLease(t, `staging of release ${layout.id}`, async () => {
    // A release gc has started deleting is staged again in full (its files may be half gone).
    const deleting = (await readGcIndex(t)).deleting.includes(layout.id);
    if (!deleting && (await readRecord(t, layout.id))) return { ...result, reused: true };
    await t.log.group(`Stage the shared asset pool (${layout.pool.length} immutable files)`, async () => {
      const missing = await checkPool(t, layout.pool, paths, result);
      // Named before the first write, so gc can tell what a staging that never finishes leaves (staging.ts).
      await writeStagingMarker(
        t,
        layout.id,
        missing.map((f) => f.key),
      );
      await uploadPool(t, missing, paths, result);
    });
    await t.log.group(`Stage release ${layout.id} (${layout.release.length} files under ${releaseFolder(layout.id)})`, () =>
      stageReleaseFolder(
        t,
        layout,
        paths,
        earlier.filter((r) => r.id !== layout.id),
        result,
      ),
    );
    await writeRecord(t, record);
    await clearStagingMarker(t, layout.id);
    if (deleting) {
      const index = await readGcIndex(t);
      await writeGcIndex(t, { ...index, deleting: index.deleting.filter((id) => id !== layout.id) });
    }
    t.log.info(
      `release ${layout.id}: ${result.uploaded} uploaded, ${result.copied} copied from earlier releases, ${result.poolReused} pool files already in place; record written`,
    );
    return result;
  });
}
