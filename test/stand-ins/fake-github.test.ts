// The fake GitHub API itself, driven the way the actions drive it: through @actions/github's Octokit.
import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_MERGE_SHA, githubEnvFor, startFakeGitHub, type FakeGitHub } from '../../stand-ins/fake-github.mjs';

const owner = 'acme';
const repo = 'web';
const full = `${owner}/${repo}`;
const sha = 'a'.repeat(40);

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const bot = () => getOctokit('ghs_test', { baseUrl: fake.url });
const user = () => getOctokit('ghp_user', { baseUrl: fake.url });

/** The status of a rejected Octokit call. */
async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { status?: number }).status;
  }
}

describe('authentication', () => {
  it('rejects a request without a token and an unknown token', async () => {
    const none = await fetch(`${fake.url}/repos/${full}/pulls/1`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await none.json()).toMatchObject({ message: 'Requires authentication' });

    const unknown = getOctokit('ghp_nobody', { baseUrl: fake.url });
    await expect(unknown.rest.pulls.get({ owner, repo, pull_number: 1 })).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('Bad credentials') as unknown,
    });
  });

  it('accepts Bearer as well as token, and records the header as sent', async () => {
    fake.addPull(full, { number: 7, headSha: sha });
    const response = await fetch(`${fake.url}/repos/${full}/pulls/7`, { headers: { authorization: 'Bearer ghp_user' } });
    expect(response.status).toBe(200);
    await bot().rest.pulls.get({ owner, repo, pull_number: 7 });
    expect(fake.requests.map((r) => [r.method, r.path, r.authorization, r.status])).toEqual([
      ['GET', `/repos/${full}/pulls/7`, 'Bearer ghp_user', 200],
      ['GET', `/repos/${full}/pulls/7`, 'token ghs_test', 200],
    ]);
  });

  it('/user answers a user token and forbids an installation token', async () => {
    const { data } = await user().rest.users.getAuthenticated();
    expect(data).toMatchObject({ login: 'octocat', type: 'User' });
    expect(await statusOf(bot().rest.users.getAuthenticated())).toBe(403);
  });

  it('unknown routes are 404 with a documentation_url', async () => {
    const response = await fetch(`${fake.url}/repos/${full}/releases`, { headers: { authorization: 'token ghs_test' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });

  it('a known path with a method it does not serve, or a non-numeric id, is 404 as well', async () => {
    fake.addPull(full, { number: 1, headSha: sha });
    const auth = { authorization: 'token ghs_test' };
    expect((await fetch(`${fake.url}/repos/${full}/pulls/1`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${fake.url}/repos/${full}/pulls/1`, { method: 'DELETE', headers: auth })).status).toBe(404);
    expect((await fetch(`${fake.url}/repos/${full}/pulls/one`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${fake.url}/repos/${full}/issues/one/comments`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${fake.url}/user`, { method: 'POST', headers: { authorization: 'token ghp_user' } })).status).toBe(404);
  });
});

describe('pull requests', () => {
  it('gets one, 404 for an unknown one, and reflects setPull', async () => {
    fake.addPull(full, { number: 3, headSha: sha, title: 'Add pricing page' });
    const { data } = await bot().rest.pulls.get({ owner, repo, pull_number: 3 });
    expect(data).toMatchObject({
      number: 3,
      state: 'open',
      merged: false,
      title: 'Add pricing page',
      head: { sha, repo: { full_name: full } },
      base: { ref: 'main', repo: { full_name: full } },
      html_url: `https://github.com/${full}/pull/3`,
    });
    expect(await statusOf(bot().rest.pulls.get({ owner, repo, pull_number: 4 }))).toBe(404);

    fake.setPull(full, 3, { state: 'closed', merged: true });
    const after = await bot().rest.pulls.get({ owner, repo, pull_number: 3 });
    expect(after.data).toMatchObject({ state: 'closed', merged: true });
  });

  it('lists by state, newest first, across pages', async () => {
    for (let n = 1; n <= 5; n++) fake.addPull(full, { number: n, headSha: sha, state: n % 2 === 0 ? 'closed' : 'open' });
    const open = await bot().paginate(bot().rest.pulls.list, { owner, repo, state: 'open', per_page: 2 });
    expect(open.map((p) => p.number)).toEqual([5, 3, 1]);
    const all = await bot().rest.pulls.list({ owner, repo, state: 'all' });
    expect(all.data).toHaveLength(5);
    expect(all.headers.link).toBeUndefined();
  });
});

describe('comments', () => {
  it('paginates 250 comments in order, with GitHub Link headers', async () => {
    for (let i = 0; i < 250; i++) fake.addComment(full, 9, { body: `comment ${i}`, login: i % 2 ? 'alice' : 'bob' });
    const octokit = bot();
    const all = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: 9, per_page: 100 });
    expect(all).toHaveLength(250);
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 250 }, (_, i) => `comment ${i}`));
    expect(all[0]?.id).toBe(1000);
    const pages = fake.requests.filter((r) => r.path.endsWith('/comments'));
    expect(pages.map((r) => r.query)).toEqual([{ per_page: '100' }, { per_page: '100', page: '2' }, { per_page: '100', page: '3' }]);

    const second = await octokit.rest.issues.listComments({ owner, repo, issue_number: 9, per_page: 100, page: 2 });
    const base = `${fake.url}/repos/${full}/issues/9/comments`;
    expect(second.headers.link).toBe(
      `<${base}?per_page=100&page=1>; rel="prev", <${base}?per_page=100&page=3>; rel="next", <${base}?per_page=100&page=3>; rel="last", <${base}?per_page=100&page=1>; rel="first"`,
    );
    const defaults = await octokit.rest.issues.listComments({ owner, repo, issue_number: 9 });
    expect(defaults.data).toHaveLength(30);
    const capped = await octokit.rest.issues.listComments({ owner, repo, issue_number: 9, per_page: 500 });
    expect(capped.data).toHaveLength(100);
  });

  it('creates as the token identity; edits and deletes only its own', async () => {
    const theirs = fake.addComment(full, 2, { body: 'LGTM', login: 'alice', type: 'User' });
    const octokit = bot();
    const { data: mine, status } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: 2,
      body: 'Preview: https://pr-2.example',
    });
    expect(status).toBe(201);
    expect(mine).toMatchObject({ body: 'Preview: https://pr-2.example', user: { login: 'github-actions[bot]', type: 'Bot' } });

    const edited = await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body: 'Preview: updated' });
    expect(edited.status).toBe(200);
    expect(edited.data.body).toBe('Preview: updated');
    expect(await statusOf(octokit.rest.issues.updateComment({ owner, repo, comment_id: theirs.id, body: 'hijacked' }))).toBe(403);
    expect(await statusOf(octokit.rest.issues.deleteComment({ owner, repo, comment_id: theirs.id }))).toBe(403);
    expect(await statusOf(octokit.rest.issues.updateComment({ owner, repo, comment_id: 424242, body: 'x' }))).toBe(404);

    expect(fake.comments(full, 2).map((c) => [c.user.login, c.body])).toEqual([
      ['alice', 'LGTM'],
      ['github-actions[bot]', 'Preview: updated'],
    ]);
    const deleted = await octokit.rest.issues.deleteComment({ owner, repo, comment_id: mine.id });
    expect(deleted.status).toBe(204);
    expect(fake.comments(full, 2).map((c) => c.body)).toEqual(['LGTM']);
    const patch = fake.requests.find((r) => r.method === 'PATCH');
    expect(patch?.body).toEqual({ body: 'Preview: updated' });
  });
});

describe('deployments', () => {
  it('round-trips a deployment and its statuses', async () => {
    const octokit = bot();
    const created = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: sha,
      environment: 'pr-5',
      transient_environment: true,
      production_environment: false,
      auto_merge: false,
      required_contexts: [],
      description: 'Preview of #5',
    });
    expect(created.status).toBe(201);
    const deployment = created.data as { id: number; sha: string; statuses_url: string };
    expect(deployment).toMatchObject({
      id: 5000,
      sha,
      ref: sha,
      environment: 'pr-5',
      transient_environment: true,
      production_environment: false,
      description: 'Preview of #5',
    });
    expect(deployment.statuses_url).toBe(`${fake.url}/repos/${full}/deployments/5000/statuses`);

    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: deployment.id,
      state: 'in_progress',
      log_url: 'https://github.com/acme/web/actions/runs/1001',
    });
    const success = await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: deployment.id,
      state: 'success',
      environment_url: 'https://pr-5.example',
    });
    expect(success.status).toBe(201);
    expect(success.data).toMatchObject({ id: 9001, state: 'success', environment_url: 'https://pr-5.example' });
    expect(
      await statusOf(octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: deployment.id, state: 'bogus' as 'success' })),
    ).toBe(422);
    expect(await statusOf(octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: 1, state: 'success' }))).toBe(404);

    const statuses = await octokit.paginate(octokit.rest.repos.listDeploymentStatuses, { owner, repo, deployment_id: deployment.id });
    expect(statuses.map((s) => s.state)).toEqual(['success', 'in_progress']);
    expect(fake.statusesOf(full, deployment.id).map((s) => s.state)).toEqual(['in_progress', 'success']);

    const listed = await octokit.rest.repos.listDeployments({ owner, repo, environment: 'pr-5' });
    expect(listed.data.map((d) => d.id)).toEqual([5000]);
    expect((await octokit.rest.repos.listDeployments({ owner, repo, environment: 'pr-6' })).data).toEqual([]);
    expect(fake.deployments(full)).toHaveLength(1);
  });

  it('needs a ref and an environment, and lists newest first', async () => {
    const octokit = bot();
    expect(await statusOf(octokit.request('POST /repos/{owner}/{repo}/deployments', { owner, repo, ref: '', environment: 'pr-1' }))).toBe(
      422,
    );
    expect(await statusOf(octokit.request('POST /repos/{owner}/{repo}/deployments', { owner, repo, ref: sha }))).toBe(422);
    for (let i = 0; i < 3; i++)
      await octokit.rest.repos.createDeployment({ owner, repo, ref: i === 1 ? 'b'.repeat(40) : sha, environment: 'pr-1' });
    const all = await octokit.paginate(octokit.rest.repos.listDeployments, { owner, repo, environment: 'pr-1', per_page: 1 });
    expect(all.map((d) => d.id)).toEqual([5002, 5001, 5000]);
    const bySha = await octokit.rest.repos.listDeployments({ owner, repo, sha });
    expect(bySha.data.map((d) => d.id)).toEqual([5002, 5000]);
  });

  it('a success marks earlier successful deployments of the environment inactive, as GitHub does', async () => {
    const octokit = bot();
    const first = await octokit.rest.repos.createDeployment({ owner, repo, ref: sha, environment: 'staging', required_contexts: [] });
    const id1 = (first.data as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: id1, state: 'success' });
    const second = await octokit.rest.repos.createDeployment({ owner, repo, ref: sha, environment: 'staging', required_contexts: [] });
    const id2 = (second.data as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: id2, state: 'success' });
    expect(fake.statusesOf(full, id1).map((s) => s.state)).toEqual(['success', 'inactive']);
    const third = await octokit.rest.repos.createDeployment({ owner, repo, ref: sha, environment: 'staging', required_contexts: [] });
    const id3 = (third.data as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: id3, state: 'success', auto_inactive: false });
    expect(fake.statusesOf(full, id2).map((s) => s.state)).toEqual(['success']);
  });
});

describe('faults', () => {
  it('fails the matching requests the given number of times, then serves them', async () => {
    fake.addPull(full, { number: 1, headSha: sha });
    fake.faults.inject({ status: 502, times: 2, match: /^POST .*\/comments$/ });
    const octokit = bot();
    expect((await octokit.rest.pulls.get({ owner, repo, pull_number: 1 })).status).toBe(200);
    expect(await statusOf(octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x' }))).toBe(502);
    expect(await statusOf(octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x' }))).toBe(502);
    expect(fake.comments(full, 1)).toEqual([]);
    const ok = await octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x' });
    expect(ok.status).toBe(201);
    expect(fake.comments(full, 1)).toHaveLength(1);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 502, 502, 201]);
  });
});

it('githubEnvFor gives the environment of an action step', () => {
  const env = githubEnvFor(fake, { repository: full, eventName: 'pull_request', eventPath: '/tmp/event.json', token: 'ghs_test' });
  expect(env).toMatchObject({
    GITHUB_API_URL: fake.url,
    GITHUB_REPOSITORY: full,
    GITHUB_EVENT_PATH: '/tmp/event.json',
    'INPUT_GITHUB-TOKEN': 'ghs_test',
    GITHUB_SHA: FAKE_MERGE_SHA,
  });
  expect(env.GITHUB_SHA).toMatch(/^[0-9a-f]{40}$/);
});
