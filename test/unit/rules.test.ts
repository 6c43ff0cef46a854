import { describe, expect, it } from 'vitest';
import { HeaderRules, IMMUTABLE, isImmutable, NO_CACHE, SHORT_CACHE, withCharset } from '../../src/lib/s3-sync/rules.js';

describe('default cache rules (from the seed)', () => {
  const rules = new HeaderRules();
  it.each([
    ['index.html', NO_CACHE],
    ['docs/deep/page.html', NO_CACHE],
    ['sw.js', NO_CACHE],
    ['nested/service-worker.js', NO_CACHE],
    ['assets/index-BQw3kz1a.js', IMMUTABLE],
    ['assets/img/logo-77aa9f3c.png', IMMUTABLE],
    // Vite copies public/assets/ as it is: only a name with a content hash is immutable.
    ['assets/logo.png', SHORT_CACHE],
    ['assets/index-3f9a1c.js', SHORT_CACHE],
    ['assets/page.html', NO_CACHE],
    ['favicon.ico', SHORT_CACHE],
    ['robots.txt', SHORT_CACHE],
    ['img/assets/x.png', SHORT_CACHE],
  ])('%s → %s', (key, cacheControl) => expect(rules.headersFor(key).cacheControl).toBe(cacheControl));
});

describe('content types from the MIME table, UTF-8 on text', () => {
  const rules = new HeaderRules();
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['assets/app.js', 'text/javascript; charset=utf-8'],
    ['assets/app.css', 'text/css; charset=utf-8'],
    ['data.json', 'application/json; charset=utf-8'],
    ['logo.svg', 'image/svg+xml; charset=utf-8'],
    ['photo.png', 'image/png'],
    ['font.woff2', 'font/woff2'],
    ['app.wasm', 'application/wasm'],
    ['manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['LICENSE', 'application/octet-stream'],
    ['.well-known/apple-app-site-association', 'application/json; charset=utf-8'],
  ])('%s → %s', (key, type) => expect(rules.headersFor(key).contentType).toBe(type));
});

describe('user rules come first, first match wins', () => {
  const rules = new HeaderRules(
    [
      { glob: '*.png', value: 'public, max-age=600' },
      { glob: 'assets/**', value: 'public, max-age=60' },
      { glob: '**/*.png', value: 'never reached' },
    ],
    [
      { glob: 'feed', value: 'application/rss+xml' },
      { glob: 'data/*.txt', value: 'text/csv; charset=latin1' },
    ],
  );
  it('overrides the defaults', () => {
    expect(rules.headersFor('assets/logo.png').cacheControl).toBe('public, max-age=600');
    expect(rules.headersFor('assets/app.js').cacheControl).toBe('public, max-age=60');
    expect(rules.headersFor('index.html').cacheControl).toBe(NO_CACHE);
  });
  it('overrides the MIME table and keeps a given charset', () => {
    expect(rules.headersFor('blog/feed').contentType).toBe('application/rss+xml; charset=utf-8');
    expect(rules.headersFor('data/x.txt').contentType).toBe('text/csv; charset=latin1');
  });
});

it('withCharset leaves binary types alone', () => {
  expect(withCharset('image/png')).toBe('image/png');
  expect(withCharset('application/xml')).toBe('application/xml; charset=utf-8');
});

it('isImmutable reads the directive, not a substring', () => {
  expect(isImmutable(IMMUTABLE)).toBe(true);
  expect(isImmutable('immutable')).toBe(true);
  expect(isImmutable(SHORT_CACHE)).toBe(false);
  expect(isImmutable('x-not-immutable-ish')).toBe(false);
});
