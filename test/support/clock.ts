// A clock for tests of waits: time passes only when the code sleeps, so a wait of minutes runs at once.
import type { Clock } from '../../src/lib/util/clock.js';

/**
 * Starts at `start`; each sleep is written down in `slept` (in ms), moves the time on, and is then
 * shown to `onSleep` with its number (1, 2, …), for a test that changes the world between attempts.
 */
export function fakeClock(start: number, onSleep: (count: number) => void = () => undefined): Clock & { slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: (ms) => {
      slept.push(ms);
      t += ms;
      onSleep(slept.length);
      return Promise.resolve();
    },
  };
}
