// Faithful build outputs of the frameworks users deploy, as their build tools lay them out (names,
// folders, hashes and the files they reference), small enough to deploy in a test.
import type { SiteFiles } from './s3.js';

export interface Build {
  files: SiteFiles;
  /** Content-hashed files: immutable, and kept for the grace period when a later build drops them. */
  hashed: string[];
  /** Files that reference others: revalidated on every visit, written last. */
  entryPoints: string[];
  /** Neither: cached briefly. */
  plain: string[];
}

const html = (...refs: string[]) =>
  `<!doctype html><html><head>${refs.map((r) => (r.endsWith('.css') ? `<link rel="stylesheet" href="/${r}">` : `<script type="module" src="/${r}"></script>`)).join('')}</head><body></body></html>`;

/** Vite (React template): hashed assets/, public/ copied as it is (public/assets/logo.png lands in assets/ unhashed). */
export function viteBuild(version = 1): Build {
  const js = version === 1 ? 'assets/index-BQw3kz1a.js' : 'assets/index-Dx8u2Pq7.js';
  const css = version === 1 ? 'assets/index-C4vX9mTe.css' : 'assets/index-Ey5n1RkA.css';
  return {
    files: {
      'index.html': html(js, css),
      [js]: `console.log(${version})`,
      [css]: `body{--v:${version}}`,
      'assets/react-CHdo91hT.svg': '<svg/>',
      'assets/logo.png': 'png',
      'vite.svg': '<svg/>',
      'robots.txt': 'User-agent: *',
    },
    hashed: [js, css, 'assets/react-CHdo91hT.svg'],
    entryPoints: ['index.html'],
    plain: ['assets/logo.png', 'vite.svg', 'robots.txt'],
  };
}

/** Create React App: static/{js,css,media} with 8-hex hashes, asset-manifest.json, a service worker. */
export function craBuild(version = 1): Build {
  const js = version === 1 ? 'static/js/main.3f9a1c2b.js' : 'static/js/main.8d2e4f6a.js';
  return {
    files: {
      'index.html': html(js, 'static/css/main.073c9b0a.css'),
      [js]: `console.log(${version})`,
      'static/js/787.28cb0dcd.chunk.js': 'chunk',
      'static/css/main.073c9b0a.css': 'body{}',
      'static/media/logo.6ce24c58023cc2f8fd88fe9d219db6c6.svg': '<svg/>',
      'asset-manifest.json': JSON.stringify({ files: { 'main.js': `/${js}` } }),
      'service-worker.js': 'self.addEventListener("fetch", () => {})',
      'manifest.json': '{"short_name":"app"}',
      'favicon.ico': 'ico',
    },
    hashed: [
      js,
      'static/js/787.28cb0dcd.chunk.js',
      'static/css/main.073c9b0a.css',
      'static/media/logo.6ce24c58023cc2f8fd88fe9d219db6c6.svg',
    ],
    entryPoints: ['index.html', 'asset-manifest.json', 'service-worker.js', 'manifest.json'],
    plain: ['favicon.ico'],
  };
}

/** next build with output: 'export': about.html, _next/static/chunks and the build-id folder. */
export function nextBuild(version = 1): Build {
  const page =
    version === 1 ? '_next/static/chunks/pages/index-6a1f2c3b4d5e6f70.js' : '_next/static/chunks/pages/index-0f9e8d7c6b5a4f32.js';
  const buildId = version === 1 ? 'Xb3kQ9' : 'Yc4lR0';
  return {
    files: {
      'index.html': html(page),
      'about.html': html(page),
      '404.html': '<h1>404</h1>',
      [page]: `page${version}`,
      '_next/static/chunks/framework-2c79e2a64abdb08b.js': 'react',
      '_next/static/chunks/webpack-59c5c889f52620d6.js': 'wp',
      '_next/static/css/a1b2c3d4e5f60718.css': 'body{}',
      [`_next/static/${buildId}/_buildManifest.js`]: 'self.__BUILD_MANIFEST={}',
      [`_next/static/${buildId}/_ssgManifest.js`]: 'self.__SSG_MANIFEST=new Set',
      'favicon.ico': 'ico',
    },
    hashed: [
      page,
      '_next/static/chunks/framework-2c79e2a64abdb08b.js',
      '_next/static/css/a1b2c3d4e5f60718.css',
      `_next/static/${buildId}/_buildManifest.js`,
      `_next/static/${buildId}/_ssgManifest.js`,
    ],
    entryPoints: ['index.html', 'about.html', '404.html'],
    plain: ['favicon.ico'],
  };
}

/** Astro static: _astro/ (hashed, with words as names), about/index.html pages. */
export function astroBuild(version = 1): Build {
  const css = version === 1 ? '_astro/index.CJkYfVbk.css' : '_astro/index.DbNy2Qqm.css';
  return {
    files: {
      'index.html': html(css),
      'about/index.html': html(css),
      '404.html': 'nope',
      [css]: 'body{}',
      '_astro/hoisted.js': 'x',
      'favicon.svg': '<svg/>',
    },
    hashed: [css, '_astro/hoisted.js'],
    entryPoints: ['index.html', 'about/index.html', '404.html'],
    plain: ['favicon.svg'],
  };
}

/** SvelteKit (adapter-static): _app/immutable/ is hashed, _app/version.json says which build is live. */
export function sveltekitBuild(version = 1): Build {
  const entry = version === 1 ? '_app/immutable/entry/start.B2dFq1Xz.js' : '_app/immutable/entry/start.Cm7Hr2Yw.js';
  return {
    files: {
      'index.html': html(entry),
      [entry]: `start${version}`,
      '_app/immutable/chunks/index.js': 'chunk',
      '_app/version.json': `{"version":"${version}"}`,
      'favicon.png': 'png',
    },
    hashed: [entry, '_app/immutable/chunks/index.js'],
    entryPoints: ['index.html', '_app/version.json'],
    plain: ['favicon.png'],
  };
}

/** Angular 17+ (esbuild): hashed bundles at the root, the service worker and its ngsw.json. */
export function angularBuild(): Build {
  return {
    files: {
      'index.html': html('main-ABCDEFGH.js', 'styles-5INURTSO.css'),
      'main-ABCDEFGH.js': 'main',
      'polyfills-FFHMD2TL.js': 'polyfills',
      'styles-5INURTSO.css': 'body{}',
      'ngsw-worker.js': 'sw',
      'ngsw.json': '{}',
      'safety-worker.js': 'sw',
      'firebase-messaging-sw.js': 'fcm',
      'favicon.ico': 'ico',
    },
    hashed: ['main-ABCDEFGH.js', 'polyfills-FFHMD2TL.js', 'styles-5INURTSO.css'],
    entryPoints: ['index.html', 'ngsw-worker.js', 'ngsw.json', 'safety-worker.js', 'firebase-messaging-sw.js'],
    plain: ['favicon.ico'],
  };
}
