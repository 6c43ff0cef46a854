// deploy-static with mode: releases. Nothing live changes until the last step:
//   read    the build (hashes, headers), the routing table, the live pointer and its release's record;
//   stage   pool files, the release folder, the record (stage.ts);
//   route   the release's own routing table under site <site>~<id> (unreachable until pointed at);
//   switch  one If-Match write of the live pointer (pointer.ts).
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
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

export interface ReleaseDeps {
  s3: S3Client;
  kvs: CloudFrontKeyValueStoreClient;
  cloudfront: CloudFrontClient;
  log: Logger;
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
  /** The garbage collection run after the switch (undefined: it did not run to the end, a warning says why). */
  gc?: GcResult;
  durationMs: number;
}

async function readBuild(settings: SyncSettings): Promise<{ files: BuildFile[]; paths: Map<string, string>; framework: FrameworkProfile }> {
  if (settings.source.kind !== 'local') throw new InputError('mode', 'releases needs a local build directory as source (promote a deployed release with the release action instead)', 'releases');
  const scan = await scanLocalSource(settings.source.dir, compileGlobs(settings.exclude));
  if (scan.files.length === 0) throw new InputError('source', 'must hold at least one file to publish (dotfiles and exclude matches are left out); nothing was changed', settings.source.dir);
  const keys = scan.files.map((f) => f.key);
  const framework = settings.framework === 'auto' ? detectFramework(keys) : frameworkProfile(settings.framework, 'from the framework input');
  const rules = new HeaderRules(settings.cacheControl, settings.contentType, framework, settings.headers);
  const files: BuildFile[] = [];
  await forEachLimit(scan.files, settings.concurrency, async (f) => {
    files.push({ key: f.key, size: f.size, sha256: sha256Buffer(await readFile(f.path)), headers: rules.headersFor(f.key) });
  });
  return { files, paths: new Map(scan.files.map((f) => [f.key, f.path])), framework };
}

/** The site's table renamed to the release's own site, its config told where the files live. */
function releaseTable(table: SiteTable, layout: ReleaseLayout): Map<string, string> {
  const from = table.site;
  const to = releaseSite(from, layout.id);
  const entries = new Map<string, string>();
  for (const [key, value] of table.entries) {
    const renamed = key === siteKey(from) ? siteKey(to) : siteKeyPrefixes(from).reduce((k, p) => (k.startsWith(p) ? `${p.slice(0, 2)}${to}:${k.slice(p.length)}` : k), key);
    entries.set(renamed, value);
  }
  const config = { ...(JSON.parse(entries.get(siteKey(to))!) as object), v: releaseFolder(layout.id), i: layout.poolDirs };
  const value = JSON.stringify(config);
  if (Buffer.byteLength(value) > LIMITS.valueBytes) throw new Error(`The release's routing config is ${Buffer.byteLength(value)} bytes (the key value store allows ${LIMITS.valueBytes}): the build has too many separate immutable-asset folders (${layout.poolDirs.join(', ')}). Put hashed assets under fewer folders.`);
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

export async function deployRelease(settings: SyncSettings & { dryRun: boolean }, routing: SiteRouting, deps: ReleaseDeps, provenance: Provenance = {}, now = () => new Date()): Promise<ReleaseDeployResult> {
  const started = Date.now();
  const { log } = deps;
  const target = { s3: deps.s3, bucket: settings.bucket, prefix: settings.prefix, concurrency: settings.concurrency, log };
  const { files, paths, framework } = await log.group('Read the build', () => readBuild(settings));
  const table = await log.group(`Check the routing table of site ${routing.site}`, () => prepareSiteTable(settings, routing, deps.s3));
  const storeArn = await resolveStoreArn(routing.router, deps.cloudfront);
  const pointer = await readPointer(deps.kvs, storeArn, routing.site);
  const live = pointer.live ? await readRecord(target, pointer.live) : undefined;
  const layout = layoutRelease(files, table.entries, live?.poolDirs ?? []);
  const entries = releaseTable(table, layout);
  const previousId = pointer.live === layout.id ? pointer.before : pointer.live;
  log.info(`release ${layout.id}: ${layout.release.length} files in ${releaseFolder(layout.id)}, ${layout.pool.length} in the pool (${layout.poolDirs.join(', ') || 'no pool folder'}); live now: ${pointer.live || 'none'}`);
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
  const rsite = releaseSite(routing.site, layout.id);
  await checkStoreBudget(deps.kvs, storeArn, rsite, entries);
  const stage = await stageRelease(target, layout, record, paths, live ? [live] : []);
  const tableWrite = await log.group(`Write the routing table of release ${layout.id}`, () => writeEntries(deps.kvs, storeArn, { desired: entries, owns: ownedBy(rsite) }, log));
  const switched = pointer.live !== layout.id;
  await log.group(`Activate release ${layout.id}`, async () => {
    await activateRelease(target, deps.kvs, storeArn, routing.site, layout.id, pointer.live);
    log.info(switched ? `site ${routing.site} now serves release ${layout.id} (was ${pointer.live || 'none'})` : `release ${layout.id} was already live: nothing switched`);
  });
  const url = siteUrl(await readAllEntries(deps.kvs, storeArn), routing.site);
  const gc = await gcAfterDeploy(target, deps.kvs, storeArn, settings.staleGraceMs);
  return { ...base, dryRun: false, url, stage, tableWrite, switched, ...(gc ? { gc } : {}), durationMs: Date.now() - started };
}
