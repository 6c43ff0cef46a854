// A pull request's preview on the edge router: its host pr-N.<domain> maps to its own site (the
// bucket and its prefix), whose table is built from the build like any deploy's, so a multi-page
// preview routes like production. Built (and checked) before the upload, written after it and
// before the link is announced, removed with the preview.
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { Logger } from '../../log/logger.js';
import { previewUrl } from '../naming.js';
import type { SyncSettings } from '../../s3-sync/sync.js';
import { prepareSiteTable, writeSiteTable } from '../../router/routed-deploy.js';
import { defaultSite, type SiteRouting } from '../../router/site-settings.js';
import { resolveStoreArn, writeEntries, type WriteResult } from '../../router/store.js';
import { hostKey, hostValue, siteKey, siteKeyPrefixes, type SiteTable } from '../../router/table.js';

export interface PreviewRouterDeps {
  s3: S3Client;
  kvs: CloudFrontKeyValueStoreClient;
  cloudfront: CloudFrontClient;
  log: Logger;
}

export class PreviewRouter {
  constructor(
    /** The router's name or store ARN. */
    readonly router: string,
    /** Where preview N lives (shared: s3://bucket/pr-N/; dedicated: its own bucket), and the previews' domain. */
    private readonly where: { locate: (number: number) => { bucket: string; prefix: string }; domain: string },
    private readonly deps: PreviewRouterDeps,
  ) {}

  private routing(bucket: string, prefix: string): SiteRouting {
    return { router: this.router, site: defaultSite(bucket, prefix), slash: 'keep' };
  }

  /** Before the upload: the preview's table, or an error naming the bad file and line. */
  prepare(sync: SyncSettings): Promise<SiteTable> {
    return prepareSiteTable(sync, this.routing(sync.bucket, sync.prefix), this.deps.s3);
  }

  /** After the upload: the site's entries, then the host that makes it reachable. */
  async publish(table: SiteTable, bucket: string, prefix: string, url: string): Promise<WriteResult> {
    const { storeArn, write } = await writeSiteTable(table, this.routing(bucket, prefix), this.deps);
    const host = new URL(url).host;
    await writeEntries(
      this.deps.kvs,
      storeArn,
      { desired: new Map([[hostKey(host), hostValue({ host, site: table.site })]]), owns: () => false },
      this.deps.log,
    );
    return write;
  }

  /** With the preview: its host first (it stops answering), then its site's entries. */
  async remove(number: number, dryRun: boolean): Promise<string> {
    const { bucket, prefix } = this.where.locate(number);
    const site = defaultSite(bucket, prefix);
    const host = hostKey(new URL(previewUrl(this.where.domain, number)).host);
    if (dryRun) return `would remove host ${host.slice(2)} and site ${site} from router ${this.router}`;
    const storeArn = await resolveStoreArn(this.router, this.deps.cloudfront);
    await writeEntries(this.deps.kvs, storeArn, { desired: new Map(), owns: (k) => k === host }, this.deps.log);
    const prefixes = siteKeyPrefixes(site);
    const write = await writeEntries(
      this.deps.kvs,
      storeArn,
      { desired: new Map(), owns: (k) => k === siteKey(site) || prefixes.some((p) => k.startsWith(p)) },
      this.deps.log,
    );
    return `removed host ${host.slice(2)} and ${write.deleted} routing entries of site ${site} from router ${this.router}`;
  }
}
