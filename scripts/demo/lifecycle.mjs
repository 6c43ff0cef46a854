// The demo's lifecycle: everything it starts (endpoints, bundles, temporary directories) is stopped
// or removed exactly once, whatever happens: the end of the run, an uncaught error, or Ctrl-C.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @typedef {object} Lifecycle
 * @property {(stop: () => Promise<void>) => void} onStop runs at the end, in reverse order of registration
 * @property {(kill: () => void) => void} onExit a synchronous last resort, for an exit that skips stopAll
 * @property {(name: string) => string} temp a temporary directory, removed at the end
 * @property {(child: import('node:child_process').ChildProcess) => void} track an action bundle running now
 * @property {() => Promise<void>} stopAll
 */

/** @returns {Lifecycle} */
export function createLifecycle() {
  /** @type {(() => Promise<void>)[]} */
  const stops = [];
  /** @type {string[]} */
  const temps = [];
  /** @type {Set<import('node:child_process').ChildProcess>} */
  const running = new Set();
  /** @type {(() => void)[]} */
  const lastResorts = [];
  let stopped = false;

  async function stopAll() {
    if (stopped) return;
    stopped = true;
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    for (const stop of stops.reverse()) await stop().catch((/** @type {unknown} */ e) => console.error(`stopping: ${String(e)}`));
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  }

  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
    for (const kill of lastResorts) kill();
  });
  for (const event of /** @type {const} */ (['uncaughtException', 'unhandledRejection'])) {
    process.once(event, (error) => {
      console.error(`\n${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      void stopAll().finally(() => process.exit(1));
    });
  }
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the embedded endpoints`);
      void stopAll().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
    });
  }

  return {
    onStop: (stop) => void stops.push(stop),
    onExit: (kill) => void lastResorts.push(kill),
    temp(name) {
      const dir = mkdtempSync(join(tmpdir(), `slipway-demo-${name}-`));
      temps.push(dir);
      return dir;
    },
    track(child) {
      running.add(child);
      child.once('exit', () => running.delete(child));
    },
    stopAll,
  };
}

/** The pid of our moto_server child listening on `port` (Linux /proc; undefined elsewhere). @param {number} port */
export function motoPid(port) {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        const ppid = /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
        if (Number(ppid) === process.pid && cmdline.some((a) => a.endsWith('moto_server')) && cmdline.includes(String(port)))
          return Number(entry);
      } catch {
        // gone, or not ours to read
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}
