// deploy-static with mode: releases. Nothing live changes until the last step:
//   read    the build (hashes, headers), the routing table, the live pointer and its release's record;
//   stage   pool files, the release folder, the record (stage.ts);
//   route   the release's own routing table under site <site>~<id> (unreachable until pointed at,
//           except with its verification token);
//   verify  the staged release through the CDN (verify.ts): a problem fails the deploy here;
//   switch  one If-Match write of the live pointer (pointer.ts), then wait until the CDN serves it.
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError } from '../../inputs/errors.js';
import type { Logger } from '../log/logger.js';
import { prepareSiteTable } from '../router/routed-deploy.js';
import type { SiteRouting } from '../router/site-settings.js';
import { readAllEntries, resolveStoreArn, writeEntries, type WriteResult } from '../router/store.js';
import { LIMITS, siteKey, siteKeyPrefixes, type SiteTable } from '../router/table.js';
import { sha256Buffer } from '../s3-sync/etag.js';
import { detectFramework, frameworkProfile, type FrameworkProfile } from '../s3-sync/frameworks.js';
import { scanLocalSource } from '../s3-sync/local-source.js';
import { compileGlobs, HeaderRules } from '../s3-sync/rules.js';
import type { SyncSettings } from '../s3-sync/sync.js';
import { forEachLimit } from '../util/concurrency.js';
import { layoutRelease, releaseFolder, releaseSite, type BuildFile, type ReleaseLayout } from './layout.js';
import { readPointer } from './pointer.js';
import { checkStoreBudget } from './budget.js';
import { gcAfterDeploy, type GcResult } from './gc.js';
import { activateRelease } from './guard.js';
import { readRecord, stageRelease, type ReleaseRecord, type StageResult } from './stage.js';
import {
  DEFAULT_WAIT,
  verifyRelease,
  waitForRelease,
  type HttpGet,
  type VerifyReport,
  type WaitOptions,
  type WaitResult,
} from './verify.js';
import type { Clock } from '../util/clock.js';

export interface ReleaseDeps {
  s3: S3Client;
  kvs: CloudFrontKeyValueStoreClient;
  cloudfront: CloudFrontClient;
  log: Logger;
  /** Requests through the CDN, and their waits (tests inject them). */
  cdn?: { get?: HttpGet; clock?: Clock; wait?: Omit<WaitOptions, 'headers' | 'clock' | 'get'> };
}

/** deploy-static's verify and verify-url inputs. */
export interface VerifySettings {
  /** false: neither check the staged release nor wait for the switch to reach the CDN. */
  verify?: boolean;
  /** The site's URL; default: the first host the router maps to the site. */
  verifyUrl?: string;
}

/** Who and what deployed, for the record (from the runner's environment). */
export interface Provenance {
  commit?: string;
  run?: string;
  actor?: string;
}

export interface ReleaseDeployResult {
  dryRun: boolean;
  id: string;
  previousId: string;
  /** https://<host>/ of a host the router maps to this site; '' when none is set up. */
  url: string;
  framework: FrameworkProfile;
  layout: ReleaseLayout;
  table: SiteTable;
  stage?: StageResult;
  tableWrite?: WriteResult;
  /** false: this release was already live (the same build deployed again). */
  switched: boolean;
  /** The staged release checked through the CDN (absent: verify false, dry run). */
  verification?: VerifyReport;
  /** After the switch, until every POP reached answered the new id (absent: verify false, nothing switched). */
  propagation?: WaitResult;
  /** The garbage collection run after the switch (undefined: it did not run to the end, a warning says why). */
  gc?: GcResult;
  durationMs: number;
}

async function readBuild(settings: SyncSettings): Promise<{ files: BuildFile[]; paths: Map<string, string>; framework: FrameworkProfile }> {
  if (settings.source.kind !== 'local')
    throw new InputError(
      'mode',
      'releases needs a local build directory as source (promote a deployed release with the release action instead)',
      'releases',
    );
  const scan = await scanLocalSource(settings.source.dir, compileGlobs(settings.exclude));
  if (scan.files.length === 0)
    throw new InputError(
      'source',
      'must hold at least one file to publish (dotfiles and exclude matches are left out); nothing was changed',
      settings.source.dir,
    );
  const keys = scan.files.map((f) => f.key);
  const framework =
    settings.framework === 'auto' ? detectFramework(keys) : frameworkProfile(settings.framework, 'from the framework input');
  const rules = new HeaderRules(settings.cacheControl, settings.contentType, framework, settings.headers);
  const files: BuildFile[] = [];
  await forEachLimit(scan.files, settings.concurrency, async (f) => {
    files.push({ key: f.key, size: f.size, sha256: sha256Buffer(await readFile(f.path)), headers: rules.headersFor(f.key) });
  });
  return { files, paths: new Map(scan.files.map((f) => [f.key, f.path])), framework };
}

/** The site's table renamed to the release's own site, its config told where the files live. */
function releaseTable(table: SiteTable, layout: ReleaseLayout, token: string): Map<string, string> {
  const from = table.site;
  const to = releaseSite(from, layout.id);
  const entries = new Map<string, string>();
  for (const [key, value] of table.entries) {
    const renamed =
      key === siteKey(from)
        ? siteKey(to)
        : siteKeyPrefixes(from).reduce((k, p) => (k.startsWith(p) ? `${p.slice(0, 2)}${to}:${k.slice(p.length)}` : k), key);
    entries.set(renamed, value);
  }
  const config = { ...(JSON.parse(entries.get(siteKey(to))!) as object), v: releaseFolder(layout.id), i: layout.poolDirs, k: token };
  const value = JSON.stringify(config);
  if (Buffer.byteLength(value) > LIMITS.valueBytes)
    throw new Error(
      `The release's routing config is ${Buffer.byteLength(value)} bytes (the key value store allows ${LIMITS.valueBytes}): the build has too many separate immutable-asset folders (${layout.poolDirs.join(', ')}). Put hashed assets under fewer folders.`,
    );
  entries.set(siteKey(to), value);
  return entries;
}

const ownedBy = (site: string) => (key: string) => key === siteKey(site) || siteKeyPrefixes(site).some((p) => key.startsWith(p));

/** A host the router sends to this site, as the URL a person would open. */
function siteUrl(items: ReadonlyMap<string, string>, site: string): string {
  for (const [key, value] of [...items].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (key.startsWith('h:') && (JSON.parse(value) as { s?: string }).s === site) return `https://${key.slice(2)}/`;
  }
  return '';
}

/** The release's verification token: the one its table already holds (a redeploy), else a new random one. */
function tokenFor(store: ReadonlyMap<string, string>, rsite: string): string {
  const config = store.get(siteKey(rsite));
  const held = config === undefined ? undefined : (JSON.parse(config) as { k?: unknown }).k;
  return typeof held === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(held) ? held : randomBytes(24).toString('base64url');
}

export async function deployRelease(
  settings: SyncSettings & VerifySettings & { dryRun: boolean },
  routing: SiteRouting,
  deps: ReleaseDeps,
  provenance: Provenance = {},
  now = () => new Date(),
): Promise<ReleaseDeployResult> {
  const started = Date.now();
  const { log } = deps;
  const target = { s3: deps.s3, bucket: settings.bucket, prefix: settings.prefix, concurrency: settings.concurrency, log };
  const { files, paths, framework } = await log.group('Read the build', () => readBuild(settings));
  const table = await log.group(`Check the routing table of site ${routing.site}`, () => prepareSiteTable(settings, routing, deps.s3));
  const storeArn = await resolveStoreArn(routing.router, deps.cloudfront);
  const pointer = await readPointer(deps.kvs, storeArn, routing.site);
  const live = pointer.live ? await readRecord(target, pointer.live) : undefined;
  const layout = layoutRelease(files, table.entries, live?.poolDirs ?? []);
  const store = await readAllEntries(deps.kvs, storeArn);
  const url = siteUrl(store, routing.site);
  const verify = settings.verify !== false;
  const verifyUrl = settings.verifyUrl ?? url;
  if (verify && !settings.dryRun && !verifyUrl)
    throw new InputError(
      'verify-url',
      `must be set: the router maps no host to site ${routing.site}, so there is no URL to verify the release through (or set verify: false)`,
      '',
    );
  const rsite = releaseSite(routing.site, layout.id);
  const token = tokenFor(store, rsite);
  const entries = releaseTable(table, layout, token);
  const previousId = pointer.live === layout.id ? pointer.before : pointer.live;
  log.info(
    `release ${layout.id}: ${layout.release.length} files in ${releaseFolder(layout.id)}, ${layout.pool.length} in the pool (${layout.poolDirs.join(', ') || 'no pool folder'}); live now: ${pointer.live || 'none'}`,
  );
  const base = { id: layout.id, previousId, framework, layout, table, switched: false };
  if (settings.dryRun) return { ...base, dryRun: true, url: '', durationMs: Date.now() - started };

  const inPool = new Set(layout.pool.map((f) => f.key));
  const record: ReleaseRecord = {
    version: 1,
    id: layout.id,
    site: routing.site,
    createdAt: now().toISOString(),
    ...provenance,
    poolDirs: layout.poolDirs,
    files: Object.fromEntries(files.map((f) => [f.key, { size: f.size, sha256: f.sha256, pool: inPool.has(f.key), headers: f.headers }])),
    table: Object.fromEntries(entries),
  };
  await checkStoreBudget(deps.kvs, storeArn, rsite, entries);
  const stage = await stageRelease(target, layout, record, paths, live ? [live] : []);
  const tableWrite = await log.group(`Write the routing table of release ${layout.id}`, () =>
    writeEntries(deps.kvs, storeArn, { desired: entries, owns: ownedBy(rsite) }, log),
  );
  const cdn = { ...(deps.cdn?.get ? { get: deps.cdn.get } : {}), ...(deps.cdn?.clock ? { clock: deps.cdn.clock } : {}) };
  const wait = { ...DEFAULT_WAIT, ...deps.cdn?.wait };
  const verification = verify
    ? await log.group(`Verify release ${layout.id} through ${verifyUrl}`, () =>
        verifyRelease(
          { id: layout.id, token, files: record.files, entries, tableSite: rsite },
          { url: verifyUrl, concurrency: Math.min(settings.concurrency, 16), wait, log, ...cdn },
        ),
      )
    : undefined;
  const switched = pointer.live !== layout.id;
  const propagation = await log.group(`Activate release ${layout.id}`, async () => {
    await activateRelease(target, deps.kvs, storeArn, routing.site, layout.id, pointer.live);
    log.info(
      switched
        ? `site ${routing.site} now serves release ${layout.id} (was ${pointer.live || 'none'})`
        : `release ${layout.id} was already live: nothing switched`,
    );
    if (!verify || !switched) return undefined;
    const served = await waitForRelease(new URL(verifyUrl), layout.id, { ...wait, ...cdn });
    if (served.served)
      log.info(
        `every edge reached (${Object.keys(served.pops).filter(Boolean).join(', ') || 'one'}) serves release ${layout.id}, ${served.ms} ms after the switch`,
      );
    else
      log.warning(
        `release ${layout.id} is live, but ${verifyUrl} did not answer it from every edge within ${Math.round(served.ms / 1000)} s (last: ${served.lastOther ?? 'none'}); the key value store may still be propagating`,
      );
    return served;
  });
  const gc = await gcAfterDeploy(target, deps.kvs, storeArn, settings.staleGraceMs);
  return {
    ...base,
    dryRun: false,
    url,
    stage,
    tableWrite,
    switched,
    ...(verification ? { verification } : {}),
    ...(propagation ? { propagation } : {}),
    ...(gc ? { gc } : {}),
    durationMs: Date.now() - started,
  };
}
