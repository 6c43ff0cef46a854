// Promotion: make the release one site serves (say staging, or a pull request's preview) live on
// another (production).
//   - Same release store (one bucket and prefix, one router): the pointer is copied. Production's
//     pointer links to the very routing table and objects staging verified: one If-Match write, no
//     object sent, no invalidation.
//   - Another bucket, prefix or router: the release folder and the pool objects it uses are copied
//     server-side (CopyObject, S3 API reference: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html;
//     the metadata is copied with the object), the pool never overwritten with different bytes, the
//     record written last, the routing table written under the target site's name; then the same
//     one-write switch. Like a staging, the copy names the pool keys it writes in a marker first
//     (staging.ts), so gc can sweep what a copy that never finishes leaves in the target store.
import { CopyObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { isNotFound } from '../aws/errors.js';
import { readAllEntries, writeEntries } from '../router/store.js';
import { siteKey, siteKeyPrefixes } from '../router/table.js';
import { awaitSwitch, ownedBy, verifyThroughCdn, verifyUrlFor } from './through-cdn.js';
import type { VerifyReport, WaitResult } from './verify.js';
import { forEachLimit } from '../util/concurrency.js';
import { checkStoreBudget } from './budget.js';
import type { ReleaseDeps, VerifySettings } from './deploy.js';
import { activateRelease, checkActivatable, underStoreLease, type ReleaseStore } from './guard.js';
import { recordKey, releaseFolder, releaseSite } from './layout.js';
import type { ReleaseTarget } from './manage.js';
import { readPointer } from './pointer.js';
import { PoolConflict, readRecord, writeRecord, type ReleaseRecord } from './stage.js';
import { clearStagingMarker, writeStagingMarker } from './staging.js';

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
  /** The release checked through the CDN before the switch (absent: verify false, nothing switched). */
  verification?: VerifyReport;
  /** After the switch, until every edge reached answered it on the target site (absent: verify false, nothing switched, no host). */
  propagation?: WaitResult;
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
  // As a staging does: name the pool keys about to be written, so gc can sweep them if this copy never finishes.
  await writeStagingMarker(storeOf(to, deps), record.id, missing);
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

/** A promotion's CDN settings: a rollback's, and the target site's own URL. */
export interface PromoteVerifySettings extends VerifySettings {
  /** The URL of site `to` (to-url): polled after the switch, and verified through when the pointer links to a table of `to`. Default: its first host. */
  toUrl?: string;
}

/**
 * Makes release `releaseId` (default: the one `from.site` serves) live on `to.site`. Unless
 * `verify.verify` is false, the release is verified through the CDN with its token before the switch
 * (VerificationFailed: nothing switches) and the target site's host polled after it (through-cdn.ts).
 * @throws ActivationConflict when the target's live release changed while this ran
 */
export async function promote(
  from: ReleaseTarget,
  to: ReleaseTarget,
  deps: ReleaseDeps,
  releaseId?: string,
  verify: PromoteVerifySettings = {},
): Promise<PromoteResult> {
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
  const stored = await readAllEntries(deps.kvs, to.storeArn);
  // The table the target's pointer will link to: from's own (same store; written back from the record
  // if it left the store), or a copy named after the target (across stores).
  const restore = sameStore && !stored.has(siteKey(releaseSite(owner, id)));
  const tableSite = !sameStore ? releaseSite(to.site, id) : restore ? releaseSite(record.site, id) : releaseSite(owner, id);
  const tableOwner = tableSite.slice(0, -id.length - 1);
  // The router serves a release on verification only through a host of the site owning its table.
  const verifyUrl = verifyUrlFor(
    tableOwner === to.site && verify.verifyUrl === undefined && verify.toUrl !== undefined
      ? { ...verify, verifyUrl: verify.toUrl }
      : verify,
    stored,
    tableOwner,
    `release ${id}`,
  );
  let entries = new Map([...stored].filter(([k]) => ownedBy(tableSite)(k)));
  if (restore) {
    entries = new Map(Object.entries(record.table));
    await checkStoreBudget(deps.kvs, to.storeArn, tableSite, entries);
    await writeEntries(deps.kvs, to.storeArn, { desired: entries, owns: ownedBy(tableSite) }, deps.log);
  } else if (!sameStore) {
    entries = renameTable(record.table, releaseSite(record.site, id), tableSite, to.prefix);
    const table = entries;
    await checkStoreBudget(deps.kvs, to.storeArn, tableSite, table);
    await deps.log.group(`Copy release ${id} to s3://${to.bucket}/${to.prefix} (server-side)`, () =>
      underStoreLease(toStore, `promotion of ${id}`, async () => {
        await copyRelease(from, to, record, deps, result);
        await writeRecord(toStore, { ...record, site: to.site, table: Object.fromEntries(table) });
        await clearStagingMarker(toStore, id);
      }),
    );
    await writeEntries(deps.kvs, to.storeArn, { desired: table, owns: ownedBy(tableSite) }, deps.log);
  }
  if (verifyUrl) result.verification = await verifyThroughCdn({ id, files: record.files, entries, tableSite }, verifyUrl, deps);
  await deps.log.group(`Activate release ${id} on site ${to.site}`, () =>
    activateRelease(toStore, deps.kvs, to.storeArn, to.site, id, target.live, tableOwner),
  );
  result.switched = true;
  deps.log.info(
    `site ${to.site} now serves release ${id} (was ${target.live || 'none'}), ${sameStore ? 'by one pointer write' : `copied server-side (${result.copied} release files, ${result.poolCopied} pool files; ${result.poolReused} already there)`}`,
  );
  const propagation = verifyUrl ? await awaitSwitch(verifyUrl, tableOwner, stored, to.site, id, deps, verify.toUrl) : undefined;
  if (propagation) result.propagation = propagation;
  return result;
}
