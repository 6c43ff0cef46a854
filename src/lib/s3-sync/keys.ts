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

/**
 * Entry points reference other files by name, so they are revalidated on every visit and written
 * after everything else: HTML pages and service workers (which precache assets), and the manifests
 * frameworks read to find a new build (SvelteKit's _app/version.json, CRA's asset-manifest.json,
 * Angular's ngsw.json, Nuxt's _nuxt/builds/, web app manifests).
 */
const ENTRY_POINT_NAMES = new Set([
  'sw.js',
  'service-worker.js',
  'ngsw-worker.js',
  'ngsw.json',
  'safety-worker.js',
  'firebase-messaging-sw.js',
  'asset-manifest.json',
  'manifest.json',
]);

export function isEntryPoint(key: string): boolean {
  const base = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  return (
    /\.(html?|xhtml|webmanifest)$/.test(base) ||
    ENTRY_POINT_NAMES.has(base) ||
    key === '_app/version.json' ||
    key.startsWith('_nuxt/builds/')
  );
}

/**
 * A key as a browser requests it: each segment percent-encoded as a link to the file must be
 * (space, `%`, `?`, `#`, quotes, non-ASCII…), the characters a path may hold as they are
 * (`$&+,;=:@`, and `!'()*-._~`) left alone. `report%20final.txt` is `/report%2520final.txt`.
 */
export function urlPathOf(key: string): string {
  const segment = (s: string) => encodeURIComponent(s).replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (e) => decodeURIComponent(e));
  return `/${key.split('/').map(segment).join('/')}`;
}

/**
 * The URL paths under which a key is served: `/a/b.css`, and for an `index.html` also its folder
 * (`/` for the root one, `/docs/` for `docs/index.html`). URL-encoded (urlPathOf).
 */
export function urlPathsFor(key: string): string[] {
  const paths = [urlPathOf(key)];
  if (key === 'index.html') paths.push('/');
  else if (key.endsWith('/index.html')) paths.push(urlPathOf(key.slice(0, -'index.html'.length)));
  return paths;
}

/** If `key` is another deployment's manifest (a nested site root), the prefix that deployment owns. */
export function nestedDeploymentRoot(key: string): string | undefined {
  return key.endsWith(`/${MANIFEST_KEY}`) ? key.slice(0, -MANIFEST_KEY.length) : undefined;
}
