import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileMatchesEtag, sha256File } from '../../src/lib/s3-sync/etag.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-etag-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, body: Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
};
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('hashing small files through one shared buffer', () => {
  it('gives each file its own digest, whatever was read before it (larger, smaller, empty)', async () => {
    const bodies = [Buffer.alloc(100_000, 7), Buffer.from('short'), Buffer.alloc(0), Buffer.alloc(300_000, 9), Buffer.from('sh')];
    const paths = bodies.map((b, i) => file(`f${i}`, b));
    for (let i = 0; i < bodies.length; i++) {
      expect(await sha256File(paths[i]!, bodies[i]!.length)).toBe(sha256(bodies[i]!));
      expect(await fileMatchesEtag(paths[i]!, bodies[i]!.length, `"${md5(bodies[i]!)}"`)).toBe(true);
    }
  });

  it('hashes a file that changed size since it was listed as it is now', async () => {
    const grown = Buffer.alloc(5000, 1);
    const shrunk = Buffer.from('now shorter');
    const g = file('grown', grown);
    const s = file('shrunk', shrunk);
    expect(await sha256File(g, 10)).toBe(sha256(grown));
    expect(await sha256File(s, 4000)).toBe(sha256(shrunk));
    expect(await fileMatchesEtag(g, 10, md5(grown.subarray(0, 10)))).toBe(false);
    expect(await fileMatchesEtag(g, 10, md5(grown))).toBe(true);
  });
});
