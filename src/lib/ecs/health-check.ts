import { describeError } from '../aws/errors.js';
import type { Clock } from '../util/clock.js';
import { backoffSchedule, waitFor } from '../util/wait.js';

/** GETs `url` until it answers 2xx, or the deadline passes. Returns the last problem, or undefined when healthy. */
export async function waitHealthy(url: string, deadline: number, clock: Clock, fetcher: typeof fetch = fetch): Promise<string | undefined> {
  let problem: string | undefined;
  const healthy = await waitFor({
    clock,
    every: backoffSchedule(2000, 15_000),
    deadline,
    check: async () => {
      problem = await getProblem(url, fetcher);
      return problem === undefined ? true : undefined;
    },
  });
  return healthy ? undefined : `${url} did not answer 2xx before the timeout (last: ${problem ?? '?'})`;
}

/** One GET: undefined when it answered 2xx, else what went wrong. */
async function getProblem(url: string, fetcher: typeof fetch): Promise<string | undefined> {
  try {
    const response = await fetcher(url, { signal: AbortSignal.timeout(10_000), redirect: 'follow' });
    await response.arrayBuffer().catch(() => undefined);
    return response.status >= 200 && response.status < 300 ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    return describeError(error);
  }
}
