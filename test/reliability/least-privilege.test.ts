// Least privilege, proven. Each action's library entry points run through every AWS call path
// (moto, the scripted ECS, the local GitHub stand-in, and a mocked CloudFront where moto cannot
// show a path), with a middleware on the very clients the actions build that records every
// command. The IAM actions those commands need must be exactly what the policy in the action's
// README grants: nothing missing, nothing extra (bar permissions a service checks on the
// action's behalf, declared below with their reason). moto completes an invalidation at once, so
// CreateInvalidation's answer is made to say InProgress, as AWS's does, for the wait to happen.
import {
  DeleteDistributionCommand,
  DeleteOriginAccessControlCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetOriginAccessControlCommand,
  ListDistributionsCommand,
  ListOriginAccessControlsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { DeleteObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { apiTaskDefinition, FakeEcs } from '../../stand-ins/fake-ecs.mjs';
import { startFakeGitHub, type FakeGitHub } from '../../stand-ins/fake-github.mjs';
import { createCloudFrontClient } from '../../src/lib/aws/cloudfront-client.js';
import { createEcsClients, type EcsClients } from '../../src/lib/aws/ecs-clients.js';
import { createS3Client } from '../../src/lib/aws/s3-client.js';
import { invalidate } from '../../src/lib/cloudfront/invalidations.js';
import { deployToEcs, type EcsDeployRequest, type EcsDeployResult } from '../../src/lib/ecs/deploy.js';
import { createGitHubClient } from '../../src/lib/github/client.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import { createPrPreviewClients, runPrPreview, type PrPreviewClients } from '../../src/actions/pr-preview/run.js';
import { PREVIEW_LIMITS, type PrPreviewSettings } from '../../src/actions/pr-preview/settings.js';
import type { PreviewCommand, PreviewRun, PreviewStrategy as StrategySettings } from '../../src/lib/preview/request.js';
import { openStore } from '../../src/lib/preview/strategies/index.js';
import { MANIFEST_KEY } from '../../src/lib/s3-sync/keys.js';
import { syncSite, type SyncSettings } from '../../src/lib/s3-sync/sync.js';
import { syncSettings } from '../support/sync.js';
import { systemClock, type Clock } from '../../src/lib/util/clock.js';
import { PartialFailure } from '../../src/lib/util/partial-failure.js';
import { newDistribution } from '../support/cloudfront.js';
import { inspector, motoEndpoint, newBucket, writeSite, type SiteFiles } from '../support/s3.js';
import {
  actionMatches,
  CallRecorder,
  comparePolicy,
  describeComparison,
  iamActionsOf,
  invalidationsStartInProgress,
  policyUnderHeading,
  readPolicy,
  UnmappedOperation,
  usedActions,
  type ImpliedPermission,
  type PolicyDocument,
  type RecordedCall,
} from './least-privilege-support.js';

const DAY = 86_400_000;
const MiB = 1024 * 1024;
const readme = (action: string) => fileURLToPath(new URL(`../../actions/${action}/README.md`, import.meta.url));

/**
 * Permissions no recording can see: checked by a service on the action's behalf, not called by
 * the action. Each must be granted by the policy, and needs its reason.
 */
const IMPLIED: Record<string, ImpliedPermission[]> = {
  'deploy-static': [
    {
      action: 'kms:GenerateDataKey',
      reason: "S3 asks KMS for a data key on the caller's behalf when it writes to a bucket encrypted with SSE-KMS",
    },
    {
      action: 'kms:Decrypt',
      reason: "S3 asks KMS to decrypt on the caller's behalf when it reads or copies an object encrypted with SSE-KMS",
    },
  ],
  'ecs-deploy': [
    {
      action: 'iam:PassRole',
      reason:
        "ECS checks that the caller may pass the task definition's execution and task roles when it registers the definition and runs the migration task; the SDK sends no IAM request",
    },
  ],
};

/** Asserts that `policy` grants exactly what `calls` (and the implied permissions) need, printing the sets when not. */
function expectExactPolicy(
  name: string,
  calls: readonly RecordedCall[],
  policy: PolicyDocument,
  implied: readonly ImpliedPermission[] = [],
): void {
  expect(calls.length, `${name}: nothing was recorded`).toBeGreaterThan(0);
  const used = [...usedActions(calls).keys()];
  const recordedImplied = implied.filter((i) => used.includes(i.action));
  expect(recordedImplied, `${name}: declared implied but recorded after all; drop it from IMPLIED`).toEqual([]);
  const result = comparePolicy(policy, used, implied);
  const ok = result.missing.length === 0 && result.unused.length === 0 && result.defects.length === 0;
  const report = describeComparison(name, calls, policy, implied, result);
  // LEAST_PRIVILEGE_REPORT=1 prints the sets when the policy matches too.
  if (process.env.LEAST_PRIVILEGE_REPORT) console.log(report);
  expect(ok, report).toBe(true);
}

/** Time passes only when the code sleeps. */
function fakeClock(): Clock {
  let t = 1_000_000;
  return { now: () => t, sleep: (ms) => ((t += ms), Promise.resolve()) };
}

const big = (bytes = 9 * MiB + 17) => randomBytes(bytes);
const failUploadParts = (proxy: AwsProxy) =>
  proxy.faults.inject({ match: { operation: 'UploadPart' }, times: Infinity, status: 403, code: 'AccessDenied' });

let proxy: AwsProxy;
let github: FakeGitHub;
let ecs: FakeEcs;

beforeAll(async () => {
  proxy = await startAwsProxy(motoEndpoint());
  github = await startFakeGitHub();
  ecs = await new FakeEcs().start();
  // The clients are made the way the actions make them, with no endpoint argument: the SDK reads
  // these (S3 through a proxy that can fail a request, for the abort path).
  vi.stubEnv('AWS_ENDPOINT_URL_S3', proxy.endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_CLOUDFRONT', motoEndpoint());
  vi.stubEnv('AWS_ENDPOINT_URL_ROUTE_53', motoEndpoint());
  vi.stubEnv('AWS_ENDPOINT_URL_ECS', ecs.endpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', ecs.endpoint);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await proxy.close();
  await github.close();
  await ecs.close();
});

// ── deploy-static ───────────────────────────────────────────────────────────────────────────

describe('deploy-static', { timeout: 120_000 }, () => {
  const recorder = new CallRecorder();
  let bucket: string;
  let dir: string;
  const t0 = new Date('2026-11-01T00:00:00Z');
  const deploy = (overrides: Partial<SyncSettings> = {}, now = t0) => {
    const s = syncSettings(dir, bucket, { prefix: 'site/', runId: '1', ...overrides });
    return syncSite(s, { client: recorder.attach(createS3Client({ concurrency: s.concurrency })), log: silentLogger, now: () => now });
  };
  const during = async (fn: () => Promise<unknown>) => {
    const mark = recorder.mark();
    await fn();
    return recorder.operationsSince(mark);
  };

  beforeAll(async () => {
    bucket = await newBucket();
    dir = writeSite({
      'index.html': '<script src="/assets/app-1a2b3c4d.js"></script>',
      'assets/app-1a2b3c4d.js': 'one',
      'assets/app-1a2b3c4d.css': 'body{}',
      'robots.txt': 'User-agent: *',
      'video.mp4': big(),
    });
  });

  it('first deploy, a file above 8 MiB in parts', async () => {
    const ops = await during(async () => expect(await deploy()).toMatchObject({ uploaded: 5 }));
    expect([...ops]).toEqual(
      expect.arrayContaining([
        's3:ListObjectsV2',
        's3:GetObject',
        's3:PutObject',
        's3:CreateMultipartUpload',
        's3:UploadPart',
        's3:CompleteMultipartUpload',
      ]),
    );
  });

  it('redeploy with a change and a removed file; an asset that left the source stays for its grace', async () => {
    writeFileSync(join(dir, 'index.html'), '<script src="/assets/app-2b3c4d5e.js"></script>');
    writeFileSync(join(dir, 'assets/app-2b3c4d5e.js'), 'two');
    rmSync(join(dir, 'assets/app-1a2b3c4d.js'));
    rmSync(join(dir, 'robots.txt'));
    const ops = await during(async () => {
      const result = await deploy({}, new Date(t0.getTime() + DAY));
      expect(result).toMatchObject({ uploaded: 2, deleted: 1 });
      expect(result.plan.kept.map((k) => k.key)).toEqual(['assets/app-1a2b3c4d.js']);
    });
    expect([...ops]).toEqual(expect.arrayContaining(['s3:PutObject', 's3:DeleteObjects']));
  });

  it('stale assets are deleted once their grace is over', async () => {
    const ops = await during(async () => expect(await deploy({}, new Date(t0.getTime() + 9 * DAY))).toMatchObject({ deleted: 1 }));
    expect(ops.has('s3:DeleteObjects')).toBe(true);
  });

  it('a headers-only change is a copy in place', async () => {
    const ops = await during(async () =>
      expect(await deploy({ cacheControl: [{ glob: '*.css', value: 'no-cache' }] }, new Date(t0.getTime() + 9 * DAY))).toMatchObject({
        headersUpdated: 1,
        uploaded: 0,
      }),
    );
    expect(ops.has('s3:CopyObject')).toBe(true);
  });

  it('dry run reads only', async () => {
    writeFileSync(join(dir, 'index.html'), 'dry');
    const ops = await during(async () =>
      expect(
        await deploy({ dryRun: true, cacheControl: [{ glob: '*.css', value: 'no-cache' }] }, new Date(t0.getTime() + 9 * DAY)),
      ).toMatchObject({ dryRun: true, uploaded: 1 }),
    );
    expect([...ops].sort()).toEqual(['s3:GetObject', 's3:ListObjectsV2']);
  });

  it('a lost manifest: every object is read once with HEAD', async () => {
    await inspector().send(new DeleteObjectCommand({ Bucket: bucket, Key: `site/${MANIFEST_KEY}` }));
    const ops = await during(() => deploy({ cacheControl: [{ glob: '*.css', value: 'no-cache' }] }, new Date(t0.getTime() + 9 * DAY)));
    expect(ops.has('s3:HeadObject')).toBe(true);
  });

  it('a multipart upload that fails is aborted', async () => {
    writeFileSync(join(dir, 'video-2.mp4'), big());
    failUploadParts(proxy);
    try {
      const ops = await during(() =>
        expect(deploy({ cacheControl: [{ glob: '*.css', value: 'no-cache' }] }, new Date(t0.getTime() + 9 * DAY))).rejects.toThrow(
          /video-2\.mp4.*AccessDenied/,
        ),
      );
      expect(ops.has('s3:AbortMultipartUpload')).toBe(true);
    } finally {
      proxy.faults.clear();
    }
  });

  it('promotion from an s3:// source copies server-side', async () => {
    const staging = await newBucket();
    const files: SiteFiles = { 'index.html': 'staged', 'assets/a-1.js': 'a' };
    await syncSite(syncSettings(writeSite(files), staging, { prefix: 'web/', staleGraceMs: DAY, concurrency: 4 }), {
      client: inspector(),
      log: silentLogger,
    });
    const mark = recorder.mark();
    expect(await deploy({ source: { kind: 's3', bucket: staging, prefix: 'web/' }, prefix: 'prod/' })).toMatchObject({ uploaded: 2 });
    const promotion = recorder.calls.slice(mark);
    expect(promotion.filter((c) => c.operation === 'ListObjectsV2').map((c) => c.input.Bucket)).toContain(staging);
    expect(promotion.filter((c) => c.operation === 'CopyObject').map((c) => String(c.input.CopySource))).toEqual(
      expect.arrayContaining([`${staging}/web/index.html`]),
    );
    // From the source only its manifest is read (which objects are the build), never a site object.
    expect(promotion.filter((c) => c.operation === 'GetObject' && c.input.Bucket === staging).map((c) => c.input.Key)).toEqual([
      `web/${MANIFEST_KEY}`,
    ]);
  });

  it("the README's policy grants exactly what deploy-static used", () => {
    expectExactPolicy('deploy-static', recorder.calls, readPolicy(readme('deploy-static'), '## IAM policy'), IMPLIED['deploy-static']);
  });
});

// ── invalidate ──────────────────────────────────────────────────────────────────────────────

describe('invalidate', { timeout: 120_000 }, () => {
  const recorder = new CallRecorder();

  it('submits and waits, in batches, for several distributions (moto)', async () => {
    const [a, b] = [await newDistribution(), await newDistribution()];
    const client = invalidationsStartInProgress(recorder.attach(createCloudFrontClient()));
    const paths = ['/', '/index.html', ...Array.from({ length: 16 }, (_, i) => `/section-${i}/*`)];
    const outcomes = await invalidate(
      {
        distributionIds: [a, b],
        paths,
        wait: true,
        timeoutMs: 90_000,
        run: { repository: 'acme/web', runId: '555', job: 'deploy', step: 'invalidate' },
      },
      { client, log: silentLogger, clock: systemClock },
    );
    expect(outcomes.map((o) => o.status)).toEqual(['completed', 'completed']);
    expect([...recorder.operationsSince(0)].sort()).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
  });

  it("the README's policy grants exactly what invalidate used", () => {
    expectExactPolicy('invalidate', recorder.calls, readPolicy(readme('invalidate'), '## IAM policy'));
  });
});

// ── ecs-deploy ──────────────────────────────────────────────────────────────────────────────

describe('ecs-deploy', { timeout: 120_000 }, () => {
  const recorder = new CallRecorder();
  let clients: EcsClients;
  let baseArn: string;
  let health: Server;
  let healthUrl: string;

  beforeAll(async () => {
    clients = createEcsClients();
    recorder.attach(clients.ecs);
    recorder.attach(clients.logs);
    // Tagged, as most task definitions are: the new revision carries the tags (ecs:TagResource).
    baseArn = ecs.registerTaskDefinition({ ...apiTaskDefinition('registry.example.com/api:1.0.0'), tags: [{ key: 'team', value: 'api' }] });
    health = createServer((_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
    healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}/health`;
  });
  afterAll(() => new Promise<void>((resolve) => health.close(() => resolve())));

  const request = (overrides: Partial<EcsDeployRequest>): EcsDeployRequest => ({
    cluster: 'prod',
    services: ['api'],
    containerName: 'api',
    image: 'registry.example.com/api:2.0.0',
    images: {},
    environment: {},
    wait: true,
    timeoutMs: 15 * 60_000,
    rollback: true,
    forceNewDeployment: false,
    dryRun: false,
    ...overrides,
  });
  const deploy = (r: EcsDeployRequest) => deployToEcs(r, { clients, clock: fakeClock(), log: silentLogger });
  const failed = async (r: EcsDeployRequest) => {
    const error = await deploy(r).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialFailure);
    return (error as PartialFailure<EcsDeployResult>).result;
  };

  it('registers, migrates, rolls out and checks health', async () => {
    ecs.createService('api', baseArn);
    ecs.script('api', { kind: 'complete', after: 3 });
    ecs.migration = { statuses: ['PENDING', 'RUNNING', 'STOPPED'], exitCode: 0, logs: ['migrated'] };
    const mark = recorder.mark();
    const result = await deploy(request({ migrate: { command: ['npm', 'run', 'migrate'] }, healthCheckUrl: healthUrl }));
    expect(result.status).toBe('completed');
    const ops = recorder.operationsSince(mark);
    expect([...ops]).toEqual(
      expect.arrayContaining([
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        'ecs:RegisterTaskDefinition',
        'ecs:RunTask',
        'ecs:DescribeTasks',
        'logs:GetLogEvents',
        'ecs:ListServiceDeployments',
        'ecs:UpdateService',
        'ecs:DescribeServiceDeployments',
        'ecs:ListTasks',
      ]),
    );
    // What makes iam:PassRole necessary: the registered definition carries a role.
    const registered = recorder.calls.slice(mark).find((c) => c.operation === 'RegisterTaskDefinition')!;
    expect(registered.input.executionRoleArn).toMatch(/^arn:aws:iam::\d+:role\//);
    // What makes ecs:TagResource necessary: the new revision carries the current one's tags.
    expect(registered.input.tags).toEqual([{ key: 'team', value: 'api' }]);
  });

  it('a rollout that fails: diagnostics (stopped tasks, their logs) and a rollback the fast way', async () => {
    ecs.createService('web', baseArn);
    ecs.script('web', { kind: 'start-failure', reason: 'CannotPullContainerError: not found' });
    const mark = recorder.mark();
    const result = await failed(request({ services: ['web'], image: 'registry.example.com/api:3.0.0' }));
    expect(result.status).toBe('rolled-back');
    expect([...recorder.operationsSince(mark)]).toEqual(
      expect.arrayContaining(['ecs:ListTasks', 'ecs:DescribeTasks', 'logs:GetLogEvents', 'ecs:StopServiceDeployment']),
    );
  });

  it('a failing health check after the deployment finished: rolled back by updating the service', async () => {
    ecs.createService('site', baseArn);
    const down = createServer((_req, res) => res.writeHead(503).end('down'));
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    try {
      const mark = recorder.mark();
      const result = await failed(
        request({
          services: ['site'],
          image: 'registry.example.com/api:5.0.0',
          healthCheckUrl: `http://127.0.0.1:${(down.address() as AddressInfo).port}/`,
          timeoutMs: 60_000,
        }),
      );
      expect(result.status).toBe('rolled-back');
      expect(recorder.calls.slice(mark).filter((c) => c.operation === 'UpdateService')).toHaveLength(2);
    } finally {
      await new Promise((resolve) => down.close(resolve));
    }
  });

  it('a PAUSE hook answered after the test URL check (blue/green)', async () => {
    const clock = fakeClock();
    const realNow = ecs.now;
    ecs.now = () => clock.now();
    try {
      ecs.createService('bg', baseArn, {
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 1,
          lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
        },
      });
      const mark = recorder.mark();
      const result = await deployToEcs(request({ services: ['bg'], image: 'registry.example.com/api:6.0.0', testUrl: healthUrl }), {
        clients,
        clock,
        log: silentLogger,
      });
      expect(result.status).toBe('completed');
      expect(recorder.operationsSince(mark).has('ecs:ContinueServiceDeployment')).toBe(true);
    } finally {
      ecs.now = realNow;
    }
  });

  it('a migration past the timeout is stopped', async () => {
    ecs.createService('jobs', baseArn);
    ecs.migration = { statuses: Array.from({ length: 500 }, () => 'RUNNING'), exitCode: 0 };
    try {
      const mark = recorder.mark();
      const result = await failed(
        request({ services: ['jobs'], image: 'registry.example.com/api:4.0.0', migrate: { command: ['./migrate'] }, timeoutMs: 60_000 }),
      );
      expect(result.failure).toMatch(/did not finish before the timeout/);
      expect(recorder.operationsSince(mark).has('ecs:StopTask')).toBe(true);
    } finally {
      ecs.migration = { exitCode: 0 };
    }
  });

  it('promote-from reads the source service and its task definition', async () => {
    const staging = ecs.registerTaskDefinition(apiTaskDefinition(`registry.example.com/api@sha256:${'a'.repeat(64)}`));
    ecs.createService('staging-api', staging);
    ecs.createService('worker', baseArn);
    const mark = recorder.mark();
    const result = await deploy(
      request({ services: ['worker'], image: undefined, promoteFrom: { cluster: 'staging', service: 'staging-api' } }),
    );
    expect(result).toMatchObject({ status: 'completed', image: `registry.example.com/api@sha256:${'a'.repeat(64)}` });
    const reads = recorder.calls
      .slice(mark)
      .filter((c) => c.operation === 'DescribeServices')
      .map((c) => c.input.cluster);
    expect(reads).toContain('staging');
    expect(recorder.operationsSince(mark).has('ecs:DescribeServiceRevisions')).toBe(true);
  });

  it("the README's policy grants exactly what ecs-deploy used (iam:PassRole implied)", () => {
    expectExactPolicy('ecs-deploy', recorder.calls, readPolicy(readme('ecs-deploy'), '## IAM policy'), IMPLIED['ecs-deploy']);
  });
});

// ── pr-preview ──────────────────────────────────────────────────────────────────────────────

const REPO = 'acme/web';
const repo = { owner: 'acme', repo: 'web' };
const SHA = 'c'.repeat(40);
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';

type PreviewExtra = Partial<PreviewRun> & { number?: number; sourceDir?: string };

function previewSettings(command: PreviewCommand, strategy: StrategySettings, domain: string, extra: PreviewExtra = {}): PrPreviewSettings {
  const { number, sourceDir, ...rest } = extra;
  const run = {
    strategy,
    domain,
    repo,
    guardHeadSha: false,
    githubToken: 'ghs_test',
    comment: true,
    deployment: true,
    expireAfterMs: 30 * DAY,
    dryRun: false,
    cacheControl: [],
    exclude: [],
    concurrency: 8,
    limits: PREVIEW_LIMITS,
    runId: '77',
    runUrl: 'https://github.com/acme/web/actions/runs/77',
    serverUrl: 'https://github.com',
    ...rest,
  };
  switch (command) {
    case 'deploy':
      return { ...run, command, number: number!, sourceDir: sourceDir! };
    case 'cleanup':
      return { ...run, command, number: number! };
    case 'sweep':
      return { ...run, command };
  }
}

/** The clients the action makes (createPrPreviewClients), recorded, with GitHub pointed at the stand-in. */
function recordedClients(recorder: CallRecorder, settings: PrPreviewSettings, extra: Partial<PrPreviewClients> = {}): PrPreviewClients {
  const clients = createPrPreviewClients(settings);
  recorder.attach(clients.s3);
  invalidationsStartInProgress(recorder.attach(clients.cloudfront));
  recorder.attach(clients.route53);
  return { ...clients, github: createGitHubClient('ghs_test', github.url), ...extra };
}

describe('pr-preview, shared', { timeout: 120_000 }, () => {
  const recorder = new CallRecorder();
  const DOMAIN = 'preview.example.com';
  let strategy: StrategySettings;
  let dir: string;
  const run = (command: PreviewCommand, extra: PreviewExtra = {}) => {
    const settings = previewSettings(command, strategy, DOMAIN, { sourceDir: dir, ...extra });
    return runPrPreview(settings, recordedClients(recorder, settings), silentLogger);
  };

  beforeAll(async () => {
    strategy = { kind: 'shared', bucket: await newBucket(), distributionId: await newDistribution() };
    dir = writeSite({ 'index.html': 'v1', 'assets/app-1.js': 'one', 'favicon.ico': 'ico', 'video.mp4': big() });
    for (const number of [7, 8, 9]) github.addPull(REPO, { number, headSha: SHA });
  });

  it('deploy: the ownership record, the upload (in parts above 8 MiB)', async () => {
    const mark = recorder.mark();
    expect(await run('deploy', { number: 7 })).toMatchObject({ deploy: { status: 'deployed' } });
    expect([...recorder.operationsSince(mark)]).toEqual(
      expect.arrayContaining([
        's3:GetObject',
        's3:PutObject',
        's3:ListObjectsV2',
        's3:CreateMultipartUpload',
        's3:UploadPart',
        's3:CompleteMultipartUpload',
      ]),
    );
  });

  it('a second push: a change, a header change, a deletion, an invalidation waited for', async () => {
    writeFileSync(join(dir, 'index.html'), 'v2');
    rmSync(join(dir, 'favicon.ico'));
    const mark = recorder.mark();
    const outcome = await run('deploy', { number: 7, cacheControl: [{ glob: '*.mp4', value: 'public, max-age=60' }] });
    expect(outcome).toMatchObject({ deploy: { status: 'deployed', sync: { uploaded: 1, headersUpdated: 1, deleted: 1 } } });
    expect([...recorder.operationsSince(mark)]).toEqual(
      expect.arrayContaining([
        's3:PutObject',
        's3:CopyObject',
        's3:DeleteObjects',
        'cloudfront:CreateInvalidation',
        'cloudfront:GetInvalidation',
      ]),
    );
  });

  it('a multipart upload that fails is aborted', async () => {
    writeFileSync(join(dir, 'video-2.mp4'), big());
    failUploadParts(proxy);
    try {
      const mark = recorder.mark();
      await expect(run('deploy', { number: 7, cacheControl: [{ glob: '*.mp4', value: 'public, max-age=60' }] })).rejects.toBeInstanceOf(
        PartialFailure,
      );
      expect(recorder.operationsSince(mark).has('s3:AbortMultipartUpload')).toBe(true);
    } finally {
      proxy.faults.clear();
      rmSync(join(dir, 'video-2.mp4'));
    }
  });

  it('cleanup: the prefix deleted and invalidated', async () => {
    const mark = recorder.mark();
    expect(await run('cleanup', { number: 7 })).toMatchObject({ cleanup: { status: 'removed' } });
    expect([...recorder.operationsSince(mark)]).toEqual(
      expect.arrayContaining(['s3:ListObjectsV2', 's3:DeleteObjects', 'cloudfront:CreateInvalidation']),
    );
  });

  it('sweep: previews found by prefix and record, a closed PR removed', async () => {
    await run('deploy', { number: 8 });
    await run('deploy', { number: 9 });
    github.setPull(REPO, 8, { state: 'closed' });
    const mark = recorder.mark();
    const outcome = await run('sweep');
    expect(outcome.command === 'sweep' && outcome.sweep.previews.map((p) => [p.number, p.decision])).toEqual([
      [8, 'remove'],
      [9, 'keep'],
    ]);
    expect([...recorder.operationsSince(mark)]).toEqual(expect.arrayContaining(['s3:ListObjectsV2', 's3:GetObject', 's3:DeleteObjects']));
  });

  it("the README's shared policy grants exactly what the shared strategy used", () => {
    expectExactPolicy('pr-preview (shared)', recorder.calls, readPolicy(readme('pr-preview'), '## IAM policy (shared)'));
  });
});

describe('pr-preview, dedicated', { timeout: 180_000 }, () => {
  const recorder = new CallRecorder();
  let domain: string;
  let strategy: StrategySettings;
  let dir: string;
  const run = (command: PreviewCommand, extra: PreviewExtra = {}) => {
    const settings = previewSettings(command, strategy, domain, { sourceDir: dir, expireAfterMs: 0, ...extra });
    return runPrPreview(settings, recordedClients(recorder, settings, { dedicated: { pollMs: 10 } }), silentLogger);
  };

  beforeAll(async () => {
    const tag = randomBytes(4).toString('hex');
    domain = `d${tag}.example.com`;
    const zone = await new Route53Client({ region: 'us-east-1', endpoint: motoEndpoint() }).send(
      new CreateHostedZoneCommand({ Name: domain, CallerReference: tag }),
    );
    strategy = {
      kind: 'dedicated',
      bucketTemplate: `pr-{number}-${tag}-web`,
      certificateArn: CERT,
      hostedZoneId: zone.HostedZone!.Id!.replace('/hostedzone/', ''),
      priceClass: 'PriceClass_100',
    };
    dir = writeSite({ 'index.html': 'v1', 'assets/app-1.js': 'a', 'about.html': 'about' });
    for (const number of [5, 31, 32]) github.addPull(REPO, { number, headSha: SHA });
  });

  it('deploy: bucket, origin access control, distribution, DNS; waits for both', async () => {
    const mark = recorder.mark();
    expect(await run('deploy', { number: 5 })).toMatchObject({ deploy: { status: 'deployed' } });
    expect([...recorder.operationsSince(mark)]).toEqual(
      expect.arrayContaining([
        's3:HeadBucket',
        's3:CreateBucket',
        's3:PutBucketTagging',
        's3:PutPublicAccessBlock',
        's3:PutBucketOwnershipControls',
        's3:PutBucketPolicy',
        'cloudfront:ListOriginAccessControls',
        'cloudfront:CreateOriginAccessControl',
        'cloudfront:ListDistributions',
        'cloudfront:CreateDistributionWithTags',
        'cloudfront:GetDistribution',
        'route53:ListResourceRecordSets',
        'route53:ChangeResourceRecordSets',
        'route53:GetChange',
      ]),
    );
  });

  it('a second push: found by its tags, synced with a deletion, invalidated', async () => {
    writeFileSync(join(dir, 'index.html'), 'v2');
    rmSync(join(dir, 'about.html'));
    const mark = recorder.mark();
    expect(await run('deploy', { number: 5 })).toMatchObject({ deploy: { status: 'deployed', sync: { deleted: 1 } } });
    expect([...recorder.operationsSince(mark)]).toEqual(
      expect.arrayContaining([
        's3:GetBucketTagging',
        'cloudfront:ListTagsForResource',
        's3:DeleteObjects',
        'cloudfront:CreateInvalidation',
        'cloudfront:GetInvalidation',
      ]),
    );
  });

  it('a multipart upload that fails is aborted', async () => {
    writeFileSync(join(dir, 'video.mp4'), big());
    failUploadParts(proxy);
    try {
      const mark = recorder.mark();
      await expect(run('deploy', { number: 5 })).rejects.toBeInstanceOf(PartialFailure);
      expect(recorder.operationsSince(mark).has('s3:AbortMultipartUpload')).toBe(true);
    } finally {
      proxy.faults.clear();
      rmSync(join(dir, 'video.mp4'));
    }
  });

  it('cleanup: records, distribution disabled then deleted, every object version and the bucket, the origin access control', async () => {
    const mark = recorder.mark();
    expect(await run('cleanup', { number: 5 })).toMatchObject({ cleanup: { status: 'removed' } });
    expect([...recorder.operationsSince(mark)]).toEqual(
      expect.arrayContaining([
        'route53:ChangeResourceRecordSets',
        'cloudfront:GetDistributionConfig',
        'cloudfront:UpdateDistribution',
        'cloudfront:TagResource',
        's3:ListObjectVersions',
        's3:DeleteObjects',
        's3:DeleteBucket',
        'cloudfront:DeleteDistribution',
        'cloudfront:GetOriginAccessControl',
        'cloudfront:DeleteOriginAccessControl',
      ]),
    );
    const versioned = recorder.calls.slice(mark).filter((c) => c.operation === 'DeleteObjects');
    expect(versioned.flatMap((c) => iamActionsOf(c))).toContain('s3:DeleteObjectVersion');
  });

  it('sweep: buckets and distributions found by their tags, a closed PR removed', async () => {
    await run('deploy', { number: 31 });
    await run('deploy', { number: 32 });
    github.setPull(REPO, 31, { state: 'closed' });
    const mark = recorder.mark();
    const outcome = await run('sweep');
    expect(outcome.command === 'sweep' && outcome.sweep.previews.map((p) => [p.number, p.decision])).toEqual([
      [31, 'remove'],
      [32, 'keep'],
    ]);
    expect([...recorder.operationsSince(mark)]).toEqual(
      expect.arrayContaining([
        's3:ListBuckets',
        's3:HeadBucket',
        's3:GetBucketTagging',
        'cloudfront:ListDistributions',
        'cloudfront:ListTagsForResource',
        's3:DeleteBucket',
      ]),
    );
  });

  it('disable → wait → delete, and a distribution left pending (CloudFront as AWS behaves, mocked)', async () => {
    // moto says Deployed at once and deletes enabled distributions; the order and the waiting
    // need a CloudFront that behaves as AWS documents (as in test/unit/preview-dedicated.test.ts).
    const ID = 'E2QWRUHAPOMQZL';
    const ARN = `arn:aws:cloudfront::123456789012:distribution/${ID}`;
    const host = `pr-7.${domain}`;
    const tags = {
      Items: [
        { Key: 'slipway:repository', Value: REPO },
        { Key: 'slipway:pr', Value: '7' },
        { Key: 'slipway:domain', Value: domain },
      ],
    };
    const settings = previewSettings('cleanup', strategy, domain, { number: 7 });

    const removeWith = async (polls: number) => {
      const clients = { ...createPrPreviewClients(settings), clock: fakeClock(), dedicated: { removalWaitMs: 60_000, pollMs: 10_000 } };
      const cloudfront = mockClient(clients.cloudfront);
      const s3 = mockClient(clients.s3);
      const route53 = mockClient(clients.route53);
      let enabled = true;
      let etag = 'E1';
      let remaining = polls;
      cloudfront.on(ListDistributionsCommand).resolves({
        DistributionList: {
          Items: [{ Id: ID, ARN, Aliases: { Quantity: 1, Items: [host] }, DomainName: 'd1.cloudfront.net', Enabled: true } as never],
          IsTruncated: false,
        } as never,
      });
      cloudfront.on(ListTagsForResourceCommand).resolves({ Tags: tags });
      cloudfront.on(GetDistributionConfigCommand).callsFake(() =>
        Promise.resolve({
          ETag: etag,
          DistributionConfig: {
            Enabled: enabled,
            CallerReference: 'x',
            Comment: '',
            Origins: { Quantity: 0 },
            DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all' },
          },
        }),
      );
      cloudfront.on(UpdateDistributionCommand).callsFake((input: { DistributionConfig?: { Enabled?: boolean } }) => {
        enabled = input.DistributionConfig?.Enabled ?? enabled;
        etag = 'E2';
        return Promise.resolve({ ETag: etag });
      });
      cloudfront.on(GetDistributionCommand).callsFake(() =>
        Promise.resolve({
          ETag: etag,
          Distribution: {
            Id: ID,
            ARN,
            Status: enabled ? 'Deployed' : remaining-- > 0 ? 'InProgress' : 'Deployed',
            DomainName: 'd1.cloudfront.net',
            DistributionConfig: { Enabled: enabled },
          },
        }),
      );
      cloudfront.on(TagResourceCommand).resolves({});
      cloudfront.on(DeleteDistributionCommand).callsFake(() =>
        // AWS deletes only a disabled distribution that has finished deploying.
        enabled || remaining >= 0
          ? Promise.reject(
              Object.assign(new Error('DistributionNotDisabled'), { name: 'DistributionNotDisabled', $metadata: { httpStatusCode: 409 } }),
            )
          : Promise.resolve({}),
      );
      cloudfront
        .on(ListOriginAccessControlsCommand)
        .resolves({ OriginAccessControlList: { Items: [{ Id: 'OAC1', Name: host } as never], IsTruncated: false } as never });
      cloudfront.on(GetOriginAccessControlCommand).resolves({ ETag: 'O1' });
      cloudfront.on(DeleteOriginAccessControlCommand).resolves({});
      s3.on(HeadBucketCommand).rejects(Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }));
      route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [] });
      try {
        return await openStore(settings, { ...clients, github: createGitHubClient('ghs_test', github.url) }, silentLogger).remove(7, false);
      } finally {
        for (const [service, mock] of [
          ['cloudfront', cloudfront],
          ['s3', s3],
          ['route53', route53],
        ] as const) {
          for (const call of mock.calls()) {
            const command = call.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> };
            recorder.record(service, command.constructor.name.replace(/Command$/, ''), command.input);
          }
          mock.restore();
        }
      }
    };

    const mark = recorder.mark();
    expect((await removeWith(3)).pendingDistribution).toBeUndefined();
    expect(recorder.calls.slice(mark).map((c) => c.operation)).toEqual(
      expect.arrayContaining(['UpdateDistribution', 'DeleteDistribution', 'DeleteOriginAccessControl']),
    );
    expect((await removeWith(1000)).pendingDistribution).toBe(ID);
  });

  it("the README's dedicated policy grants exactly what the dedicated strategy used", () => {
    expectExactPolicy('pr-preview (dedicated)', recorder.calls, readPolicy(readme('pr-preview'), '## IAM policy (dedicated)'));
  });
});

// ── the comparison itself ───────────────────────────────────────────────────────────────────

describe('the comparison', () => {
  const policy = (...statements: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
  const calls: RecordedCall[] = [
    { service: 's3', operation: 'ListObjectsV2', input: {} },
    { service: 's3', operation: 'CopyObject', input: {} },
    { service: 's3', operation: 'DeleteObjects', input: { Delete: { Objects: [{ Key: 'a', VersionId: 'v1' }] } } },
  ];
  const exact = policy(
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' },
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      Resource: 'arn:aws:s3:::b/*',
    },
  );
  const used = () => [...usedActions(calls).keys()];

  it('maps commands to IAM actions, input-dependent where the API is', () => {
    expect(used().sort()).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    expect(iamActionsOf({ service: 's3', operation: 'DeleteObjects', input: { Delete: { Objects: [{ Key: 'a' }] } } })).toEqual([
      's3:DeleteObject',
    ]);
    expect(iamActionsOf({ service: 'cloudfront', operation: 'CreateDistributionWithTags', input: {} })).toEqual([
      'cloudfront:CreateDistribution',
      'cloudfront:TagResource',
    ]);
    expect(iamActionsOf({ service: 's3', operation: 'CreateBucket', input: { ObjectOwnership: 'BucketOwnerEnforced' } })).toEqual([
      's3:CreateBucket',
      's3:PutBucketOwnershipControls',
    ]);
  });

  it('an exact policy passes', () => {
    expect(comparePolicy(exact, used())).toEqual({ missing: [], unused: [], defects: [] });
  });

  it('flags an action the policy lacks', () => {
    const lacking = policy(
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::b/*' },
    );
    expect(comparePolicy(lacking, used())).toMatchObject({ missing: ['s3:DeleteObjectVersion'], unused: [] });
  });

  it('flags an action the policy grants but nothing used', () => {
    const extra = policy(...exact.Statement, { Effect: 'Allow', Action: 's3:PutBucketPolicy', Resource: 'arn:aws:s3:::b' });
    expect(comparePolicy(extra, used())).toMatchObject({ missing: [], unused: ['s3:PutBucketPolicy'] });
  });

  it('matches wildcards, and flags them: they grant what nobody checked', () => {
    expect(actionMatches('s3:Get*', 's3:GetObject')).toBe(true);
    expect(actionMatches('s3:get?bject', 's3:GetObject')).toBe(true);
    expect(actionMatches('s3:Get*', 's3:PutObject')).toBe(false);
    const wild = policy({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b*' });
    const result = comparePolicy(wild, used());
    expect(result.missing).toEqual([]);
    expect(result.defects.join('\n')).toMatch(/s3:\* is a wildcard/);
  });

  it('an implied permission must be granted and have a reason; granted, it is not unused', () => {
    const implied: ImpliedPermission[] = [{ action: 'iam:PassRole', reason: 'checked by ECS' }];
    expect(comparePolicy(exact, used(), implied).missing).toEqual(['iam:PassRole']);
    const withPassRole = policy(...exact.Statement, { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::1:role/r' });
    expect(comparePolicy(withPassRole, used(), implied)).toEqual({ missing: [], unused: [], defects: [] });
    expect(comparePolicy(withPassRole, used()).unused).toEqual(['iam:PassRole']);
    expect(comparePolicy(withPassRole, used(), [{ action: 'iam:PassRole', reason: ' ' }]).defects).toEqual([
      'implied iam:PassRole has no reason',
    ]);
  });

  it('flags Resource "*" for an action that can be scoped, and Deny or NotAction statements', () => {
    const star = policy({
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      Resource: '*',
    });
    expect(comparePolicy(star, used()).defects).toHaveLength(5);
    const deny = policy(...exact.Statement, { Effect: 'Deny', NotAction: 's3:GetObject', Resource: '*' });
    expect(comparePolicy(deny, used()).defects.join('\n')).toMatch(/Effect Deny[\s\S]*NotAction/);
  });

  it('an operation with no mapping fails: map it', () => {
    expect(() => usedActions([{ service: 's3', operation: 'PutBucketWebsite', input: {} }])).toThrow(UnmappedOperation);
    expect(() => usedActions([{ service: 's3', operation: 'PutBucketWebsite', input: {} }])).toThrow(/map it/);
  });

  it('reads the policy only from a ```json block directly under the heading', () => {
    const doc = JSON.stringify(exact, null, 2);
    expect(policyUnderHeading(`# x\n\n## IAM policy\n\n\`\`\`json\n${doc}\n\`\`\`\n`, '## IAM policy')).toEqual(exact);
    expect(() => policyUnderHeading(`## IAM policy\n\nSome words.\n\n\`\`\`json\n${doc}\n\`\`\`\n`, '## IAM policy')).toThrow(
      /followed directly by a ```json block/,
    );
    expect(() => policyUnderHeading('## Permissions\n', '## IAM policy')).toThrow(/no heading/);
    expect(() => policyUnderHeading('## IAM policy\n```json\n[{"Effect":"Allow"}]\n```\n', '## IAM policy')).toThrow(
      /not a complete IAM policy document/,
    );
  });

  it('prints what was recorded, granted and different', () => {
    const lacking = policy({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' });
    const text = describeComparison('demo', calls, lacking, [], comparePolicy(lacking, used()));
    expect(text).toContain('missing from the policy: s3:DeleteObject, s3:DeleteObjectVersion, s3:GetObject, s3:PutObject');
    expect(text).toContain('s3:CopyObject → s3:GetObject, s3:PutObject');
  });
});
