// The CLI's logger: logs on its stream, and per-file progress as a redrawn line on a terminal, as periodic
// counts elsewhere, or one line per file with --verbose.
import { describe, expect, it } from 'vitest';
import { progressStatus, reportProgress, terminalLogger, type Logger, type Progress } from '../../src/lib/log/logger.js';

function fakeTerminal(isTTY: boolean) {
  let text = '';
  let clock = 0;
  return {
    stream: { isTTY, write: (t: string) => (text += t) },
    now: () => clock,
    tick: (ms: number) => (clock += ms),
    text: () => text,
  };
}

/** 100 files of 1 MiB, one every 100 ms. */
function upload(log: Logger, tick: (ms: number) => void, files = 100): void {
  for (let i = 1; i <= files; i++) {
    tick(100);
    log.progress!({ done: i, total: files, bytes: i * 1024 * 1024, totalBytes: files * 1024 * 1024, line: `uploaded (new) f${i}.js` });
  }
}

describe('terminalLogger', () => {
  it('in a CI log (not a terminal): a count line every 5 s and a last one, no line per file', () => {
    const t = fakeTerminal(false);
    const log = terminalLogger({ stream: t.stream, now: t.now });
    upload(log, t.tick);
    const lines = t.text().trimEnd().split('\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['1/100 files', '51/100 files', '100/100 files']);
    expect(lines[0]).toBe('1/100 files, 1.0/100.0 MiB, ETA ?');
    expect(lines[2]).toBe('100/100 files, 100.0/100.0 MiB, 10 files/s, 10.0 MiB/s, done in 10s');
    expect(t.text()).not.toContain('uploaded (new)');
  });

  it('on a terminal: one line redrawn in place, at most 10 times a second, ended by a newline', () => {
    const t = fakeTerminal(true);
    const log = terminalLogger({ stream: t.stream, now: t.now });
    upload(log, t.tick, 20);
    log.info('after');
    const redraws = t.text().split('\r\x1b[2K');
    expect(redraws.length - 1).toBe(20);
    expect(t.text()).not.toContain('\n1/20');
    expect(redraws.at(-1)).toMatch(/^20\/20 files, .*done in 2s\nafter\n$/);
    expect(redraws[5]).toMatch(/^5\/20 files, 5\.0\/20\.0 MiB, 10 files\/s, 10\.0 MiB\/s, ETA 2s$/);
  });

  it('a log line on a terminal first clears the progress line', () => {
    const t = fakeTerminal(true);
    const log = terminalLogger({ stream: t.stream, now: t.now });
    upload(log, t.tick, 2);
    expect(t.text()).toMatch(/2\/2 files.*\n$/);
    const u = fakeTerminal(true);
    const log2 = terminalLogger({ stream: u.stream, now: u.now });
    log2.progress!({ done: 1, total: 3, bytes: 0, totalBytes: 0, line: 'x' });
    log2.warning('slow');
    expect(u.text()).toBe('\r\x1b[2K1/3 files, ETA ?\r\x1b[2Kwarning: slow\n');
  });

  it('with --verbose: one line per file', () => {
    const t = fakeTerminal(false);
    upload(terminalLogger({ stream: t.stream, now: t.now, verbose: true }), t.tick, 3);
    expect(t.text()).toBe('uploaded (new) f1.js\nuploaded (new) f2.js\nuploaded (new) f3.js\n');
  });

  it('debug lines only with --verbose', () => {
    const quiet = fakeTerminal(false);
    terminalLogger({ stream: quiet.stream }).debug('x');
    const loud = fakeTerminal(false);
    terminalLogger({ stream: loud.stream, verbose: true }).debug('x');
    expect([quiet.text(), loud.text()]).toEqual(['', 'debug: x\n']);
  });
});

describe('reportProgress', () => {
  it('a logger without the hook (the action) gets the per-file line as info', () => {
    const lines: string[] = [];
    const log: Logger = { info: (m) => lines.push(m), warning: () => undefined, debug: () => undefined, group: (_t, fn) => fn() };
    const p: Progress = { done: 1, total: 2, bytes: 1, totalBytes: 2, line: 'uploaded (new) a.js' };
    reportProgress(log, p);
    expect(lines).toEqual(['uploaded (new) a.js']);
  });
});

describe('progressStatus', () => {
  it('ETA by bytes when files carry bodies, by count otherwise; minutes past 60 s', () => {
    const start = { ms: 9_000, done: 0, bytes: 0 };
    expect(progressStatus({ done: 10, total: 100, bytes: 90 * 1024 * 1024, totalBytes: 100 * 1024 * 1024, line: '' }, start)).toBe(
      '10/100 files, 90.0/100.0 MiB, 1 files/s, 10.0 MiB/s, ETA 1s',
    );
    expect(progressStatus({ done: 1, total: 100, bytes: 0, totalBytes: 0, line: '' }, { ms: 1_000, done: 0, bytes: 0 })).toBe(
      '1/100 files, 1 files/s, ETA 1m39s',
    );
    expect(progressStatus({ done: 11, total: 100, bytes: 0, totalBytes: 0, line: '' }, { ms: 1_000, done: 1, bytes: 0 })).toBe(
      '11/100 files, 10 files/s, ETA 9s',
    );
  });
});
