// What a site-relative key (a path under the deploy prefix, with forward slashes) means.

/** Slipway's own folder under a deploy prefix: never published from a source, never deleted by a sync. */
export const SLIPWAY_FOLDER = '.slipway/';

/** Where Slipway keeps its state for one deployment, relative to the deploy prefix. */
export const MANIFEST_KEY = `${SLIPWAY_FOLDER}manifest.json`;

/**
 * Dotfiles and dot-folders are private, except the public `.well-known/` folder at the site root.
 * `folder` says the key names a folder rather than a file.
 */
export function isHidden(key: string, folder = false): boolean {
  const segments = key.split('/');
  const wellKnown = (segment: string, i: number) => i === 0 && segment === '.well-known' && (folder || segments.length > 1);
  return segments.some((segment, i) => segment.startsWith('.') && !wellKnown(segment, i));
}

/** Keys that must never be written: `..` or `.` segments, empty segments, backslashes, control characters. */
export function unsafeKeyReason(key: string): string | undefined {
  if (key.includes('\\')) return 'contains a backslash';
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'contains a control character';
  if (key.split('/').some((s) => s === '..' || s === '.' || s === '')) return "contains an empty, '.' or '..' segment";
  return undefined;
}

const SERVICE_WORKERS = new Set(['sw.js', 'service-worker.js']);

/**
 * Entry points reference other files by name: HTML pages and service workers (which precache
 * assets). They are written after everything else, so no visitor gets one whose assets are missing.
 */
export function isEntryPoint(key: string): boolean {
  const base = key.slice(key.lastIndexOf('/') + 1);
  return /\.html?$/i.test(base) || SERVICE_WORKERS.has(base);
}

/**
 * The URL paths under which a key is served: `/a/b.css`, and for an `index.html` also its folder
 * (`/` for the root one, `/docs/` for `docs/index.html`).
 */
export function urlPathsFor(key: string): string[] {
  const paths = [`/${key}`];
  if (key === 'index.html') paths.push('/');
  else if (key.endsWith('/index.html')) paths.push(`/${key.slice(0, -'index.html'.length)}`);
  return paths;
}

/** If `key` is another deployment's manifest (a nested site root), the prefix that deployment owns. */
export function nestedDeploymentRoot(key: string): string | undefined {
  return key.endsWith(`/${MANIFEST_KEY}`) ? key.slice(0, -MANIFEST_KEY.length) : undefined;
}
