// A dedicated preview's distribution and the origin access control it reads the bucket with:
// found by their tags (or name), created once, re-enabled when a PR is reopened, disabled and
// deleted once CloudFront has deployed them disabled.
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
  type DistributionSummary,
} from '@aws-sdk/client-cloudfront';
import { errorCode, isPreconditionFailed } from '../../../aws/errors.js';
import { formatDuration } from '../../../util/clock.js';
import { previewHost, TAG_DOMAIN, TAG_PENDING_DELETE, TAG_PR, TAG_REPOSITORY } from '../../naming.js';
import { idempotent, poll, resourceTags, verb } from './calls.js';
import { distributionConfig, type DedicatedStoreDeps, type DedicatedStoreSettings } from './config.js';

export interface Distribution {
  id: string;
  arn: string;
  domainName: string;
  enabled: boolean;
}

/** A distribution of this repository's previews, as the sweep finds it. */
export interface TaggedDistribution {
  number: number;
  id: string;
  pendingDelete: boolean;
}

/** How deleting a distribution ended: deleted, or left disabled for the sweep. */
export interface Deletion {
  step: string;
  /** The distribution left disabled for the sweep, when it was still deploying. */
  pendingDistribution?: string;
}

const oacName = (domain: string, number: number) => previewHost(domain, number).slice(0, 64);

export class PreviewDistributions {
  constructor(
    private readonly settings: DedicatedStoreSettings,
    private readonly deps: DedicatedStoreDeps,
  ) {}

  // ── finding ────────────────────────────────────────────────────────────────────────────────

  private async tags(arn: string): Promise<Record<string, string>> {
    const response = await this.deps.cloudfront.send(new ListTagsForResourceCommand({ Resource: arn }));
    return Object.fromEntries((response.Tags?.Items ?? []).map((t): [string, string] => [t.Key ?? '', t.Value ?? '']));
  }

  private async all(): Promise<DistributionSummary[]> {
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
  async find(number: number): Promise<Distribution | undefined> {
    const host = previewHost(this.settings.domain, number);
    for (const summary of await this.all()) {
      const aliases = summary.Aliases?.Items;
      if (!summary.Id || !summary.ARN || (aliases !== undefined && !aliases.some((a) => a.toLowerCase() === host))) continue;
      const tags = await this.tags(summary.ARN);
      const ours =
        tags[TAG_REPOSITORY] === this.settings.repository && tags[TAG_PR] === String(number) && tags[TAG_DOMAIN] === this.settings.domain;
      if (!ours) {
        if (aliases !== undefined)
          throw new Error(
            `distribution ${summary.Id} serves ${host} but is not tagged as the preview of ${this.settings.repository} PR #${number}: Slipway does not touch distributions it did not create`,
          );
        continue;
      }
      const { Distribution: d } = await this.deps.cloudfront.send(new GetDistributionCommand({ Id: summary.Id }));
      return { id: summary.Id, arn: summary.ARN, domainName: d?.DomainName ?? '', enabled: d?.DistributionConfig?.Enabled ?? false };
    }
    return undefined;
  }

  /** Every distribution tagged as a preview of this repository and domain. */
  async list(): Promise<TaggedDistribution[]> {
    const found: TaggedDistribution[] = [];
    for (const d of await this.all()) {
      if (!d.ARN || d.Aliases?.Items?.some((a) => a.toLowerCase().endsWith(`.${this.settings.domain}`)) === false) continue;
      const tags = await this.tags(d.ARN);
      const number = Number(tags[TAG_PR]);
      if (
        tags[TAG_REPOSITORY] !== this.settings.repository ||
        tags[TAG_DOMAIN] !== this.settings.domain ||
        !Number.isInteger(number) ||
        number < 1
      )
        continue;
      found.push({ number, id: d.Id ?? '', pendingDelete: tags[TAG_PENDING_DELETE] === 'true' });
    }
    return found;
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

  // ── creating ───────────────────────────────────────────────────────────────────────────────

  async ensureOriginAccessControl(number: number): Promise<string> {
    const existing = await this.findOriginAccessControl(number);
    if (existing) return existing;
    const create = () =>
      this.deps.cloudfront.send(
        new CreateOriginAccessControlCommand({
          OriginAccessControlConfig: {
            Name: oacName(this.settings.domain, number),
            Description: `Slipway preview of ${this.settings.repository} PR #${number}`.slice(0, 256),
            SigningProtocol: 'sigv4',
            SigningBehavior: 'always',
            OriginAccessControlOriginType: 's3',
          },
        }),
      );
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

  /** The PR's distribution, enabled: found (and re-enabled if a cleanup had disabled it) or created. */
  async ensure(number: number, oacId: string): Promise<Distribution> {
    const existing = await this.find(number);
    if (existing) {
      if (!existing.enabled) await this.reEnable(existing);
      return { ...existing, enabled: true };
    }
    return this.create(number, oacId);
  }

  /** Disabled by a cleanup whose deletion was still pending; the PR was reopened. */
  private async reEnable(distribution: Distribution): Promise<void> {
    const { cloudfront, log } = this.deps;
    log.info(`re-enabling distribution ${distribution.id}`);
    const { DistributionConfig: config, ETag } = await cloudfront.send(new GetDistributionConfigCommand({ Id: distribution.id }));
    await cloudfront.send(
      new UpdateDistributionCommand({ Id: distribution.id, IfMatch: ETag, DistributionConfig: { ...config!, Enabled: true } }),
    );
    await cloudfront.send(
      new TagResourceCommand({ Resource: distribution.arn, Tags: { Items: [{ Key: TAG_PENDING_DELETE, Value: 'false' }] } }),
    );
  }

  private async create(number: number, oacId: string): Promise<Distribution> {
    const { cloudfront, log } = this.deps;
    log.info(`creating distribution for ${previewHost(this.settings.domain, number)}`);
    const callerReference = `slipway ${this.settings.repository}#${number} ${new Date(this.deps.clock.now()).toISOString()}`.slice(0, 128);
    let response;
    try {
      response = await cloudfront.send(
        new CreateDistributionWithTagsCommand({
          DistributionConfigWithTags: {
            DistributionConfig: distributionConfig(this.settings, number, oacId, callerReference),
            Tags: { Items: resourceTags(this.settings, number) },
          },
        }),
      );
    } catch (error) {
      // A retry after a lost response: the first attempt created it (CloudFront API reference,
      // CreateDistributionWithTags: DistributionAlreadyExists). It is tagged as ours: find it.
      if (errorCode(error) !== 'DistributionAlreadyExists') throw error;
      const created = await poll(this.deps, 'the distribution the first attempt created to be listed', 60_000, () => this.find(number));
      if (!created)
        throw new Error(
          `CloudFront says the distribution for ${previewHost(this.settings.domain, number)} exists, but none tagged as this preview was found`,
          { cause: error },
        );
      log.info(`distribution ${created.id} was created by an earlier attempt of this request`);
      return created;
    }
    const d = response.Distribution;
    if (!d?.Id || !d.ARN) throw new Error('CloudFront created a distribution without an id');
    return { id: d.Id, arn: d.ARN, domainName: d.DomainName ?? '', enabled: true };
  }

  private async isDeployed(id: string): Promise<{ etag: string } | undefined> {
    const { Distribution: d, ETag } = await this.deps.cloudfront.send(new GetDistributionCommand({ Id: id }));
    return d?.Status?.toLowerCase() === 'deployed' ? { etag: ETag ?? '' } : undefined;
  }

  /** Waits until the distribution is deployed; throws after `timeoutMs`. */
  async waitUntilDeployed(id: string, timeoutMs: number): Promise<void> {
    const deployed = await poll(this.deps, `distribution ${id} to deploy`, timeoutMs, () => this.isDeployed(id));
    if (!deployed)
      throw new Error(
        `distribution ${id} did not finish deploying within ${formatDuration(timeoutMs)}; the next push (or a re-run) picks it up`,
      );
  }

  // ── removing ───────────────────────────────────────────────────────────────────────────────

  /** Disables the distribution and tags it pending deletion (the sweep's mark, should the deletion not finish). */
  async disable(distribution: Distribution, dryRun: boolean): Promise<string> {
    if (!dryRun) {
      const { cloudfront } = this.deps;
      const { DistributionConfig: config, ETag } = await cloudfront.send(new GetDistributionConfigCommand({ Id: distribution.id }));
      try {
        await cloudfront.send(
          new UpdateDistributionCommand({ Id: distribution.id, IfMatch: ETag, DistributionConfig: { ...config!, Enabled: false } }),
        );
      } catch (error) {
        // A retried update whose first attempt went through: the ETag moved on, and it is disabled.
        const now = isPreconditionFailed(error)
          ? await cloudfront.send(new GetDistributionConfigCommand({ Id: distribution.id }))
          : undefined;
        if (now?.DistributionConfig?.Enabled !== false) throw error;
      }
      await cloudfront.send(
        new TagResourceCommand({ Resource: distribution.arn, Tags: { Items: [{ Key: TAG_PENDING_DELETE, Value: 'true' }] } }),
      );
    }
    return `${verb(dryRun, 'disabled', 'would disable')} distribution ${distribution.id}`;
  }

  /**
   * Deletes a disabled distribution once CloudFront has deployed it so (it refuses before); one
   * still deploying after `waitMs` is left, tagged, for the sweep.
   */
  async delete(distribution: Distribution, dryRun: boolean, waitMs: number): Promise<Deletion> {
    if (dryRun) return { step: `would delete distribution ${distribution.id} once it is deployed disabled` };
    const deployed = await poll(this.deps, `distribution ${distribution.id} to finish disabling`, waitMs, () =>
      this.isDeployed(distribution.id),
    );
    if (!deployed) {
      return {
        step: `left distribution ${distribution.id} disabled and tagged ${TAG_PENDING_DELETE}: it was still deploying after ${formatDuration(waitMs)}, the sweep deletes it`,
        pendingDistribution: distribution.id,
      };
    }
    await idempotent(
      () => this.deps.cloudfront.send(new DeleteDistributionCommand({ Id: distribution.id, IfMatch: deployed.etag })),
      'NoSuchDistribution',
    );
    return { step: `deleted distribution ${distribution.id}` };
  }

  /** Deletes the PR's origin access control (only once no distribution uses it); the step, or undefined when there was none. */
  async removeOriginAccessControl(number: number, dryRun: boolean): Promise<string | undefined> {
    const oac = await this.findOriginAccessControl(number);
    if (!oac) return undefined;
    if (!dryRun) {
      const { ETag } = await this.deps.cloudfront.send(new GetOriginAccessControlCommand({ Id: oac }));
      await idempotent(
        () => this.deps.cloudfront.send(new DeleteOriginAccessControlCommand({ Id: oac, IfMatch: ETag })),
        'NoSuchOriginAccessControl',
      );
    }
    return `${verb(dryRun, 'deleted', 'would delete')} origin access control ${oac}`;
  }
}
