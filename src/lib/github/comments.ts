// One sticky comment per pull request and marker: found by its hidden marker and its author,
// updated in place, never posted twice.
import type { GitHub, Repo } from './client.js';

export interface StickyComment {
  id: number;
  url: string;
  /** created, updated, unchanged (same body), or none (absent and not created). */
  action: 'created' | 'updated' | 'unchanged' | 'none';
}

interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
  user: { login: string; type: string } | null;
}

/**
 * The login the token acts as. GITHUB_TOKEN and app tokens act as a bot and cannot read /user
 * (403); then only bot-authored comments count as ours.
 */
async function tokenLogin(github: GitHub): Promise<string | undefined> {
  try {
    return (await github.rest.users.getAuthenticated()).data.login;
  } catch {
    return undefined;
  }
}

/** Our comments carrying `marker`, oldest first. Reads every page of the PR's comments. */
async function findOurs(github: GitHub, repo: Repo, issue: number, marker: string): Promise<IssueComment[]> {
  const all = (await github.paginate(github.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 })) as IssueComment[];
  const marked = all.filter((c) => c.body?.includes(marker));
  if (marked.length === 0) return [];
  const byBot = marked.filter((c) => c.user?.type === 'Bot');
  if (byBot.length > 0) return byBot;
  // A personal token: the comments it wrote itself. A marker pasted by anyone else is ignored.
  const login = await tokenLogin(github);
  return login === undefined ? [] : marked.filter((c) => c.user?.login === login);
}

/**
 * Creates or updates the comment. `createIfMissing: false` only updates one that exists (a cleanup
 * should not announce the removal of a preview nobody was told about). Duplicates left by an
 * earlier race are deleted, so the PR ends with exactly one.
 */
export async function upsertStickyComment(
  github: GitHub,
  repo: Repo,
  issue: number,
  marker: string,
  body: string,
  options: { createIfMissing: boolean },
): Promise<StickyComment> {
  const text = body.includes(marker) ? body : `${marker}\n${body}`;
  const [first, ...duplicates] = await findOurs(github, repo, issue, marker);
  for (const d of duplicates) await github.rest.issues.deleteComment({ ...repo, comment_id: d.id });
  if (first) {
    if (first.body === text) return { id: first.id, url: first.html_url, action: 'unchanged' };
    const { data } = await github.rest.issues.updateComment({ ...repo, comment_id: first.id, body: text });
    return { id: data.id, url: data.html_url, action: 'updated' };
  }
  if (!options.createIfMissing) return { id: 0, url: '', action: 'none' };
  const { data } = await github.rest.issues.createComment({ ...repo, issue_number: issue, body: text });
  return { id: data.id, url: data.html_url, action: 'created' };
}
