/** What library code may say. Actions back it with @actions/core, the CLI with the terminal. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a collapsible group of log lines. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Optional: one item of a long run is done (a file uploaded). A logger without it gets `progress.line` as an
   * info line per item (the action's log); the CLI turns the calls into a progress line or periodic counts.
   */
  progress?(progress: Progress): void;
}

export interface Progress {
  /** Items done so far, of `total`. */
  done: number;
  total: number;
  /** Bytes sent so far, of `totalBytes` (0 when the items carry no body, like header updates). */
  bytes: number;
  totalBytes: number;
  /** The per-item line ("uploaded (new) assets/app.js"). */
  line: string;
}

/** Reports one item: through the logger's progress hook when it has one, else as an info line. */
export function reportProgress(log: Logger, progress: Progress): void {
  if (log.progress) log.progress(progress);
  else log.info(progress.line);
}

export const silentLogger: Logger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_title, fn) => fn(),
};

/** Where the CLI logger writes, and how it tells time: the process's stderr and clock, or a test's. */
export interface TerminalOptions {
  verbose?: boolean;
  /** Defaults to process.stderr. */
  stream?: { write(text: string): unknown; isTTY?: boolean };
  now?: () => number;
  /** Non-terminal output (CI logs): one count line at most this often. Default 5 s. */
  countEveryMs?: number;
}

const REDRAW_MS = 100;

/**
 * The CLI's logger. Logs go to stderr (results go to stdout). Per-item progress: with --verbose one line per
 * item; on a terminal one line redrawn in place (files, bytes, rate, ETA); elsewhere (CI logs, a pipe) a count
 * line every few seconds and when done, never one line per file.
 */
export function terminalLogger(options: TerminalOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const countEvery = options.countEveryMs ?? 5_000;
  // Rates are measured from the first finished item, so time spent before the uploads began does not count.
  let first: { at: number; done: number; bytes: number } | undefined;
  let lastShown = -Infinity;
  let statusShown = false;

  const clearStatus = (): void => {
    if (statusShown) stream.write('\r\x1b[2K');
    statusShown = false;
  };
  const line = (text: string): void => {
    clearStatus();
    stream.write(`${text}\n`);
  };

  return {
    info: line,
    warning: (m) => line(`warning: ${m}`),
    debug: (m) => {
      if (options.verbose) line(`debug: ${m}`);
    },
    group: async (title, fn) => {
      line(`── ${title}`);
      return fn();
    },
    progress: (p) => {
      const t = now();
      first ??= { at: t, done: p.done, bytes: p.bytes };
      if (options.verbose) return line(p.line);
      const finished = p.done >= p.total;
      if (!finished && t - lastShown < (tty ? REDRAW_MS : countEvery)) return;
      lastShown = t;
      const status = progressStatus(p, { ms: t - first.at, done: first.done, bytes: first.bytes });
      if (tty) {
        stream.write(`\r\x1b[2K${status}${finished ? '\n' : ''}`);
        statusShown = !finished;
      } else {
        line(status);
      }
    },
  };
}

/** "1,204/3,000 files, 12.1/30.4 MiB, 410 files/s, 4.1 MiB/s, ETA 5s", the rates over `since` (what was done before it is not counted). */
export function progressStatus(p: Progress, since: { ms: number; done: number; bytes: number }): string {
  const parts = [`${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} files`];
  if (p.totalBytes > 0) parts.push(`${mib(p.bytes)}/${mib(p.totalBytes)} MiB`);
  const seconds = since.ms / 1000;
  const fileRate = seconds > 0 ? (p.done - since.done) / seconds : 0;
  const byteRate = seconds > 0 ? (p.bytes - since.bytes) / seconds : 0;
  if (fileRate > 0) parts.push(`${Math.round(fileRate).toLocaleString('en-US')} files/s`);
  if (byteRate > 0) parts.push(`${mib(byteRate)} MiB/s`);
  if (p.done >= p.total) {
    if (seconds > 0) parts.push(`done in ${duration(seconds)}`);
    return parts.join(', ');
  }
  // By bytes when the items carry bodies (a few large files dominate), else by count.
  const left =
    byteRate > 0 && p.totalBytes > 0 ? (p.totalBytes - p.bytes) / byteRate : fileRate > 0 ? (p.total - p.done) / fileRate : undefined;
  parts.push(`ETA ${left === undefined ? '?' : duration(left)}`);
  return parts.join(', ');
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

function duration(seconds: number): string {
  const whole = Math.ceil(seconds);
  return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}
