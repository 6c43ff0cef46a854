// pr-preview's library, shared strategy: S3 and invalidations against moto, GitHub against the
// local stand-in, which records every request.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { startFakeGitHub } from '../../stand-ins/fake-github.mjs';
import { createGitHubClient } from '../../src/lib/github/client.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import { cleanupPreview, deployPreview, sweepPreviews, type PreviewDeps } from '../../src/lib/preview/preview.js';
import type { CleanupRequest, DeployRequest, PreviewRun, SweepRequest } from '../../src/lib/preview/request.js';
import { PREVIEW_LIMITS } from '../../src/actions/pr-preview/settings.js';
import { prPreviewSummary } from '../../src/actions/pr-preview/report.js';
import { commentMarker } from '../../src/lib/preview/naming.js';
import { SharedPreviewStore } from '../../src/lib/preview/strategies/shared.js';
import { systemClock } from '../../src/lib/util/clock.js';
import { cloudFrontAt, invalidationsOf, newDistribution } from '../support/cloudfront.js';
import { bucketState, inspector, motoEndpoint, newBucket, s3At, writeSite } from '../support/s3.js';
import { PartialFailure } from '../../src/lib/util/partial-failure.js';
import { previewRun } from '../support/preview.js';

type FakeGitHub = Awaited<ReturnType<typeof startFakeGitHub>>;

const REPO = 'acme/web';
const repo = { owner: 'acme', repo: 'web' };
const DOMAIN = 'preview.example.com';
const SHA1 = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);

let github: FakeGitHub;
let proxy: AwsProxy;
beforeAll(async () => {
  github = await startFakeGitHub();
  proxy = await startAwsProxy(motoEndpoint());
});
afterAll(async () => {
  await github.close();
  await proxy.close();
});

let bucket: string;
let distributionId: string;
beforeEach(async () => {
  github.reset();
  bucket = await newBucket();
  distributionId = await newDistribution();
});

function depsFor(token = 'ghs_test', repository = REPO): PreviewDeps {
  const s3 = s3At(proxy.endpoint);
  const cloudfront = cloudFrontAt(proxy.endpoint);
  return {
    store: new SharedPreviewStore(
      { repository, domain: DOMAIN, bucket, distributionId, invalidationTimeoutMs: PREVIEW_LIMITS.invalidationTimeoutMs },
      { s3, cloudfront, log: silentLogger, clock: systemClock },
    ),
    s3,
    cloudfront,
    github: createGitHubClient(token, github.url, { backoffMs: 5 }),
    log: silentLogger,
    clock: systemClock,
  };
}

/** This test's bucket and distribution, read when a request is made. */
const run = (): PreviewRun =>
  previewRun({ kind: 'shared', bucket, distributionId }, DOMAIN, {
    repo,
    runUrl: 'https://github.com/acme/web/actions/runs/77',
    runId: '77',
  });
const request = (dir: string, extra: Partial<DeployRequest> = {}): DeployRequest => ({
  ...run(),
  command: 'deploy',
  number: 7,
  guardHeadSha: false,
  sourceDir: dir,
  cacheControl: [],
  exclude: [],
  concurrency: 8,
  ...extra,
});
const cleanup = (number: number): CleanupRequest => ({ ...run(), command: 'cleanup', number });
const sweep = (extra: Partial<PreviewRun>): SweepRequest => ({ ...run(), command: 'sweep', ...extra });
const writes = (p: AwsProxy) => p.ops('PutObject', 'CopyObject', 'DeleteObjects', 'CreateInvalidation', 'CreateMultipartUpload');
const githubCalls = (f: FakeGitHub, method: string, pattern: RegExp) =>
  f.requests.filter((r) => r.method === method && pattern.test(r.path));

describe('pr-preview, shared strategy', () => {
  it('deploys under pr-N/, invalidates what changed, then keeps exactly one comment and a deployment per push', async () => {
    github.addPull(REPO, { number: 7, headSha: SHA1 });
    const dir = writeSite({ 'index.html': '<h1>v1</h1>', 'assets/app-1.js': 'one', 'favicon.ico': 'ico' });
    const first = await deployPreview(request(dir), depsFor());
    expect(first.status).toBe('deployed');
    expect(first.site).toMatchObject({ url: 'https://pr-7.preview.example.com', bucket, prefix: 'pr-7/', distributionId });
    expect(first.headSha).toBe(SHA1);
    const keys = [...(await bucketState(bucket)).keys()];
    expect(keys.filter((k) => !k.includes('.slipway/')).sort()).toEqual(['pr-7/assets/app-1.js', 'pr-7/favicon.ico', 'pr-7/index.html']);
    const record = await inspector().send(new GetObjectCommand({ Bucket: bucket, Key: 'pr-7/.slipway/preview.json' }));
    expect(JSON.parse(await record.Body!.transformToString())).toEqual({ repository: REPO, number: 7 });
    // A first deploy replaces nothing that could be cached: no invalidation.
    expect(first.invalidation).toBeUndefined();

    // Second push: a new head, a changed page.
    github.setPull(REPO, 7, { headSha: SHA2 });
    writeFileSync(join(dir, 'index.html'), '<h1>v2</h1>');
    proxy.clear();
    const second = await deployPreview(request(dir), depsFor());
    expect(second.sync).toMatchObject({ uploaded: 1, skipped: 2, deleted: 0 });
    expect(second.invalidation?.invalidations.flatMap((i) => i.paths).sort()).toEqual(['/pr-7/', '/pr-7/index.html']);
    expect((await invalidationsOf(distributionId)).map((i) => i.paths.sort())).toEqual([['/pr-7/', '/pr-7/index.html']]);

    // One comment, updated in place, naming the head commit (not a merge commit) and the URL.
    const comments = github.comments(REPO, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(commentMarker(DOMAIN));
    expect(comments[0]!.body).toContain('https://pr-7.preview.example.com');
    expect(comments[0]!.body).toContain(SHA2.slice(0, 7));
    expect(comments[0]!.body).not.toContain(SHA1.slice(0, 7));
    expect(githubCalls(github, 'POST', /\/issues\/7\/comments$/)).toHaveLength(1);
    expect(githubCalls(github, 'PATCH', /\/issues\/comments\/\d+$/)).toHaveLength(1);

    // A transient deployment per push, in_progress then success with the URL.
    const deployments = github.deployments(REPO);
    expect(deployments).toHaveLength(2);
    for (const d of deployments) {
      expect(d).toMatchObject({ environment: 'preview/pr-7', transient_environment: true, production_environment: false });
      expect(github.statusesOf(REPO, d.id).map((s: { state: string }) => s.state)).toEqual(['in_progress', 'success']);
      expect(github.statusesOf(REPO, d.id).at(-1)).toMatchObject({
        environment_url: 'https://pr-7.preview.example.com',
        log_url: run().runUrl,
      });
    }
    expect(deployments.map((d: { sha: string }) => d.sha).sort()).toEqual([SHA1, SHA2]);
    expect(prPreviewSummary({ ...request(dir), githubToken: 't' }, { command: 'deploy', deploy: second })).toContain(
      `GitHub deployment ${second.deploymentId} in preview/pr-7: success`,
    );
    const created = githubCalls(github, 'POST', /\/deployments$/).map((r) => r.body);
    expect(created[0]).toMatchObject({ auto_merge: false, required_contexts: [], transient_environment: true });
  });

  it('the comment and the success status come only after the upload and the invalidation', async () => {
    github.addPull(REPO, { number: 8, headSha: SHA1 });
    const dir = writeSite({ 'index.html': 'x' });
    const seen: string[] = [];
    const deps = depsFor();
    const original = deps.github.rest.issues.createComment;
    deps.github.rest.issues.createComment = (async (...args: Parameters<typeof original>) => {
      const keys = ((await inspector().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'pr-8/' }))).Contents ?? []).map(
        (o) => o.Key,
      );
      seen.push(...keys.map(String));
      return original(...args);
    }) as typeof original;
    await deployPreview(request(dir, { number: 8 }), deps);
    expect(seen).toContain('pr-8/index.html');
    const order = github.requests
      .filter((r: { method: string }) => r.method === 'POST')
      .map((r: { path: string; body: unknown }) =>
        r.path.endsWith('/statuses') ? (r.body as { state: string }).state : r.path.replace(/\d+/g, 'N'),
      );
    expect(order).toEqual(['/repos/acme/web/deployments', 'in_progress', '/repos/acme/web/issues/N/comments', 'success']);
  });

  it('finds its comment on a later page, ignores markers pasted by people, and never posts a second one', async () => {
    github.addPull(REPO, { number: 9, headSha: SHA1 });
    for (let i = 0; i < 130; i++) github.addComment(REPO, 9, { body: `review ${i}`, login: 'dev', type: 'User' });
    github.addComment(REPO, 9, { body: `${commentMarker(DOMAIN)}\nquoted by a person`, login: 'dev', type: 'User' });
    const dir = writeSite({ 'index.html': 'x' });
    await deployPreview(request(dir, { number: 9 }), depsFor());
    for (let i = 0; i < 80; i++) github.addComment(REPO, 9, { body: `more ${i}`, login: 'dev', type: 'User' });
    writeFileSync(join(dir, 'index.html'), 'y');
    await deployPreview(request(dir, { number: 9 }), depsFor());
    await deployPreview(request(dir, { number: 9 }), depsFor());
    const ours = github.comments(REPO, 9).filter((c: { user: { type: string } }) => c.user.type === 'Bot');
    expect(ours).toHaveLength(1);
    expect(github.comments(REPO, 9).find((c: { body: string }) => c.body.includes('quoted by a person'))).toBeDefined();
    // The second page was read: the comment posted after 131 others was found there.
    expect(githubCalls(github, 'GET', /\/issues\/9\/comments$/).some((r) => r.query.page === '2')).toBe(true);
    expect(githubCalls(github, 'POST', /\/issues\/9\/comments$/)).toHaveLength(1);
  });

  it('with a personal token, finds the comments that token wrote', async () => {
    github.addPull(REPO, { number: 10, headSha: SHA1 });
    const dir = writeSite({ 'index.html': 'x' });
    await deployPreview(request(dir, { number: 10 }), depsFor('ghp_user'));
    writeFileSync(join(dir, 'index.html'), 'y');
    await deployPreview(request(dir, { number: 10 }), depsFor('ghp_user'));
    expect(github.comments(REPO, 10)).toHaveLength(1);
    expect(github.comments(REPO, 10)[0]!.user.login).toBe('octocat');
  });

  it('head-sha guard: a build of an older head deploys nothing, comments nothing', async () => {
    github.addPull(REPO, { number: 11, headSha: SHA2 });
    const dir = writeSite({ 'index.html': 'x' });
    proxy.clear();
    const outcome = await deployPreview(request(dir, { number: 11, headSha: SHA1, guardHeadSha: true }), depsFor());
    expect(outcome.status).toBe('skipped');
    expect(outcome.skippedBecause).toContain(SHA2.slice(0, 12));
    expect(proxy.requests).toEqual([]);
    expect(github.requests.map((r: { method: string; path: string }) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/web/pulls/11']);

    // The same build, when it is the head, deploys.
    const matching = await deployPreview(request(dir, { number: 11, headSha: SHA2, guardHeadSha: true }), depsFor());
    expect(matching.status).toBe('deployed');
  });

  it('a closed PR gets no preview (a late run must not outlive the cleanup)', async () => {
    github.addPull(REPO, { number: 12, headSha: SHA1, state: 'closed' });
    proxy.clear();
    const outcome = await deployPreview(request(writeSite({ 'index.html': 'x' }), { number: 12 }), depsFor());
    expect(outcome.status).toBe('skipped');
    expect(writes(proxy)).toEqual([]);
  });

  it('a failed upload marks the deployment failed and posts no link', async () => {
    github.addPull(REPO, { number: 13, headSha: SHA1 });
    proxy.faults.inject({
      match: (r) => r.operation === 'PutObject' && !r.path.includes('.slipway'),
      times: Infinity,
      status: 403,
      code: 'AccessDenied',
    });
    try {
      await expect(deployPreview(request(writeSite({ 'index.html': 'x' }), { number: 13 }), depsFor())).rejects.toBeInstanceOf(
        PartialFailure,
      );
    } finally {
      proxy.faults.clear();
    }
    const [deployment] = github.deployments(REPO);
    expect(github.statusesOf(REPO, deployment!.id).map((s: { state: string }) => s.state)).toEqual(['in_progress', 'failure']);
    expect(github.comments(REPO, 13)).toEqual([]);
  });

  it('cleanup removes the prefix, invalidates it, says so in the comment, deactivates deployments; twice is fine', async () => {
    github.addPull(REPO, { number: 14, headSha: SHA1 });
    const dir = writeSite({ 'index.html': 'x', 'assets/a.js': 'a' });
    await deployPreview(request(dir, { number: 14 }), depsFor());
    // Another PR's preview in the same bucket is not touched.
    github.addPull(REPO, { number: 15, headSha: SHA1 });
    await deployPreview(request(dir, { number: 15 }), depsFor());

    const removed = await cleanupPreview(cleanup(14), depsFor());
    expect(removed.status).toBe('removed');
    const keys = [...(await bucketState(bucket)).keys()];
    expect(keys.filter((k) => k.startsWith('pr-14/'))).toEqual([]);
    expect(keys.filter((k) => k.startsWith('pr-15/')).length).toBeGreaterThan(0);
    expect((await invalidationsOf(distributionId)).flatMap((i) => i.paths)).toContain('/pr-14/*');
    const [comment] = github.comments(REPO, 14);
    expect(comment!.body).toContain('Preview removed');
    expect(github.comments(REPO, 14)).toHaveLength(1);
    const [deployment] = github.deployments(REPO).filter((d: { environment: string }) => d.environment === 'preview/pr-14');
    expect(github.statusesOf(REPO, deployment!.id).map((s: { state: string }) => s.state)).toEqual(['in_progress', 'success', 'inactive']);

    github.requests.length = 0;
    const again = await cleanupPreview(cleanup(14), depsFor());
    expect(again.status).toBe('already-removed');
    expect(again.deploymentsDeactivated).toBe(0);
    expect(github.statusesOf(REPO, deployment!.id)).toHaveLength(3);
    expect(githubCalls(github, 'POST', /./)).toEqual([]);
  });

  it('cleanup of a PR that never had a preview succeeds and posts nothing', async () => {
    const outcome = await cleanupPreview(cleanup(99), depsFor());
    expect(outcome.status).toBe('already-removed');
    expect(github.comments(REPO, 99)).toEqual([]);
  });

  it('refuses a prefix that holds another repository’s preview', async () => {
    github.addPull(REPO, { number: 16, headSha: SHA1 });
    await inspector().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'pr-16/.slipway/preview.json',
        Body: JSON.stringify({ repository: 'other/app', number: 16 }),
      }),
    );
    await expect(deployPreview(request(writeSite({ 'index.html': 'x' }), { number: 16 }), depsFor())).rejects.toThrow(
      /holds a preview of other\/app/,
    );
    await expect(cleanupPreview(cleanup(16), depsFor())).rejects.toThrow(/other\/app/);
    expect([...(await bucketState(bucket)).keys()]).toEqual(['pr-16/.slipway/preview.json']);
  });

  it('sweep removes previews of closed and idle PRs, keeps open ones and those GitHub does not vouch for; dry run lists only', async () => {
    const dir = writeSite({ 'index.html': 'x' });
    for (const n of [21, 22, 23, 24]) {
      github.addPull(REPO, { number: n, headSha: SHA1 });
      await deployPreview(request(dir, { number: n }), depsFor());
    }
    // Another repository's preview in the bucket is none of this sweep's business.
    await inspector().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'pr-30/.slipway/preview.json',
        Body: JSON.stringify({ repository: 'other/app', number: 30 }),
      }),
    );
    github.setPull(REPO, 21, { state: 'closed' });
    github.setPull(REPO, 23, { updatedAt: new Date(Date.now() - 40 * 86400_000).toISOString() });
    github.faults.inject({ status: 500, times: 1000, match: /GET \/repos\/acme\/web\/pulls\/24$/ });

    const planned = await sweepPreviews(sweep({ dryRun: true, expireAfterMs: 30 * 86400_000 }), depsFor());
    expect(planned.status).toBe('planned');
    expect(planned.previews.map((p) => [p.number, p.decision])).toEqual([
      [21, 'remove'],
      [22, 'keep'],
      [23, 'remove'],
      [24, 'unknown'],
    ]);
    expect([...(await bucketState(bucket)).keys()].filter((k) => k.startsWith('pr-21/')).length).toBeGreaterThan(0);

    const swept = await sweepPreviews(sweep({ expireAfterMs: 30 * 86400_000 }), depsFor());
    expect(swept.previews.filter((p) => p.cleanup).map((p) => [p.number, p.cleanup!.status])).toEqual([
      [21, 'removed'],
      [23, 'removed'],
    ]);
    const prefixes = new Set([...(await bucketState(bucket)).keys()].map((k) => k.split('/')[0]));
    expect([...prefixes].sort()).toEqual(['pr-22', 'pr-24', 'pr-30']);
    expect(github.comments(REPO, 21)[0]!.body).toContain('closed');
    expect(github.comments(REPO, 23)[0]!.body).toContain('idle');
  });
});
