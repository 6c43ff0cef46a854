// The dedicated strategy (the seed's design): per pull request a private bucket, an origin access
// control, a distribution with the alias pr-{number}.<domain>, and Route 53 alias records. Every
// resource is tagged with the repository and PR number; a second push finds and reuses them.
import {
  CreateDistributionWithTagsCommand,
  CreateOriginAccessControlCommand,
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
  type CloudFrontClient,
  type DistributionConfig,
  type DistributionSummary,
} from '@aws-sdk/client-cloudfront';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { errorCode, httpStatus } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';
import { formatDuration, type Clock } from '../util/clock.js';
import { plural } from '../util/markdown.js';
import { waitFor } from '../util/wait.js';
import { dedicatedBucket, numberOfBucket, previewHost, previewTags, previewUrl, TAG_DOMAIN, TAG_PENDING_DELETE, TAG_PR, TAG_REPOSITORY } from './naming.js';
import { deleteAllVersions } from './s3-objects.js';
import type { FoundPreview, PreviewSite, PreviewStore, Removal } from './store.js';

/**
 * AWS-managed policies: nothing to create or keep in step per preview ("Use managed cache policies",
 * CloudFront developer guide). UseOriginCacheControlHeaders has a minimum TTL of 0, so pages sent
 * with max-age=0 are never served stale, and compresses (CachingDisabled does not: a minimum,
 * default and maximum TTL of 0 turn compression off).
 */
export const MANAGED_POLICY = {
  useOriginCacheControlHeaders: '83da9c7e-98b4-4e11-a168-04f0df8e2c65',
  cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  securityHeaders: '67f7725c-6f97-4210-82d7-5512b31e9d03',
} as const;

/** The hosted zone of every CloudFront distribution, for alias records. */
export const CLOUDFRONT_ZONE = 'Z2FDTNDATAQYW2';

export interface DedicatedStoreSettings {
  repository: string;
  domain: string;
  bucketTemplate: string;
  certificateArn: string;
  hostedZoneId: string;
  priceClass: string;
  /** The buckets' region. */
  region: string;
  /** The edge router's function (LIVE): it routes the preview, instead of error responses. */
  routerFunctionArn?: string;
}

export interface DedicatedStoreDeps {
  s3: S3Client;
  cloudfront: CloudFrontClient;
  route53: Route53Client;
  log: Logger;
  clock: Clock;
  /** How long a new distribution may take to deploy before the deploy fails (default 30 min). */
  deployTimeoutMs?: number;
  /** How long cleanup waits for a disabled distribution before leaving it to the sweep (default 5 min). */
  removalWaitMs?: number;
  pollMs?: number;
}

interface Distribution {
  id: string;
  arn: string;
  domainName: string;
  enabled: boolean;
}

/**
 * The distribution of one preview: private S3 origin, HTML never cached, assets for a year. With the
 * edge router, every behaviour runs it (clean URLs, SPA fallback only for routes, 404.html) and
 * there are no error responses; without it, 403/404 fall back to /index.html as before.
 */
export function distributionConfig(s: DedicatedStoreSettings, number: number, originAccessControlId: string, callerReference: string): DistributionConfig {
  const bucket = dedicatedBucket(s.bucketTemplate, number);
  const router = s.routerFunctionArn;
  const functions = router ? { FunctionAssociations: { Quantity: 2, Items: [{ EventType: 'viewer-request' as const, FunctionARN: router }, { EventType: 'viewer-response' as const, FunctionARN: router }] } } : {};
  const behaviour = (cachePolicyId: string) => ({
    ...functions,
    TargetOriginId: 's3',
    ViewerProtocolPolicy: 'redirect-to-https' as const,
    Compress: true,
    CachePolicyId: cachePolicyId,
    ResponseHeadersPolicyId: MANAGED_POLICY.securityHeaders,
    AllowedMethods: { Quantity: 2, Items: ['GET' as const, 'HEAD' as const], CachedMethods: { Quantity: 2, Items: ['GET' as const, 'HEAD' as const] } },
  });
  const spaFallback = (code: number) => ({ ErrorCode: code, ResponsePagePath: '/index.html', ResponseCode: '200', ErrorCachingMinTTL: 0 });
  return {
    CallerReference: callerReference,
    Comment: `Slipway preview of ${s.repository} PR #${number}`.slice(0, 128),
    Enabled: true,
    Aliases: { Quantity: 1, Items: [previewHost(s.domain, number)] },
    DefaultRootObject: 'index.html',
    Origins: {
      Quantity: 1,
      Items: [{
        Id: 's3',
        DomainName: `${bucket}.s3.${s.region}.amazonaws.com`,
        OriginAccessControlId: originAccessControlId,
        S3OriginConfig: { OriginAccessIdentity: '' },
      }],
    },
    DefaultCacheBehavior: behaviour(MANAGED_POLICY.useOriginCacheControlHeaders),
    CacheBehaviors: { Quantity: 1, Items: [{ PathPattern: 'assets/*', ...behaviour(MANAGED_POLICY.cachingOptimized) }] },
    CustomErrorResponses: router ? { Quantity: 0, Items: [] } : { Quantity: 2, Items: [spaFallback(403), spaFallback(404)] },
    PriceClass: s.priceClass as DistributionConfig['PriceClass'],
    ViewerCertificate: { ACMCertificateArn: s.certificateArn, SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
    HttpVersion: 'http2and3',
    IsIPV6Enabled: true,
  };
}

/**
 * Only this distribution may read the bucket. (Its .slipway/manifest.json is readable through the
 * distribution, as deploy-static's is: it holds object names, ETags and headers, nothing secret.)
 */
export function bucketPolicy(bucket: string, distributionArn: string): string {
  const principal = { Service: 'cloudfront.amazonaws.com' };
  const condition = { StringEquals: { 'AWS:SourceArn': distributionArn } };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'SlipwayPreviewRead', Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*`, Condition: condition },
    ],
  });
}

const oacName = (domain: string, number: number) => previewHost(domain, number).slice(0, 64);

/**
 * Runs a request whose retry (after a response lost on the way back) would be answered with one
 * of `doneCodes` because the first attempt already did it: that answer counts as success.
 */
async function idempotent(send: () => Promise<unknown>, ...doneCodes: string[]): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (!doneCodes.includes(errorCode(error))) throw error;
  }
}

export class DedicatedPreviewStore implements PreviewStore {
  readonly strategy = 'dedicated';

  constructor(
    private readonly settings: DedicatedStoreSettings,
    private readonly deps: DedicatedStoreDeps,
  ) {}

  private tags(number: number): { Key: string; Value: string }[] {
    return Object.entries(previewTags(this.settings.repository, this.settings.domain, number)).map(([Key, Value]) => ({ Key, Value }));
  }

  // ── finding ────────────────────────────────────────────────────────────────────────────────

  /** undefined: no such bucket. Throws when it exists but is not this preview's. */
  private async bucketState(bucket: string, number: number): Promise<'ours' | undefined> {
    try {
      await this.deps.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if (httpStatus(error) === 404 || errorCode(error) === 'NotFound' || errorCode(error) === 'NoSuchBucket') return undefined;
      if (httpStatus(error) === 403) throw new Error(`bucket ${bucket} exists but belongs to another account (or this role may not read it): choose another bucket template`, { cause: error });
      throw error;
    }
    let tags: Record<string, string> = {};
    try {
      const response = await this.deps.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
      tags = Object.fromEntries((response.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (error) {
      if (errorCode(error) !== 'NoSuchTagSet') throw error;
    }
    if (tags[TAG_REPOSITORY] !== this.settings.repository || tags[TAG_PR] !== String(number)) {
      throw new Error(`bucket ${bucket} exists but is not tagged as the preview of ${this.settings.repository} PR #${number} (${TAG_REPOSITORY}=${tags[TAG_REPOSITORY] ?? 'none'}, ${TAG_PR}=${tags[TAG_PR] ?? 'none'}): Slipway does not touch buckets it did not create`);
    }
    return 'ours';
  }

  private async distributionTags(arn: string): Promise<Record<string, string>> {
    const response = await this.deps.cloudfront.send(new ListTagsForResourceCommand({ Resource: arn }));
    return Object.fromEntries((response.Tags?.Items ?? []).map((t): [string, string] => [t.Key ?? '', t.Value ?? '']));
  }

  private async allDistributions(): Promise<DistributionSummary[]> {
    const all: DistributionSummary[] = [];
    let marker: string | undefined;
    do {
      const { DistributionList: list } = await this.deps.cloudfront.send(new ListDistributionsCommand({ Marker: marker }));
      all.push(...(list?.Items ?? []));
      marker = list?.IsTruncated ? list.NextMarker : undefined;
    } while (marker);
    return all;
  }

  /**
   * The distribution tagged as this PR's preview. Summaries whose aliases show another host are
   * skipped without a tag lookup; one without aliases listed is checked by its tags.
   */
  private async findDistribution(number: number): Promise<Distribution | undefined> {
    const host = previewHost(this.settings.domain, number);
    for (const summary of await this.allDistributions()) {
      const aliases = summary.Aliases?.Items;
      if (!summary.Id || !summary.ARN || (aliases !== undefined && !aliases.some((a) => a.toLowerCase() === host))) continue;
      const tags = await this.distributionTags(summary.ARN);
      const ours = tags[TAG_REPOSITORY] === this.settings.repository && tags[TAG_PR] === String(number) && tags[TAG_DOMAIN] === this.settings.domain;
      if (!ours) {
        if (aliases !== undefined) throw new Error(`distribution ${summary.Id} serves ${host} but is not tagged as the preview of ${this.settings.repository} PR #${number}: Slipway does not touch distributions it did not create`);
        continue;
      }
      const { Distribution: d } = await this.deps.cloudfront.send(new GetDistributionCommand({ Id: summary.Id }));
      return { id: summary.Id, arn: summary.ARN, domainName: d?.DomainName ?? '', enabled: d?.DistributionConfig?.Enabled ?? false };
    }
    return undefined;
  }

  private async findOriginAccessControl(number: number): Promise<string | undefined> {
    const name = oacName(this.settings.domain, number);
    let marker: string | undefined;
    do {
      const { OriginAccessControlList: list } = await this.deps.cloudfront.send(new ListOriginAccessControlsCommand({ Marker: marker }));
      const hit = list?.Items?.find((o) => o.Name === name);
      if (hit?.Id) return hit.Id;
      marker = list?.IsTruncated ? list.NextMarker : undefined;
    } while (marker);
    return undefined;
  }

  private async aliasRecords(number: number): Promise<ResourceRecordSet[]> {
    const name = `${previewHost(this.settings.domain, number)}.`;
    const response = await this.deps.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: this.settings.hostedZoneId, StartRecordName: name, StartRecordType: 'A', MaxItems: 4 }));
    return (response.ResourceRecordSets ?? []).filter((r) => r.Name?.toLowerCase() === name && (r.Type === 'A' || r.Type === 'AAAA') && r.AliasTarget);
  }

  // ── creating ───────────────────────────────────────────────────────────────────────────────

  /** Creates the bucket if needed, and (re)applies its settings every time, so a cut-short creation converges. */
  private async ensureBucket(bucket: string, number: number): Promise<void> {
    const { s3, log } = this.deps;
    if ((await this.bucketState(bucket, number)) === undefined) {
      log.info(`creating bucket ${bucket}`);
      const location = this.settings.region === 'us-east-1' ? undefined : { LocationConstraint: this.settings.region as BucketLocationConstraint };
      await idempotent(() => s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: 'BucketOwnerEnforced', ...(location ? { CreateBucketConfiguration: location } : {}) })), 'BucketAlreadyOwnedByYou');
      await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: this.tags(number) } }));
    }
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }));
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    // No versioning: a preview is rebuilt from its branch, so old versions buy nothing, and right
    // after versioning is first enabled S3 may answer 404 for new objects for a while (S3 user guide,
    // "Enabling versioning on buckets": wait 15 minutes before writes) — a first preview would serve
    // missing assets. Buckets an older release versioned are still emptied version by version.
  }

  private async ensureOriginAccessControl(number: number): Promise<string> {
    const existing = await this.findOriginAccessControl(number);
    if (existing) return existing;
    const create = () => this.deps.cloudfront.send(new CreateOriginAccessControlCommand({
      OriginAccessControlConfig: {
        Name: oacName(this.settings.domain, number),
        Description: `Slipway preview of ${this.settings.repository} PR #${number}`.slice(0, 256),
        SigningProtocol: 'sigv4',
        SigningBehavior: 'always',
        OriginAccessControlOriginType: 's3',
      },
    }));
    let id: string | undefined;
    try {
      id = (await create()).OriginAccessControl?.Id;
    } catch (error) {
      // A retried create whose first attempt succeeded: the name is taken, by us.
      if (errorCode(error) !== 'OriginAccessControlAlreadyExists') throw error;
      id = await this.findOriginAccessControl(number);
    }
    if (!id) throw new Error('CloudFront created an origin access control without an id');
    return id;
  }

  private async ensureDistribution(number: number, oacId: string): Promise<Distribution> {
    const { cloudfront, log } = this.deps;
    const existing = await this.findDistribution(number);
    if (existing) {
      if (!existing.enabled) {
        // Disabled by a cleanup whose deletion was still pending; the PR was reopened.
        log.info(`re-enabling distribution ${existing.id}`);
        const { DistributionConfig: config, ETag } = await cloudfront.send(new GetDistributionConfigCommand({ Id: existing.id }));
        await cloudfront.send(new UpdateDistributionCommand({ Id: existing.id, IfMatch: ETag, DistributionConfig: { ...config!, Enabled: true } }));
        await cloudfront.send(new TagResourceCommand({ Resource: existing.arn, Tags: { Items: [{ Key: TAG_PENDING_DELETE, Value: 'false' }] } }));
      }
      return { ...existing, enabled: true };
    }
    log.info(`creating distribution for ${previewHost(this.settings.domain, number)}`);
    const callerReference = `slipway ${this.settings.repository}#${number} ${new Date(this.deps.clock.now()).toISOString()}`.slice(0, 128);
    let response;
    try {
      response = await cloudfront.send(new CreateDistributionWithTagsCommand({
        DistributionConfigWithTags: { DistributionConfig: distributionConfig(this.settings, number, oacId, callerReference), Tags: { Items: this.tags(number) } },
      }));
    } catch (error) {
      // A retry after a lost response: the first attempt created it (CloudFront API reference,
      // CreateDistributionWithTags: DistributionAlreadyExists). It is tagged as ours: find it.
      if (errorCode(error) !== 'DistributionAlreadyExists') throw error;
      const created = await this.poll('the distribution the first attempt created to be listed', 60_000, () => this.findDistribution(number));
      if (!created) throw new Error(`CloudFront says the distribution for ${previewHost(this.settings.domain, number)} exists, but none tagged as this preview was found`, { cause: error });
      log.info(`distribution ${created.id} was created by an earlier attempt of this request`);
      return created;
    }
    const d = response.Distribution;
    if (!d?.Id || !d.ARN) throw new Error('CloudFront created a distribution without an id');
    return { id: d.Id, arn: d.ARN, domainName: d.DomainName ?? '', enabled: true };
  }

  private async upsertAlias(number: number, distribution: Distribution): Promise<string | undefined> {
    const name = `${previewHost(this.settings.domain, number)}.`;
    const target = `${distribution.domainName}.`;
    const current = await this.aliasRecords(number);
    if (current.length === 2 && current.every((r) => r.AliasTarget?.DNSName?.toLowerCase() === target.toLowerCase())) return undefined;
    const changes: Change[] = (['A', 'AAAA'] as const).map((type) => ({
      Action: 'UPSERT',
      ResourceRecordSet: { Name: name, Type: type, AliasTarget: { HostedZoneId: CLOUDFRONT_ZONE, DNSName: target, EvaluateTargetHealth: false } },
    }));
    const response = await this.deps.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: this.settings.hostedZoneId, ChangeBatch: { Comment: `Slipway preview ${this.settings.repository}#${number}`, Changes: changes } }));
    return response.ChangeInfo?.Id;
  }

  // Which change the DNS is waiting for, per PR, between prepare() and ready().
  private readonly pendingDns = new Map<number, string>();

  async prepare(number: number, dryRun: boolean): Promise<PreviewSite> {
    const bucket = dedicatedBucket(this.settings.bucketTemplate, number);
    const site: PreviewSite = { number, url: previewUrl(this.settings.domain, number), bucket, prefix: '', distributionId: '', pathPrefix: '' };
    if (dryRun) {
      const known = await this.findDistribution(number);
      const exists = (await this.bucketState(bucket, number)) !== undefined;
      if (!exists || !known) this.deps.log.info(`would create${exists ? '' : ` bucket ${bucket},`}${known ? '' : ' an origin access control, a distribution and DNS records'}`);
      return { ...site, distributionId: known?.id ?? '' };
    }
    return this.deps.log.group(`Preview infrastructure for ${previewHost(this.settings.domain, number)}`, async () => {
      await this.ensureBucket(bucket, number);
      const oac = await this.ensureOriginAccessControl(number);
      const distribution = await this.ensureDistribution(number, oac);
      await this.deps.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: bucketPolicy(bucket, distribution.arn) }));
      const change = await this.upsertAlias(number, distribution);
      if (change) this.pendingDns.set(number, change);
      this.deps.log.info(`bucket ${bucket}, origin access control ${oac}, distribution ${distribution.id} (${distribution.domainName})`);
      return { ...site, distributionId: distribution.id };
    });
  }

  private async poll<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T | undefined> {
    const { clock, log } = this.deps;
    const every = this.deps.pollMs ?? 15_000;
    return waitFor({ clock, every, deadline: clock.now() + timeoutMs, last: 'at-deadline', check, describe: () => log.info(`waiting for ${what}`) });
  }

  private async isDeployed(id: string): Promise<{ etag: string } | undefined> {
    const { Distribution: d, ETag } = await this.deps.cloudfront.send(new GetDistributionCommand({ Id: id }));
    return d?.Status?.toLowerCase() === 'deployed' ? { etag: ETag ?? '' } : undefined;
  }

  async ready(site: PreviewSite): Promise<void> {
    const timeout = this.deps.deployTimeoutMs ?? 30 * 60_000;
    const deployed = await this.poll(`distribution ${site.distributionId} to deploy`, timeout, () => this.isDeployed(site.distributionId));
    if (!deployed) throw new Error(`distribution ${site.distributionId} did not finish deploying within ${formatDuration(timeout)}; the next push (or a re-run) picks it up`);
    const change = this.pendingDns.get(site.number);
    if (change) {
      const synced = await this.poll('the DNS records to be in sync', timeout, async () => {
        const response = await this.deps.route53.send(new GetChangeCommand({ Id: change }));
        return response.ChangeInfo?.Status === 'INSYNC' ? true : undefined;
      });
      if (!synced) throw new Error(`Route 53 change ${change} was not in sync within ${formatDuration(timeout)}`);
      this.pendingDns.delete(site.number);
    }
  }

  // ── removing ───────────────────────────────────────────────────────────────────────────────

  async remove(number: number, dryRun: boolean): Promise<Removal> {
    const { s3, cloudfront, route53, log } = this.deps;
    const bucket = dedicatedBucket(this.settings.bucketTemplate, number);
    const verb = (done: string, planned: string) => (dryRun ? planned : done);
    const steps: string[] = [];

    // DNS first: nothing keeps pointing at a preview being taken down.
    const records = await this.aliasRecords(number);
    if (records.length > 0) {
      if (!dryRun) {
        try {
          await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: this.settings.hostedZoneId, ChangeBatch: { Changes: records.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })) } }));
        } catch (error) {
          // A retried delete whose first attempt went through finds nothing to delete.
          if (errorCode(error) !== 'InvalidChangeBatch' || (await this.aliasRecords(number)).length > 0) throw error;
        }
      }
      steps.push(`${verb('deleted', 'would delete')} DNS records ${records.map((r) => `${r.Type} ${r.Name ?? ''}`).join(', ')}`);
    }

    const distribution = await this.findDistribution(number);
    if (distribution?.enabled) {
      if (!dryRun) {
        const { DistributionConfig: config, ETag } = await cloudfront.send(new GetDistributionConfigCommand({ Id: distribution.id }));
        try {
          await cloudfront.send(new UpdateDistributionCommand({ Id: distribution.id, IfMatch: ETag, DistributionConfig: { ...config!, Enabled: false } }));
        } catch (error) {
          // A retried update whose first attempt went through: the ETag moved on, and it is disabled.
          const now = errorCode(error) === 'PreconditionFailed' ? await cloudfront.send(new GetDistributionConfigCommand({ Id: distribution.id })) : undefined;
          if (now?.DistributionConfig?.Enabled !== false) throw error;
        }
        await cloudfront.send(new TagResourceCommand({ Resource: distribution.arn, Tags: { Items: [{ Key: TAG_PENDING_DELETE, Value: 'true' }] } }));
      }
      steps.push(`${verb('disabled', 'would disable')} distribution ${distribution.id}`);
    }

    if ((await this.bucketState(bucket, number)) !== undefined) {
      const versions = await deleteAllVersions(s3, bucket, dryRun);
      if (!dryRun) await idempotent(() => s3.send(new DeleteBucketCommand({ Bucket: bucket })), 'NoSuchBucket');
      steps.push(`${verb('deleted', 'would delete')} bucket ${bucket} and its ${plural(versions, 'object version')}`);
    }

    let pendingDistribution: string | undefined;
    if (distribution) {
      if (dryRun) {
        steps.push(`would delete distribution ${distribution.id} once it is deployed disabled`);
      } else {
        // CloudFront refuses to delete a distribution until it is disabled and deployed.
        const wait = this.deps.removalWaitMs ?? 5 * 60_000;
        const deployed = await this.poll(`distribution ${distribution.id} to finish disabling`, wait, () => this.isDeployed(distribution.id));
        if (deployed) {
          await idempotent(() => cloudfront.send(new DeleteDistributionCommand({ Id: distribution.id, IfMatch: deployed.etag })), 'NoSuchDistribution');
          steps.push(`deleted distribution ${distribution.id}`);
        } else {
          pendingDistribution = distribution.id;
          steps.push(`left distribution ${distribution.id} disabled and tagged ${TAG_PENDING_DELETE}: it was still deploying after ${formatDuration(wait)}, the sweep deletes it`);
        }
      }
    }

    // The origin access control can go only once no distribution uses it.
    if (!pendingDistribution) {
      const oac = await this.findOriginAccessControl(number);
      if (oac) {
        if (!dryRun) {
          const { ETag } = await cloudfront.send(new GetOriginAccessControlCommand({ Id: oac }));
          await idempotent(() => cloudfront.send(new DeleteOriginAccessControlCommand({ Id: oac, IfMatch: ETag })), 'NoSuchOriginAccessControl');
        }
        steps.push(`${verb('deleted', 'would delete')} origin access control ${oac}`);
      }
    }
    if (steps.length > 0) log.info(steps.join('\n'));
    return { found: steps.length > 0, steps, ...(pendingDistribution ? { pendingDistribution } : {}) };
  }

  async list(): Promise<FoundPreview[]> {
    const found = new Map<number, FoundPreview>();
    const { Buckets: buckets } = await this.deps.s3.send(new ListBucketsCommand({}));
    for (const b of buckets ?? []) {
      const number = b.Name ? numberOfBucket(b.Name, this.settings.bucketTemplate) : undefined;
      if (number === undefined) continue;
      try {
        await this.bucketState(b.Name!, number);
        found.set(number, { number, where: `s3://${b.Name!}`, pendingRemoval: false });
      } catch {
        // Not ours: a bucket that only happens to match the template.
      }
    }
    for (const d of await this.allDistributions()) {
      if (!d.ARN || d.Aliases?.Items?.some((a) => a.toLowerCase().endsWith(`.${this.settings.domain}`)) === false) continue;
      const tags = await this.distributionTags(d.ARN);
      const number = Number(tags[TAG_PR]);
      if (tags[TAG_REPOSITORY] !== this.settings.repository || tags[TAG_DOMAIN] !== this.settings.domain || !Number.isInteger(number) || number < 1) continue;
      const pending = tags[TAG_PENDING_DELETE] === 'true';
      const known = found.get(number);
      found.set(number, { number, where: known ? `${known.where}, ${d.Id ?? ''}` : (d.Id ?? ''), pendingRemoval: pending && !known });
    }
    return [...found.values()].sort((a, b) => a.number - b.number);
  }
}
