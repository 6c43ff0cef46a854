// Where a deploy feeds a router: the router, the site of its store, the trailing-slash policy.
// src/inputs/router.ts parses them from the inputs.
import type { SlashPolicy } from './table.js';

export interface SiteRouting {
  /** The router's name, or its store's ARN. */
  router: string;
  /** Which site of the router's store this deploy feeds. */
  site: string;
  slash: SlashPolicy;
}

/** The default site: the bucket and prefix, as `bucket` or `bucket/prefix`. */
export const defaultSite = (bucket: string, prefix: string): string =>
  `${bucket}${prefix ? `/${prefix.replace(/\/$/, '')}` : ''}`.toLowerCase();
