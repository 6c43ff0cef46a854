// What keeps garbage collection from deleting what a pointer is about to hold.
//
// Every step that writes a release store (bucket + prefix) or moves a pointer to one of its releases
// — staging, activation, rollback, promotion, gc — runs under the store's lease: the same lease a
// mirror deploy of that prefix takes (s3-sync/lease.ts, an S3 conditional write). So gc never runs
// while a release is being staged or a pointer is being moved, and:
//   - activation checks, under the lease, that the release's record exists and that gc has not
//     started deleting it; gc re-reads every pointer, under the lease, before deleting anything;
//   - gc names the releases it is deleting in the store's gc index before the first delete and
//     removes the record last, so a gc killed half-way leaves releases that are refused for
//     activation (and finished by the next gc, or staged again by a deploy of the same build).
// The gc index (.slipway/releases-gc.json) also records when each release was first seen off
// every pointer: the stale-asset-grace counts from then.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { hostname } from 'node:os';
import { isNotFound } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';
import { Lease, type LeaseOptions } from '../s3-sync/lease.js';
import { systemClock } from '../util/clock.js';
import { recordKey } from './layout.js';
import { switchPointer } from './pointer.js';

export interface ReleaseStore {
  s3: S3Client;
  bucket: string;
  /** '' or ending in '/'. */
  prefix: string;
  log: Logger;
}

export const GC_INDEX_KEY = '.slipway/releases-gc.json';

export interface GcIndex {
  version: 1;
  /** Release id → when gc first saw it held by no pointer (ISO time). */
  offSince: Record<string, string>;
  /** Releases gc decided to delete and has started deleting: never activated again. */
  deleting: string[];
}

/** Lease timing: the default waits up to 10 minutes for another deploy, polling every 5 seconds. */
export const STORE_LEASE: LeaseOptions = { ttlMs: 10 * 60_000, waitMs: 10 * 60_000, pollMs: 5_000 };

/** Runs `work` holding the store's lease (waiting for another holder as options say), then gives it back. */
export async function underStoreLease<T>(
  store: ReleaseStore,
  what: string,
  work: () => Promise<T>,
  options: LeaseOptions = STORE_LEASE,
): Promise<T> {
  const lease = await Lease.acquire(store.s3, store.bucket, store.prefix, `slipway ${what} on ${hostname()} (pid ${process.pid})`, {
    clock: systemClock,
    log: store.log,
    options,
  });
  try {
    return await work();
  } finally {
    await lease.release();
  }
}

export async function readGcIndex(store: ReleaseStore): Promise<GcIndex> {
  const parsed = ((await readStoreJson(store, GC_INDEX_KEY)) ?? {}) as Partial<GcIndex>;
  return { version: 1, offSince: parsed.offSince ?? {}, deleting: parsed.deleting ?? [] };
}

/** One of the store's own JSON objects (`key` under the prefix), parsed; undefined when there is none. */
export async function readStoreJson(store: Pick<ReleaseStore, 's3' | 'bucket' | 'prefix'>, key: string): Promise<unknown> {
  try {
    const out = await store.s3.send(new GetObjectCommand({ Bucket: store.bucket, Key: store.prefix + key }));
    return JSON.parse((await out.Body?.transformToString('utf8')) ?? '');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Writes one of the store's own JSON objects (a record, the gc index, a staging marker), never to be cached. */
export async function writeStoreJson(store: Pick<ReleaseStore, 's3' | 'bucket' | 'prefix'>, key: string, value: unknown): Promise<void> {
  await store.s3.send(
    new PutObjectCommand({
      Bucket: store.bucket,
      Key: store.prefix + key,
      Body: JSON.stringify(value),
      ContentType: 'application/json',
      CacheControl: 'no-store',
    }),
  );
}

export async function writeGcIndex(store: ReleaseStore, index: GcIndex): Promise<void> {
  await writeStoreJson(store, GC_INDEX_KEY, index);
}

async function recordExists(store: ReleaseStore, id: string): Promise<boolean> {
  try {
    await store.s3.send(new HeadObjectCommand({ Bucket: store.bucket, Key: store.prefix + recordKey(id) }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** The release cannot be activated: not (or no longer) completely in the store. */
export class ReleaseUnavailable extends Error {
  constructor(where: string, id: string, why: 'missing' | 'deleting') {
    super(
      why === 'missing'
        ? `Release ${id} has no record in ${where}${recordKey(id)}: it was never completely staged, or garbage collection removed it. Nothing was switched; deploy that build again to stage it anew.`
        : `Release ${id} in ${where} is being removed by garbage collection (it was off every pointer for longer than stale-asset-grace). Nothing was switched; deploy that build again to stage it anew.`,
    );
    this.name = 'ReleaseUnavailable';
  }
}

/** Refuses, naming why, a release that is not complete in the store or that gc is deleting. Call under the lease. */
export async function checkActivatable(store: ReleaseStore, id: string): Promise<void> {
  const where = `s3://${store.bucket}/${store.prefix}`;
  if ((await readGcIndex(store)).deleting.includes(id)) throw new ReleaseUnavailable(where, id, 'deleting');
  if (!(await recordExists(store, id))) throw new ReleaseUnavailable(where, id, 'missing');
}

/**
 * Points `site` at release `id` of `store` (the routing table `<owner>~<id>`), if its live release is
 * still `expected`: under the store's lease, after checking the release is complete and not being deleted.
 */
export async function activateRelease(
  store: ReleaseStore,
  kvs: CloudFrontKeyValueStoreClient,
  arn: string,
  site: string,
  id: string,
  expected: string,
  owner = site,
): Promise<{ conflicts: number }> {
  return underStoreLease(store, `activation of ${id}`, async () => {
    await checkActivatable(store, id);
    return switchPointer(kvs, arn, site, id, expected, owner);
  });
}
