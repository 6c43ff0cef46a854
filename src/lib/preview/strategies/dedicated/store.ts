// The dedicated strategy (the seed's design): per pull request a private bucket, an origin access
// control, a distribution with the alias pr-{number}.<domain>, and Route 53 alias records. Every
// resource is tagged with the repository and PR number; a second push finds and reuses them.
import { previewHost, previewUrl } from '../../naming.js';
import type { FoundPreview, PreviewSite, PreviewStore, Removal } from '../../store.js';
import { PreviewBuckets } from './bucket.js';
import type { DedicatedStoreDeps, DedicatedStoreSettings } from './config.js';
import { PreviewDistributions, type Distribution } from './distribution.js';
import { PreviewDns } from './dns.js';

export class DedicatedPreviewStore implements PreviewStore {
  readonly strategy = 'dedicated';
  private readonly buckets: PreviewBuckets;
  private readonly distributions: PreviewDistributions;
  private readonly dns: PreviewDns;
  // Which change the DNS is waiting for, per PR, between prepare() and ready().
  private readonly pendingDns = new Map<number, string>();

  constructor(
    private readonly settings: DedicatedStoreSettings,
    private readonly deps: DedicatedStoreDeps,
  ) {
    this.buckets = new PreviewBuckets(settings, deps);
    this.distributions = new PreviewDistributions(settings, deps);
    this.dns = new PreviewDns(settings, deps);
  }

  locate(number: number): { bucket: string; prefix: string } {
    return { bucket: this.buckets.name(number), prefix: '' };
  }

  async prepare(number: number, dryRun: boolean): Promise<PreviewSite> {
    const site: PreviewSite = {
      number,
      url: previewUrl(this.settings.domain, number),
      bucket: this.buckets.name(number),
      prefix: '',
      distributionId: '',
      pathPrefix: '',
    };
    if (dryRun) return { ...site, distributionId: (await this.plan(site))?.id ?? '' };
    return this.deps.log.group(`Preview infrastructure for ${previewHost(this.settings.domain, number)}`, async () => {
      const distribution = await this.create(site);
      return { ...site, distributionId: distribution.id };
    });
  }

  /** Dry run: says what a deploy would create; the distribution, if there is one. */
  private async plan(site: PreviewSite): Promise<Distribution | undefined> {
    const known = await this.distributions.find(site.number);
    const exists = (await this.buckets.state(site.bucket, site.number)) !== undefined;
    if (!exists || !known)
      this.deps.log.info(
        `would create${exists ? '' : ` bucket ${site.bucket},`}${known ? '' : ' an origin access control, a distribution and DNS records'}`,
      );
    return known;
  }

  /** Bucket, origin access control, distribution, the bucket's policy for it, then DNS. */
  private async create({ number, bucket }: PreviewSite): Promise<Distribution> {
    await this.buckets.ensure(bucket, number);
    const oac = await this.distributions.ensureOriginAccessControl(number);
    const distribution = await this.distributions.ensure(number, oac);
    await this.buckets.grantRead(bucket, distribution.arn);
    const change = await this.dns.upsert(number, distribution);
    if (change) this.pendingDns.set(number, change);
    this.deps.log.info(`bucket ${bucket}, origin access control ${oac}, distribution ${distribution.id} (${distribution.domainName})`);
    return distribution;
  }

  async ready(site: PreviewSite): Promise<void> {
    const timeout = this.deps.deployTimeoutMs;
    await this.distributions.waitUntilDeployed(site.distributionId, timeout);
    const change = this.pendingDns.get(site.number);
    if (change) {
      await this.dns.waitInSync(change, timeout);
      this.pendingDns.delete(site.number);
    }
  }

  /**
   * DNS first (nothing keeps pointing at a preview being taken down), then the distribution is
   * disabled, the bucket deleted, the distribution deleted once deployed disabled, and last the
   * origin access control, which can go only once no distribution uses it.
   */
  async remove(number: number, dryRun: boolean): Promise<Removal> {
    const steps: string[] = [];
    const record = (step: string | undefined) => {
      if (step) steps.push(step);
    };
    record(await this.dns.remove(number, dryRun));
    const distribution = await this.distributions.find(number);
    if (distribution?.enabled) record(await this.distributions.disable(distribution, dryRun));
    record(await this.buckets.remove(number, dryRun));
    const deletion = distribution ? await this.distributions.delete(distribution, dryRun, this.deps.removalWaitMs) : undefined;
    record(deletion?.step);
    const pendingDistribution = deletion?.pendingDistribution;
    if (!pendingDistribution) record(await this.distributions.removeOriginAccessControl(number, dryRun));
    if (steps.length > 0) this.deps.log.info(steps.join('\n'));
    return { found: steps.length > 0, steps, ...(pendingDistribution ? { pendingDistribution } : {}) };
  }

  /** Buckets and distributions of this repository's previews; a distribution alone and pending deletion is one to finish. */
  async list(): Promise<FoundPreview[]> {
    const found = new Map<number, FoundPreview>();
    for (const preview of await this.buckets.list()) found.set(preview.number, preview);
    for (const d of await this.distributions.list()) {
      const known = found.get(d.number);
      found.set(d.number, { number: d.number, where: known ? `${known.where}, ${d.id}` : d.id, pendingRemoval: d.pendingDelete && !known });
    }
    return [...found.values()].sort((a, b) => a.number - b.number);
  }
}
