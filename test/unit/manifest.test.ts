import { describe, expect, it } from 'vitest';
import { parseManifest, serializeManifest } from '../../src/lib/s3-sync/manifest.js';

const entry = { etag: 'e1', cacheControl: 'no-cache', contentType: 'text/html' };

describe('parseManifest', () => {
  it('keeps valid entries, drops malformed ones and malformed optional fields', () => {
    const text = JSON.stringify({
      version: 1,
      objects: {
        'index.html': { ...entry, sha256: 'ab', extra: { 'x-robots-tag': 'noindex' } },
        'no-etag.js': { cacheControl: 'no-cache', contentType: 'text/javascript' },
        'bad-extra.js': { ...entry, extra: { 'x-n': 1 }, sha256: 7, sourceEtag: 'src' },
        'empty-extra.js': { ...entry, extra: {} },
        'unknown-field.js': { ...entry, size: 12, note: 'x' },
        'not-an-object': 'e1',
      },
      stale: { 'old.js': '2026-11-30T00:00:00.000Z', 'bad.js': 'yesterday' },
    });
    const manifest = parseManifest(text);
    expect(manifest?.objects).toEqual({
      'index.html': { ...entry, sha256: 'ab', extra: { 'x-robots-tag': 'noindex' } },
      'bad-extra.js': { ...entry, sourceEtag: 'src' },
      'empty-extra.js': entry,
      'unknown-field.js': entry,
    });
    expect(manifest?.stale).toEqual({ 'old.js': '2026-11-30T00:00:00.000Z' });
  });

  it('reads a key named __proto__ as a key, not as the prototype', () => {
    const manifest = parseManifest(`{"version":1,"objects":{"__proto__":${JSON.stringify(entry)}},"stale":{}}`);
    expect(Object.keys(manifest?.objects ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(manifest?.objects)).toBe(Object.prototype);
  });

  it('round-trips through serializeManifest', () => {
    const manifest = parseManifest(JSON.stringify({ version: 1, objects: { 'b.js': entry, 'a.js': entry }, stale: {} }));
    expect(parseManifest(serializeManifest(manifest!))).toEqual(manifest);
  });

  it('treats anything unreadable as no manifest', () => {
    expect(parseManifest('{')).toBeUndefined();
    expect(parseManifest('{"version":2,"objects":{},"stale":{}}')).toBeUndefined();
  });
});
