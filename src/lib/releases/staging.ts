// What a staging that never finished leaves behind, and how garbage collection finds it.
//
// A release is complete once its record is written (stage.ts writes it last); a staging killed or
// failed before that leaves
//   - a release folder _releases/<id>/ with no record: unambiguous, the folder is reserved for releases;
//   - pool objects at their natural path that no record uses: not told apart by their key from files
//     other writers keep beside the releases (the mirror's own files after a move to releases mode,
//     hashed assets another tool uploaded), which gc must never delete.
// So before it uploads anything, a staging (and a promotion's copy into another store) writes a
// marker, .slipway/staging/<id>.json, naming the pool keys it is about to write (the ones missing:
// those already in place belong to someone else); it deletes the marker once the record is written.
// A marker whose release has no record is a staging that never finished: gc (gc.ts) may delete the
// pool objects it names that no record uses, once they are older than the grace.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describeError } from '../aws/errors.js';
import { readStoreJson, writeStoreJson, type ReleaseStore } from './guard.js';
import { stagingKey } from './layout.js';

export interface StagingMarker {
  version: 1;
  id: string;
  startedAt: string;
  /** Pool keys (relative to the prefix) this staging writes: none of them existed when it checked. */
  pool: string[];
}

/** Names what the staging of release `id` is about to write to the pool. Call under the store's lease, before the first write. */
export async function writeStagingMarker(store: ReleaseStore, id: string, pool: readonly string[], now = new Date()): Promise<void> {
  const marker: StagingMarker = { version: 1, id, startedAt: now.toISOString(), pool: [...pool].sort() };
  await writeStoreJson(store, stagingKey(id), marker);
}

/** The staging finished (its record is written): the marker goes. A failure only leaves it for gc, which drops markers of recorded releases. */
export async function clearStagingMarker(store: ReleaseStore, id: string): Promise<void> {
  await store.s3.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: store.prefix + stagingKey(id) })).catch((error: unknown) => {
    store.log.debug(`deleting the staging marker of release ${id}: ${describeError(error)} (garbage collection removes it)`);
  });
}

/** The pool keys the marker of release `id` names: none when it is gone or cannot be parsed. */
export async function readStagingPool(store: ReleaseStore, id: string): Promise<string[]> {
  // Unreadable: it names no pool key, so nothing of the pool is deleted on its word.
  const marker = (await readStoreJson(store, stagingKey(id)).catch((error: unknown) => {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  })) as Partial<StagingMarker> | undefined;
  return Array.isArray(marker?.pool) ? marker.pool.filter((k): k is string => typeof k === 'string') : [];
}
