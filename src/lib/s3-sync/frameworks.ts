// What a build's framework guarantees about its files: which are content-hashed (immutable for a
// year, and kept for the stale-asset grace when a new build drops them) and which are entry points
// (revalidated on every visit, written after everything they reference). Detected from the build's
// own markers; the `framework` input can name it instead.

export const FRAMEWORKS = ['vite', 'next', 'cra', 'astro', 'sveltekit', 'nuxt', 'angular', 'none'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface FrameworkProfile {
  name: Framework;
  /** How it was chosen: the marker found, or "the framework input". */
  reason: string;
  /** Folders the framework fills only with content-hashed files (whatever the names look like). */
  hashedFolders: readonly string[];
  /** Names the framework always hashes, even where the hash looks like a word (esbuild's ABCDEFGH). */
  hashedNames: readonly RegExp[];
  /** Keys under hashedFolders that are not hashed (manifests that change under the same name). */
  notHashed: readonly RegExp[];
}

const none = { hashedFolders: [], hashedNames: [], notHashed: [] };
const PROFILES: Record<Framework, Omit<FrameworkProfile, 'name' | 'reason'>> = {
  // Vite copies public/ as it is, so a public/assets/logo.png lands in assets/ unhashed: only names count.
  vite: none,
  // next build with output: 'export'; _next/static/<buildId>/ holds the build manifests, named by the build.
  next: { ...none, hashedFolders: ['_next/static/'] },
  // Create React App: static/js, static/css and static/media are always [name].[contenthash:8].[ext].
  cra: { ...none, hashedFolders: ['static/js/', 'static/css/', 'static/media/'] },
  astro: { ...none, hashedFolders: ['_astro/'] },
  sveltekit: { ...none, hashedFolders: ['_app/immutable/'] },
  // Nuxt 3: _nuxt/ is hashed, but _nuxt/builds/ holds latest.json and meta/<id>.json, read to detect new builds.
  nuxt: { ...none, hashedFolders: ['_nuxt/'], notHashed: [/^_nuxt\/builds\//] },
  // Angular's esbuild builder: main-ABCDEFGH.js, polyfills-…, styles-…, chunk-…; media/ for files CSS references.
  angular: {
    ...none,
    hashedFolders: ['media/'],
    hashedNames: [/^(main|polyfills|styles|chunk|runtime|scripts|worker)[-.][0-9A-Za-z]{8,20}\.(js|css|mjs)$/],
  },
  none,
};

export function frameworkProfile(name: Framework, reason: string): FrameworkProfile {
  return { name, reason, ...PROFILES[name] };
}

const ANGULAR_BUNDLE = /^(main|polyfills|runtime)[.-][0-9A-Za-z]{8,20}\.js$/;

/** The framework whose output `keys` (site-relative, forward slashes) is, from its own markers. */
export function detectFramework(keys: readonly string[]): FrameworkProfile {
  const has = (prefix: string) => keys.some((k) => k.startsWith(prefix));
  if (has('_next/static/')) return frameworkProfile('next', '_next/static/ (Next.js)');
  if (has('_astro/')) return frameworkProfile('astro', '_astro/ (Astro)');
  if (has('_app/immutable/')) return frameworkProfile('sveltekit', '_app/immutable/ (SvelteKit)');
  if (has('_nuxt/')) return frameworkProfile('nuxt', '_nuxt/ (Nuxt)');
  if (keys.includes('ngsw.json') || keys.filter((k) => ANGULAR_BUNDLE.test(k)).length >= 2)
    return frameworkProfile('angular', 'main and polyfills bundles at the root (Angular)');
  if (keys.includes('asset-manifest.json') && has('static/js/'))
    return frameworkProfile('cra', 'asset-manifest.json and static/js/ (Create React App)');
  if (keys.some((k) => k.startsWith('assets/') && hasContentHash(k))) return frameworkProfile('vite', 'hashed files in assets/ (Vite)');
  return frameworkProfile('none', 'no framework marker found');
}

/**
 * A content hash in the file name, as bundlers write them: the last 8 characters of the stem after a
 * `-` (Rollup and Vite: `index-BQw3kz1a.js`, whose hash may itself hold `-` or `_`), or the last
 * `.`/`-` segment of 8 to 64 characters (webpack: `main.3f9a1c2b.js`; esbuild: `chunk-4XKQ2B7Z.js`).
 * A word or a date is not a hash: the token needs letters and digits, or mixed case that is not a
 * capitalised word.
 */
export function hasContentHash(key: string): boolean {
  const base = key.slice(key.lastIndexOf('/') + 1);
  const stem = base.replace(/(\.min)?\.[A-Za-z0-9]+$/, '');
  if (stem === base) return false;
  const rollup = /[-.]([A-Za-z0-9_-]{8})$/.exec(stem)?.[1];
  if (rollup !== undefined && looksLikeHash(rollup)) return true;
  const segment = /[-.]([A-Za-z0-9_]{8,64})$/.exec(stem)?.[1];
  return segment !== undefined && looksLikeHash(segment);
}

function looksLikeHash(token: string): boolean {
  if (/^[a-f0-9]+$/.test(token)) return /\d/.test(token) && /[a-f]/.test(token);
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return false;
  if (/\d/.test(token)) return /[A-Za-z]/.test(token) && !/^\d+$/.test(token);
  const mixed = /[a-z]/.test(token) && /[A-Z]/.test(token);
  return mixed && !/^[A-Z][a-z]+$/.test(token);
}

/** Content-hashed: named with a hash, or in a folder the framework fills with hashed files only. */
export function isHashedAsset(key: string, profile: FrameworkProfile): boolean {
  if (profile.notHashed.some((re) => re.test(key))) return false;
  if (profile.hashedFolders.some((folder) => key.startsWith(folder))) return true;
  if (profile.hashedNames.some((re) => re.test(key.slice(key.lastIndexOf('/') + 1)))) return true;
  return hasContentHash(key);
}
