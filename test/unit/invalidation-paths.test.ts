import { describe, expect, it } from 'vitest';
import { batchPaths, collapsePaths, normalisePath, normalisePaths } from '../../src/lib/cloudfront/invalidation-paths.js';

describe('normalisePath', () => {
  it.each([
    ['index.html', '/index.html'],
    ['/docs/', '/docs/'],
    ['/a b.html', '/a%20b.html'],
    ['/ü/é.png', '/%C3%BC/%C3%A9.png'],
    ['/a%20b.html', '/a%20b.html'],
    ['/100%.html', '/100%25.html'],
    ['/x#y{z}|^~[1]`<>"', '/x%23y%7Bz%7D%7C%5E%7E%5B1%5D%60%3C%3E%22'],
    ['/assets/*', '/assets/*'],
    ["/keep-(these)!'+&=;:@$,.html", "/keep-(these)!'+&=;:@$,.html"],
  ])('%s → %s', (raw, path) => expect(normalisePath(raw)).toBe(path));
});

describe('normalisePaths', () => {
  it('de-duplicates after encoding, drops covered paths, sorts', () => {
    expect(normalisePaths(['/b.html', 'b.html', '/a b', '/a%20b', '/img/*', '/img/x.png', '/img/deep/*', '/imgs.png'])).toEqual([
      '/a%20b',
      '/b.html',
      '/img/*',
      '/imgs.png',
    ]);
  });
  it('/* covers everything', () => expect(normalisePaths(['/a', '/*', '/b/*'])).toEqual(['/*']));
  it('a prefix wildcard covers by prefix', () =>
    expect(normalisePaths(['/img*', '/img/a.png', '/imgs/b.png', '/im.png'])).toEqual(['/im.png', '/img*']));
});

describe('collapsePaths', () => {
  it('leaves lists within the limit alone', () => {
    expect(collapsePaths(['/a.html', '/b.html'], 2)).toEqual(['/a.html', '/b.html']);
  });
  it('collapses the deepest common folder first', () => {
    const paths = ['/index.html', '/', '/assets/js/a.js', '/assets/js/b.js', '/assets/css/c.css', '/docs/x.html'];
    expect(collapsePaths(paths, 5)).toEqual(['/', '/assets/css/c.css', '/assets/js/*', '/docs/x.html', '/index.html']);
    expect(collapsePaths(paths, 4)).toEqual(['/', '/assets/*', '/docs/x.html', '/index.html']);
  });
  it('a folder URL collapses with its contents', () => {
    expect(collapsePaths(['/docs/', '/docs/index.html', '/a', '/b'], 3)).toEqual(['/a', '/b', '/docs/*']);
  });
  it('ends in /* when no folder below the root can absorb more', () => {
    expect(collapsePaths(['/a', '/b', '/c'], 2)).toEqual(['/*']);
    expect(collapsePaths(['/x/1', '/x/2', '/y/1', '/y/2', '/z/1', '/z/2'], 2)).toEqual(['/*']);
  });
  it('stays linear enough for thousands of paths', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `/assets/${i % 30}/f${i}.js`);
    expect(collapsePaths(many, 20)).toHaveLength(1);
    expect(collapsePaths(many, 30)).toHaveLength(30);
  });
});

describe('batchPaths', () => {
  it('puts at most 15 wildcards and 3,000 files in a batch', () => {
    const wildcards = Array.from({ length: 20 }, (_, i) => `/w${i}/*`);
    const files = Array.from({ length: 3500 }, (_, i) => `/f${i}`);
    const batches = batchPaths([...wildcards, ...files]);
    expect(batches.map((b) => [b.filter((p) => p.endsWith('*')).length, b.filter((p) => !p.endsWith('*')).length])).toEqual([
      [15, 3000],
      [5, 500],
    ]);
  });
  it('has no batch for no paths', () => expect(batchPaths([])).toEqual([]));
});
