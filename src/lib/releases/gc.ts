// Garbage collection of a release store (bucket + prefix): the release action's `gc`, and the end
// of every releases deploy. It keeps
//   - every release a pointer of the router holds, live or as its rollback target (b);
//   - the newest `keep` releases of each site that staged releases here;
//   - every other release until it has been off every pointer for `graceMs` (counted from the first
//     gc that saw it so: the gc index, guard.ts), so a page of it still open keeps loading its files;
// and deletes the rest: the release's routing table in the store, its release folder, the pool
// objects no kept release uses, and its record last. It runs under the store's lease and reads
// every pointer again just before it deletes anything (guard.ts says why that is enough).
import { ListObjectsV2Command, type ObjectIdentifier } from '@aws-sdk/client-s3';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { LeaseOptions } from '../s3-sync/lease.js';
import { deleteObjects } from '../s3-sync/remote.js';
import { readAllEntries, writeEntries } from '../router/store.js';
import { describeError } from '../aws/errors.js';
import { formatDuration } from '../util/clock.js';
import { readGcIndex, STORE_LEASE, underStoreLease, writeGcIndex, type GcIndex, type ReleaseStore } from './guard.js';
import { RELEASE_ID, recordKey, releaseFolder } from './layout.js';
import { parsePointer } from './pointer.js';
import { readRecord, type ReleaseRecord } from './stage.js';

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

export interface GcResult {
  dryRun: boolean;
  releases: GcRelease[];
  deleted: string[];
  /** Objects deleted: release folders, pool objects, records. */
  objectsDeleted: number;
  poolObjectsDeleted: number;
  /** Routing-table keys deleted from the router's store. */
  tableKeysDeleted: number;
  /** Candidates a pointer took meanwhile (seen on the second read of the pointers): kept. */
  spared: string[];
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

async function listRecordIds(store: ReleaseStore): Promise<string[]> {
  const folder = store.prefix + recordKey('').slice(0, -'.json'.length);
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.s3.send(
      new ListObjectsV2Command({ Bucket: store.bucket, Prefix: folder, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const o of page.Contents ?? []) {
      const id = (o.Key ?? '').slice(folder.length).replace(/\.json$/, '');
      if (RELEASE_ID.test(id)) ids.push(id);
    }
    token = page.NextContinuationToken;
  } while (token);
  return ids;
}

async function listKeys(store: ReleaseStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.s3.send(
      new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
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
    const plan = planGc(records, pointerHolders(await readAllEntries(kvs, arn)), index, options, now());
    const result: GcResult = {
      dryRun: options.dryRun ?? false,
      releases: plan.releases,
      deleted: [],
      objectsDeleted: 0,
      poolObjectsDeleted: 0,
      tableKeysDeleted: 0,
      spared: [],
    };
    if (options.dryRun) return result;
    let candidates = plan.releases.filter((r) => r.decision === 'delete').map((r) => r.id);
    // Named before the first delete: from here on these are refused for activation.
    const deleting = [...candidates];
    await writeGcIndex(store, { ...plan.index, deleting });
    if (candidates.length === 0) return result;

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
    const offSince = { ...plan.index.offSince };
    for (const id of result.deleted) delete offSince[id];
    await writeGcIndex(store, { version: 1, offSince, deleting: deleting.filter((id) => !gone.has(id) && !result.spared.includes(id)) });
    return result;
  };
  return store.log.group(
    `Collect garbage in s3://${store.bucket}/${store.prefix} (keep ${options.keep} per site, grace ${formatDuration(options.graceMs)})`,
    () => (options.dryRun ? work() : underStoreLease(store, 'garbage collection', work, options.lease ?? STORE_LEASE)),
  );
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
