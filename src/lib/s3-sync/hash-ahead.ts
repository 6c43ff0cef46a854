// SHA-256 of a large build's small files, read and hashed on another thread while this one scans
// the build and reads the bucket. Reading and hashing 100,000 files is about 2 s on one core (open,
// read, close: CPU profile of bench scenario 5); the scan and the listing need the main thread for
// longer, so side by side they overlap instead of adding up. Below HASH_AHEAD_FILES files the
// thread's start costs more than it saves, and the main thread hashes as before (etag.ts).
import { Worker } from 'node:worker_threads';

/** From this many files a build's small files are hashed ahead, on a worker thread. */
export const HASH_AHEAD_FILES = 5000;

/** Files above this size are left to the main thread, which streams them (etag.ts). */
const SMALL_FILE = 1024 * 1024;

/** Files sent to the thread at a time once it runs. */
const BATCH = 1000;

/**
 * The worker, as plain JavaScript (a bundle has no separate file to start): for each batch it
 * reads each file whole into one reused buffer, as etag.ts's digestSmallFile does, and answers ''
 * for a file it could not read or that is no longer the size listed, so the main thread hashes
 * that one itself and reports any error as it always has.
 */
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { hash } = require('node:crypto');
let scratch = Buffer.allocUnsafe(64 * 1024);
parentPort.on('message', ({ paths, sizes }) => {
  const out = new Array(paths.length).fill('');
  for (let i = 0; i < paths.length; i++) {
    const size = sizes[i];
    if (scratch.length <= size) scratch = Buffer.allocUnsafe(Math.max(size + 1, scratch.length * 2));
    let fd;
    try {
      fd = openSync(paths[i], 'r');
      let filled = 0;
      while (filled <= size) {
        const n = readSync(fd, scratch, filled, size + 1 - filled, null);
        if (n === 0) break;
        filled += n;
      }
      if (filled === size) out[i] = hash('sha256', scratch.subarray(0, filled));
    } catch {
      // left to the main thread
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  parentPort.postMessage(out);
});
`;

/**
 * Hashes the files a scan finds, on a worker thread that starts once the scan has found
 * HASH_AHEAD_FILES small files: it hashes while the scan goes on, and while the bucket is read.
 */
export class HashAhead {
  private worker: Worker | undefined;
  private pending: { path: string; size: number }[] = [];
  /** The paths of each batch sent, in order: the thread answers them in that order. */
  private readonly sent: string[][] = [];
  private answered = 0;
  private readonly hashed = new Map<string, string>();
  private ended = false;
  private finish: () => void = () => undefined;
  private readonly finished = new Promise<void>((resolve) => (this.finish = resolve));

  /** `from`: how many small files start the thread (HASH_AHEAD_FILES; tests start it sooner). */
  constructor(private readonly from = HASH_AHEAD_FILES) {}

  /** A file the scan found. */
  add(file: { path: string; size: number }): void {
    if (file.size > SMALL_FILE) return;
    this.pending.push(file);
    if (this.pending.length >= (this.worker ? BATCH : this.from)) this.flush();
  }

  /** The scan is over: the files left are sent (when the thread runs at all). */
  end(): void {
    this.ended = true;
    if (this.worker) this.flush();
    this.settleIfDone();
  }

  /** Path → SHA-256 (hex) of the files the thread hashed, once it is done (none when it never ran). */
  async hashes(): Promise<ReadonlyMap<string, string>> {
    if (this.worker) await this.finished;
    return this.hashed;
  }

  /** Stops the thread if it is still running (a sync that failed before it needed the hashes). */
  stop(): void {
    void this.worker?.terminate();
    this.finish();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.worker ??= this.start();
    const batch = this.pending;
    this.pending = [];
    this.sent.push(batch.map((f) => f.path));
    this.worker.postMessage({ paths: this.sent.at(-1), sizes: batch.map((f) => f.size) });
  }

  private start(): Worker {
    const worker = new Worker(WORKER, { eval: true });
    worker.unref();
    worker.on('message', (out: string[]) => {
      const paths = this.sent[this.answered++] ?? [];
      paths.forEach((path, i) => {
        if (out[i]) this.hashed.set(path, out[i]);
      });
      this.settleIfDone();
    });
    // Whatever goes wrong with the thread, the main thread hashes what it did not.
    worker.once('error', () => this.finish());
    worker.once('exit', () => this.finish());
    return worker;
  }

  private settleIfDone(): void {
    if (this.ended && this.answered === this.sent.length) {
      this.finish();
      void this.worker?.terminate();
    }
  }
}
