// The deploy plan: a pure function of the source, the listing, the manifest and the rules.
import { normalisePaths } from '../cloudfront/invalidation-paths.js';
import type { LocalFile } from './local-source.js';
import { isEntryPoint, nestedDeploymentRoot, SLIPWAY_FOLDER, urlPathsFor } from './keys.js';
import type { Manifest } from './manifest.js';
import type { RemoteObject } from './remote.js';
import { isImmutable, sameHeaders, type HeaderRules, type ObjectHeaders } from './rules.js';

/** An object of an already deployed build, promoted by server-side copy. */
export interface S3SourceObject {
  kind: 's3';
  key: string;
  size: number;
  etag: string;
  bucket: string;
  sourceKey: string;
}

export type SourceEntry = LocalFile | S3SourceObject;

export interface PlanInput {
  source: readonly SourceEntry[];
  remote: ReadonlyMap<string, RemoteObject>;
  manifest: Manifest;
  /** Source keys whose remote object already has the source's content. */
  sameContent: ReadonlySet<string>;
  /** Headers read with HEAD for objects the manifest could not vouch for. */
  observedHeaders: ReadonlyMap<string, ObjectHeaders>;
  rules: HeaderRules;
  /**
   * Which objects that left the source are deleted: `ours` those an earlier deploy wrote (the
   * manifest lists them), `all` every one under the prefix, `none` nothing.
   */
  delete: DeleteMode;
  keep: (key: string) => boolean;
  staleGraceMs: number;
  now: Date;
}

export type DeleteMode = 'ours' | 'all' | 'none';

export type Change = 'new' | 'changed' | 'headers';

export interface PlannedWrite {
  key: string;
  entry: SourceEntry;
  headers: ObjectHeaders;
  change: Change;
}

export type KeptReason = 'keep' | 'another deployment' | 'stale asset' | 'not written by Slipway';

export interface KeptObject {
  key: string;
  reason: KeptReason;
  /** For stale assets: when they may be deleted. */
  until?: string;
}

export interface Plan {
  /** Ordered: every non-entry-point first, then HTML pages and service workers. */
  writes: PlannedWrite[];
  deletes: string[];
  /** Source keys left as they are. */
  skipped: string[];
  kept: KeptObject[];
  /** The manifest's stale map after this deploy. */
  stale: Record<string, string>;
  /** URL paths, relative to the prefix, whose cached copies this deploy makes stale. */
  changedPaths: string[];
  /** Keys cached as immutable whose content changes under the same name: visitors may keep the old copy. */
  immutableChanged: string[];
}

/** The headers an object is known to have: from the manifest while its ETag still matches, else from HEAD. */
export function recordedHeaders(
  key: string,
  remote: ReadonlyMap<string, RemoteObject>,
  manifest: Manifest,
  observed?: ReadonlyMap<string, ObjectHeaders>,
): ObjectHeaders | undefined {
  const entry = manifest.objects[key];
  const object = remote.get(key);
  if (entry && object && entry.etag === object.etag) return entry;
  return observed?.get(key);
}

export function planDeploy(input: PlanInput): Plan {
  const { remote, manifest, rules } = input;
  const assets: PlannedWrite[] = [];
  const entryPoints: PlannedWrite[] = [];
  const skipped: string[] = [];
  const sourceKeys = new Set<string>();

  for (const entry of input.source) {
    sourceKeys.add(entry.key);
    const headers = rules.headersFor(entry.key);
    let change: Change | undefined;
    if (!remote.has(entry.key)) change = 'new';
    else if (!input.sameContent.has(entry.key)) change = 'changed';
    else {
      const current = recordedHeaders(entry.key, remote, manifest, input.observedHeaders);
      if (!current || !sameHeaders(current, headers, rules.managedNamesFor(entry.key))) change = 'headers';
    }
    if (change === undefined) skipped.push(entry.key);
    else (isEntryPoint(entry.key) ? entryPoints : assets).push({ key: entry.key, entry, headers, change });
  }

  const nestedRoots = [...remote.keys()].map(nestedDeploymentRoot).filter((r): r is string => r !== undefined);
  const deletes: string[] = [];
  const kept: KeptObject[] = [];
  const stale: Record<string, string> = {};
  // Only the objects the source no longer has are sorted (a redeploy of 100,000 files has few).
  const gone = [...remote.keys()].filter((key) => !sourceKeys.has(key) && !key.startsWith(SLIPWAY_FOLDER)).sort();
  for (const key of gone) {
    if (nestedRoots.some((root) => key.startsWith(root))) {
      kept.push({ key, reason: 'another deployment' });
      continue;
    }
    if (input.keep(key)) {
      kept.push({ key, reason: 'keep' });
      continue;
    }
    if (input.delete === 'none') continue;
    // An object no deploy of this prefix wrote (first deploy into a used bucket, or a lost manifest)
    // is someone else's: only `delete: all` removes it.
    if (input.delete === 'ours' && !(key in manifest.objects)) {
      kept.push({ key, reason: 'not written by Slipway' });
      continue;
    }
    const cacheControl = recordedHeaders(key, remote, manifest, input.observedHeaders)?.cacheControl ?? rules.headersFor(key).cacheControl;
    if (input.staleGraceMs > 0 && isImmutable(cacheControl)) {
      const since = manifest.stale[key] ?? input.now.toISOString();
      const until = new Date(Date.parse(since) + input.staleGraceMs);
      if (until.getTime() > input.now.getTime()) {
        stale[key] = since;
        kept.push({ key, reason: 'stale asset', until: until.toISOString() });
        continue;
      }
    }
    deletes.push(key);
  }

  const changed = new Set<string>();
  for (const w of [...assets, ...entryPoints]) if (w.change !== 'new') urlPathsFor(w.key).forEach((p) => changed.add(p));
  for (const key of deletes) urlPathsFor(key).forEach((p) => changed.add(p));
  const immutableChanged = assets.filter((w) => w.change === 'changed' && isImmutable(w.headers.cacheControl)).map((w) => w.key);

  return {
    writes: [...assets, ...entryPoints],
    deletes,
    skipped,
    kept,
    stale,
    changedPaths: normalisePaths([...changed]),
    immutableChanged,
  };
}
