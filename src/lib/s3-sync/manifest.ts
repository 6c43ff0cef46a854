// Slipway's record of one deployment, kept at <prefix>.slipway/manifest.json. It lets a redeploy
// know each object's headers without a request per object, and remembers since when an immutable
// asset has been stale. The bucket listing stays the truth: an entry only counts while its ETag
// matches the listed object.
import type { ObjectHeaders } from './rules.js';

export interface ManifestObject extends ObjectHeaders {
  /** The ETag the object was written as (on SSE-KMS buckets not an MD5 of anything). */
  etag: string;
  /** SHA-256 of the content written (hex): with `etag`, vouches for the content without an MD5 ETag. */
  sha256?: string;
  /** For objects promoted by server-side copy: the source object's ETag at the time. */
  sourceEtag?: string;
}

export interface Manifest {
  version: 1;
  objects: Record<string, ManifestObject>;
  /** Site-relative key → ISO time of the first deploy that found it stale. */
  stale: Record<string, string>;
  /**
   * The changed paths of the last deploy that had a run id (a GitHub workflow run). A re-run of
   * that run finds nothing left to change, yet its invalidation may never have happened: it
   * reports these paths again.
   */
  changes?: { run: string; paths: string[] };
}

export const emptyManifest = (): Manifest => ({ version: 1, objects: {}, stale: {} });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isManifestObject = (v: unknown): v is Record<string, unknown> & ManifestObject =>
  isRecord(v) && typeof v.etag === 'string' && typeof v.cacheControl === 'string' && typeof v.contentType === 'string';

/** The fields of a manifest entry (ManifestObject). */
const OBJECT_FIELDS = new Set(['etag', 'cacheControl', 'contentType', 'extra', 'sha256', 'sourceEtag']);

const isStringRecord = (r: Record<string, unknown>): boolean => {
  for (const k in r) if (typeof r[k] !== 'string') return false;
  return true;
};

/** Parses a stored manifest; anything unreadable is treated as no manifest (the listing is the truth). */
export function parseManifest(text: string): Manifest | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(data) || data.version !== 1 || !isRecord(data.objects) || !isRecord(data.stale)) return undefined;
  // The parsed objects are checked and kept in place, not copied: a manifest of 100,000 objects
  // would otherwise allocate 100,000 more (bench scenario 5's profile).
  const objects = data.objects;
  for (const key in objects) {
    const value = objects[key];
    if (!isManifestObject(value)) {
      delete objects[key];
      continue;
    }
    // Only the format's fields are kept, and so written back.
    for (const field in value) if (!OBJECT_FIELDS.has(field)) delete value[field];
    if (value.extra !== undefined && (!isRecord(value.extra) || !isStringRecord(value.extra) || Object.keys(value.extra).length === 0))
      delete value.extra;
    if (value.sha256 !== undefined && typeof value.sha256 !== 'string') delete value.sha256;
    if (value.sourceEtag !== undefined && typeof value.sourceEtag !== 'string') delete value.sourceEtag;
  }
  const manifest: Manifest = { version: 1, objects: objects as Record<string, ManifestObject>, stale: {} };
  for (const [key, value] of Object.entries(data.stale)) {
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) manifest.stale[key] = value;
  }
  const changes = data.changes;
  if (
    isRecord(changes) &&
    typeof changes.run === 'string' &&
    Array.isArray(changes.paths) &&
    changes.paths.every((p) => typeof p === 'string')
  ) {
    manifest.changes = { run: changes.run, paths: changes.paths };
  }
  return manifest;
}

export function serializeManifest(manifest: Manifest): string {
  const sorted = (r: Record<string, unknown>) =>
    Object.fromEntries(
      Object.keys(r)
        .sort()
        .map((k) => [k, r[k]]),
    );
  return JSON.stringify({
    version: 1,
    objects: sorted(manifest.objects),
    stale: sorted(manifest.stale),
    ...(manifest.changes ? { changes: manifest.changes } : {}),
  });
}
