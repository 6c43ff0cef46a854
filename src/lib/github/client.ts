// One way to talk to the GitHub REST API: Octokit as @actions/github builds it, pointed at
// GITHUB_API_URL (GitHub Enterprise, or the local stand-in the tests start), retrying what a
// retry can fix.
import { getOctokit } from '@actions/github';
import { systemClock, type Clock } from '../util/clock.js';
import { backoffSchedule, retry } from '../util/wait.js';

export type GitHub = ReturnType<typeof getOctokit>;

export interface Repo {
  owner: string;
  repo: string;
}

export const repoName = (r: Repo): string => `${r.owner}/${r.repo}`;

export function parseRepository(value: string): Repo {
  const [owner, repo, ...rest] = value.split('/');
  if (!owner || !repo || rest.length > 0) throw new Error(`GITHUB_REPOSITORY must be owner/name (got ${JSON.stringify(value)})`);
  return { owner, repo };
}

/** 5xx, 429 (rate limited) and network failures are worth another try; 4xx answers are not. */
function retriable(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  return typeof status !== 'number' || status >= 500 || status === 429 || status === 0;
}

export interface GitHubClientOptions {
  /** Attempts per request (default 4). */
  attempts?: number;
  /** First backoff in ms (default 1000), doubling. */
  backoffMs?: number;
  /** The clock the pauses between attempts sleep on (default: the system's). */
  clock?: Clock;
}

export function createGitHubClient(
  token: string,
  baseUrl: string = process.env.GITHUB_API_URL ?? 'https://api.github.com',
  options: GitHubClientOptions = {},
): GitHub {
  const github = getOctokit(token, { baseUrl, userAgent: 'slipway' });
  const retryOptions = {
    clock: options.clock ?? systemClock,
    attempts: options.attempts ?? 4,
    every: backoffSchedule(options.backoffMs ?? 1000, 20_000),
    retriable,
  };
  github.hook.wrap('request', (request, requestOptions) => retry(() => Promise.resolve(request(requestOptions)), retryOptions));
  return github;
}
