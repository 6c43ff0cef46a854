import { describe, expect, it } from 'vitest';
import { isEntryPoint, isHidden, nestedDeploymentRoot, unsafeKeyReason, urlPathsFor } from '../../src/lib/s3-sync/keys.js';

describe('urlPathsFor', () => {
  it.each([
    ['index.html', ['/index.html', '/']],
    ['docs/index.html', ['/docs/index.html', '/docs/']],
    ['assets/app.js', ['/assets/app.js']],
    ['about.html', ['/about.html']],
    ['myindex.html', ['/myindex.html']],
  ])('%s → %j', (key, paths) => expect(urlPathsFor(key)).toEqual(paths));
});

describe('hidden files', () => {
  it.each(['.env', '.git/config', 'a/.DS_Store', 'assets/.cache/x', '.well-known', 'a/.well-known/x'])('%s is hidden', (k) =>
    expect(isHidden(k)).toBe(true),
  );
  it('the .well-known folder itself is published, other dot-folders are not', () => {
    expect(isHidden('.well-known', true)).toBe(false);
    expect(isHidden('.git', true)).toBe(true);
    expect(isHidden('a/.well-known', true)).toBe(true);
  });
  it.each(['.well-known/security.txt', '.well-known/acme/x', 'index.html', 'a/b.c'])('%s is published', (k) =>
    expect(isHidden(k)).toBe(false),
  );
});

it('unsafe keys', () => {
  expect(unsafeKeyReason('a\\b.js')).toMatch(/backslash/);
  expect(unsafeKeyReason('a/../b')).toMatch(/segment/);
  expect(unsafeKeyReason('a//b')).toMatch(/segment/);
  expect(unsafeKeyReason('a..b/c')).toBeUndefined();
});

it('entry points are pages and service workers', () => {
  expect(['index.html', 'a/b.htm', 'sw.js', 'x/service-worker.js'].every(isEntryPoint)).toBe(true);
  expect(['app.js', 'html.css', 'assets/sw.js.map'].some(isEntryPoint)).toBe(false);
});

it('nested deployments are found by their manifest', () => {
  expect(nestedDeploymentRoot('pr-1/.slipway/manifest.json')).toBe('pr-1/');
  expect(nestedDeploymentRoot('.slipway/manifest.json')).toBeUndefined();
  expect(nestedDeploymentRoot('pr-1/manifest.json')).toBeUndefined();
});
