// The shared strategy: one bucket, one wildcard distribution for *.<domain> routed by the edge
// router (actions/pr-preview/router/README.md), and a prefix pr-{number}/ per pull request.
// A small record at pr-{number}/.slipway/preview.json says which repository owns the preview.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { isNotFound } from '../../aws/errors.js';
import { invalidate } from '../../cloudfront/invalidations.js';
import type { Logger } from '../../log/logger.js';
import { SLIPWAY_FOLDER } from '../../s3-sync/keys.js';
import type { Clock } from '../../util/clock.js';
import { plural } from '../../util/markdown.js';
import { numberOfSharedPrefix, previewUrl, sharedPathPrefix, sharedPrefix } from '../naming.js';
import { deletePrefix } from '../s3-objects.js';
import type { FoundPreview, PreviewSite, PreviewStore, Removal } from '../store.js';

export interface SharedStoreSettings {
  repository: string;
  domain: string;
  bucket: string;
  distributionId: string;
  /** How long the removal's invalidation may take. */
  invalidationTimeoutMs: number;
}

export interface SharedStoreDeps {
  s3: S3Client;
  cloudfront: CloudFrontClient;
  log: Logger;
  clock: Clock;
}

interface PreviewRecord {
  repository: string;
  number: number;
}

const RECORD = `${SLIPWAY_FOLDER}preview.json`;

export class SharedPreviewStore implements PreviewStore {
  readonly strategy = 'shared';

  constructor(
    private readonly settings: SharedStoreSettings,
    private readonly deps: SharedStoreDeps,
  ) {}

  locate(number: number): { bucket: string; prefix: string } {
    return { bucket: this.settings.bucket, prefix: sharedPrefix(number) };
  }

  private site(number: number): PreviewSite {
    const { domain, bucket, distributionId } = this.settings;
    return {
      number,
      url: previewUrl(domain, number),
      bucket,
      prefix: sharedPrefix(number),
      distributionId,
      pathPrefix: sharedPathPrefix(number),
    };
  }

  private async readRecord(prefix: string): Promise<PreviewRecord | undefined> {
    try {
      const response = await this.deps.s3.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: prefix + RECORD }));
      const parsed = JSON.parse((await response.Body?.transformToString('utf8')) ?? '') as Partial<PreviewRecord>;
      return typeof parsed.repository === 'string' && typeof parsed.number === 'number'
        ? { repository: parsed.repository, number: parsed.number }
        : undefined;
    } catch (error) {
      if (isNotFound(error) || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  /** Refuses a prefix another repository's preview holds (two repositories sharing one bucket). */
  private async checkOwner(number: number): Promise<boolean> {
    const record = await this.readRecord(sharedPrefix(number));
    if (record && record.repository !== this.settings.repository) {
      throw new Error(
        `s3://${this.settings.bucket}/${sharedPrefix(number)} holds a preview of ${record.repository}, not ${this.settings.repository}: give each repository its own previews bucket and domain`,
      );
    }
    return record !== undefined;
  }

  async prepare(number: number, dryRun: boolean): Promise<PreviewSite> {
    const site = this.site(number);
    const recorded = await this.checkOwner(number);
    // Written before the upload: a preview whose first deploy failed half-way is still found by the sweep.
    if (!recorded && !dryRun) {
      const record: PreviewRecord = { repository: this.settings.repository, number };
      await this.deps.s3.send(
        new PutObjectCommand({
          Bucket: site.bucket,
          Key: site.prefix + RECORD,
          Body: JSON.stringify(record),
          ContentType: 'application/json',
          CacheControl: 'no-store',
        }),
      );
    }
    return site;
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async remove(number: number, dryRun: boolean): Promise<Removal> {
    const site = this.site(number);
    await this.checkOwner(number);
    const deleted = await deletePrefix(this.deps.s3, site.bucket, site.prefix, dryRun);
    if (deleted === 0) return { found: false, steps: [] };
    const steps = [`${dryRun ? 'would delete' : 'deleted'} ${plural(deleted, 'object')} under s3://${site.bucket}/${site.prefix}`];
    if (!dryRun) {
      // Edges may still hold the pages; the router maps pr-N.<domain>/x to /pr-N/x before the cache.
      const [outcome] = await invalidate(
        {
          distributionIds: [site.distributionId],
          paths: [`${site.pathPrefix}/*`],
          wait: true,
          timeoutMs: this.settings.invalidationTimeoutMs,
        },
        { client: this.deps.cloudfront, log: this.deps.log, clock: this.deps.clock },
      );
      steps.push(
        `invalidated ${site.pathPrefix}/* on ${site.distributionId} (${outcome?.invalidations.map((i) => i.id).join(', ') ?? ''})`,
      );
    } else {
      steps.push(`would invalidate ${site.pathPrefix}/* on ${site.distributionId}`);
    }
    return { found: true, steps };
  }

  async list(): Promise<FoundPreview[]> {
    const found: FoundPreview[] = [];
    let token: string | undefined;
    do {
      const page = await this.deps.s3.send(
        new ListObjectsV2Command({ Bucket: this.settings.bucket, Delimiter: '/', ContinuationToken: token }),
      );
      for (const p of page.CommonPrefixes ?? []) {
        const number = numberOfSharedPrefix(p.Prefix ?? '');
        if (number === undefined) continue;
        const record = await this.readRecord(p.Prefix!);
        if (record?.repository === this.settings.repository)
          found.push({ number, where: `s3://${this.settings.bucket}/${p.Prefix!}`, pendingRemoval: false });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found.sort((a, b) => a.number - b.number);
  }
}
