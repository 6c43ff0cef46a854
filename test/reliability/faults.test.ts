// Faults on every call: the committed bundles, run as the runner runs them, behind a proxy that
// fails a seeded 10% of the requests (500 InternalError, 503, the service's throttling error,
// connection resets before the request arrives, responses lost after it took effect, delays) —
// and at 100%, where each step must fail in time, say why, and leave nothing half-done.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../stand-ins/action-runner.mjs';
import { seededFaults, seededRandom, startAwsProxy, type AwsProxy, type RecordedRequest } from '../../stand-ins/aws-proxy.mjs';
import { apiTaskDefinition, FakeEcs } from '../../stand-ins/fake-ecs.mjs';
import { githubEnvFor, startFakeGitHub, type FakeGitHub } from '../../stand-ins/fake-github.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { cloudFrontAt, invalidationsOf, newDistribution } from '../support/cloudfront.js';
import { bucketState, inspector, motoEndpoint, newBucket, s3At, writeSite, type SiteFiles } from '../support/s3.js';
import { GetDistributionCommand, ListDistributionsCommand, ListOriginAccessControlsCommand } from '@aws-sdk/client-cloudfront';
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { createGitHubClient } from '../../src/lib/github/client.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import { DedicatedPreviewStore } from '../../src/lib/preview/strategies/dedicated/index.js';
import { cleanupPreview, deployPreview } from '../../src/lib/preview/preview.js';
import { PREVIEW_LIMITS } from '../../src/actions/pr-preview/settings.js';
import { systemClock } from '../../src/lib/util/clock.js';
import { previewRun } from '../support/preview.js';

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

/** Figures for the closing report: faults injected and survived, per action. */
const figures: Record<string, Record<string, number>> = {};
afterAll(() => console.log(`faults injected and survived: ${JSON.stringify(figures)}`));
const tally = (action: string, injected: Record<string, number>) => {
  const t = (figures[action] ??= {});
  for (const [kind, n] of Object.entries(injected)) t[kind] = (t[kind] ?? 0) + n;
};

/** A 500-file SPA build: pages that reference hashed assets, assets, images; `version` changes some. */
function site(version: number, files = 500): SiteFiles {
  const random = seededRandom(7);
  const out: SiteFiles = {};
  for (let i = 0; i < files - 50; i++) {
    const changed = version > 1 && i % 10 === 0;
    const kind = i % 3 === 0 ? 'css' : i % 3 === 1 ? 'js' : 'svg';
    out[`assets/chunk-${i}-${changed ? 'v2' : 'v1'}.${kind}`] = `/* ${i} ${changed ? 'new' : 'old'} ${random().toString(36)} */`;
  }
  for (let p = 0; p < 50; p++)
    out[p === 0 ? 'index.html' : `pages/p${p}/index.html`] =
      `<html><script src="/assets/chunk-${p * 9}-${version > 1 && (p * 9) % 10 === 0 ? 'v2' : 'v1'}.js"></script>v${version}</html>`;
  return out;
}

// The runner fills in the other inputs' action.yml defaults.
const DEPLOY = { 'stale-asset-grace': '0' };
const deployStatic = (source: string, bucket: string, endpoint = proxy.endpoint) =>
  runActionBundle('deploy-static', { ...DEPLOY, source, bucket }, { env: awsEnvFor(endpoint), timeoutMs: 300_000 });
const onlyS3 = (r: RecordedRequest) => r.service === 's3';

describe('10% of every call fails', () => {
  it.each([1, 2])(
    'deploy-static (seed %i): a 500-file site, then a new build, end exactly equal to the source',
    async (seed) => {
      const control = await newBucket();
      const bucket = await newBucket();
      for (const version of [1, 2]) {
        const dir = writeSite(site(version));
        expect((await deployStatic(dir, control, motoEndpoint())).exitCode).toBe(0);
        const plan = seededFaults({ seed: seed * 100 + version, rate: 0.1, applies: onlyS3 });
        proxy.faults.plan(plan);
        const run = await deployStatic(dir, bucket).finally(() => proxy.faults.clear());
        expect(run.errors).toEqual([]);
        expect(run.exitCode).toBe(0);
        expect(Object.values(plan.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(version === 1 ? 20 : 2);
        tally('deploy-static', plan.injected);
        // Keys, bodies, Cache-Control and Content-Type: the same as a deploy that saw no fault. Nothing extra.
        const [got, want] = await Promise.all([bucketState(bucket), bucketState(control)]);
        got.delete('.slipway/manifest.json');
        want.delete('.slipway/manifest.json');
        expect(got).toEqual(want);
        expect(got.size).toBe(500);
      }
    },
    300_000,
  );

  it('invalidate: one invalidation per batch, every retry with the same caller reference', async () => {
    const ids = [await newDistribution(), await newDistribution(), await newDistribution()];
    proxy.clear();
    const plan = seededFaults({ seed: 11, rate: 0.1, applies: (r) => r.service === 'cloudfront' });
    // Lose the response of every distribution's first CreateInvalidation: it took effect, the action does not know.
    const lost = new Set<string>();
    proxy.faults.plan((r, i) => {
      if (r.operation === 'CreateInvalidation' && !lost.has(r.path)) {
        lost.add(r.path);
        plan.injected['drop-response'] = (plan.injected['drop-response'] ?? 0) + 1;
        return { kind: 'drop-response' };
      }
      return plan(r, i);
    });
    const paths = JSON.stringify(Array.from({ length: 40 }, (_, i) => `/page-${i}.html`));
    const run = await runActionBundle(
      'invalidate',
      { 'distribution-id': ids.join(','), paths, 'max-paths': '100', wait: 'true', timeout: '2m', 'caller-reference': '' },
      { env: { ...awsEnvFor(proxy.endpoint), GITHUB_REPOSITORY: 'acme/web', GITHUB_RUN_ID: '31337' } },
    ).finally(() => proxy.faults.clear());
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    tally('invalidate', plan.injected);
    for (const id of ids) {
      const sent = proxy.ops('CreateInvalidation').filter((r) => r.path.includes(`/distribution/${id}/`));
      const references = new Set(sent.map((r) => /<CallerReference>([^<]+)<\/CallerReference>/.exec(r.body ?? '')?.[1]));
      // CloudFront returns the existing invalidation for a repeated reference with the same paths;
      // moto does not de-duplicate, so on moto a retry shows as a second invalidation with the same reference.
      expect(references.size).toBe(1);
      expect(sent.length).toBeGreaterThanOrEqual(2);
      const stored = await invalidationsOf(id);
      expect(new Set(stored.map((s) => s.callerReference))).toEqual(references);
      expect(stored.every((s) => s.paths.length === 40)).toBe(true);
    }
  }, 180_000);

  it('pr-preview: deploy and cleanup converge, with 10% of AWS and GitHub calls failing', async () => {
    const bucket = await newBucket();
    const dist = await newDistribution();
    github.reset();
    github.addPull('acme/web', { number: 77, headSha: 'e'.repeat(40) });
    const random = seededRandom(23);
    let githubFaults = 0;
    github.faults.plan(() => (random() < 0.1 ? (githubFaults++, { status: [500, 502, 503][githubFaults % 3] ?? 500 }) : undefined));
    const plan = seededFaults({ seed: 29, rate: 0.1, applies: (r) => r.service === 's3' || r.service === 'cloudfront' });
    proxy.faults.plan(plan);
    const dir = writeSite(site(1, 120));
    const inputs = {
      command: 'auto',
      source: dir,
      strategy: 'shared',
      domain: 'preview.example.com',
      bucket,
      'distribution-id': dist,
      'github-token': 'ghs_test',
      concurrency: '16',
    };
    const event = (action: string) => {
      const path = join(dir, '..', `event-${action}.json`);
      writeFileSync(path, JSON.stringify({ action, number: 77, pull_request: { number: 77, head: { sha: 'e'.repeat(40) } } }));
      return {
        ...awsEnvFor(proxy.endpoint),
        ...githubEnvFor(github, { repository: 'acme/web', eventName: 'pull_request', eventPath: path }),
      };
    };
    try {
      const deployed = await runActionBundle('pr-preview', inputs, { env: event('opened'), timeoutMs: 300_000 });
      expect(deployed.errors).toEqual([]);
      expect(deployed.outputs.status).toBe('deployed');
      const state = await bucketState(bucket, 'pr-77/');
      expect([...state.keys()].filter((k) => !k.includes('.slipway/')).length).toBe(120);
      expect(github.comments('acme/web', 77)).toHaveLength(1);
      const removed = await runActionBundle('pr-preview', { ...inputs, source: '' }, { env: event('closed'), timeoutMs: 300_000 });
      expect(removed.errors).toEqual([]);
      expect(removed.outputs.status).toBe('removed');
      expect((await bucketState(bucket, 'pr-77/')).size).toBe(0);
      expect(github.comments('acme/web', 77)).toHaveLength(1);
      expect(github.comments('acme/web', 77)[0]!.body).toContain('Preview removed');
      expect(githubFaults).toBeGreaterThan(0);
    } finally {
      proxy.faults.clear();
      github.faults.clear();
    }
    tally('pr-preview', { ...plan.injected, 'github 5xx': githubFaults });
  }, 300_000);

  it.each([3, 4])(
    'pr-preview dedicated (seed %i): deploy, redeploy and cleanup converge, and leave nothing behind',
    async (seed) => {
      const tag = `f${seed}${Date.now().toString(36)}`;
      const domain = `${tag}.example.com`;
      const r53 = new Route53Client({ region: 'us-east-1', endpoint: motoEndpoint() });
      const zone = (await r53.send(new CreateHostedZoneCommand({ Name: domain, CallerReference: tag }))).HostedZone!.Id!.replace(
        '/hostedzone/',
        '',
      );
      github.reset();
      github.addPull('acme/web', { number: 9, headSha: 'd'.repeat(40) });
      const s3 = s3At(proxy.endpoint);
      const cloudfront = cloudFrontAt(proxy.endpoint);
      const deps = {
        store: new DedicatedPreviewStore(
          {
            repository: 'acme/web',
            domain,
            bucketTemplate: `pr-{number}-${tag}`,
            certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
            hostedZoneId: zone,
            priceClass: 'PriceClass_100',
            region: 'us-east-1',
          },
          {
            s3,
            cloudfront,
            route53: new Route53Client({ region: 'us-east-1', endpoint: proxy.endpoint, maxAttempts: 8 }),
            log: silentLogger,
            clock: systemClock,
            ...PREVIEW_LIMITS.dedicated,
            pollMs: 10,
          },
        ),
        s3,
        cloudfront,
        github: createGitHubClient('ghs_test', github.url, { backoffMs: 5 }),
        log: silentLogger,
        clock: systemClock,
      };
      const strategy = {
        kind: 'dedicated' as const,
        bucketTemplate: `pr-{number}-${tag}`,
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
        hostedZoneId: zone,
        priceClass: 'PriceClass_100',
      };
      const run = previewRun(strategy, domain);
      const dir = writeSite(site(1, 60));
      const plan = seededFaults({ seed: 50 + seed, rate: 0.1 });
      proxy.faults.plan(plan);
      try {
        const request = {
          ...run,
          command: 'deploy' as const,
          number: 9,
          guardHeadSha: false,
          sourceDir: dir,
          cacheControl: [],
          exclude: [],
          concurrency: 8,
        };
        expect((await deployPreview(request, deps)).status).toBe('deployed');
        expect((await deployPreview(request, deps)).status).toBe('deployed');
        expect((await cleanupPreview({ ...run, command: 'cleanup', number: 9 }, deps)).status).toBe('removed');
      } finally {
        proxy.faults.clear();
      }
      tally('pr-preview dedicated', plan.injected);
      // Nothing left: no bucket, no distribution or origin access control for the host, no records.
      await expect(inspector().send(new HeadBucketCommand({ Bucket: `pr-9-${tag}` }))).rejects.toThrow();
      const cf = cloudFrontAt(motoEndpoint());
      const oacs = (await cf.send(new ListOriginAccessControlsCommand({}))).OriginAccessControlList?.Items ?? [];
      expect(oacs.filter((o) => o.Name === `pr-9.${domain}`)).toEqual([]);
      const dists = (await cf.send(new ListDistributionsCommand({}))).DistributionList?.Items ?? [];
      const ours = await Promise.all(
        dists.map(
          async (d) => (await cf.send(new GetDistributionCommand({ Id: d.Id }))).Distribution?.DistributionConfig?.Aliases?.Items ?? [],
        ),
      );
      expect(ours.filter((aliases) => aliases.includes(`pr-9.${domain}`))).toEqual([]);
      const records = (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets ?? [];
      expect(records.filter((r) => r.Type === 'A' || r.Type === 'AAAA')).toEqual([]);
      expect(github.comments('acme/web', 9)).toHaveLength(1);
    },
    300_000,
  );

  it('ecs-deploy: against the scripted ECS, the migration runs once and the rollout completes', async () => {
    const ecs = await new FakeEcs().start();
    const ecsProxy = await startAwsProxy(ecs.endpoint);
    try {
      ecs.createService('api', ecs.registerTaskDefinition(apiTaskDefinition('registry.example.com/api:1.0.0')));
      ecs.script('api', { kind: 'complete', after: 2 });
      ecs.migration = { exitCode: 0 };
      const plan = seededFaults({ seed: 37, rate: 0.1 });
      // Lose RunTask's first response: the retry must not start a second migration (clientToken).
      let lostRunTask = false;
      ecsProxy.faults.plan((r, i) => {
        if (r.operation === 'RunTask' && !lostRunTask) {
          lostRunTask = true;
          plan.injected['drop-response'] = (plan.injected['drop-response'] ?? 0) + 1;
          return { kind: 'drop-response' };
        }
        return plan(r, i);
      });
      const run = await runActionBundle(
        'ecs-deploy',
        {
          cluster: 'prod',
          service: 'api',
          'container-name': 'api',
          image: 'registry.example.com/api:2.0.0',
          'migrate-command': 'npm run migrate',
          wait: 'true',
          timeout: '5m',
          rollback: 'true',
          'force-new-deployment': 'false',
          'dry-run': 'false',
        },
        { env: awsEnvFor(ecsProxy.endpoint), timeoutMs: 300_000 },
      );
      expect(run.errors).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect(run.outputs).toMatchObject({ status: 'completed', image: 'registry.example.com/api:2.0.0' });
      expect(ecsProxy.ops('RunTask').length).toBeGreaterThanOrEqual(2);
      // Every RunTask the action sent carried one clientToken: ECS started one migration task.
      expect(new Set(ecs.ops('RunTask').map((c) => (c.input as { clientToken?: string }).clientToken)).size).toBe(1);
      expect(JSON.stringify(ecs.ops('RegisterTaskDefinition').at(-1)?.input)).toContain('api:2.0.0');
      expect(ecs.service('api').taskDefinition).toBe(run.outputs['task-definition-arn']);
      tally('ecs-deploy', plan.injected);
    } finally {
      await ecsProxy.close();
      await ecs.close();
    }
  }, 300_000);
});

describe('100% of calls fail', () => {
  it('deploy-static fails in time with a clear error, and the live site stays whole', async () => {
    const bucket = await newBucket();
    expect((await deployStatic(writeSite(site(1, 100)), bucket)).exitCode).toBe(0);
    const before = await bucketState(bucket);
    proxy.faults.plan(seededFaults({ seed: 41, rate: 1, applies: onlyS3, kinds: ['internal', 'unavailable', 'throttling', 'reset'] }));
    const started = Date.now();
    const run = await deployStatic(writeSite(site(2, 100)), bucket).finally(() => proxy.faults.clear());
    const seconds = (Date.now() - started) / 1000;
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/::error::Could not read s3:\/\/.*(InternalError|ServiceUnavailable|SlowDown|socket|ECONNRESET)/);
    expect(seconds).toBeLessThan(120);
    expect(await bucketState(bucket)).toEqual(before);
    figures['100% deploy-static'] = { seconds: Math.round(seconds) };
  }, 180_000);

  it('deploy-static: when every page write fails, the assets are there and no page is half-deployed', async () => {
    const bucket = await newBucket();
    expect((await deployStatic(writeSite(site(1, 100)), bucket)).exitCode).toBe(0);
    const before = await bucketState(bucket);
    proxy.faults.plan((r) =>
      r.operation === 'PutObject' && /\.html$/.test(r.key ?? '') ? { kind: 'status', status: 500, code: 'InternalError' } : undefined,
    );
    const run = await deployStatic(writeSite(site(2, 100)), bucket).finally(() => proxy.faults.clear());
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/::error::.*html/i);
    const state = await bucketState(bucket);
    // Every page is still the old one, and the old assets they reference are still there (deletions
    // never ran); the new assets are there for the next attempt.
    for (const [key, object] of before) {
      if (key.endsWith('.html')) expect(state.get(key)).toEqual(object);
      if (key.startsWith('assets/')) expect(state.get(key)).toEqual(object);
    }
    expect(state.has('assets/chunk-0-v2.css')).toBe(true);
  }, 180_000);

  it('invalidate fails within its timeout and names the distribution', async () => {
    const id = await newDistribution();
    proxy.faults.plan(() => ({ kind: 'status', status: 503, code: 'ServiceUnavailable' }));
    const started = Date.now();
    const run = await runActionBundle(
      'invalidate',
      { 'distribution-id': id, paths: '/index.html', 'max-paths': '20', wait: 'true', timeout: '20s', 'caller-reference': '' },
      { env: awsEnvFor(proxy.endpoint) },
    ).finally(() => proxy.faults.clear());
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain(id);
    expect((Date.now() - started) / 1000).toBeLessThan(60);
  }, 120_000);
});
