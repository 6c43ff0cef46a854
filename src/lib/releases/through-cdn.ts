// The CDN checks every switch of a live pointer goes through (a deploy's activation, a rollback, a
// promotion): before it, the release the pointer is about to name is verified through the CDN with
// its token (verify.ts); after it, the wait until every edge reached serves it. Shared so a rollback
// or a promotion checks exactly what a deploy checks.
import { InputError } from '../../inputs/errors.js';
import type { Logger } from '../log/logger.js';
import { siteKey, siteKeyPrefixes } from '../router/table.js';
import type { ReleaseDeps, VerifySettings } from './deploy.js';
import { DEFAULT_WAIT, verifyRelease, waitForRelease, type VerifyReport, type WaitResult } from './verify.js';
import type { ObjectHeaders } from '../s3-sync/rules.js';

/** The keys of the store that belong to site (or release table) `site`. */
export const ownedBy = (site: string) => (key: string) => key === siteKey(site) || siteKeyPrefixes(site).some((p) => key.startsWith(p));

/** A host the router sends to this site, as the URL a person would open ('' when none). */
export function siteUrl(items: ReadonlyMap<string, string>, site: string): string {
  for (const [key, value] of [...items].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (key.startsWith('h:') && (JSON.parse(value) as { s?: string }).s === site) return `https://${key.slice(2)}/`;
  }
  return '';
}

/**
 * The URL to verify through: verify-url, else the first host the router maps to `site`; undefined
 * when verification is off. Throws, naming verify-url, when it is on and there is none — call it
 * before anything is written or requested through the CDN.
 */
export function verifyUrlFor(settings: VerifySettings, store: ReadonlyMap<string, string>, site: string, what: string): string | undefined {
  if (settings.verify === false) return undefined;
  const url = settings.verifyUrl ?? siteUrl(store, site);
  if (!url)
    throw new InputError(
      'verify-url',
      `must be set: the router maps no host to site ${site}, so there is no URL to verify ${what} through (or set verify: false)`,
      '',
    );
  return url;
}

function cdnOf(deps: ReleaseDeps) {
  const cdn = { ...(deps.cdn?.get ? { get: deps.cdn.get } : {}), ...(deps.cdn?.clock ? { clock: deps.cdn.clock } : {}) };
  return { cdn, wait: { ...DEFAULT_WAIT, ...deps.cdn?.wait } };
}

export interface ReleaseToVerify {
  id: string;
  /** The release's files and the headers the rules gave them (its record's). */
  files: Readonly<Record<string, { headers: ObjectHeaders }>>;
  /** The routing table the pointer will link to (`<tableSite>`'s keys), its config holding the token k. */
  entries: ReadonlyMap<string, string>;
  /** <owner>~<id> */
  tableSite: string;
}

/** Verifies release `r` through `url` with the token its table holds; throws VerificationFailed naming every problem. */
export async function verifyThroughCdn(r: ReleaseToVerify, url: string, deps: ReleaseDeps, concurrency = 16): Promise<VerifyReport> {
  const config = JSON.parse(r.entries.get(siteKey(r.tableSite)) ?? '{}') as { k?: unknown };
  if (typeof config.k !== 'string')
    throw new Error(
      `Release ${r.id}'s routing table ${r.tableSite} holds no verification token (it was staged before Slipway verified releases): it cannot be checked through the CDN. Nothing was switched; deploy that build again, or set verify: false.`,
    );
  const { cdn, wait } = cdnOf(deps);
  return deps.log.group(`Verify release ${r.id} through ${url}`, () =>
    verifyRelease(
      { id: r.id, token: config.k as string, files: r.files, entries: r.entries, tableSite: r.tableSite },
      { url, concurrency, wait, log: deps.log, ...cdn },
    ),
  );
}

/** After a switch: waits until `url` answers release `id` from every edge reached, and says so. */
export async function awaitServed(url: string, id: string, deps: ReleaseDeps, log: Logger = deps.log): Promise<WaitResult> {
  const { cdn, wait } = cdnOf(deps);
  const served = await waitForRelease(new URL(url), id, { ...wait, ...cdn });
  if (served.served)
    log.info(
      `every edge reached (${Object.keys(served.pops).filter(Boolean).join(', ') || 'one'}) serves release ${id}, ${served.ms} ms after the switch`,
    );
  else
    log.warning(
      `release ${id} is live, but ${url} did not answer it from every edge within ${Math.round(served.ms / 1000)} s (last: ${served.lastOther ?? 'none'}); the key value store may still be propagating`,
    );
  return served;
}

/**
 * After a rollback or promotion switched `site` to release `id` (verified through `verifyUrl`, a host of
 * `owner`, the site owning the table the pointer links to): waits until the site's own host serves
 * it: `given` (the release action's to-url), else `verifyUrl` when the owner is the site, else (a
 * promotion by pointer) the first host the router maps to `site`; without one there is nothing to
 * poll (undefined).
 */
export async function awaitSwitch(
  verifyUrl: string,
  owner: string,
  store: ReadonlyMap<string, string>,
  site: string,
  id: string,
  deps: ReleaseDeps,
  given?: string,
): Promise<WaitResult | undefined> {
  const url = given ?? (owner === site ? verifyUrl : siteUrl(store, site));
  if (!url) {
    deps.log.info(`the router maps no host to site ${site}: not waiting for the edges to serve release ${id}`);
    return undefined;
  }
  return deps.log.group(`Wait until every edge serves release ${id} on site ${site}`, () => awaitServed(url, id, deps));
}
