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

/** Parses a stored manifest; anything unreadable is treated as no manifest (the listing is the truth). */
export function parseManifest(text: string): Manifest | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(data) || data.version !== 1 || !isRecord(data.objects) || !isRecord(data.stale)) return undefined;
  const manifest = emptyManifest();
  for (const [key, value] of Object.entries(data.objects)) {
    if (
      isRecord(value) &&
      typeof value.etag === 'string' &&
      typeof value.cacheControl === 'string' &&
      typeof value.contentType === 'string'
    ) {
      const extra =
        isRecord(value.extra) && Object.values(value.extra).every((v) => typeof v === 'string')
          ? (value.extra as Record<string, string>)
          : undefined;
      manifest.objects[key] = {
        etag: value.etag,
        cacheControl: value.cacheControl,
        contentType: value.contentType,
        ...(extra && Object.keys(extra).length > 0 ? { extra } : {}),
        ...(typeof value.sha256 === 'string' ? { sha256: value.sha256 } : {}),
        ...(typeof value.sourceEtag === 'string' ? { sourceEtag: value.sourceEtag } : {}),
      };
    }
  }
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
