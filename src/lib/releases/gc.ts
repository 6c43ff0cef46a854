// Garbage collection of a release store (bucket + prefix): the release action's `gc`, and the end
// of every releases deploy. It keeps
//   - every release a pointer of the router holds, live or as its rollback target (b);
//   - the newest `keep` releases of each site that staged releases here;
//   - every other release until it has been off every pointer for `graceMs` (counted from the first
//     gc that saw it so: the gc index, guard.ts), so a page of it still open keeps loading its files;
// and deletes the rest: the release's routing table in the store, its release folder, the pool
// objects no kept release uses, and its record last. It runs under the store's lease and reads
// every pointer again just before it deletes anything (guard.ts says why that is enough).
//
// It also sweeps what a staging that never finished left (staging.ts): release folders with no record,
// and the pool objects a staging marker names that no record uses, each once its newest object is
// older than `graceMs` by S3's LastModified (never served: a release is activated only once its record
// exists, so no open page holds them). Why this never deletes what a staging in progress is writing:
//   - staging, from the first pool check to the record and the marker's removal, runs entirely under
//     the store's lease (stage.ts: stageRelease; a promotion's copy likewise, promote.ts), and so does
//     this gc, from its first listing to its last delete. The holder renews the lease every third of
//     its TTL; another process takes it over only when it expired (its holder stopped renewing for a
//     whole TTL: killed, or cut off), was left by an earlier attempt of the same job, or by a process
//     that is gone on this machine (s3-sync/lease.ts). So while gc holds it, no staging is running: an
//     orphan it finds belongs to a staging that ended without its record (killed, failed, cancelled).
//   - the grace is the second line, for the one case the lease cannot rule out: a staging still
//     running after losing its lease (its renewals failing for a whole TTL, which it warns about).
//     Its objects are as young as its last write, so with a grace longer than the lease's TTL
//     (10 minutes; the default grace is 7 days) gc leaves them alone; a grace of 0 trusts the lease alone.
//   - the dry run takes no lease, and deletes nothing.
// Only folders under _releases/ (reserved: a build holding that folder is refused) and pool keys a
// marker names are ever candidates, and of those never a key the mirror's manifest of the prefix
// lists (a mirror deploy that found a dead staging's pool file in place, same bytes, kept it as its
// own): whatever else lies beside the releases (the mirror's own files after a move to releases
// mode, another tool's uploads) is never touched.
import { ListObjectsV2Command, type ObjectIdentifier } from '@aws-sdk/client-s3';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { LeaseOptions } from '../s3-sync/lease.js';
import { deleteObjects, headObject, readManifest } from '../s3-sync/remote.js';
import { readAllEntries, writeEntries } from '../router/store.js';
import { describeError, isNotFound } from '../aws/errors.js';
import { humanDuration } from '../util/clock.js';
import { readGcIndex, STORE_LEASE, underStoreLease, writeGcIndex, type GcIndex, type ReleaseStore } from './guard.js';
import { forEachLimit } from '../util/concurrency.js';
import { RELEASE_ID, RELEASES_FOLDER, STAGING_FOLDER, recordKey, releaseFolder } from './layout.js';
import { parsePointer } from './pointer.js';
import { readRecord, type ReleaseRecord } from './stage.js';
import { readStagingPool } from './staging.js';

export const DEFAULT_KEEP_RELEASES = 10;

export interface GcOptions {
  /** Newest releases kept per site, whatever the pointers say (at least 1). */
  keep: number;
  /** How long a release stays after it left its last pointer. */
  graceMs: number;
  dryRun?: boolean;
  now?: () => Date;
  lease?: LeaseOptions;
}

export type GcDecision = 'held' | 'newest' | 'grace' | 'delete';

export interface GcRelease {
  id: string;
  site: string;
  createdAt: string;
  bytes: number;
  /** Pointers that hold it: `<site>` (live) or `<site> (rollback)`. */
  heldBy: string[];
  /** When gc first saw it off every pointer ('' while held). */
  offSince: string;
  decision: GcDecision;
  /** grace: when it may go. */
  deletableAt?: string;
}

export type OrphanDecision = 'delete' | 'grace';

/** A release folder with no record: a staging that never finished. */
export interface OrphanFolder {
  id: string;
  objects: number;
  /** The newest LastModified of its objects (and of its staging marker). */
  lastModified: string;
  decision: OrphanDecision;
  /** grace: when it may go. */
  deletableAt?: string;
}

/** A pool object a staging that never finished wrote (its marker names it) and no record uses. */
export interface OrphanPoolObject {
  /** Relative to the prefix. */
  key: string;
  /** The release whose staging wrote it. */
  id: string;
  lastModified: string;
  decision: OrphanDecision;
  deletableAt?: string;
}

export interface GcOrphans {
  folders: OrphanFolder[];
  poolObjects: OrphanPoolObject[];
  /** Deleted (0 on a dry run: see the decisions). */
  foldersDeleted: number;
  poolObjectsDeleted: number;
  /** Kept: younger than the grace. */
  foldersInGrace: number;
  poolObjectsInGrace: number;
  /** Every object deleted for them: the folders' files, the pool objects, the markers nothing is left of. */
  objectsDeleted: number;
}

export interface GcResult {
  dryRun: boolean;
  /** What it ran with: releases kept per site, and the grace. */
  keep: number;
  graceMs: number;
  releases: GcRelease[];
  deleted: string[];
  /** Objects deleted: release folders, pool objects, records. */
  objectsDeleted: number;
  poolObjectsDeleted: number;
  /** Routing-table keys deleted from the router's store. */
  tableKeysDeleted: number;
  /** Candidates a pointer took meanwhile (seen on the second read of the pointers): kept. */
  spared: string[];
  /** What stagings that never finished left: release folders without a record, pool objects no record uses. */
  orphans: GcOrphans;
}

/** Which releases the router's pointers hold (live and rollback targets), by release id. */
export function pointerHolders(entries: ReadonlyMap<string, string>): Map<string, string[]> {
  const held = new Map<string, string[]>();
  const add = (id: string, who: string) => held.set(id, [...(held.get(id) ?? []), who]);
  for (const [key, value] of entries) {
    // s:<site> only: release tables are s:<site>~<id>, rule chunks s:<site>:r0.
    if (!key.startsWith('s:') || key.includes('~') || key.indexOf(':', 2) >= 0) continue;
    const site = key.slice(2);
    const p = parsePointer(site, value);
    if (p.live) add(p.live, site);
    if (p.before) add(p.before, `${site} (rollback)`);
  }
  return held;
}

/** The release ids named by the `<id>.json` objects of `listed`, under `folder` (full key prefix). */
const idsIn = (listed: readonly Listed[], folder: string): { id: string; object: Listed }[] =>
  listed.map((object) => ({ id: object.key.slice(folder.length).replace(/\.json$/, ''), object })).filter((o) => RELEASE_ID.test(o.id));

async function listRecordIds(store: ReleaseStore): Promise<string[]> {
  const folder = store.prefix + recordKey('').slice(0, -'.json'.length);
  return idsIn((await listObjects(store, folder)).objects, folder).map((o) => o.id);
}

interface Listed {
  key: string;
  lastModified: number;
}

/** Every object under `prefix` (and, with a delimiter, the common prefixes instead of what is below them). */
async function listObjects(
  store: ReleaseStore,
  prefix: string,
  delimiter?: string,
  /** A LastModified S3 left out counts as this (gc passes now: never older than the grace). */
  missing = 0,
): Promise<{ objects: Listed[]; prefixes: string[] }> {
  const objects: Listed[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.s3.send(
      new ListObjectsV2Command({
        Bucket: store.bucket,
        Prefix: prefix,
        ...(delimiter ? { Delimiter: delimiter } : {}),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of page.Contents ?? []) if (o.Key) objects.push({ key: o.Key, lastModified: o.LastModified?.getTime() ?? missing });
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
    token = page.NextContinuationToken;
  } while (token);
  return { objects, prefixes };
}

async function listKeys(store: ReleaseStore, prefix: string): Promise<string[]> {
  return (await listObjects(store, prefix)).objects.map((o) => o.key);
}

async function lastModified(store: ReleaseStore, key: string, missing: number): Promise<number | undefined> {
  try {
    return (await headObject(store.s3, store.bucket, store.prefix + key)).LastModified?.getTime() ?? missing;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** What gc will delete of the orphans, full keys: objects first, then the markers nothing is left of. */
interface OrphanPlan {
  result: GcOrphans;
  objects: string[];
  markers: string[];
}

/** The newest LastModified of `objects`, and `floor` (a folder may hold more files than a spread takes). */
const newestOf = (objects: readonly Listed[], floor: number): number => objects.reduce((n, o) => Math.max(n, o.lastModified), floor);

const decide = (newest: number, graceMs: number, now: Date): { decision: OrphanDecision; deletableAt?: string } =>
  newest + graceMs <= now.getTime() ? { decision: 'delete' } : { decision: 'grace', deletableAt: new Date(newest + graceMs).toISOString() };

/** Finds what stagings that never finished left, and decides by the grace (see the header). */
async function findOrphans(store: ReleaseStore, records: readonly ReleaseRecord[], graceMs: number, now: Date): Promise<OrphanPlan> {
  const recorded = new Set(records.map((r) => r.id));
  const used = new Set(records.flatMap((r) => Object.keys(r.files).filter((k) => r.files[k]!.pool)));
  // A mirror deploy of the same prefix may have found a dead staging's pool file already in place
  // (same bytes) and kept it as its own: whatever the mirror's manifest lists is never an orphan.
  // Read only once a dead staging's marker names pool keys (most gcs find none).
  let mirrorRead: Promise<void> | undefined;
  const addMirrorKeys = () =>
    (mirrorRead ??= readManifest(store.s3, store.bucket, store.prefix).then((manifest) => {
      for (const key of Object.keys(manifest?.objects ?? {})) used.add(key);
    }));
  const nowMs = now.getTime();
  const base = store.prefix + RELEASES_FOLDER;
  const folderIds = (await listObjects(store, base, '/', nowMs)).prefixes
    .map((p) => p.slice(base.length, -1))
    .filter((id) => RELEASE_ID.test(id) && !recorded.has(id));
  const stagingFolder = store.prefix + STAGING_FOLDER;
  const markers = idsIn((await listObjects(store, stagingFolder, undefined, nowMs)).objects, stagingFolder).map((o) => ({
    ...o.object,
    id: o.id,
  }));
  const plan: OrphanPlan = {
    result: {
      folders: [],
      poolObjects: [],
      foldersDeleted: 0,
      poolObjectsDeleted: 0,
      foldersInGrace: 0,
      poolObjectsInGrace: 0,
      objectsDeleted: 0,
    },
    objects: [],
    markers: [],
  };
  for (const id of folderIds) {
    const { objects } = await listObjects(store, store.prefix + releaseFolder(id), undefined, nowMs);
    const marker = markers.find((m) => m.id === id);
    const newest = newestOf(objects, marker?.lastModified ?? 0);
    const folder: OrphanFolder = {
      id,
      objects: objects.length,
      lastModified: new Date(newest).toISOString(),
      ...decide(newest, graceMs, now),
    };
    plan.result.folders.push(folder);
    if (folder.decision === 'delete') plan.objects.push(...objects.map((o) => o.key));
  }
  /** Pool keys already taken by an earlier marker (two dead stagings may name one key). */
  const claimed = new Set<string>();
  for (const marker of markers) {
    // The staging finished after all (its record is there) but could not remove its marker.
    if (recorded.has(marker.id)) {
      plan.markers.push(marker.key);
      continue;
    }
    const marked = await readStagingPool(store, marker.id);
    if (marked.length > 0) await addMirrorKeys();
    const named = marked.filter((k) => !used.has(k) && !claimed.has(k));
    for (const k of named) claimed.add(k);
    const pool: OrphanPoolObject[] = [];
    await forEachLimit(named, 16, async (key) => {
      const at = await lastModified(store, key, nowMs);
      if (at !== undefined) pool.push({ key, id: marker.id, lastModified: new Date(at).toISOString(), ...decide(at, graceMs, now) });
    });
    pool.sort((a, b) => (a.key < b.key ? -1 : 1));
    plan.result.poolObjects.push(...pool);
    const folderGoes = (plan.result.folders.find((f) => f.id === marker.id)?.decision ?? 'delete') === 'delete';
    if (folderGoes && pool.every((p) => p.decision === 'delete') && decide(marker.lastModified, graceMs, now).decision === 'delete')
      plan.markers.push(marker.key);
  }
  for (const p of plan.result.poolObjects) if (p.decision === 'delete') plan.objects.push(store.prefix + p.key);
  plan.result.foldersInGrace = plan.result.folders.filter((f) => f.decision === 'grace').length;
  plan.result.poolObjectsInGrace = plan.result.poolObjects.filter((p) => p.decision === 'grace').length;
  return plan;
}

/** Deletes the orphans' objects, then the markers nothing is left of (a gc killed between leaves the marker for the next). */
async function sweepOrphans(store: ReleaseStore, plan: OrphanPlan): Promise<void> {
  const r = plan.result;
  r.objectsDeleted += await deleteObjects(
    store.s3,
    store.bucket,
    plan.objects.map((Key) => ({ Key })),
    4,
  );
  r.foldersDeleted = r.folders.filter((f) => f.decision === 'delete').length;
  r.poolObjectsDeleted = r.poolObjects.filter((p) => p.decision === 'delete').length;
  r.objectsDeleted += await deleteObjects(
    store.s3,
    store.bucket,
    plan.markers.map((Key) => ({ Key })),
    1,
  );
  if (r.foldersDeleted + r.poolObjectsDeleted > 0 || r.foldersInGrace + r.poolObjectsInGrace > 0)
    store.log.info(
      `left by stagings that never finished: ${r.foldersDeleted} release folders without a record and ${r.poolObjectsDeleted} pool objects no record uses deleted (${r.objectsDeleted} objects with their markers); ${r.foldersInGrace} folders and ${r.poolObjectsInGrace} pool objects kept until the grace has passed`,
    );
}

/** Every key of the routing tables of release `id` (under whichever site's name). */
const tableOf = (id: string) => (key: string) => new RegExp(`^[sp]:[^:]*~${id}(:|$)`).test(key);

/** Decides, without writing anything. */
export function planGc(
  records: readonly ReleaseRecord[],
  held: ReadonlyMap<string, string[]>,
  index: GcIndex,
  options: GcOptions,
  now: Date,
): { releases: GcRelease[]; index: GcIndex } {
  const offSince = { ...index.offSince };
  const newest = new Set<string>();
  const bySite = new Map<string, ReleaseRecord[]>();
  for (const r of records) bySite.set(r.site, [...(bySite.get(r.site) ?? []), r]);
  for (const list of bySite.values())
    for (const r of [...list].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).slice(0, Math.max(1, options.keep))) newest.add(r.id);
  const releases = [...records]
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
    .map((r): GcRelease => {
      const heldBy = held.get(r.id) ?? [];
      if (heldBy.length > 0) delete offSince[r.id];
      else offSince[r.id] ??= now.toISOString();
      const base = {
        id: r.id,
        site: r.site,
        createdAt: r.createdAt,
        bytes: Object.values(r.files).reduce((n, f) => n + f.size, 0),
        heldBy,
        offSince: offSince[r.id] ?? '',
      };
      if (heldBy.length > 0) return { ...base, decision: 'held' };
      if (newest.has(r.id)) return { ...base, decision: 'newest' };
      const deletableAt = Date.parse(offSince[r.id]!) + options.graceMs;
      if (index.deleting.includes(r.id) || deletableAt <= now.getTime()) return { ...base, decision: 'delete' };
      return { ...base, decision: 'grace', deletableAt: new Date(deletableAt).toISOString() };
    });
  return { releases, index: { version: 1, offSince, deleting: index.deleting } };
}

export async function collectGarbage(
  store: ReleaseStore,
  kvs: CloudFrontKeyValueStoreClient,
  arn: string,
  options: GcOptions,
): Promise<GcResult> {
  const now = options.now ?? (() => new Date());
  const work = async (): Promise<GcResult> => {
    const index = await readGcIndex(store);
    const ids = await listRecordIds(store);
    const records = (await Promise.all(ids.map((id) => readRecord(store, id)))).filter((r): r is ReleaseRecord => r !== undefined);
    const at = now();
    const plan = planGc(records, pointerHolders(await readAllEntries(kvs, arn)), index, options, at);
    const orphans = await findOrphans(store, records, options.graceMs, at);
    const result: GcResult = {
      dryRun: options.dryRun ?? false,
      keep: options.keep,
      graceMs: options.graceMs,
      releases: plan.releases,
      deleted: [],
      objectsDeleted: 0,
      poolObjectsDeleted: 0,
      tableKeysDeleted: 0,
      spared: [],
      orphans: orphans.result,
    };
    if (options.dryRun) return result;
    const candidates = plan.releases.filter((r) => r.decision === 'delete').map((r) => r.id);
    // Named before the first delete: from here on these are refused for activation.
    const deleting = [...candidates];
    await writeGcIndex(store, { ...plan.index, deleting });
    if (candidates.length > 0) await deleteReleases(store, kvs, arn, records, plan.index, candidates, result);
    await sweepOrphans(store, orphans);
    return result;
  };
  return store.log.group(
    `Collect garbage in s3://${store.bucket}/${store.prefix} (keep ${options.keep} per site, grace ${humanDuration(options.graceMs)})`,
    () => (options.dryRun ? work() : underStoreLease(store, 'garbage collection', work, options.lease ?? STORE_LEASE)),
  );
}

/** Deletes the releases gc decided to delete (named in the index's `deleting`), but those a pointer took meanwhile. */
async function deleteReleases(
  store: ReleaseStore,
  kvs: CloudFrontKeyValueStoreClient,
  arn: string,
  records: readonly ReleaseRecord[],
  index: GcIndex,
  deleting: readonly string[],
  result: GcResult,
): Promise<void> {
  let candidates = [...deleting];

  // The pointers again, just before deleting: a release a pointer took meanwhile stays.
  const entries = await readAllEntries(kvs, arn);
  const heldNow = pointerHolders(entries);
  result.spared = candidates.filter((id) => heldNow.has(id));
  candidates = candidates.filter((id) => !heldNow.has(id));
  const gone = new Set(candidates);
  const kept = records.filter((r) => !gone.has(r.id));
  const usedPool = new Set(
    kept.flatMap((r) =>
      Object.entries(r.files)
        .filter(([, f]) => f.pool)
        .map(([k]) => k),
    ),
  );

  for (const id of candidates) {
    const record = records.find((r) => r.id === id)!;
    const owned = tableOf(id);
    const table = await writeEntries(kvs, arn, { desired: new Map(), owns: owned }, store.log);
    result.tableKeysDeleted += table.deleted;
    const folder = await listKeys(store, store.prefix + releaseFolder(id));
    const pool = Object.entries(record.files)
      .filter(([k, f]) => f.pool && !usedPool.has(k))
      .map(([k]) => store.prefix + k);
    const objects: ObjectIdentifier[] = [...folder, ...pool].map((Key) => ({ Key }));
    result.objectsDeleted += await deleteObjects(store.s3, store.bucket, objects, 4);
    result.poolObjectsDeleted += pool.length;
    // The record last: until it is gone the release is in `deleting`, refused for activation.
    result.objectsDeleted += await deleteObjects(store.s3, store.bucket, [{ Key: store.prefix + recordKey(id) }], 1);
    result.deleted.push(id);
    store.log.info(
      `release ${id} of site ${record.site}: deleted (${folder.length} release files, ${pool.length} pool files no kept release uses, ${table.deleted} routing keys)`,
    );
  }
  const offSince = { ...index.offSince };
  for (const id of result.deleted) delete offSince[id];
  await writeGcIndex(store, { version: 1, offSince, deleting: deleting.filter((id) => !gone.has(id) && !result.spared.includes(id)) });
}

/** The gc at the end of a releases deploy: waits briefly for the lease, and warns instead of failing (the deploy already switched). */
export async function gcAfterDeploy(
  store: ReleaseStore,
  kvs: CloudFrontKeyValueStoreClient,
  arn: string,
  graceMs: number,
  keep = DEFAULT_KEEP_RELEASES,
): Promise<GcResult | undefined> {
  try {
    return await collectGarbage(store, kvs, arn, { keep, graceMs, lease: { ...STORE_LEASE, waitMs: 30_000 } });
  } catch (error) {
    store.log.warning(
      `Garbage collection after the deploy did not run to the end: ${describeError(error)}. Nothing it had not finished was deleted; the next deploy or the release action's gc command finishes it.`,
    );
    return undefined;
  }
}
