// deploy-static with a router: the site's routing table is built (and _redirects / _headers
// checked) before anything is uploaded, and written to the router's store only after every object
// is in place, so the edge never routes to a file that is not there yet.
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { scanLocalSource } from '../s3-sync/local-source.js';
import { compileGlobs } from '../s3-sync/rules.js';
import { scanS3Source } from '../s3-sync/s3-source.js';
import type { SyncSettings } from '../s3-sync/sync.js';
import { pageModeOf, type PageMode } from './layout.js';
import { detectFramework } from '../s3-sync/frameworks.js';
import type { SiteRouting } from './site-settings.js';
import { resolveStoreArn, writeEntries, type WriteResult } from './store.js';
import { buildSiteTable, siteKey, siteKeyPrefixes, type SiteTable } from './table.js';

export interface RouterDeps {
  s3: S3Client;
  kvs: CloudFrontKeyValueStoreClient;
  cloudfront: CloudFrontClient;
  log: Logger;
}

export interface RoutedDeploy {
  table: SiteTable;
  storeArn?: string;
  write?: WriteResult;
}

/** Reads a source file's text and compares two source files' bytes, wherever the build lives. */
interface BuildAccess {
  keys: string[];
  text(key: string): Promise<string>;
  identical(a: string, b: string): Promise<boolean>;
}

async function accessBuild(settings: SyncSettings, s3: S3Client): Promise<BuildAccess> {
  const exclude = compileGlobs(settings.exclude);
  const source = settings.source;
  if (source.kind === 'local') {
    const scan = await scanLocalSource(source.dir, exclude);
    const path = new Map(scan.files.map((f) => [f.key, f.path]));
    const bytes = (key: string) => readFile(path.get(key) ?? join(source.dir, key));
    return {
      keys: [...path.keys()],
      text: async (key) => (await bytes(key)).toString('utf8'),
      identical: async (a, b) => (await bytes(a)).equals(await bytes(b)),
    };
  }
  const scan = await scanS3Source(s3, source.bucket, source.prefix, exclude);
  const etag = new Map(scan.files.map((f) => [f.key, f.etag]));
  return {
    keys: [...etag.keys()],
    text: async (key) =>
      (await (await s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.prefix + key }))).Body?.transformToString('utf8')) ??
      '',
    identical: async (a, b) =>
      etag.get(a) === etag.get(b) ||
      (await s3.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.prefix + a }))).ETag ===
        (await s3.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.prefix + b }))).ETag,
  };
}

/** Which a.html / a/index.html pairs hold the same bytes (the only pairs decideLayout asks about). */
async function identicalPairs(build: BuildAccess): Promise<(a: string, b: string) => boolean> {
  const keys = new Set(build.keys);
  const same = new Set<string>();
  for (const key of build.keys) {
    if (!key.endsWith('/index.html')) continue;
    const flat = `${key.slice(0, -'/index.html'.length)}.html`;
    if (keys.has(flat) && (await build.identical(flat, key))) same.add(`${flat}\n${key}`);
  }
  return (a, b) => same.has(`${a}\n${b}`) || same.has(`${b}\n${a}`);
}

/** Builds and checks the table before the upload; throws with file and line on a bad rule. */
export async function prepareSiteTable(settings: SyncSettings, routing: SiteRouting, s3: S3Client, given?: PageMode): Promise<SiteTable> {
  const build = await accessBuild(settings, s3);
  const has = new Set(build.keys);
  // The framework (given, or detected as the sync detects it) decides the layout where it knows it.
  const framework = settings.framework === 'auto' ? detectFramework(build.keys).name : settings.framework;
  const mode = given ?? pageModeOf(framework);
  return buildSiteTable({
    site: routing.site,
    prefix: settings.prefix,
    slash: routing.slash,
    keys: build.keys,
    identical: await identicalPairs(build),
    ...(mode ? { mode } : {}),
    ...(has.has('_redirects') ? { redirects: await build.text('_redirects') } : {}),
    ...(has.has('_headers') ? { headers: await build.text('_headers') } : {}),
  });
}

/** Writes the site's entries (If-Match, retried on conflict) and removes the site's stale ones. */
export async function writeSiteTable(
  table: SiteTable,
  routing: SiteRouting,
  deps: RouterDeps,
): Promise<{ storeArn: string; write: WriteResult }> {
  const storeArn = await resolveStoreArn(routing.router, deps.cloudfront);
  const prefixes = siteKeyPrefixes(table.site);
  const write = await writeEntries(
    deps.kvs,
    storeArn,
    { desired: table.entries, owns: (k) => k === siteKey(table.site) || prefixes.some((p) => k.startsWith(p)), last: siteKey(table.site) },
    deps.log,
  );
  deps.log.info(
    `router ${routing.router}: site ${table.site} ${write.put} entries written, ${write.deleted} removed, ${write.unchanged} unchanged; the store holds ${write.itemCount} items, ${write.totalBytes} bytes`,
  );
  return { storeArn, write };
}

/** prepare → sync → write, for the action and the CLI alike. */
export async function deployWithRouter<R>(
  settings: SyncSettings & { dryRun: boolean },
  routing: SiteRouting | undefined,
  deps: RouterDeps,
  sync: () => Promise<R>,
): Promise<{ sync: R; routed?: RoutedDeploy }> {
  if (!routing) return { sync: await sync() };
  const table = await deps.log.group(`Check the routing table of site ${routing.site}`, async () => {
    const t = await prepareSiteTable(settings, routing, deps.s3);
    deps.log.info(
      `${t.layout.mode === 'spa' ? 'single-page app' : 'multi-page build'}: ${t.counts.pages} pages, ${t.counts.exactRedirects} exact and ${t.counts.patternRedirects} pattern redirects, ${t.counts.headerRules} header rules`,
    );
    for (const note of t.notes) deps.log.info(note);
    return t;
  });
  const result = await sync();
  if (settings.dryRun) return { sync: result, routed: { table } };
  const written = await deps.log.group(`Route site ${routing.site} through ${routing.router}`, () => writeSiteTable(table, routing, deps));
  return { sync: result, routed: { table, ...written } };
}
