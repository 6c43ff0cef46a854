// Where a pull request's preview lives, and the tags and records that let Slipway find it again.
// The one home of these rules: the strategies, the router's preview hosts and the reports take them
// from here (test/unit/preview-naming.test.ts fails when another file spells them out).

/** A PR number as previews name it: 1 to 999,999,999, no leading zero. */
const PR_NUMBER = '[1-9]\\d{0,8}';
/** What every name of PR `number`'s preview is made from: pr-{number}. */
const LABEL = 'pr-';
const label = (number: number): string => `${LABEL}${number}`;

export const previewHost = (domain: string, number: number): string => `${label(number)}.${domain}`;
export const previewUrl = (domain: string, number: number): string => `https://${previewHost(domain, number)}`;
/** The GitHub environment of a PR's deployments. */
export const previewEnvironment = (number: number): string => `preview/${label(number)}`;
/** The shared strategy's key prefix for a PR. */
export const sharedPrefix = (number: number): string => `${label(number)}/`;
/** What the edge router puts in front of a shared preview's viewer paths (pr-N.<domain>/x is /pr-N/x in the bucket and the cache). */
export const sharedPathPrefix = (number: number): string => `/${label(number)}`;

/** The PR number of a shared strategy's prefix (`pr-12/`), or undefined. */
export function numberOfSharedPrefix(prefix: string): number | undefined {
  const match = new RegExp(`^${LABEL}(${PR_NUMBER})/$`).exec(prefix);
  return match ? Number(match[1]) : undefined;
}

/** The dedicated strategy's bucket: the template with `{number}` replaced. */
export const dedicatedBucket = (template: string, number: number): string => template.replaceAll('{number}', String(number));

/** Hidden marker of the sticky comment: one per preview domain, so two preview sites on one PR keep two comments. */
export const commentMarker = (domain: string): string => `<!-- slipway:pr-preview ${domain} -->`;

export const TAG_REPOSITORY = 'slipway:repository';
export const TAG_PR = 'slipway:pr';
export const TAG_DOMAIN = 'slipway:domain';
/** Set on a dedicated distribution that cleanup disabled but could not yet delete: the sweep finishes it. */
export const TAG_PENDING_DELETE = 'slipway:pending-delete';

export const previewTags = (repository: string, domain: string, number: number): Record<string, string> => ({
  [TAG_REPOSITORY]: repository,
  [TAG_PR]: String(number),
  [TAG_DOMAIN]: domain,
});

/** The PR number of a bucket made from `template`, or undefined. */
export function numberOfBucket(bucket: string, template: string): number | undefined {
  const [before, after] = template.split('{number}') as [string, string];
  if (!bucket.startsWith(before) || !bucket.endsWith(after)) return undefined;
  const middle = bucket.slice(before.length, bucket.length - after.length);
  return new RegExp(`^${PR_NUMBER}$`).test(middle) ? Number(middle) : undefined;
}
