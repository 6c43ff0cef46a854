// The committed pr-preview bundle, run as the runner runs it: INPUT_* variables, the event file,
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY; AWS through a counting proxy, GitHub through the local stand-in.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../stand-ins/action-runner.mjs';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { githubEnvFor, startFakeGitHub, type FakeGitHub } from '../../stand-ins/fake-github.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { invalidationsOf, newDistribution } from '../support/cloudfront.js';
import { bucketState, motoEndpoint, newBucket, writeSite } from '../support/s3.js';

const REPO = 'acme/web';
const HEAD = '1234567890abcdef1234567890abcdef12345678';
const TOKEN = 'ghs_test';

let proxy: AwsProxy;
let github: FakeGitHub;
beforeAll(async () => {
  proxy = await startAwsProxy(motoEndpoint());
  github = await startFakeGitHub();
});
afterAll(async () => {
  await proxy.close();
  await github.close();
});
beforeEach(() => {
  github.reset();
  proxy.clear();
});

function eventFile(eventName: string, payload: unknown): Record<string, string> {
  const path = join(mkdtempSync(join(tmpdir(), 'slipway-event-')), 'event.json');
  writeFileSync(path, JSON.stringify(payload));
  return { ...githubEnvFor(github, { repository: REPO, eventName, eventPath: path, token: TOKEN }), AWS_REGION: 'us-east-1' };
}
const prEvent = (action: string, number: number, sha = HEAD) =>
  eventFile('pull_request', { action, number, pull_request: { number, head: { sha, ref: 'feature' } } });

// What every test gives; the other inputs get their action.yml defaults from the runner.
const COMMON: Record<string, string> = { domain: 'preview.example.com', 'github-token': TOKEN };
const preview = (inputs: Record<string, string>, env: Record<string, string>) =>
  runActionBundle('pr-preview', { ...COMMON, ...inputs }, { env: { ...awsEnvFor(proxy.endpoint), ...env } });

describe('pr-preview, run as the runner runs it', () => {
  it('opened → deploy, synchronize → update, closed → cleanup: one comment throughout, outputs and summary each time', async () => {
    const bucket = await newBucket();
    const dist = await newDistribution();
    github.addPull(REPO, { number: 42, headSha: HEAD });
    const dir = writeSite({ 'index.html': '<h1>hi</h1>', 'assets/app-1.js': 'x' });
    const shared = { source: dir, bucket, 'distribution-id': dist };

    const opened = await preview(shared, prEvent('opened', 42));
    expect(opened.errors).toEqual([]);
    expect(opened.exitCode).toBe(0);
    expect(opened.outputs).toEqual({
      url: 'https://pr-42.preview.example.com',
      bucket,
      prefix: 'pr-42/',
      'distribution-id': dist,
      status: 'deployed',
    });
    expect(opened.summary).toContain('https://pr-42.preview.example.com');
    expect(opened.summary).toContain(HEAD.slice(0, 12));
    expect([...(await bucketState(bucket, 'pr-42/')).keys()].filter((k) => !k.includes('.slipway'))).toEqual([
      'pr-42/assets/app-1.js',
      'pr-42/index.html',
    ]);

    const next = '9'.repeat(40);
    github.setPull(REPO, 42, { headSha: next });
    writeFileSync(join(dir, 'index.html'), '<h1>hi again</h1>');
    const pushed = await preview(shared, prEvent('synchronize', 42, next));
    expect(pushed.outputs.status).toBe('deployed');
    expect((await invalidationsOf(dist)).flatMap((i) => i.paths).sort()).toEqual(['/pr-42/', '/pr-42/index.html']);
    expect(github.comments(REPO, 42)).toHaveLength(1);
    expect(github.comments(REPO, 42)[0]!.body).toContain(next.slice(0, 7));

    const closed = await preview({ bucket, 'distribution-id': dist }, prEvent('closed', 42, next));
    expect(closed.exitCode).toBe(0);
    expect(closed.outputs.status).toBe('removed');
    expect(closed.summary).toContain('Preview removed');
    expect((await bucketState(bucket, 'pr-42/')).size).toBe(0);
    expect(github.comments(REPO, 42)).toHaveLength(1);
    expect(github.comments(REPO, 42)[0]!.body).toContain('Preview removed');
    expect(github.deployments(REPO).map((d: { id: number }) => github.statusesOf(REPO, d.id).at(-1)?.state)).toEqual([
      'inactive',
      'inactive',
    ]);

    const again = await preview({ bucket, 'distribution-id': dist }, prEvent('closed', 42, next));
    expect(again.exitCode).toBe(0);
    expect(again.outputs.status).toBe('already-removed');

    // The token is handed to the runner's masking, and never printed otherwise.
    for (const run of [opened, pushed, closed]) {
      expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
      expect(
        run.stdout
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n'),
      ).not.toContain(TOKEN);
    }
  });

  it('workflow_run: pr-number and head-sha from inputs; a build of an older head is skipped without touching AWS', async () => {
    const bucket = await newBucket();
    const dist = await newDistribution();
    github.addPull(REPO, { number: 43, headSha: HEAD });
    const env = eventFile('workflow_run', { action: 'completed', workflow_run: { head_sha: 'f'.repeat(40) } });
    const stale = await preview(
      { source: writeSite({ 'index.html': 'x' }), bucket, 'distribution-id': dist, 'pr-number': '43', 'head-sha': 'f'.repeat(40) },
      env,
    );
    expect(stale.exitCode).toBe(0);
    expect(stale.outputs.status).toBe('skipped');
    expect(stale.stdout).toMatch(/::warning::Nothing deployed: PR #43's head is now 1234567890ab/);
    expect(proxy.requests).toEqual([]);
    expect(github.requests.map((r: { method: string; path: string }) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/web/pulls/43']);

    const current = await preview(
      { source: writeSite({ 'index.html': 'x' }), bucket, 'distribution-id': dist, 'pr-number': '43', 'head-sha': HEAD },
      env,
    );
    expect(current.outputs.status).toBe('deployed');
    expect(github.deployments(REPO)[0]).toMatchObject({ sha: HEAD, environment: 'preview/pr-43' });
  });

  it('sweep with dry-run lists what it would remove and changes nothing', async () => {
    const bucket = await newBucket();
    const dist = await newDistribution();
    github.addPull(REPO, { number: 44, headSha: HEAD });
    await preview({ source: writeSite({ 'index.html': 'x' }), bucket, 'distribution-id': dist }, prEvent('opened', 44));
    github.setPull(REPO, 44, { state: 'closed' });
    const env = eventFile('schedule', {});
    const dry = await preview({ command: 'sweep', bucket, 'distribution-id': dist, 'dry-run': 'true' }, env);
    expect(dry.exitCode).toBe(0);
    expect(dry.outputs.status).toBe('planned');
    expect(dry.summary).toMatch(/\| #44 \| .* \| closed \| .* \| would remove: closed \|/);
    expect((await bucketState(bucket, 'pr-44/')).size).toBeGreaterThan(0);
    const swept = await preview({ command: 'sweep', bucket, 'distribution-id': dist }, env);
    expect(swept.outputs.status).toBe('swept');
    expect((await bucketState(bucket, 'pr-44/')).size).toBe(0);
  });
});

describe('the dedicated strategy, run as the runner runs it', () => {
  /** moto's hosted zone ids are random; AWS's start with Z, which the input check rightly requires: make zones until one does. */
  async function zoneWithAwsLikeId(domain: string): Promise<string> {
    const { CreateHostedZoneCommand, Route53Client } = await import('@aws-sdk/client-route-53');
    const route53 = new Route53Client({ region: 'us-east-1', endpoint: motoEndpoint() });
    for (let i = 0; i < 500; i++) {
      const zone = await route53.send(new CreateHostedZoneCommand({ Name: domain, CallerReference: `${domain}-${i}` }));
      const id = zone.HostedZone!.Id!.replace('/hostedzone/', '');
      if (/^Z[A-Z0-9]{1,31}$/.test(id)) return id;
    }
    throw new Error('moto gave no hosted zone id starting with Z in 500 tries');
  }

  it('opened → bucket, distribution and DNS made, then the site synced and the comment posted; closed → all of it removed', async () => {
    const domain = `d${Date.now().toString(36)}.example.com`;
    const zone = await zoneWithAwsLikeId(domain);
    github.addPull(REPO, { number: 7, headSha: HEAD });
    const bucketTemplate = `pr-{number}-${domain.split('.')[0]}-web`;
    const dedicated = {
      strategy: 'dedicated',
      domain,
      bucket: bucketTemplate,
      'hosted-zone-id': zone,
      'certificate-arn': 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
      source: writeSite({ 'index.html': '<h1>dedicated</h1>', 'assets/app-1a2b3c4d.js': 'x' }),
    };
    const opened = await preview(dedicated, prEvent('opened', 7));
    expect(opened.errors).toEqual([]);
    expect(opened.exitCode, opened.stdout).toBe(0);
    const bucket = bucketTemplate.replace('{number}', '7');
    expect(opened.outputs).toMatchObject({ url: `https://pr-7.${domain}`, bucket, prefix: '', status: 'deployed' });
    expect(opened.outputs['distribution-id']).toMatch(/^[A-Z0-9]{13,14}$/);
    expect(proxy.ops('CreateBucket', 'CreateDistributionWithTags', 'ChangeResourceRecordSets').map((r) => r.operation)).toEqual([
      'CreateBucket',
      'CreateDistributionWithTags',
      'ChangeResourceRecordSets',
    ]);
    expect([...(await bucketState(bucket)).keys()].filter((k) => !k.startsWith('.slipway/')).sort()).toEqual([
      'assets/app-1a2b3c4d.js',
      'index.html',
    ]);
    expect(github.comments(REPO, 7)).toHaveLength(1);

    proxy.clear();
    github.setPull(REPO, 7, { state: 'closed' });
    const closed = await preview({ ...dedicated, source: '' }, prEvent('closed', 7));
    expect(closed.exitCode, closed.stdout).toBe(0);
    expect(closed.outputs.status).toBe('removed');
    expect(
      proxy
        .ops('ChangeResourceRecordSets', 'UpdateDistribution', 'DeleteBucket', 'DeleteDistribution', 'DeleteOriginAccessControl')
        .map((r) => r.operation),
    ).toEqual(['ChangeResourceRecordSets', 'UpdateDistribution', 'DeleteBucket', 'DeleteDistribution', 'DeleteOriginAccessControl']);
  });
});
