// Which files of a build go to the shared pool and which to the release folder, and the release id.
import { describe, expect, it } from 'vitest';
import { layoutRelease, poolDirectories, releaseId, type BuildFile } from '../../src/lib/releases/layout.js';
import { IMMUTABLE, NO_CACHE, SHORT_CACHE } from '../../src/lib/s3-sync/rules.js';

const file = (key: string, cacheControl: string, sha256 = key): BuildFile => ({
  key,
  size: 1,
  sha256,
  headers: { cacheControl, contentType: 'text/plain' },
});

describe('pool directories', () => {
  it('are the shallowest folders holding only immutable files; the root never is one', () => {
    const files = [
      file('index.html', NO_CACHE),
      file('app-Ab12Cd34.js', IMMUTABLE),
      file('assets/a-Ab12Cd34.js', IMMUTABLE),
      file('assets/b/c-Ab12Cd34.js', IMMUTABLE),
      file('static/js/m.1a2b3c4d.js', IMMUTABLE),
      file('static/logo.png', SHORT_CACHE),
    ];
    expect(poolDirectories(files)).toEqual(['assets/', 'static/js/']);
    const layout = layoutRelease(files, new Map());
    expect(layout.release.map((f) => f.key)).toEqual(['index.html', 'app-Ab12Cd34.js', 'static/logo.png']);
  });

  it("keep an earlier release's pool folders unless a release-folder file of this build lives there", () => {
    const files = [file('index.html', NO_CACHE), file('assets/a-Ab12Cd34.js', IMMUTABLE), file('media/logo.png', SHORT_CACHE)];
    expect(poolDirectories(files, ['chunks/', 'media/', 'assets/x/'])).toEqual(['assets/', 'chunks/']);
  });
});

describe('release id', () => {
  it('is the same for the same bytes, headers and table, and changes with any of them', () => {
    const files = [file('index.html', NO_CACHE, 'a'), file('assets/a-Ab12Cd34.js', IMMUTABLE, 'b')];
    const table = new Map([['s:web', '{}']]);
    const id = releaseId(files, table);
    expect(releaseId([...files].reverse(), table)).toBe(id);
    expect(releaseId([file('index.html', NO_CACHE, 'changed'), files[1]!], table)).not.toBe(id);
    expect(releaseId([file('index.html', SHORT_CACHE, 'a'), files[1]!], table)).not.toBe(id);
    expect(releaseId(files, new Map([['s:web', '{"t":"always"}']]))).not.toBe(id);
  });

  it('a build holding the reserved _releases/ folder is refused, naming the file', () => {
    expect(() => layoutRelease([file('_releases/x.html', NO_CACHE)], new Map())).toThrow(/The build holds _releases\/x\.html/);
  });
});
