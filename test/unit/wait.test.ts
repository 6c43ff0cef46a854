// The wait primitive on a clock that moves only when the code sleeps: where checks fall, when the
// wait gives up, and what happens to errors.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/lib/util/clock.js';
import { fakeClock } from '../support/clock.js';
import { backoffSchedule, OutOfTime, retry, waitFor } from '../../src/lib/util/wait.js';

const START = 1_000_000;

/** A check that is done at the `doneAt`-th call (1-based; never when undefined), noting when each call came. */
function checker(clock: Clock, doneAt?: number) {
  const at: number[] = [];
  const check = () => {
    at.push(clock.now() - START);
    return Promise.resolve(at.length === doneAt ? `done after ${at.length}` : undefined);
  };
  return { at, check };
}

describe('waitFor', () => {
  it('checks at once, then every interval, and returns the first value', async () => {
    const clock = fakeClock(START);
    const { at, check } = checker(clock, 3);
    const value = await waitFor({ clock, every: 1000, deadline: START + 60_000, check });
    expect(value).toBe('done after 3');
    expect(at).toEqual([0, 1000, 2000]);
    expect(clock.slept).toEqual([1000, 1000]);
  });

  it('does not pause when the first check is already done', async () => {
    const clock = fakeClock(START);
    const { at, check } = checker(clock, 1);
    expect(await waitFor({ clock, every: 1000, deadline: START + 60_000, check })).toBe('done after 1');
    expect(at).toEqual([0]);
    expect(clock.slept).toEqual([]);
  });

  it("with first: 'pause', pauses before the first check", async () => {
    const clock = fakeClock(START);
    const { at, check } = checker(clock, 2);
    await waitFor({ clock, every: 500, deadline: START + 60_000, check, first: 'pause' });
    expect(at).toEqual([500, 1000]);
  });

  it('follows a schedule, pause by pause from 0', async () => {
    const clock = fakeClock(START);
    const asked: number[] = [];
    const { check } = checker(clock, 4);
    await waitFor({ clock, every: (n) => (asked.push(n), 100 * 2 ** n), deadline: START + 60_000, check });
    expect(asked).toEqual([0, 1, 2]);
    expect(clock.slept).toEqual([100, 200, 400]);
  });

  it("with last: 'fit' (the default), gives up instead of pausing past the deadline, and a pause ending on it is made", async () => {
    const clock = fakeClock(START);
    const { at, check } = checker(clock);
    const value = await waitFor({ clock, every: 4000, deadline: START + 10_000, check });
    expect(value).toBeUndefined();
    // 0, 4000, 8000; a pause to 12000 would pass the deadline.
    expect(at).toEqual([0, 4000, 8000]);
    expect(clock.now()).toBe(START + 8000);

    const onTheDot = fakeClock(START);
    const exact = checker(onTheDot);
    await waitFor({ clock: onTheDot, every: 5000, deadline: START + 10_000, check: exact.check });
    expect(exact.at).toEqual([0, 5000, 10_000]);
  });

  it("with last: 'at-deadline', cuts the last pause short and checks once more at the deadline", async () => {
    const clock = fakeClock(START);
    const { at, check } = checker(clock);
    const value = await waitFor({ clock, every: 4000, deadline: START + 10_000, check, last: 'at-deadline' });
    expect(value).toBeUndefined();
    expect(at).toEqual([0, 4000, 8000, 10_000]);
    expect(clock.slept).toEqual([4000, 4000, 2000]);
  });

  it("with last: 'at-deadline', a check at the deadline that is done still counts", async () => {
    const clock = fakeClock(START);
    const { check } = checker(clock, 4);
    expect(await waitFor({ clock, every: 4000, deadline: START + 10_000, check, last: 'at-deadline' })).toBe('done after 4');
  });

  it('never sleeps past the deadline, whatever the schedule', async () => {
    for (const last of ['fit', 'at-deadline'] as const) {
      const clock = fakeClock(START);
      const { check } = checker(clock);
      await waitFor({ clock, every: backoffSchedule(2000, 30_000), deadline: START + 95_000, check, last });
      expect(clock.now()).toBeLessThanOrEqual(START + 95_000);
      expect(clock.slept.length).toBeGreaterThan(2);
    }
  });

  it('throws what the check throws, and checks no more', async () => {
    const clock = fakeClock(START);
    let calls = 0;
    const check = () => {
      calls++;
      return calls === 2 ? Promise.reject(new Error('AccessDenied')) : Promise.resolve(undefined);
    };
    await expect(waitFor({ clock, every: 1000, deadline: START + 60_000, check })).rejects.toThrow('AccessDenied');
    expect(calls).toBe(2);
    expect(clock.slept).toEqual([1000]);
  });

  it('says what it waits for before each pause, with the pause', async () => {
    const clock = fakeClock(START);
    const said: number[] = [];
    const { check } = checker(clock, 3);
    await waitFor({ clock, every: (n) => 100 + n, deadline: START + 60_000, check, describe: (ms) => said.push(ms) });
    expect(said).toEqual([100, 101]);
  });

  it('with no time at all, checks once and does not pause', async () => {
    const clock = fakeClock(START);
    const { at, check } = checker(clock);
    expect(await waitFor({ clock, every: 1000, deadline: START, check, last: 'at-deadline' })).toBeUndefined();
    expect(at).toEqual([0]);
    expect(clock.slept).toEqual([]);
  });
});

describe('backoffSchedule', () => {
  it('doubles up to the cap, each pause within the upper half of its ceiling', () => {
    const schedule = backoffSchedule(2000, 10_000);
    for (const [pause, ceiling] of [
      [0, 2000],
      [1, 4000],
      [2, 8000],
      [3, 10_000],
      [9, 10_000],
    ] as const) {
      const ms = schedule(pause);
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    }
  });
});

/** An operation that fails with each of `errors` in turn, then answers 'ok'. */
function flaky(errors: Error[]) {
  let calls = 0;
  const attempt = () => {
    const error = errors[calls++];
    return error === undefined ? Promise.resolve('ok') : Promise.reject(error);
  };
  return { attempt, calls: () => calls };
}

const transient = Object.assign(new Error('503 Service Unavailable'), { status: 503 });
const permanent = Object.assign(new Error('404 Not Found'), { status: 404 });
const retriable = (e: unknown) => (e as { status?: number }).status === 503;

describe('retry', () => {
  it('retries what is retriable, pausing by the schedule, and returns the answer', async () => {
    const clock = fakeClock(START);
    const op = flaky([transient, transient]);
    expect(await retry(op.attempt, { clock, every: (n) => 1000 * 2 ** n, retriable })).toBe('ok');
    expect(op.calls()).toBe(3);
    expect(clock.slept).toEqual([1000, 2000]);
  });

  it('throws any other error at once, without pausing', async () => {
    const clock = fakeClock(START);
    const op = flaky([transient, permanent, transient]);
    await expect(retry(op.attempt, { clock, every: 1000, retriable })).rejects.toBe(permanent);
    expect(op.calls()).toBe(2);
    expect(clock.slept).toEqual([1000]);
  });

  it('makes at most `attempts` attempts and throws the last error', async () => {
    const clock = fakeClock(START);
    const last = Object.assign(new Error('still 503'), { status: 503 });
    const op = flaky([transient, transient, last, transient]);
    await expect(retry(op.attempt, { clock, every: 10, retriable, attempts: 3 })).rejects.toBe(last);
    expect(op.calls()).toBe(3);
    expect(clock.slept).toEqual([10, 10]);
  });

  it('throws OutOfTime, carrying the last error, rather than try at or after the deadline', async () => {
    const clock = fakeClock(START);
    const op = flaky([transient, transient, transient, transient]);
    const error = await retry(op.attempt, { clock, every: 2000, retriable, deadline: START + 4000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutOfTime);
    expect((error as OutOfTime).lastError).toBe(transient);
    expect((error as OutOfTime).cause).toBe(transient);
    // Attempts at 0 and 2000; one at 4000 would be on the deadline.
    expect(op.calls()).toBe(2);
    expect(clock.now()).toBe(START + 2000);
  });

  it('says what failed and how long it pauses, before each pause', async () => {
    const clock = fakeClock(START);
    const said: string[] = [];
    await retry(flaky([transient]).attempt, {
      clock,
      every: 250,
      retriable,
      describe: (e, ms) => said.push(`${(e as Error).message} / ${ms}`),
    });
    expect(said).toEqual(['503 Service Unavailable / 250']);
  });
});
