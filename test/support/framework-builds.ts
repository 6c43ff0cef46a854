// Build outputs laid out as the frameworks write them (file names and folders as in their docs
// and default configs), small enough to deploy in a test.
import type { SiteFiles } from './s3.js';

const page = (title: string) => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;

/** Vite (React/Vue template): index.html and hashed assets under assets/. */
export const viteSpa: SiteFiles = {
  'index.html': page('Vite SPA'),
  'assets/index-BvK3fS2a.js': 'console.log("app")',
  'assets/index-D8b4DwRx.css': 'body{}',
  'vite.svg': '<svg/>',
};

/** Create React App: static/js, static/css, asset-manifest.json, manifest.json. */
export const craSpa: SiteFiles = {
  'index.html': page('CRA'),
  'static/js/main.8a3f1c2b.js': 'app()',
  'static/css/main.1d2e3f4a.css': 'body{}',
  'asset-manifest.json': '{}',
  'manifest.json': '{}',
  'robots.txt': 'User-agent: *',
};

/** Next.js `output: 'export'` (trailingSlash false): about.html, blog/hello.html, 404.html, _next/static. */
export const nextExport: SiteFiles = {
  'index.html': page('Next home'),
  'about.html': page('Next about'),
  'blog/hello.html': page('Next blog post'),
  '404.html': page('Next 404'),
  'index.txt': 'rsc payload',
  'about.txt': 'rsc payload',
  '_next/static/chunks/main-4c3b2a1d.js': 'next()',
  '_next/static/css/app-9f8e7d6c.css': 'body{}',
  'favicon.ico': 'ico',
};

/** Astro (build.format 'directory'): about/index.html, blog/hello/index.html, 404.html, _astro. */
export const astroSite: SiteFiles = {
  'index.html': page('Astro home'),
  'about/index.html': page('Astro about'),
  'blog/hello/index.html': page('Astro blog post'),
  '404.html': page('Astro 404'),
  '_astro/index.C1x2y3z4.css': 'body{}',
  '_astro/client.D5e6f7g8.js': 'astro()',
  'favicon.svg': '<svg/>',
};
