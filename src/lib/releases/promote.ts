// Promotion: make the release one site serves (say staging, or a pull request's preview) live on
// another (production).
//   - Same release store (one bucket and prefix, one router): the pointer is copied. Production's
//     pointer links to the very routing table and objects staging verified: one If-Match write, no
//     object sent, no invalidation.
//   - Another bucket, prefix or router: the release folder and the pool objects it uses are copied
//     server-side (CopyObject, S3 API reference: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html;
//     the metadata is copied with the object), the pool never overwritten with different bytes, the
//     record written last, the routing table written under the target site's name; then the same
//     one-write switch.
import { CopyObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { isNotFound } from '../aws/errors.js';
import { readAllEntries, writeEntries } from '../router/store.js';
import { siteKey, siteKeyPrefixes } from '../router/table.js';
import { forEachLimit } from '../util/concurrency.js';
import { checkStoreBudget } from './budget.js';
import type { ReleaseDeps } from './deploy.js';
import { activateRelease, checkActivatable, underStoreLease, type ReleaseStore } from './guard.js';
import { recordKey, releaseFolder, releaseSite } from './layout.js';
import type { ReleaseTarget } from './manage.js';
import { readPointer } from './pointer.js';
import { PoolConflict, readRecord, type ReleaseRecord } from './stage.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';

export interface PromoteResult {
  /** pointer: one write, nothing copied; copy: the release was copied to the target's store first. */
  mode: 'pointer' | 'copy';
  id: string;
  /** The release the target served before ('' when none). */
  previous: string;
  /** false: the target already served this release. */
  switched: boolean;
  copied: number;
  poolCopied: number;
  poolReused: number;
}

const storeOf = (t: ReleaseTarget, deps: ReleaseDeps): ReleaseStore => ({ s3: deps.s3, bucket: t.bucket, prefix: t.prefix, log: deps.log });

/** The routing table of release site `from`, renamed to `to`, its config told the target's prefix. */
export function renameTable(table: Record<string, string>, from: string, to: string, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(table)) {
    if (key === siteKey(from)) out.set(siteKey(to), JSON.stringify({ ...(JSON.parse(value) as object), p: prefix }));
    else {
      const p = siteKeyPrefixes(from).find((x) => key.startsWith(x));
      out.set(p ? `${p.slice(0, 2)}${to}:${key.slice(p.length)}` : key, value);
    }
  }
  return out;
}

async function etagOf(deps: ReleaseDeps, bucket: string, key: string): Promise<string | undefined> {
  try {
    return (await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const copySource = (bucket: string, key: string) => `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;

/** Copies release `record` from `from`'s store into `to`'s, server-side; the record last. */
async function copyRelease(
  from: ReleaseTarget,
  to: ReleaseTarget,
  record: ReleaseRecord,
  deps: ReleaseDeps,
  result: PromoteResult,
): Promise<void> {
  const files = Object.entries(record.files);
  const pool = files.filter(([, f]) => f.pool).map(([k]) => k);
  const conflicts: string[] = [];
  const missing: string[] = [];
  await forEachLimit(pool, 16, async (key) => {
    const [source, target] = await Promise.all([etagOf(deps, from.bucket, from.prefix + key), etagOf(deps, to.bucket, to.prefix + key)]);
    if (source === undefined)
      throw new Error(
        `Release ${record.id} uses the pool object s3://${from.bucket}/${from.prefix}${key}, which is missing: nothing was switched.`,
      );
    if (target === undefined) missing.push(key);
    else if (target !== source) conflicts.push(key);
    else result.poolReused++;
  });
  if (conflicts.length > 0) throw new PoolConflict(conflicts.sort());
  await forEachLimit(missing, 16, async (key) => {
    await deps.s3.send(
      new CopyObjectCommand({
        Bucket: to.bucket,
        Key: to.prefix + key,
        CopySource: copySource(from.bucket, from.prefix + key),
        MetadataDirective: 'COPY',
        IfNoneMatch: '*',
      }),
    );
    result.poolCopied++;
  });
  const folder = releaseFolder(record.id);
  await forEachLimit(
    files.filter(([, f]) => !f.pool).map(([k]) => k),
    16,
    async (key) => {
      await deps.s3.send(
        new CopyObjectCommand({
          Bucket: to.bucket,
          Key: to.prefix + folder + key,
          CopySource: copySource(from.bucket, from.prefix + folder + key),
          MetadataDirective: 'COPY',
        }),
      );
      result.copied++;
    },
  );
}

/**
 * Makes release `releaseId` (default: the one `from.site` serves) live on `to.site`.
 * @throws ActivationConflict when the target's live release changed while this ran
 */
export async function promote(from: ReleaseTarget, to: ReleaseTarget, deps: ReleaseDeps, releaseId?: string): Promise<PromoteResult> {
  const source = await readPointer(deps.kvs, from.storeArn, from.site);
  const id = releaseId ?? source.live;
  if (!id)
    throw new Error(
      `Site ${from.site} serves no release to promote (deploy it with mode: releases first, or name one with release-id). Nothing was switched.`,
    );
  const record = await readRecord(storeOf(from, deps), id);
  if (!record)
    throw new Error(
      `Release ${id} has no record in s3://${from.bucket}/${from.prefix}${recordKey(id)}: it was never completely staged, or garbage collection removed it. Nothing was switched.`,
    );
  await checkActivatable(storeOf(from, deps), id);
  const owner = id === source.live ? source.liveOwner : record.site;
  const target = await readPointer(deps.kvs, to.storeArn, to.site);
  const sameStore = from.bucket === to.bucket && from.prefix === to.prefix && from.storeArn === to.storeArn;
  const result: PromoteResult = {
    mode: sameStore ? 'pointer' : 'copy',
    id,
    previous: target.live,
    switched: false,
    copied: 0,
    poolCopied: 0,
    poolReused: 0,
  };
  if (target.live === id && (!sameStore || target.liveOwner === owner)) return result;
  const toStore = storeOf(to, deps);
  let tableSite = releaseSite(owner, id);
  if (sameStore) {
    const entries = await readAllEntries(deps.kvs, to.storeArn);
    if (!entries.has(siteKey(tableSite))) {
      // Its table left the store (gc of another router's copy, or by hand): written back from the record first.
      tableSite = releaseSite(record.site, id);
      const table = new Map(Object.entries(record.table));
      await checkStoreBudget(deps.kvs, to.storeArn, tableSite, table);
      await writeEntries(
        deps.kvs,
        to.storeArn,
        { desired: table, owns: (k) => k === siteKey(tableSite) || siteKeyPrefixes(tableSite).some((p) => k.startsWith(p)) },
        deps.log,
      );
    }
  } else {
    tableSite = releaseSite(to.site, id);
    const table = renameTable(record.table, releaseSite(record.site, id), tableSite, to.prefix);
    await checkStoreBudget(deps.kvs, to.storeArn, tableSite, table);
    await deps.log.group(`Copy release ${id} to s3://${to.bucket}/${to.prefix} (server-side)`, () =>
      underStoreLease(toStore, `promotion of ${id}`, async () => {
        await copyRelease(from, to, record, deps, result);
        const copy: ReleaseRecord = { ...record, site: to.site, table: Object.fromEntries(table) };
        await deps.s3.send(
          new PutObjectCommand({
            Bucket: to.bucket,
            Key: to.prefix + recordKey(id),
            Body: JSON.stringify(copy),
            ContentType: 'application/json',
            CacheControl: 'no-store',
          }),
        );
      }),
    );
    await writeEntries(
      deps.kvs,
      to.storeArn,
      { desired: table, owns: (k) => k === siteKey(tableSite) || siteKeyPrefixes(tableSite).some((p) => k.startsWith(p)) },
      deps.log,
    );
  }
  await deps.log.group(`Activate release ${id} on site ${to.site}`, () =>
    activateRelease(toStore, deps.kvs, to.storeArn, to.site, id, target.live, tableSite.slice(0, -id.length - 1)),
  );
  result.switched = true;
  deps.log.info(
    `site ${to.site} now serves release ${id} (was ${target.live || 'none'}), ${sameStore ? 'by one pointer write' : `copied server-side (${result.copied} release files, ${result.poolCopied} pool files; ${result.poolReused} already there)`}`,
  );
  return result;
}
