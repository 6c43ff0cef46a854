// One way to talk to the GitHub REST API: Octokit as @actions/github builds it, pointed at
// GITHUB_API_URL (GitHub Enterprise, or the local stand-in the tests start), retrying what a
// retry can fix.
import { getOctokit } from '@actions/github';
import { backoff } from '../util/clock.js';

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
}

export function createGitHubClient(token: string, baseUrl: string = process.env.GITHUB_API_URL ?? 'https://api.github.com', options: GitHubClientOptions = {}): GitHub {
  const github = getOctokit(token, { baseUrl, userAgent: 'slipway' });
  const attempts = options.attempts ?? 4;
  const base = options.backoffMs ?? 1000;
  github.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        if (attempt >= attempts || !retriable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoff(attempt - 1, base, 20_000)));
      }
    }
  });
  return github;
}
