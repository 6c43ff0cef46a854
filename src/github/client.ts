// One way to talk to the GitHub REST API: Octokit as @actions/github builds it, pointed at
// GITHUB_API_URL (GitHub Enterprise, or the local stand-in the tests start).
import { getOctokit } from '@actions/github';

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

export function createGitHubClient(token: string, baseUrl: string = process.env.GITHUB_API_URL ?? 'https://api.github.com'): GitHub {
  return getOctokit(token, { baseUrl, userAgent: 'slipway' });
}
