// A dedicated preview's bucket: private, owned by the bucket owner, tagged as the PR's preview,
// readable only by the preview's distribution; emptied version by version and deleted with it.
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
} from '@aws-sdk/client-s3';
import { errorCode, httpStatus } from '../../../aws/errors.js';
import { plural } from '../../../util/markdown.js';
import { dedicatedBucket, numberOfBucket, TAG_PR, TAG_REPOSITORY } from '../../naming.js';
import { deleteAllVersions } from '../../s3-objects.js';
import type { FoundPreview } from '../../store.js';
import { idempotent, resourceTags, verb } from './calls.js';
import type { DedicatedStoreDeps, DedicatedStoreSettings } from './config.js';

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
      {
        Sid: 'SlipwayPreviewRead',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: condition,
      },
    ],
  });
}

export class PreviewBuckets {
  constructor(
    private readonly settings: DedicatedStoreSettings,
    private readonly deps: DedicatedStoreDeps,
  ) {}

  /** The PR's bucket name. */
  name(number: number): string {
    return dedicatedBucket(this.settings.bucketTemplate, number);
  }

  /** undefined: no such bucket. Throws when it exists but is not this preview's. */
  async state(bucket: string, number: number): Promise<'ours' | undefined> {
    if (!(await this.exists(bucket))) return undefined;
    const tags = await this.tags(bucket);
    if (tags[TAG_REPOSITORY] !== this.settings.repository || tags[TAG_PR] !== String(number)) {
      throw new Error(
        `bucket ${bucket} exists but is not tagged as the preview of ${this.settings.repository} PR #${number} (${TAG_REPOSITORY}=${tags[TAG_REPOSITORY] ?? 'none'}, ${TAG_PR}=${tags[TAG_PR] ?? 'none'}): Slipway does not touch buckets it did not create`,
      );
    }
    return 'ours';
  }

  private async exists(bucket: string): Promise<boolean> {
    try {
      await this.deps.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (error) {
      if (httpStatus(error) === 404 || errorCode(error) === 'NotFound' || errorCode(error) === 'NoSuchBucket') return false;
      if (httpStatus(error) === 403)
        throw new Error(
          `bucket ${bucket} exists but belongs to another account (or this role may not read it): choose another bucket template`,
          { cause: error },
        );
      throw error;
    }
  }

  private async tags(bucket: string): Promise<Record<string, string>> {
    try {
      const response = await this.deps.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
      return Object.fromEntries((response.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (error) {
      if (errorCode(error) !== 'NoSuchTagSet') throw error;
      return {};
    }
  }

  /** Creates the bucket if needed, and (re)applies its settings every time, so a cut-short creation converges. */
  async ensure(bucket: string, number: number): Promise<void> {
    const { s3, log } = this.deps;
    if ((await this.state(bucket, number)) === undefined) {
      log.info(`creating bucket ${bucket}`);
      const location =
        this.settings.region === 'us-east-1' ? undefined : { LocationConstraint: this.settings.region as BucketLocationConstraint };
      await idempotent(
        () =>
          s3.send(
            new CreateBucketCommand({
              Bucket: bucket,
              ObjectOwnership: 'BucketOwnerEnforced',
              ...(location ? { CreateBucketConfiguration: location } : {}),
            }),
          ),
        'BucketAlreadyOwnedByYou',
      );
      await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: resourceTags(this.settings, number) } }));
    }
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    await s3.send(
      new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }),
    );
    // No versioning: a preview is rebuilt from its branch, so old versions buy nothing, and right
    // after versioning is first enabled S3 may answer 404 for new objects for a while (S3 user guide,
    // "Enabling versioning on buckets": wait 15 minutes before writes) — a first preview would serve
    // missing assets. Buckets an older release versioned are still emptied version by version.
  }

  /** Lets only `distributionArn` read the bucket. */
  async grantRead(bucket: string, distributionArn: string): Promise<void> {
    await this.deps.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: bucketPolicy(bucket, distributionArn) }));
  }

  /** Empties and deletes the PR's bucket; the step said, or undefined when there was none. */
  async remove(number: number, dryRun: boolean): Promise<string | undefined> {
    const bucket = this.name(number);
    if ((await this.state(bucket, number)) === undefined) return undefined;
    const versions = await deleteAllVersions(this.deps.s3, bucket, dryRun);
    if (!dryRun) await idempotent(() => this.deps.s3.send(new DeleteBucketCommand({ Bucket: bucket })), 'NoSuchBucket');
    return `${verb(dryRun, 'deleted', 'would delete')} bucket ${bucket} and its ${plural(versions, 'object version')}`;
  }

  /** The previews whose bucket this repository owns (a bucket that only matches the template is skipped). */
  async list(): Promise<FoundPreview[]> {
    const found: FoundPreview[] = [];
    const { Buckets: buckets } = await this.deps.s3.send(new ListBucketsCommand({}));
    for (const b of buckets ?? []) {
      const number = b.Name ? numberOfBucket(b.Name, this.settings.bucketTemplate) : undefined;
      if (number === undefined) continue;
      try {
        await this.state(b.Name!, number);
        found.push({ number, where: `s3://${b.Name!}`, pendingRemoval: false });
      } catch {
        // Not ours: a bucket that only happens to match the template.
      }
    }
    return found;
  }
}
