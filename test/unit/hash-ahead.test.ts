import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HASH_AHEAD_FILES, HashAhead } from '../../src/lib/s3-sync/hash-ahead.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-hash-ahead-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** `n` small files with distinct contents of varied sizes. */
function files(folder: string, n: number): { path: string; size: number; body: string }[] {
  mkdirSync(join(dir, folder));
  return Array.from({ length: n }, (_, i) => {
    const body = `file ${i} `.repeat(1 + (i % 40));
    const path = join(dir, folder, `f${i}.txt`);
    writeFileSync(path, body);
    return { path, size: Buffer.byteLength(body), body };
  });
}

describe('HashAhead', () => {
  it('hashes every small file of a large scan on its thread, as the scan finds them', async () => {
    const found = files('many', HASH_AHEAD_FILES + 1500);
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 1));
    const ahead = new HashAhead();
    for (const f of found) ahead.add(f);
    ahead.add({ path: big, size: 1024 * 1024 + 1 });
    ahead.end();
    const hashes = await ahead.hashes();
    expect(hashes.size).toBe(found.length);
    for (const f of found) expect(hashes.get(f.path)).toBe(sha256(f.body));
    // Above 1 MiB the main thread streams the file itself.
    expect(hashes.has(big)).toBe(false);
  });

  it('leaves to the main thread a file that is gone or no longer the size the scan saw', async () => {
    const found = files('changing', HASH_AHEAD_FILES);
    const ahead = new HashAhead();
    const [gone, grown, ...rest] = found;
    rmSync(gone!.path);
    writeFileSync(grown!.path, `${grown!.body}more`);
    for (const f of found) ahead.add(f);
    ahead.end();
    const hashes = await ahead.hashes();
    expect(hashes.has(gone!.path)).toBe(false);
    expect(hashes.has(grown!.path)).toBe(false);
    expect(hashes.size).toBe(rest.length);
  });

  it('starts no thread for a build below the threshold, and a stopped one answers at once, without its hashes', async () => {
    const few = files('few', 10);
    const small = new HashAhead();
    for (const f of few) small.add(f);
    small.end();
    expect((await small.hashes()).size).toBe(0);

    const stopped = new HashAhead();
    for (const f of files('stopped', HASH_AHEAD_FILES)) stopped.add(f);
    stopped.stop();
    // Not waited for: none of the batch the thread was given comes back.
    expect((await stopped.hashes()).size).toBe(0);
  });
});
