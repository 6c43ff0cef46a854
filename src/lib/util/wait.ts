// The one way this code waits: a poll until something is done (`waitFor`), and a retry of what
// failed (`retry`), both on the injected clock so tests run them without waiting.
import { backoff, type Clock } from './clock.js';

/** The pause before the next check or attempt, by how many pauses came before it (0, 1, …). */
export type Schedule = (pause: number) => number;

/** Exponential backoff with jitter (see `backoff`): pause 0 lasts base/2 to base, then doubling up to the cap. */
export const backoffSchedule =
  (baseMs: number, capMs: number): Schedule =>
  (pause) =>
    backoff(pause, baseMs, capMs);

export interface WaitOptions<T> {
  clock: Clock;
  /** The pause between checks: a fixed one in ms, or a schedule such as `backoffSchedule(2000, 10_000)`. */
  every: number | Schedule;
  /** The instant on `clock` after which no check happens. */
  deadline: number;
  /**
   * The value when done, undefined while not yet. An error it throws ends the wait and is thrown
   * on: a check that wants to poll through errors catches them itself.
   */
  check: () => Promise<T | undefined>;
  /**
   * `check` (default): check at once. `pause`: pause first, for something just started that cannot
   * be done yet.
   */
  first?: 'check' | 'pause';
  /**
   * Where the last check falls. `fit` (default): a pause that would end after the deadline is not
   * begun, so the wait stops early. `at-deadline`: the last pause is cut short to end at the
   * deadline, and one more check happens there.
   */
  last?: 'fit' | 'at-deadline';
  /** Called before each pause, with its length: to say what is being waited for. */
  describe?: (pauseMs: number) => void;
}

/** Checks until `check` gives a value, which it returns; undefined when the deadline came first. */
export async function waitFor<T>(options: WaitOptions<T>): Promise<T | undefined> {
  const { clock, check } = options;
  for (let pause = 0; ; pause++) {
    if (pause > 0 || options.first !== 'pause') {
      const value = await check();
      if (value !== undefined) return value;
    }
    const delay = nextPause(options, pause);
    if (delay === undefined) return undefined;
    options.describe?.(delay);
    await clock.sleep(delay);
  }
}

/** How long to pause before the next check, or undefined when there is no time left for one. */
function nextPause(options: WaitOptions<unknown>, pause: number): number | undefined {
  const { clock, deadline } = options;
  const scheduled = () => (typeof options.every === 'number' ? options.every : options.every(pause));
  const now = clock.now();
  if (options.last === 'at-deadline') return now >= deadline ? undefined : Math.min(scheduled(), deadline - now);
  const delay = scheduled();
  return now + delay > deadline ? undefined : delay;
}

/** Thrown by `retry` when the next attempt would come at or after the deadline; `cause` is the last error. */
export class OutOfTime extends Error {
  constructor(readonly lastError: unknown) {
    super('no time left to try again before the deadline', { cause: lastError });
    this.name = 'OutOfTime';
  }
}

export interface RetryOptions {
  clock: Clock;
  /** The pause before each retry. */
  every: number | Schedule;
  /** Which errors are worth another attempt; any other is thrown at once. */
  retriable: (error: unknown) => boolean;
  /** At most this many attempts in all; the last one's error is thrown. */
  attempts?: number;
  /** No attempt at or after this instant on `clock`: `OutOfTime` is thrown instead. */
  deadline?: number;
  /** Called before each pause: to say what failed and when the next attempt comes. */
  describe?: (error: unknown, pauseMs: number) => void;
}

/** Runs `attempt` until it succeeds, retrying the errors `retriable` accepts after a pause. */
export async function retry<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let pause = 0; ; pause++) {
    try {
      return await attempt();
    } catch (error) {
      if (!options.retriable(error)) throw error;
      if (options.attempts !== undefined && pause + 1 >= options.attempts) throw error;
      const delay = typeof options.every === 'number' ? options.every : options.every(pause);
      if (options.deadline !== undefined && options.clock.now() + delay >= options.deadline) throw new OutOfTime(error);
      options.describe?.(error, delay);
      await options.clock.sleep(delay);
    }
  }
}
