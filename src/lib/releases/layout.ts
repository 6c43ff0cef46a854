// Where each file of a release lives, decided from the build alone (pure functions):
//   pool     immutable files (Cache-Control ... immutable) in a directory that holds only immutable
//            files, at their natural path, shared by every release and never overwritten;
//   release  everything else (HTML, service workers, manifests, unhashed files), under
//            _releases/<id>/, where <id> is derived from the content.
// The router tells the two apart by the release config's pool directories (`i`), so an open page of
// an older release still finds its chunks at their natural path after a newer release goes live.
import { createHash } from 'node:crypto';
import { isImmutable, type ObjectHeaders } from '../s3-sync/rules.js';

export const RELEASES_FOLDER = '_releases/';
export const RELEASE_ID = /^[0-9a-f]{16}$/;
/** Where a release's record lives under the site prefix (a dot folder: the router never serves it). */
export const recordKey = (id: string): string => `.slipway/releases/${id}.json`;
export const releaseFolder = (id: string): string => `${RELEASES_FOLDER}${id}/`;
/** Where a staging in progress names the pool keys it uploads (staging.ts): gone once its record is written. */
export const STAGING_FOLDER = '.slipway/staging/';
export const stagingKey = (id: string): string => `${STAGING_FOLDER}${id}.json`;
/** The routing-table site of one release: its entries stay in the store while the release is kept. */
export const releaseSite = (site: string, id: string): string => `${site}~${id}`;

export interface BuildFile {
  key: string;
  size: number;
  sha256: string;
  headers: ObjectHeaders;
}

export interface ReleaseLayout {
  id: string;
  /** Directories (ending in /) whose files the router serves from the pool. */
  poolDirs: string[];
  pool: BuildFile[];
  release: BuildFile[];
}

const ancestors = (key: string): string[] => {
  const parts = key.split('/').slice(0, -1);
  return parts.map((_, i) => `${parts.slice(0, i + 1).join('/')}/`);
};

/**
 * The shallowest directories holding only immutable files (the root never counts: index.html lives
 * there), plus the earlier release's pool directories that no release-folder file of this build
 * falls under (so a page of that release keeps finding its chunks even if this build moved them).
 */
export function poolDirectories(files: readonly BuildFile[], inherited: readonly string[] = []): string[] {
  const mixed = new Set<string>();
  for (const f of files) if (!isImmutable(f.headers.cacheControl)) for (const dir of ancestors(f.key)) mixed.add(dir);
  const own = new Set<string>();
  for (const f of files) {
    if (!isImmutable(f.headers.cacheControl)) continue;
    const top = ancestors(f.key).find((dir) => !mixed.has(dir));
    if (top !== undefined) own.add(top);
  }
  const inPool = (key: string, dirs: Iterable<string>) => [...dirs].some((d) => key.startsWith(d));
  const releaseKeys = files.filter((f) => !inPool(f.key, own)).map((f) => f.key);
  const kept = inherited.filter((d) => !releaseKeys.some((k) => k.startsWith(d)));
  const all = [...new Set([...own, ...kept])].sort();
  return all.filter((d) => !all.some((other) => other !== d && d.startsWith(other)));
}

/** The id: a digest of every file's bytes and headers and of the routing table, so the same build deploys as the same release. */
export function releaseId(files: readonly BuildFile[], table: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.key < b.key ? -1 : 1))) hash.update(JSON.stringify([f.key, f.sha256, f.headers]) + '\n');
  for (const [k, v] of [...table].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(JSON.stringify([k, v]) + '\n');
  return hash.digest('hex').slice(0, 16);
}

/** Throws, naming the file, when a build holds something that would collide with the release layout. */
export function checkBuildKeys(files: readonly BuildFile[]): void {
  const reserved = files.find((f) => f.key.startsWith(RELEASES_FOLDER));
  if (reserved)
    throw new Error(
      `The build holds ${reserved.key}: the folder ${RELEASES_FOLDER} is where releases mode keeps its releases. Rename the folder in the build.`,
    );
}

export function layoutRelease(
  files: readonly BuildFile[],
  table: ReadonlyMap<string, string>,
  inheritedPoolDirs: readonly string[] = [],
): ReleaseLayout {
  checkBuildKeys(files);
  const poolDirs = poolDirectories(files, inheritedPoolDirs);
  const pooled = (f: BuildFile) => poolDirs.some((d) => f.key.startsWith(d));
  return { id: releaseId(files, table), poolDirs, pool: files.filter(pooled), release: files.filter((f) => !pooled(f)) };
}
