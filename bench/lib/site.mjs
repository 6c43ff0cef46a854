// Deterministic SPA builds for the benchmarks: pages with nested routes, hashed assets, images,
// and a few large files.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const digest = (/** @type {string} */ s) => createHash('sha256').update(s).digest('hex').slice(0, 8);

/**
 * @param {string} dir
 * @param {number} n number of files
 * @param {{ large?: number }} [options] how many 9 MiB files (multipart) to include
 * @returns {string[]} the keys written
 */
export function generateSite(dir, n, options = {}) {
  /** @type {string[]} */
  const keys = [];
  const write = (/** @type {string} */ key, /** @type {string | Buffer} */ body) => {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), body);
    keys.push(key);
  };
  write('index.html', '<!doctype html><script type="module" src="/assets/index.js"></script>');
  const large = options.large ?? 0;
  for (let i = 0; i < large; i++) write(`media/video-${i}.mp4`, Buffer.alloc(9 * 1024 * 1024, i + 1));
  for (let i = 1 + large; i < n; i++) {
    const kind = i % 10;
    if (kind === 0) write(`routes/r${i % 97}/p${i}/index.html`, `<h1>route ${i}</h1>`);
    else if (kind < 4) write(`assets/img/i${i}-${digest(`img${i}`)}.png`, Buffer.alloc(2048 + (i % 7) * 512, i % 251));
    else write(`assets/chunk-${i}-${digest(`c${i}`)}.js`, `export const v${i} = ${JSON.stringify('x'.repeat(200 + (i % 50) * 20))};\n`);
  }
  return keys;
}

/** New modification times everywhere, as after a fresh checkout and build. */
export function freshMtimes(/** @type {string} */ dir) {
  const later = new Date(Date.now() + Math.round(Math.random() * 1e6));
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) utimesSync(join(e.parentPath, e.name), later, later);
}

/** Rewrites `fraction` of the JS chunks with new content of the same size. */
export function changeSome(
  /** @type {string} */ dir,
  /** @type {string[]} */ keys,
  /** @type {number} */ fraction,
  /** @type {number} */ seed,
) {
  const chunks = keys.filter((k) => k.endsWith('.js'));
  const count = Math.max(1, Math.round(keys.length * fraction));
  const changed = [];
  for (let i = 0; i < count; i++) {
    const key = /** @type {string} */ (chunks[(i * 7919 + seed * 104729) % chunks.length]);
    const path = join(dir, key);
    const marker = `/*${String(seed).padStart(6, '0')}*/`;
    writeFileSync(path, `${marker}export const changed = ${JSON.stringify('y'.repeat(200))};\n`);
    changed.push(key);
  }
  return changed;
}
