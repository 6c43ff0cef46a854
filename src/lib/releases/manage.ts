// The release command's work: list a site's releases, roll back to one. A rollback writes the live
// pointer once (If-Match, as an activation, under the store's lease: guard.ts): no upload, no copy,
// no invalidation. The target's routing table is normally still in the store; if it was removed,
// it is written back from the release's record first (still invisible until the pointer moves).
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { readAllEntries, writeEntries } from '../router/store.js';
import { siteKey, siteKeyPrefixes } from '../router/table.js';
import { checkStoreBudget } from './budget.js';
import type { ReleaseDeps } from './deploy.js';
import { pointerHolders } from './gc.js';
import { activateRelease, readGcIndex } from './guard.js';
import { RELEASE_ID, recordKey, releaseSite } from './layout.js';
import { readPointer } from './pointer.js';
import { readRecord, type ReleaseRecord } from './stage.js';

export interface ReleaseTarget {
  bucket: string;
  /** '' or ending in '/'. */
  prefix: string;
  site: string;
  storeArn: string;
}

export interface ListedRelease {
  id: string;
  createdAt: string;
  commit: string;
  run: string;
  actor: string;
  files: number;
  bytes: number;
  /** Live on the listed site. */
  live: boolean;
  /** The site that staged it. */
  site: string;
  /** Every pointer of the router that holds it: `<site>` (live) or `<site> (rollback)`. */
  pointers: string[];
  /** When it left its last pointer, as garbage collection saw it ('' while held or not yet seen). */
  offSince: string;
}

export async function listReleases(t: ReleaseTarget, deps: ReleaseDeps): Promise<ListedRelease[]> {
  const folder = t.prefix + recordKey('');
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await deps.s3.send(
      new ListObjectsV2Command({
        Bucket: t.bucket,
        Prefix: folder.slice(0, -'.json'.length),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of page.Contents ?? []) {
      const id = (o.Key ?? '').slice(folder.length - '.json'.length).replace(/\.json$/, '');
      if (RELEASE_ID.test(id)) ids.push(id);
    }
    token = page.NextContinuationToken;
  } while (token);
  const pointer = await readPointer(deps.kvs, t.storeArn, t.site);
  const holders = pointerHolders(await readAllEntries(deps.kvs, t.storeArn));
  const index = await readGcIndex({ s3: deps.s3, bucket: t.bucket, prefix: t.prefix, log: deps.log });
  const records = (await Promise.all(ids.map((id) => readRecord({ s3: deps.s3, bucket: t.bucket, prefix: t.prefix }, id)))).filter(
    (r): r is ReleaseRecord => r !== undefined,
  );
  return records
    .map((r) => {
      const files = Object.values(r.files);
      const pointers = holders.get(r.id) ?? [];
      return {
        id: r.id,
        createdAt: r.createdAt,
        commit: r.commit ?? '',
        run: r.run ?? '',
        actor: r.actor ?? '',
        files: files.length,
        bytes: files.reduce((n, f) => n + f.size, 0),
        live: r.id === pointer.live,
        site: r.site,
        pointers,
        offSince: pointers.length > 0 ? '' : (index.offSince[r.id] ?? ''),
      };
    })
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

export interface RollbackResult {
  from: string;
  to: string;
  /** The target's routing table had to be written back from its record. */
  restoredTable: boolean;
}

/** @param to a release id; undefined: the release that was live before the current one */
export async function rollback(t: ReleaseTarget, deps: ReleaseDeps, to?: string): Promise<RollbackResult> {
  const pointer = await readPointer(deps.kvs, t.storeArn, t.site);
  const target = to ?? pointer.before;
  if (!target)
    throw new Error(
      `Site ${t.site} has no earlier release to roll back to (live: ${pointer.live || 'none'}); name one with release-id (see the list command).`,
    );
  if (target === pointer.live) return { from: pointer.live, to: target, restoredTable: false };
  const record = await readRecord({ s3: deps.s3, bucket: t.bucket, prefix: t.prefix }, target);
  if (!record)
    throw new Error(
      `Release ${target} of site ${t.site} has no record in s3://${t.bucket}/${t.prefix}${recordKey(target)}: it was never completely staged, or it was removed. Nothing was switched.`,
    );
  // The table is named after the site that staged the release (a promotion by pointer links to it).
  const owner = target === pointer.before ? pointer.beforeOwner : record.site;
  const rsite = releaseSite(owner, target);
  const store = await readAllEntries(deps.kvs, t.storeArn);
  const restoredTable = !store.has(siteKey(rsite));
  if (restoredTable) {
    if (owner !== record.site)
      throw new Error(
        `Release ${target}'s routing table ${rsite} is no longer in the router's store and its record was staged for site ${record.site}: roll back by promoting it from ${record.site} instead. Nothing was switched.`,
      );
    await checkStoreBudget(deps.kvs, t.storeArn, rsite, new Map(Object.entries(record.table)));
    const owns = (k: string) => k === siteKey(rsite) || siteKeyPrefixes(rsite).some((p) => k.startsWith(p));
    await writeEntries(deps.kvs, t.storeArn, { desired: new Map(Object.entries(record.table)), owns }, deps.log);
  }
  await activateRelease(
    { s3: deps.s3, bucket: t.bucket, prefix: t.prefix, log: deps.log },
    deps.kvs,
    t.storeArn,
    t.site,
    target,
    pointer.live,
    owner,
  );
  deps.log.info(`site ${t.site} now serves release ${target} (was ${pointer.live || 'none'})`);
  return { from: pointer.live, to: target, restoredTable };
}
