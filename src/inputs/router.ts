// The router inputs: a router and a site (deploy-static, pr-preview, router, release), and
// deploy-static's router, site and trailing-slash, parsed into one SiteRouting.
import { defaultSite, type SiteRouting } from '../lib/router/site-settings.js';
import { ROUTER_NAME, STORE_ARN } from '../lib/router/names.js';
import { SITE_ID, SLASH_POLICIES, type SlashPolicy } from '../lib/router/table.js';
import { InputError, type InputCollector } from './errors.js';

export function parseRouter(input: string, raw: string): string {
  if (STORE_ARN.test(raw) || ROUTER_NAME.test(raw)) return raw;
  throw new InputError(
    input,
    "must be the router's name (letters, digits, - and _, up to 64) or its key value store ARN (arn:aws:cloudfront::<account>:key-value-store/<id>)",
    raw,
  );
}

export function parseSite(input: string, raw: string): string {
  if (SITE_ID.test(raw) && !raw.includes('..') && !raw.includes('//') && !raw.endsWith('/')) return raw;
  throw new InputError(
    input,
    'must be a site name of lower-case letters, digits, . _ - and / (up to 128, no .. or //), such as my-site or previews/pr-12',
    raw,
  );
}

export function parseSlashPolicy(input: string, raw: string): SlashPolicy {
  const value = raw.trim().toLowerCase();
  if ((SLASH_POLICIES as readonly string[]).includes(value)) return value as SlashPolicy;
  throw new InputError(input, `must be one of ${SLASH_POLICIES.join(', ')}`, raw);
}

/**
 * @param get reads an input ('' when not given)
 * @returns undefined when no router is given (then site and trailing-slash must be empty too)
 */
export function parseSiteRouting(
  get: (name: 'router' | 'site' | 'trailing-slash') => string,
  c: InputCollector,
  bucket: string | undefined,
  prefix: string | undefined,
): SiteRouting | undefined {
  const routerRaw = get('router').trim();
  const siteRaw = get('site').trim();
  const slash = c.field(() => parseSlashPolicy('trailing-slash', get('trailing-slash') || 'keep')).value;
  if (routerRaw === '') {
    if (siteRaw !== '') c.add(new InputError('site', 'needs the router input too (which router the site belongs to)', siteRaw));
    if (slash !== undefined && slash !== 'keep')
      c.add(new InputError('trailing-slash', 'needs the router input too (the edge router applies it)', slash));
    return undefined;
  }
  const router = c.field(() => parseRouter('router', routerRaw)).value;
  const site = c.field(() =>
    siteRaw === '' ? (bucket === undefined ? undefined : parseSite('site', defaultSite(bucket, prefix ?? ''))) : parseSite('site', siteRaw),
  ).value;
  return router && site && slash ? { router, site, slash } : undefined;
}
