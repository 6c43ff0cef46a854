// What each strategy (shared, dedicated) provides to deploy, remove and find previews.

/** Where one PR's preview is published. */
export interface PreviewSite {
  number: number;
  url: string;
  bucket: string;
  /** '' or ending in '/'. */
  prefix: string;
  /** Empty while a dedicated preview has no distribution yet (dry run). */
  distributionId: string;
  /** What the router adds in front of viewer paths (`/pr-7` for shared, '' for dedicated): for invalidation paths. */
  pathPrefix: string;
}

export interface Removal {
  /** Anything of this preview was found (false: it was already gone). */
  found: boolean;
  /** What was removed (or would be, in a dry run), one line each. */
  steps: string[];
  /** A dedicated distribution that was disabled but not yet deleted: the sweep deletes it later. */
  pendingDistribution?: string;
}

export interface FoundPreview {
  number: number;
  /** Where it was found, for the sweep's report. */
  where: string;
  pendingRemoval: boolean;
}

export interface PreviewStore {
  readonly strategy: 'shared' | 'dedicated';
  /** Where PR `number`'s files are (shared: the bucket's pr-N/; dedicated: its own bucket), before anything exists. */
  locate(number: number): { bucket: string; prefix: string };
  /** Finds or creates what the PR's preview needs (nothing for shared), before the upload. */
  prepare(number: number, dryRun: boolean): Promise<PreviewSite>;
  /** After the upload and invalidation, waits until the URL answers (dedicated: distribution deployed, DNS in sync). */
  ready(site: PreviewSite): Promise<void>;
  remove(number: number, dryRun: boolean): Promise<Removal>;
  /** Every preview of this repository the store holds. */
  list(): Promise<FoundPreview[]>;
}
