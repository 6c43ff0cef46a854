// How a build lays out its pages, decided from its file keys alone (a pure function, so the
// framework detection of deploy-static can pass its own verdict as `hint`):
//   spa    one entry page (index.html, perhaps 404.html / 200.html): every extensionless path is a route
//   pages  a multi-page build: /about is about.html (Next.js export) or about/index.html (Astro, Hugo)
// A build with both a.html and a/index.html of different content is refused, naming them.

import type { Framework } from '../s3-sync/frameworks.js';

export type PageMode = 'spa' | 'pages';

export interface PageLayout {
  mode: PageMode;
  /** URL path without trailing slash ('/' for the root) → the file key that serves it. */
  pages: Map<string, string>;
  /** The build's 404 page, served with status 404 for unknown pages. */
  notFound?: string;
}

export class AmbiguousLayoutError extends Error {
  constructor(readonly conflicts: [string, string][]) {
    super(
      `The build holds ${conflicts.length === 1 ? 'a page' : `${conflicts.length} pages`} twice with different content, so /path cannot be routed without guessing: ${conflicts.map(([a, b]) => `${a} and ${b}`).join('; ')}. Remove one of each pair (or make them identical).`,
    );
    this.name = 'AmbiguousLayoutError';
  }
}

const SPA_ENTRY_PAGES = new Set(['index.html', '404.html', '200.html']);

/**
 * What the framework says about page layout (deploy-static's `framework`, given or detected): Vite
 * and Create React App build single-page apps; a Next.js export and Astro write a page per route.
 * SvelteKit, Nuxt and Angular build either, so their HTML files decide.
 */
export function pageModeOf(framework: Framework): PageMode | undefined {
  if (framework === 'vite' || framework === 'cra') return 'spa';
  if (framework === 'next' || framework === 'astro') return 'pages';
  return undefined;
}

/** The URL path a page file answers: about.html and about/index.html → /about, index.html → /. */
export function pagePath(key: string): string | undefined {
  if (!key.endsWith('.html')) return undefined;
  const stem = key.slice(0, -'.html'.length);
  if (stem === 'index') return '/';
  if (stem.endsWith('/index')) return `/${stem.slice(0, -'/index'.length)}`;
  return `/${stem}`;
}

/**
 * @param keys the build's file keys, relative to the site root
 * @param identical whether two keys hold the same bytes (by hash or ETag)
 * @param hint the framework's verdict, when deploy-static knows it
 */
export function decideLayout(keys: readonly string[], identical: (a: string, b: string) => boolean, hint?: PageMode): PageLayout {
  const pages = new Map<string, string>();
  const conflicts: [string, string][] = [];
  // Sorted: about.html comes before about/index.html, so the pair is reported in one order.
  for (const key of [...keys].sort()) {
    const path = pagePath(key);
    if (path === undefined) continue;
    const other = pages.get(path);
    if (other === undefined) pages.set(path, key);
    else if (!identical(other, key)) conflicts.push([other, key]);
  }
  if (conflicts.length > 0) throw new AmbiguousLayoutError(conflicts);
  const html = keys.filter((k) => k.endsWith('.html'));
  const mode = hint ?? (html.every((k) => SPA_ENTRY_PAGES.has(k)) ? 'spa' : 'pages');
  return { mode, pages, ...(keys.includes('404.html') ? { notFound: '404.html' } : {}) };
}
