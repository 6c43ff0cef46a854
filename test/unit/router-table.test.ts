// The deploy-time half of the router: page layout, _redirects / _headers checks with file and
// line, and the store's quotas.
import { describe, expect, it } from 'vitest';
import { AmbiguousLayoutError, decideLayout } from '../../src/lib/router/layout.js';
import { parseHeaders, parseRedirects, RulesFileError } from '../../src/lib/router/rules-files.js';
import { buildSiteTable, LIMITS } from '../../src/lib/router/table.js';

const differ = () => false;
const same = () => true;

describe('decideLayout', () => {
  it.each<[string, string[], 'spa' | 'pages']>([
    ['Vite SPA', ['index.html', 'assets/index-1a2b.js', 'vite.svg'], 'spa'],
    ['CRA', ['index.html', 'asset-manifest.json', 'static/js/main.1a2b.js', 'manifest.json'], 'spa'],
    ['SPA with a 404 copy', ['index.html', '404.html', 'assets/a.js'], 'spa'],
    ['Next.js export', ['index.html', 'about.html', '404.html', '_next/static/x.js'], 'pages'],
    ['Astro', ['index.html', 'about/index.html', '404.html', '_astro/x.css'], 'pages'],
  ])('%s → %s', (_name, keys, mode) => {
    expect(decideLayout(keys, differ).mode).toBe(mode);
  });

  it('maps pages of both layouts to clean paths', () => {
    const layout = decideLayout(['index.html', 'about.html', 'docs/index.html', 'docs/intro/index.html', 'a/b.html', '404.html'], differ);
    expect(Object.fromEntries(layout.pages)).toEqual({
      '/': 'index.html',
      '/about': 'about.html',
      '/docs': 'docs/index.html',
      '/docs/intro': 'docs/intro/index.html',
      '/a/b': 'a/b.html',
      '/404': '404.html',
    });
    expect(layout.notFound).toBe('404.html');
  });

  it('refuses a.html next to a/index.html of different content, naming both', () => {
    const keys = ['index.html', 'a.html', 'a/index.html', 'b.html', 'b/index.html'];
    expect(() => decideLayout(keys, (x, y) => x.startsWith('b') && y.startsWith('b'))).toThrow(AmbiguousLayoutError);
    expect(() => decideLayout(keys, (x, y) => x.startsWith('b') && y.startsWith('b'))).toThrow(/a\.html and a\/index\.html/);
    expect(() => decideLayout(keys, (x, y) => x.startsWith('b') && y.startsWith('b'))).not.toThrow(/b\.html and/);
    expect(decideLayout(keys, same).pages.get('/a')).toBe('a.html');
  });

  it('takes the framework hint over the guess', () => {
    expect(decideLayout(['index.html'], differ, 'pages').mode).toBe('pages');
  });
});

describe('_redirects checks name the file and line', () => {
  it.each<[string, RegExp]>([
    ['/a', /line 1: needs at least "from to"/],
    ['a /b', /from "a" must be a path/],
    ['/a b', /to "b" must be a path starting with \/ or an http/],
    ['/a /b 418', /status "418" must be one of/],
    ['/a /b 301 Country=us', /conditions such as Country=/],
    ['/store id=:id /b 301', /query-string conditions/],
    ['/a/*/b /c', /\* only as its whole last segment/],
    ['/a/:1x /c', /bad placeholder/],
    ['/a /b/:id', /to uses :id, which from does not capture/],
    ['/a /b/:splat', /:splat but from has no trailing/],
    ['/a https://x.example/b 200', /cannot proxy/],
    ['https://old.example.com/* /new', /names a host/],
    ['/a/../b /c', /must not hold \. or \.\./],
  ])('%j', (line, message) => {
    expect(() => parseRedirects(`# header\n\n${line}`)).toThrow(RulesFileError);
    expect(() => parseRedirects(`# header\n\n${line}`)).toThrow(/^_redirects line 3: /);
    expect(() => parseRedirects(line)).toThrow(message);
  });

  it('parses status, force and patterns; 301 by default; trailing comments ignored', () => {
    expect(parseRedirects('/a /b\n/c/* /d/:splat 200!  # spa\n/u/:id /v/:id 302')).toEqual([
      { line: 1, from: '/a', to: '/b', status: 301, force: false, pattern: false },
      { line: 2, from: '/c/*', to: '/d/:splat', status: 200, force: true, pattern: true },
      { line: 3, from: '/u/:id', to: '/v/:id', status: 302, force: false, pattern: true },
    ]);
  });
});

describe('_headers checks name the file and line', () => {
  it.each<[string, RegExp]>([
    ['  X-A: b', /line 1: a header line must follow a path line/],
    ['/a\n  not a header', /line 2: expected "Header-Name: value"/],
    ['/a\n  Content-Length: 3', /line 2: header content-length cannot be set/],
    ['/a\n  X-A: caf\u00e9', /line 2: the value of x-a must be printable ASCII/],
    ['/a\n/b\n  X-A: 1', /line 1: path \/a has no header lines/],
    ['about\n  X-A: 1', /line 1: path "about" must be a path/],
  ])('%j', (text, message) => {
    expect(() => parseHeaders(text)).toThrow(message);
    expect(() => parseHeaders(text)).toThrow(/^_headers line/);
  });

  it('groups indented headers under their path, names lower-cased', () => {
    expect(parseHeaders("# security\n/*\n  X-Frame-Options: DENY\n  Content-Security-Policy: default-src 'self'\n/a\n  X-B: 1")).toEqual([
      {
        line: 2,
        path: '/*',
        headers: [
          ['x-frame-options', 'DENY'],
          ['content-security-policy', "default-src 'self'"],
        ],
      },
      { line: 5, path: '/a', headers: [['x-b', '1']] },
    ]);
  });
});

describe('buildSiteTable', () => {
  const keys = ['index.html', 'about/index.html', '404.html', 'logo.png'];
  const build = (extra: Partial<Parameters<typeof buildSiteTable>[0]> = {}) =>
    buildSiteTable({ site: 'web', prefix: 'site/', slash: 'keep', keys, identical: differ, ...extra });

  it('writes the site config, one key per page and per exact redirect, and notes what it left out', () => {
    const table = build({ redirects: '/old /about\n/about /x\n/old /y\n/logo.png /z' });
    expect(JSON.parse(table.entries.get('s:web')!)).toEqual({ p: 'site/', m: 'pages', t: 'keep', n: '404.html', r: 0, h: 0 });
    expect(table.entries.get('p:web:/about')).toBe('{"f":"about/index.html"}');
    expect(table.entries.get('p:web:/old')).toBe('{"to":"/about","c":301}');
    expect(table.notes).toEqual([
      '_redirects line 2 is shadowed by about/index.html (add ! after the status to force it)',
      '_redirects line 3 is never reached: an earlier line redirects /old',
      '_redirects line 4 is shadowed by logo.png (add ! after the status to force it)',
    ]);
    expect(table.counts).toEqual({ pages: 3, exactRedirects: 1, patternRedirects: 0, headerRules: 0 });
  });

  it('notes an exact rule that an earlier pattern rule always takes', () => {
    expect(build({ redirects: '/blog/* /news/:splat\n/blog/a /b' }).notes).toEqual([
      '_redirects line 2 is never reached: line 1 matches /blog/a first',
    ]);
  });

  it('refuses a rewrite to a file the build does not hold', () => {
    expect(() => build({ redirects: '/a /missing.html 200' })).toThrow(
      /_redirects line 1: the rewrite target \/missing.html is not a file or page/,
    );
    expect(() => build({ redirects: '/a /nowhere 200' })).toThrow(/not a file or page/);
  });

  it('bounds pattern rules and header rules', () => {
    const patterns = Array.from({ length: LIMITS.patternRedirects + 1 }, (_, i) => `/p${i}/* /q`).join('\n');
    expect(() => build({ redirects: patterns })).toThrow(/_redirects line 101: more than 100 pattern rules/);
    const long = Array.from(
      { length: 60 },
      (_, i) => `/section-${i}/:category/:slug/*  /archive/${'x'.repeat(60)}/:category/:slug/:splat  301`,
    ).join('\n');
    expect(() => build({ redirects: long })).toThrow(/values of 1 KB; the router reads at most 8 per request/);
    const headers = Array.from({ length: LIMITS.headerRules + 1 }, (_, i) => `/h${i}\n  X-A: 1`).join('\n');
    expect(() => build({ headers })).toThrow(/_headers line 201: more than 100 path rules/);
  });

  it('refuses a key over 512 bytes or a value over 1 KB', () => {
    expect(() => build({ keys: [...keys, `${'a'.repeat(520)}.html`] })).toThrow(/is 5\d\d bytes; the key value store allows 512/);
    expect(() => build({ redirects: `/a https://example.org/${'x'.repeat(1100)}` })).toThrow(/allows 1024/);
  });
});
