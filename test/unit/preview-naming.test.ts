// The preview naming rules live in src/lib/preview/naming.ts alone: every name reads back to its
// PR, and no other file of the library, the actions or the edge router spells a preview name out.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  numberOfBucket,
  numberOfSharedPrefix,
  previewEnvironment,
  previewHost,
  sharedPathPrefix,
  sharedPrefix,
} from '../../src/lib/preview/naming.js';

const ROOT = join(import.meta.dirname, '..', '..');
const NAMING = 'src/lib/preview/naming.ts';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** A preview name written out: `pr-${…}`, 'pr-' + …, or a pattern that reads one (^pr-, /pr-(, pr-[). */
const SPELLED_OUT = /pr-\$\{|['"`]\/?pr-['"`]|\^\\?\/?pr-|pr-\(|pr-\[/;

describe('preview names', () => {
  it('read back to their PR, and nothing else does', () => {
    for (const n of [1, 7, 42, 999_999_999]) {
      expect(numberOfSharedPrefix(sharedPrefix(n))).toBe(n);
      expect(numberOfBucket(`x-${n}-y`, 'x-{number}-y')).toBe(n);
      expect(sharedPathPrefix(n)).toBe(`/${sharedPrefix(n).slice(0, -1)}`);
      expect(previewHost('app.example.com', n).split('.')[0]).toBe(sharedPrefix(n).slice(0, -1));
      expect(previewEnvironment(n)).toBe(`preview/${sharedPrefix(n).slice(0, -1)}`);
    }
    for (const other of ['pr-0/', 'pr-07/', 'pr-1', 'pr-1/x/', 'pr-abc/', 'pr-1234567890/', 'xpr-1/'])
      expect(numberOfSharedPrefix(other)).toBeUndefined();
  });

  it('are spelled out only in naming.ts (the check sees a copy: a positive control)', () => {
    expect(SPELLED_OUT.test(readFileSync(join(ROOT, NAMING), 'utf8'))).toBe(true);
    expect(SPELLED_OUT.test('const match = /^pr-([1-9]\\d{0,8})\\/$/.exec(prefix);')).toBe(true);
    expect(SPELLED_OUT.test('pathPrefix: `/pr-${number}`')).toBe(true);
    const files = [...sources('src'), ...sources('actions/pr-preview/src')].filter((f) => f !== NAMING && !f.startsWith('src/generated/'));
    expect(files).toContain('src/lib/router/edge/router.js');
    const copies = files.filter((f) =>
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .some((line) => !/^\s*(\/\/|\*|\/\*\*)/.test(line) && SPELLED_OUT.test(line)),
    );
    expect(copies).toEqual([]);
  });
});
