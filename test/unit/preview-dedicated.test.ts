// What moto cannot show about the dedicated strategy: it drops the origin access control from a
// distribution, says Deployed at once, and deletes enabled distributions. A mocked CloudFront
// behaves as AWS documents: a disabled distribution stays InProgress for a while, and may only be
// deleted once Deployed, with the latest ETag.
import {
  CloudFrontClient,
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
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/log/logger.js';
import {
  bucketPolicy,
  DedicatedPreviewStore,
  distributionConfig,
  MANAGED_POLICY,
  type DedicatedStoreSettings,
} from '../../src/lib/preview/strategies/dedicated/index.js';
import type { Clock } from '../../src/lib/util/clock.js';
import { PREVIEW_LIMITS } from '../../src/actions/pr-preview/settings.js';

const cloudfront = mockClient(CloudFrontClient);
const s3 = mockClient(S3Client);
const route53 = mockClient(Route53Client);

const SETTINGS: DedicatedStoreSettings = {
  repository: 'acme/web',
  domain: 'app.example.com',
  bucketTemplate: 'pr-{number}-acme-web',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
  hostedZoneId: 'Z0123456789ABC',
  priceClass: 'PriceClass_100',
  region: 'eu-west-1',
};
const ID = 'E2QWRUHAPOMQZL';
const ARN = `arn:aws:cloudfront::123456789012:distribution/${ID}`;
const TAGS = {
  Items: [
    { Key: 'slipway:repository', Value: 'acme/web' },
    { Key: 'slipway:pr', Value: '7' },
    { Key: 'slipway:domain', Value: 'app.example.com' },
  ],
};

function fakeClock(): Clock {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: (ms) => {
      t += ms;
      return Promise.resolve();
    },
  };
}

const notFound = () => Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });

/** A distribution that takes `polls` GetDistribution calls to finish deploying once disabled. */
function disablingDistribution(polls: number) {
  let enabled = true;
  let etag = 'E1';
  let remaining = polls;
  cloudfront.on(ListDistributionsCommand).resolves({
    DistributionList: {
      Items: [
        {
          Id: ID,
          ARN,
          Aliases: { Quantity: 1, Items: ['pr-7.app.example.com'] },
          DomainName: 'd1.cloudfront.net',
          Enabled: true,
        } as never,
      ],
      IsTruncated: false,
    } as never,
  });
  cloudfront.on(ListTagsForResourceCommand).resolves({ Tags: TAGS });
  cloudfront.on(GetDistributionConfigCommand).callsFake(() => ({
    ETag: etag,
    DistributionConfig: {
      Enabled: enabled,
      CallerReference: 'x',
      Comment: '',
      Origins: { Quantity: 0 },
      DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'allow-all' },
    },
  }));
  cloudfront.on(UpdateDistributionCommand).callsFake((input: { IfMatch?: string; DistributionConfig?: { Enabled?: boolean } }) => {
    if (input.IfMatch !== etag)
      throw Object.assign(new Error('PreconditionFailed'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    enabled = input.DistributionConfig?.Enabled ?? enabled;
    etag = 'E2';
    return { ETag: etag };
  });
  cloudfront.on(GetDistributionCommand).callsFake(() => {
    const status = enabled ? 'Deployed' : remaining-- > 0 ? 'InProgress' : 'Deployed';
    return {
      ETag: etag,
      Distribution: { Id: ID, ARN, Status: status, DomainName: 'd1.cloudfront.net', DistributionConfig: { Enabled: enabled } },
    };
  });
  cloudfront.on(DeleteDistributionCommand).callsFake((input: { IfMatch?: string }) => {
    // AWS: only a disabled, deployed distribution, with its current ETag.
    if (enabled || remaining >= 0 || input.IfMatch !== etag)
      throw Object.assign(new Error('DistributionNotDisabled'), { name: 'DistributionNotDisabled', $metadata: { httpStatusCode: 409 } });
    return {};
  });
  cloudfront
    .on(ListOriginAccessControlsCommand)
    .resolves({ OriginAccessControlList: { Items: [{ Id: 'OAC1', Name: 'pr-7.app.example.com' } as never], IsTruncated: false } as never });
  cloudfront.on(GetOriginAccessControlCommand).resolves({ ETag: 'O1' });
}

const store = (removalWaitMs = 60_000) =>
  new DedicatedPreviewStore(SETTINGS, {
    s3: new S3Client({ region: 'us-east-1' }),
    cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
    route53: new Route53Client({ region: 'us-east-1' }),
    log: silentLogger,
    clock: fakeClock(),
    deployTimeoutMs: PREVIEW_LIMITS.dedicated.deployTimeoutMs,
    removalWaitMs,
    pollMs: 10_000,
  });

beforeEach(() => {
  cloudfront.reset();
  s3.reset();
  route53.reset();
  s3.on(HeadBucketCommand).rejects(notFound());
  route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [] });
});

describe('dedicated previews: what moto cannot show', () => {
  it('the distribution reads the bucket through the origin access control, with the managed policies', () => {
    const config = distributionConfig(SETTINGS, 7, 'OAC1', 'ref');
    expect(config.Origins?.Items?.[0]).toMatchObject({
      OriginAccessControlId: 'OAC1',
      DomainName: 'pr-7-acme-web.s3.eu-west-1.amazonaws.com',
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
    expect(config.DefaultCacheBehavior?.ResponseHeadersPolicyId).toBe(MANAGED_POLICY.securityHeaders);
    expect(config.CacheBehaviors?.Items?.[0]?.ResponseHeadersPolicyId).toBe(MANAGED_POLICY.securityHeaders);
    const policy = JSON.parse(bucketPolicy('pr-7-acme-web', ARN)) as {
      Statement: { Principal: unknown; Action: string; Resource: string; Condition: unknown }[];
    };
    expect(policy.Statement).toEqual([
      {
        Sid: 'SlipwayPreviewRead',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::pr-7-acme-web/*',
        Condition: { StringEquals: { 'AWS:SourceArn': ARN } },
      },
    ]);
  });

  it('cleanup disables the distribution, waits until it is deployed, then deletes it with the latest ETag, then the origin access control', async () => {
    disablingDistribution(3);
    const removal = await store().remove(7, false);
    expect(removal.pendingDistribution).toBeUndefined();
    const calls = cloudfront.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    const at = (name: string) => calls.indexOf(name);
    expect(at('UpdateDistributionCommand')).toBeGreaterThan(-1);
    expect(at('DeleteDistributionCommand')).toBeGreaterThan(at('UpdateDistributionCommand'));
    expect(calls.filter((c) => c === 'GetDistributionCommand').length).toBeGreaterThanOrEqual(4);
    expect(at('DeleteOriginAccessControlCommand')).toBeGreaterThan(at('DeleteDistributionCommand'));
    expect(cloudfront.commandCalls(DeleteDistributionCommand)[0]!.args[0].input).toEqual({ Id: ID, IfMatch: 'E2' });
    expect(cloudfront.commandCalls(DeleteOriginAccessControlCommand)[0]!.args[0].input).toEqual({ Id: 'OAC1', IfMatch: 'O1' });
  });

  it('a distribution still deploying after the wait is left disabled and tagged for the sweep; its origin access control stays', async () => {
    disablingDistribution(1000);
    const removal = await store(60_000).remove(7, false);
    expect(removal.pendingDistribution).toBe(ID);
    expect(cloudfront.commandCalls(DeleteDistributionCommand)).toHaveLength(0);
    expect(cloudfront.commandCalls(DeleteOriginAccessControlCommand)).toHaveLength(0);
    expect(cloudfront.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({
      Resource: ARN,
      Tags: { Items: [{ Key: 'slipway:pending-delete', Value: 'true' }] },
    });
  });

  it('the sweep finds a distribution left pending and finishes it', async () => {
    disablingDistribution(0);
    s3.on(ListBucketsCommand).resolves({ Buckets: [] });
    cloudfront
      .on(ListTagsForResourceCommand)
      .resolves({ Tags: { Items: [...TAGS.Items, { Key: 'slipway:pending-delete', Value: 'true' }] } });
    const found = await store().list();
    expect(found).toEqual([{ number: 7, where: ID, pendingRemoval: true }]);
  });

  it('DNS records go first, with exactly the values they have', async () => {
    disablingDistribution(0);
    const records = [
      {
        Name: 'pr-7.app.example.com.',
        Type: 'A' as const,
        AliasTarget: { HostedZoneId: 'Z2FDTNDATAQYW2', DNSName: 'd1.cloudfront.net.', EvaluateTargetHealth: false },
      },
      {
        Name: 'pr-7.app.example.com.',
        Type: 'AAAA' as const,
        AliasTarget: { HostedZoneId: 'Z2FDTNDATAQYW2', DNSName: 'd1.cloudfront.net.', EvaluateTargetHealth: false },
      },
    ];
    route53
      .on(ListResourceRecordSetsCommand)
      .resolves({ ResourceRecordSets: [...records, { Name: 'pr-70.app.example.com.', Type: 'A', AliasTarget: records[0]!.AliasTarget }] });
    await store().remove(7, false);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input.ChangeBatch?.Changes).toEqual(
      records.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })),
    );
  });

  it('a deploy waits until a new distribution is deployed before the link is given out', async () => {
    let polls = 0;
    cloudfront.on(GetDistributionCommand).callsFake(() => ({ Distribution: { Status: ++polls < 4 ? 'InProgress' : 'Deployed' } }));
    await store().ready({ number: 7, url: '', bucket: '', prefix: '', distributionId: ID, pathPrefix: '' });
    expect(polls).toBe(4);
    const slow = new DedicatedPreviewStore(SETTINGS, {
      s3: new S3Client({}),
      cloudfront: new CloudFrontClient({}),
      route53: new Route53Client({}),
      log: silentLogger,
      clock: fakeClock(),
      deployTimeoutMs: 60_000,
      removalWaitMs: PREVIEW_LIMITS.dedicated.removalWaitMs,
      pollMs: 10_000,
    });
    cloudfront.on(GetDistributionCommand).resolves({ Distribution: { Status: 'InProgress' } as never });
    await expect(slow.ready({ number: 7, url: '', bucket: '', prefix: '', distributionId: ID, pathPrefix: '' })).rejects.toThrow(
      /did not finish deploying within/,
    );
  });
});
