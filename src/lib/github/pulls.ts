// The few facts about a pull request a preview needs: is it open, what is its head, when did it move.
import type { GitHub, Repo } from './client.js';

export interface PullRequest {
  number: number;
  state: 'open' | 'closed';
  headSha: string;
  updatedAt: string;
}

export async function getPull(github: GitHub, repo: Repo, number: number): Promise<PullRequest> {
  const { data } = await github.rest.pulls.get({ ...repo, pull_number: number });
  return { number: data.number, state: data.state === 'open' ? 'open' : 'closed', headSha: data.head.sha, updatedAt: data.updated_at };
}
