// The wait until the CDN answers a release id from every POP the runner reaches, on a scripted CDN and
// an injected clock (no real waiting).
import { describe, expect, it } from 'vitest';
import { RouterTooOld, waitForRelease, type HttpAnswer, type HttpGet } from '../../src/lib/releases/verify.js';
import type { Clock } from '../../src/lib/util/clock.js';

const NEW = 'aaaaaaaaaaaaaaaa';
const OLD = 'bbbbbbbbbbbbbbbb';

function fakeClock(): Clock & { t: number } {
  const clock = { t: 0, now: () => clock.t, sleep: (ms: number) => Promise.resolve(void (clock.t += ms)) };
  return clock;
}

/** Answers from a script of [pop, release] pairs, one per poll; the last one repeats. */
function scripted(answers: [string, string][], seen: URL[] = []): HttpGet {
  let i = 0;
  return (url) => {
    seen.push(url);
    const [pop, id] = answers[Math.min(i++, answers.length - 1)]!;
    const a: HttpAnswer = { status: 200, headers: { 'x-amz-cf-pop': pop, 'x-slipway-release': id }, body: `${id}\n` };
    return Promise.resolve(a);
  };
}

const site = new URL('https://www.example.com/');

describe('waiting until every POP serves a release', () => {
  it('asks /_slipway/release and ends after `confirmations` answers in a row with the id', async () => {
    const clock = fakeClock();
    const urls: URL[] = [];
    const r = await waitForRelease(site, NEW, {
      confirmations: 3,
      intervalMs: 1000,
      timeoutMs: 60_000,
      clock,
      get: scripted(
        [
          ['IAD', OLD],
          ['IAD', OLD],
          ['IAD', NEW],
        ],
        urls,
      ),
    });
    expect(r).toEqual({ served: true, ms: 2000, polls: 5, pops: { IAD: NEW } });
    expect(urls[0]!.href).toBe('https://www.example.com/_slipway/release');
  });

  it('does not count answers while a POP seen earlier last answered another release', async () => {
    const clock = fakeClock();
    const answers: [string, string][] = [
      ['FRA', OLD],
      ['IAD', NEW],
      ['IAD', NEW],
      ['IAD', NEW],
      ['FRA', NEW],
      ['IAD', NEW],
      ['IAD', NEW],
    ];
    const r = await waitForRelease(site, NEW, { confirmations: 3, intervalMs: 1000, timeoutMs: 60_000, clock, get: scripted(answers) });
    expect(r).toEqual({ served: true, ms: 4000, polls: 7, pops: { FRA: NEW, IAD: NEW } });
  });

  it('gives up after the timeout, saying what the CDN answered last', async () => {
    const clock = fakeClock();
    const r = await waitForRelease(site, NEW, {
      confirmations: 3,
      intervalMs: 1000,
      timeoutMs: 5000,
      clock,
      get: scripted([['IAD', OLD]]),
    });
    expect(r).toMatchObject({ served: false, ms: 5000, polls: 6, lastOther: `${OLD} (from IAD)` });
  });

  it('a router that answers the path without x-slipway-release is too old: fails at once', async () => {
    const get: HttpGet = () => Promise.resolve({ status: 200, headers: { 'content-type': 'text/html' }, body: '<!doctype html>' });
    await expect(
      waitForRelease(site, NEW, { confirmations: 3, intervalMs: 1000, timeoutMs: 60_000, clock: fakeClock(), get }),
    ).rejects.toThrow(RouterTooOld);
  });
});
