// What verification of a staged release loads from a page, a stylesheet and a web manifest.
import { describe, expect, it } from 'vitest';
import { cssReferences, htmlReferences, manifestReferences, srcsetUrls } from '../../src/lib/releases/html-refs.js';

const refs = (html: string) => htmlReferences(html).references.map((r) => `${r.kind} ${r.url}`);

describe('references of an HTML page', () => {
  it('scripts, stylesheets, modulepreloads, preloads, icons, the manifest, images, srcsets, posters', () => {
    const html = `<!doctype html><html><head>
      <meta charset=utf-8><link rel="preconnect" href="https://fonts.example">
      <link rel=stylesheet href=/assets/index-Ab12.css>
      <link rel="modulepreload" crossorigin href="/assets/vendor-Cd34.js">
      <link rel="preload" as="font" href="/fonts/inter.woff2" type="font/woff2">
      <link rel="shortcut icon" href='/favicon.ico'><link rel="manifest" href="/manifest.webmanifest">
      <link rel="canonical" href="https://www.example.com/">
      <script type="module" src="/assets/index-Ef56.js"></script>
      <script type="application/ld+json">{"@context":"https://schema.org"}</script>
      </head><body>
      <img src="/img/a.png" srcset="/img/a-2x.png 2x, /img/a-3x.png 3x" alt="">
      <picture><source srcset="/img/b.avif" type="image/avif"></picture>
      <video poster="/img/poster.jpg"></video>
      <div style="background: url('/img/bg.png')"></div>
      </body></html>`;
    expect(refs(html)).toEqual([
      'style /assets/index-Ab12.css',
      'script /assets/vendor-Cd34.js',
      'font /fonts/inter.woff2',
      'image /favicon.ico',
      'manifest /manifest.webmanifest',
      'script /assets/index-Ef56.js',
      'image /img/a.png',
      'image /img/a-2x.png',
      'image /img/a-3x.png',
      'image /img/b.avif',
      'image /img/poster.jpg',
      'image /img/bg.png',
    ]);
  });

  it('never reads tags inside comments or the text of a script, and reads inline CSS', () => {
    const html = `<!-- <script src="/commented.js"></script> -->
      <script>document.write('<img src="/in-script.png">'); const s = "</scr" + "ipt>";</script>
      <style>@import "/theme.css"; .x { background: url(/img/x.svg) } /* url(/gone.png) */</style>
      <title><img src="/in-title.png"></title>
      <script src="/real.js"></script>`;
    expect(refs(html)).toEqual(['other /theme.css', 'other /img/x.svg', 'script /real.js']);
  });

  it('decodes character references, keeps the first of a repeated attribute, and reports <base href>', () => {
    const out = htmlReferences(`<base href="/app/"><script src="main.js?a=1&amp;b=2" src="/other.js"></script>`);
    expect(out.base).toBe('/app/');
    expect(out.references).toEqual([{ kind: 'script', url: 'main.js?a=1&b=2' }]);
  });
});

describe('srcset, CSS and manifests', () => {
  it('srcset URLs may hold commas (data: URLs) and descriptors are dropped', () => {
    expect(srcsetUrls('data:image/png;base64,iVBOR 1x, /b.png 2x,/c.png')).toEqual(['data:image/png;base64,iVBOR', '/b.png', '/c.png']);
    expect(srcsetUrls('  /a.png 480w,  /b.png 800w ')).toEqual(['/a.png', '/b.png']);
  });

  it('CSS url() in every quoting and @import, comments left out', () => {
    expect(
      cssReferences(`@import url("a.css"); @import 'b.css'; x{src:url(f.woff2) format("woff2"),url( 'g.woff' )} /* url(no.png) */`),
    ).toEqual(['a.css', 'b.css', 'f.woff2', 'g.woff']);
  });

  it('a web manifest names its icons and screenshots; anything not JSON names nothing', () => {
    expect(
      manifestReferences(JSON.stringify({ icons: [{ src: '/i-192.png' }, { src: 'i-512.png' }], screenshots: [{ src: '/s.png' }] })),
    ).toEqual(['/i-192.png', 'i-512.png', '/s.png']);
    expect(manifestReferences('<!doctype html>')).toEqual([]);
  });
});
