// Which paths to invalidate: normalised, de-duplicated, covered paths dropped, collapsed to
// wildcards when there are too many, and split into batches CloudFront accepts.

/** CloudFront's limits per distribution in progress at one time (and so per request). */
export const MAX_FILE_PATHS = 3000;
export const MAX_WILDCARD_PATHS = 15;

export const isWildcard = (path: string): boolean => path.endsWith('*');

/** RFC 1738's unsafe characters, which CloudFront wants URL-encoded (and only those). */
const UNSAFE = /[^\x21-\x7e]|[<>"#{}|\\^~[\]`]|%(?![0-9A-Fa-f]{2})/gu;

/** Leading `/`, unsafe and non-ASCII characters percent-encoded (an existing `%XX` is kept). */
export function normalisePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.replace(UNSAFE, (c) => (c === '~' ? '%7E' : encodeURIComponent(c)));
}

const covers = (wildcard: string, path: string): boolean => path !== wildcard && path.startsWith(wildcard.slice(0, -1));

/** Normalised, unique, and without paths a wildcard in the set already covers; sorted. */
export function normalisePaths(paths: readonly string[]): string[] {
  const unique = [...new Set(paths.map(normalisePath))];
  const wildcards = unique.filter(isWildcard);
  return unique.filter((p) => !wildcards.some((w) => covers(w, p))).sort();
}

/** Folders (ending in `/`, below the root) that contain `path`; a folder URL contains itself. */
function folders(path: string): string[] {
  const result: string[] = [];
  const stem = isWildcard(path) ? path.slice(0, -1) : path;
  for (let i = stem.indexOf('/', 1); i >= 0; i = stem.indexOf('/', i + 1)) result.push(stem.slice(0, i + 1));
  if (isWildcard(path) && result.at(-1) === stem) result.pop();
  return result;
}

/**
 * At most `max` paths: while there are more, the deepest folder holding two or more of them is
 * replaced by `folder/*`; when no folder below the root is left, everything becomes `/*`.
 */
export function collapsePaths(paths: readonly string[], max: number): string[] {
  let current = normalisePaths(paths);
  while (current.length > max) {
    const counts = new Map<string, number>();
    for (const p of current) for (const f of folders(p)) counts.set(f, (counts.get(f) ?? 0) + 1);
    const candidates = [...counts].filter(([, n]) => n >= 2);
    if (candidates.length === 0) return ['/*'];
    candidates.sort(([a, na], [b, nb]) => b.split('/').length - a.split('/').length || nb - na || (a < b ? -1 : 1));
    const folder = candidates[0]![0];
    current = normalisePaths([...current.filter((p) => !p.startsWith(folder)), `${folder}*`]);
  }
  return current;
}

/** Requests CloudFront accepts: at most 3,000 file paths and 15 wildcards each. */
export function batchPaths(paths: readonly string[]): string[][] {
  const files = paths.filter((p) => !isWildcard(p));
  const wildcards = paths.filter(isWildcard);
  const batches: string[][] = [];
  while (files.length > 0 || wildcards.length > 0) {
    batches.push([...wildcards.splice(0, MAX_WILDCARD_PATHS), ...files.splice(0, MAX_FILE_PATHS)]);
  }
  return batches;
}

/**
 * The paths as a JSON array of at most `maxBytes`, collapsed to wildcards as invalidate would when
 * longer: a step input must fit in one environment variable (the runner's limit is 128 KiB).
 */
export function boundedPathList(paths: readonly string[], maxBytes = 32 * 1024): string[] {
  let max = Math.min(paths.length, MAX_FILE_PATHS);
  let bounded = collapsePaths(paths, max);
  while (JSON.stringify(bounded).length > maxBytes && max > 1) {
    max = Math.floor(max / 2);
    bounded = collapsePaths(paths, max);
  }
  return bounded;
}
