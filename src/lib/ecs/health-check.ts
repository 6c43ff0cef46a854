import { describeError } from '../aws/errors.js';
import { backoff, type Clock } from '../util/clock.js';

/** GETs `url` until it answers 2xx, or the deadline passes. Returns the last problem, or undefined when healthy. */
export async function waitHealthy(url: string, deadline: number, clock: Clock, fetcher: typeof fetch = fetch): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    try {
      const response = await fetcher(url, { signal: AbortSignal.timeout(10_000), redirect: 'follow' });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return undefined;
      problem = `HTTP ${response.status}`;
    } catch (error) {
      problem = describeError(error);
    }
    const delay = backoff(attempt, 2000, 15_000);
    if (clock.now() + delay > deadline) return `${url} did not answer 2xx before the timeout (last: ${problem})`;
    await clock.sleep(delay);
  }
}
