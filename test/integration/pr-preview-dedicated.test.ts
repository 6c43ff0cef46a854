// pr-preview's dedicated strategy against moto (S3, CloudFront, Route 53). moto's shortcuts are
// covered elsewhere: it says Deployed at once and would delete an enabled distribution, so the
// disable → wait → delete order is tested with a mocked client in test/unit/preview-dedicated.test.ts.
import {
  GetDistributionCommand,
  GetDistributionConfigCommand,
  ListDistributionsCommand,
  ListOriginAccessControlsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront';
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketTaggingCommand,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudFrontCallerReferences } from '../../stand-ins/aws-behaviours.mjs';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { startFakeGitHub, type FakeGitHub } from '../../stand-ins/fake-github.mjs';
import { createGitHubClient } from '../../src/lib/github/client.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import { DedicatedPreviewStore, MANAGED_POLICY } from '../../src/lib/preview/strategies/dedicated/index.js';
import { cleanupPreview, deployPreview, sweepPreviews, type PreviewDeps } from '../../src/lib/preview/preview.js';
import type { PreviewRun } from '../../src/lib/preview/request.js';
import { PREVIEW_LIMITS } from '../../src/actions/pr-preview/settings.js';
import { systemClock } from '../../src/lib/util/clock.js';
import { cloudFrontAt } from '../support/cloudfront.js';
import { bucketState, inspector, motoEndpoint, s3At, writeSite } from '../support/s3.js';
import { previewRun } from '../support/preview.js';

const REPO = 'acme/web';
const repo = { owner: 'acme', repo: 'web' };
const SHA = 'c'.repeat(40);
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';

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

let domain: string;
let zoneId: string;
let template: string;
const route53 = () => new Route53Client({ region: 'us-east-1', endpoint: motoEndpoint() });
beforeEach(async () => {
  github.reset();
  const tag = randomBytes(4).toString('hex');
  domain = `d${tag}.example.com`;
  template = `pr-{number}-${tag}-web`;
  const zone = await route53().send(new CreateHostedZoneCommand({ Name: domain, CallerReference: tag }));
  zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
});

function depsFor(): PreviewDeps {
  const s3 = s3At(proxy.endpoint);
  const cloudfront = cloudFrontAt(proxy.endpoint);
  const r53 = new Route53Client({ region: 'us-east-1', endpoint: proxy.endpoint });
  return {
    store: new DedicatedPreviewStore(
      {
        repository: REPO,
        domain,
        bucketTemplate: template,
        certificateArn: CERT,
        hostedZoneId: zoneId,
        priceClass: 'PriceClass_100',
        region: 'us-east-1',
      },
      { s3, cloudfront, route53: r53, log: silentLogger, clock: systemClock, ...PREVIEW_LIMITS.dedicated, pollMs: 10 },
    ),
    s3,
    cloudfront,
    github: createGitHubClient('ghs_test', github.url, { backoffMs: 5 }),
    log: silentLogger,
    clock: systemClock,
  };
}
const run = (): PreviewRun =>
  previewRun(
    { kind: 'dedicated', bucketTemplate: template, certificateArn: CERT, hostedZoneId: zoneId, priceClass: 'PriceClass_100' },
    domain,
    { repo },
  );
const deploy = (n: number, dir: string) =>
  deployPreview(
    { ...run(), command: 'deploy', number: n, guardHeadSha: false, sourceDir: dir, cacheControl: [], exclude: [], concurrency: 8 },
    depsFor(),
  );

async function records(host: string) {
  const list = await route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return (list.ResourceRecordSets ?? [])
    .filter((r) => r.Name === `${host}.`)
    .map((r) => ({ type: r.Type, target: r.AliasTarget?.DNSName }));
}

describe('pr-preview, dedicated strategy', () => {
  it('creates a private, unversioned, tagged bucket, an origin access control, a distribution and alias records; a second push reuses them', async () => {
    github.addPull(REPO, { number: 5, headSha: SHA });
    const dir = writeSite({ 'index.html': 'v1', 'assets/app-1.js': 'a' });
    const first = await deploy(5, dir);
    expect(first.status).toBe('deployed');
    const bucket = template.replace('{number}', '5');
    expect(first.site).toMatchObject({ bucket, prefix: '', url: `https://pr-5.${domain}` });
    const s3 = inspector();
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    // Not versioned: S3 may answer 404 for new objects for a while after versioning is first enabled.
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBeUndefined();
    expect([...(await bucketState(bucket)).keys()].filter((k) => !k.startsWith('.slipway/')).sort()).toEqual([
      'assets/app-1.js',
      'index.html',
    ]);

    const cf = cloudFrontAt(motoEndpoint());
    const id = first.site!.distributionId;
    const { Distribution: d } = await cf.send(new GetDistributionCommand({ Id: id }));
    const config = d!.DistributionConfig!;
    expect(config.Aliases?.Items).toEqual([`pr-5.${domain}`]);
    expect(config.ViewerCertificate).toMatchObject({
      ACMCertificateArn: CERT,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SSLSupportMethod: 'sni-only',
    });
    expect(config.PriceClass).toBe('PriceClass_100');
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      Compress: true,
      CachePolicyId: MANAGED_POLICY.useOriginCacheControlHeaders,
      ResponseHeadersPolicyId: MANAGED_POLICY.securityHeaders,
    });
    expect(config.CacheBehaviors?.Items?.[0]).toMatchObject({ PathPattern: 'assets/*', CachePolicyId: MANAGED_POLICY.cachingOptimized });
    expect(config.CustomErrorResponses?.Items?.map((e) => [e.ErrorCode, e.ResponsePagePath, e.ResponseCode])).toEqual([
      [403, '/index.html', '200'],
      [404, '/index.html', '200'],
    ]);
    const tags = await cf.send(new ListTagsForResourceCommand({ Resource: d!.ARN }));
    expect(Object.fromEntries((tags.Tags?.Items ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
      'slipway:repository': REPO,
      'slipway:pr': '5',
    });
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!) as {
      Statement: { Effect: string; Condition?: unknown }[];
    };
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Allow', Condition: { StringEquals: { 'AWS:SourceArn': d!.ARN } } });
    const oacs = await cf.send(new ListOriginAccessControlsCommand({}));
    expect(oacs.OriginAccessControlList?.Items?.filter((o) => o.Name === `pr-5.${domain}`)).toHaveLength(1);
    expect(await records(`pr-5.${domain}`)).toEqual([
      { type: 'A', target: `${d!.DomainName!}.` },
      { type: 'AAAA', target: `${d!.DomainName!}.` },
    ]);

    proxy.clear();
    writeFileSync(join(dir, 'index.html'), 'v2');
    const second = await deploy(5, dir);
    expect(second.site!.distributionId).toBe(id);
    expect(proxy.ops('CreateBucket', 'CreateDistributionWithTags', 'CreateOriginAccessControl', 'ChangeResourceRecordSets')).toEqual([]);
    expect(second.invalidation?.invalidations.flatMap((i) => i.paths).sort()).toEqual(['/', '/index.html']);
    expect(github.comments(REPO, 5)).toHaveLength(1);
  });

  it('cleanup removes every version and the bucket, the records, the distribution and the origin access control; twice is fine', async () => {
    github.addPull(REPO, { number: 6, headSha: SHA });
    const dir = writeSite({ 'index.html': 'v1' });
    const deployed = await deploy(6, dir);
    writeFileSync(join(dir, 'index.html'), 'v2');
    await deploy(6, dir);
    const removed = await cleanupPreview({ ...run(), command: 'cleanup', number: 6 }, depsFor());
    expect(removed.status).toBe('removed');
    // The order that matters on AWS: DNS first, the distribution disabled before it is deleted.
    const order = proxy
      .ops('ChangeResourceRecordSets', 'UpdateDistribution', 'DeleteBucket', 'DeleteDistribution', 'DeleteOriginAccessControl')
      .map((r) => r.operation);
    expect(order.slice(-5)).toEqual([
      'ChangeResourceRecordSets',
      'UpdateDistribution',
      'DeleteBucket',
      'DeleteDistribution',
      'DeleteOriginAccessControl',
    ]);
    await expect(inspector().send(new HeadBucketCommand({ Bucket: template.replace('{number}', '6') }))).rejects.toThrow();
    await expect(
      cloudFrontAt(motoEndpoint()).send(new GetDistributionConfigCommand({ Id: deployed.site!.distributionId })),
    ).rejects.toThrow();
    expect(await records(`pr-6.${domain}`)).toEqual([]);
    expect(removed.removal?.steps.join('\n')).toMatch(/object versions/);

    const again = await cleanupPreview({ ...run(), command: 'cleanup', number: 6 }, depsFor());
    expect(again.status).toBe('already-removed');
  });

  it('never adopts a bucket it did not create', async () => {
    github.addPull(REPO, { number: 8, headSha: SHA });
    const bucket = template.replace('{number}', '8');
    await inspector().send(new CreateBucketCommand({ Bucket: bucket }));
    await inspector().send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: 'team', Value: 'data' }] } }));
    await expect(deploy(8, writeSite({ 'index.html': 'x' }))).rejects.toThrow(/not tagged as the preview of acme\/web PR #8/);
    await expect(cleanupPreview({ ...run(), command: 'cleanup', number: 8 }, depsFor())).rejects.toThrow(/not tagged/);
    await inspector().send(new HeadBucketCommand({ Bucket: bucket }));
  });

  it('sweep finds previews by their tags and removes those of closed PRs', async () => {
    const dir = writeSite({ 'index.html': 'x' });
    for (const n of [31, 32]) {
      github.addPull(REPO, { number: n, headSha: SHA });
      await deploy(n, dir);
    }
    github.setPull(REPO, 31, { state: 'closed' });
    const swept = await sweepPreviews({ ...run(), command: 'sweep', expireAfterMs: 0 }, depsFor());
    expect(swept.previews.map((p) => [p.number, p.decision])).toEqual([
      [31, 'remove'],
      [32, 'keep'],
    ]);
    expect(swept.previews[0]!.cleanup?.status).toBe('removed');
    await expect(inspector().send(new HeadBucketCommand({ Bucket: template.replace('{number}', '31') }))).rejects.toThrow();
    await inspector().send(new HeadBucketCommand({ Bucket: template.replace('{number}', '32') }));
  });
});

it('a CreateDistribution retried after a lost response (DistributionAlreadyExists, as AWS answers) finds the one the first attempt made', async () => {
  github.addPull(REPO, { number: 9, headSha: SHA });
  proxy.behave(cloudFrontCallerReferences());
  let dropped = 0;
  proxy.faults.plan((r) => (r.operation === 'CreateDistributionWithTags' && dropped++ === 0 ? { kind: 'drop-response' } : undefined));
  const count = async () => (await cloudFrontAt(motoEndpoint()).send(new ListDistributionsCommand({}))).DistributionList?.Quantity ?? 0;
  const before = await count();
  proxy.clear();
  try {
    const outcome = await deploy(9, writeSite({ 'index.html': 'v1' }));
    expect(outcome.status).toBe('deployed');
    expect(proxy.ops('CreateDistributionWithTags').map((r) => r.status)).toEqual([201, 409]);
    expect(await count()).toBe(before + 1);
    const { Distribution } = await cloudFrontAt(motoEndpoint()).send(new GetDistributionCommand({ Id: outcome.site!.distributionId }));
    expect(Distribution?.DistributionConfig?.Aliases?.Items).toEqual([`pr-9.${domain}`]);
  } finally {
    proxy.faults.clear();
    proxy.behave();
  }
});
