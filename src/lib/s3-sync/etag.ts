// Content identity without downloading: S3's ETag is the MD5 of a single-part object, and for a
// multipart one the MD5 of its parts' MD5s followed by `-<parts>`.
import { createHash, hash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const MiB = 1024 * 1024;

/** Files above this size are uploaded in parts of this size (as the AWS CLI does), so their ETags can be recomputed. */
export const PART_SIZE = 8 * MiB;

/** Part sizes common tools use: Slipway and the AWS CLI (8 MiB), the JS SDK and rclone (5 MiB), s3cmd (15 MiB), 16 MiB. */
const KNOWN_PART_SIZES = [PART_SIZE, 5 * MiB, 16 * MiB, 15 * MiB];

/**
 * Files up to this size are read synchronously: open, read and close take microseconds on a local
 * disk, far less than the promise and thread-pool trip per call of `fs/promises` (a site is mostly
 * small files); larger ones are read without blocking.
 */
const SMALL_FILE = MiB;

/**
 * The buffer small files are read into: each read is hashed before the next one starts (all of it
 * synchronous), so one buffer serves them all, instead of a buffer per file for the collector.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * The digest of a small file of `size` bytes (as listed): open, read, close — no `fstat`, no buffer
 * of its own. A file that changed size since it was listed is hashed as it is now.
 */
function digestSmallFile(algorithm: 'md5' | 'sha256', path: string, size: number): string {
  if (scratch.length <= size) scratch = Buffer.allocUnsafe(Math.max(size + 1, scratch.length * 2));
  const fd = openSync(path, 'r');
  let filled = 0;
  try {
    // Up to one byte more than listed: a file that grew shows itself.
    while (filled <= size) {
      const n = readSync(fd, scratch, filled, size + 1 - filled, null);
      if (n === 0) break;
      filled += n;
    }
  } finally {
    closeSync(fd);
  }
  return filled > size ? hash(algorithm, readFileSync(path)) : hash(algorithm, scratch.subarray(0, filled));
}

export const unquote = (etag: string): string => etag.replace(/^W\//, '').replace(/^"|"$/g, '');

export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The ETag S3 gives the file when uploaded in parts of `partSize`. */
export async function multipartEtag(path: string, partSize: number): Promise<string> {
  const parts: Buffer[] = [];
  let part = createHash('md5');
  let filled = 0;
  for await (const raw of createReadStream(path, { highWaterMark: MiB })) {
    let chunk = raw as Buffer;
    while (chunk.length > 0) {
      const take = Math.min(partSize - filled, chunk.length);
      part.update(chunk.subarray(0, take));
      filled += take;
      chunk = chunk.subarray(take);
      if (filled === partSize) {
        parts.push(part.digest());
        part = createHash('md5');
        filled = 0;
      }
    }
  }
  if (filled > 0 || parts.length === 0) parts.push(part.digest());
  return `${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`;
}

/** Part sizes that would give a file of `size` bytes exactly `parts` parts. */
export function candidatePartSizes(size: number, parts: number): number[] {
  const fits = (p: number) => Math.ceil(size / p) === parts;
  const candidates = KNOWN_PART_SIZES.filter(fits);
  // Otherwise the smallest whole number of MiB that fits, which is what most tools pick.
  const smallest = Math.max(1, Math.ceil(size / parts / MiB)) * MiB;
  if (fits(smallest) && !candidates.includes(smallest)) candidates.push(smallest);
  return candidates;
}

/** Does the local file have the content of the object with this ETag (and the same size)? */
export async function fileMatchesEtag(path: string, size: number, etag: string): Promise<boolean> {
  const remote = unquote(etag);
  const multipart = /^([0-9a-f]{32})-(\d+)$/.exec(remote);
  if (!multipart)
    return (
      /^[0-9a-f]{32}$/.test(remote) &&
      (size <= SMALL_FILE
        ? digestSmallFile('md5', path, size)
        : size <= 64 * MiB
          ? md5Buffer(await readFile(path))
          : await md5File(path)) === remote
    );
  for (const partSize of candidatePartSizes(size, Number(multipart[2]))) {
    if ((await multipartEtag(path, partSize)) === remote) return true;
  }
  return false;
}

export const md5Buffer = (data: Buffer): string => hash('md5', data);

export const sha256Buffer = (data: Buffer): string => hash('sha256', data);

/** SHA-256 of a file's content (hex), read whole when small, streamed when large. */
export async function sha256File(path: string, size: number): Promise<string> {
  if (size <= SMALL_FILE) return digestSmallFile('sha256', path, size);
  if (size <= 64 * MiB) return sha256Buffer(await readFile(path));
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** S3's base64 form of a checksum (x-amz-checksum-sha256) from its hex form. */
export const base64OfHex = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');
