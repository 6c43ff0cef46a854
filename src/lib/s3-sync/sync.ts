// Makes s3://bucket/prefix mirror a source (a local build, or an already deployed one), touching
// only what differs, in named steps: read → compare → plan → write (assets, pages, deletions) → record.
import type { HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { describeError } from '../aws/errors.js';
import type { GlobRule } from '../../inputs/parse.js';
import { InputError } from '../../inputs/errors.js';
import type { Logger } from '../log/logger.js';
import { forEachLimit } from '../util/concurrency.js';
import { base64OfHex, fileMatchesEtag, sha256File } from './etag.js';
import { HashAhead } from './hash-ahead.js';
import { DeployPhaseError, executeDeletes, executeWrites, type Target, type WriteResult } from './execute.js';
import { scanLocalSource, type LeftOut } from './local-source.js';
import { emptyManifest, serializeManifest, type Manifest } from './manifest.js';
import { detectFramework, frameworkProfile, type Framework, type FrameworkProfile } from './frameworks.js';
import { planDeploy, recordedHeaders, type DeleteMode, type Plan, type SourceEntry } from './plan.js';
import { headersOf, headObject, listBoundaries, listObjects, readManifestVersion, writeManifest, type RemoteObject } from './remote.js';
import { compileGlobs, HeaderRules, type HeaderRule, type ObjectHeaders } from './rules.js';
import { scanS3Source } from './s3-source.js';
import { PartialFailure } from '../util/partial-failure.js';
import { systemClock, type Clock } from '../util/clock.js';
import { hostname } from 'node:os';
import { Lease, LeaseHeld, type LeaseOptions } from './lease.js';

export type SyncSource = { kind: 'local'; dir: string } | { kind: 's3'; bucket: string; prefix: string };

export interface SyncSettings {
  source: SyncSource;
  bucket: string;
  /** '' or ending in '/'. */
  prefix: string;
  /** ours: what earlier deploys wrote and left the source; all: also objects Slipway did not write; none. */
  delete: DeleteMode;
  /** `auto`: detected from the build's markers. */
  framework: Framework | 'auto';
  cacheControl: GlobRule[];
  contentType: GlobRule[];
  /** Further object headers (Content-Encoding, Content-Disposition, Content-Language, x-amz-meta-*). */
  headers: HeaderRule[];
  exclude: string[];
  keep: string[];
  staleGraceMs: number;
  concurrency: number;
  dryRun: boolean;
  /**
   * Identifies the workflow run (GITHUB_RUN_ID), when there is one. A re-run of the same run
   * reports the paths the earlier attempt changed too, so its invalidation is not lost.
   */
  runId?: string;
  /** Who deploys (a run's URL, or the CLI on a host), named to a deploy that has to wait. */
  owner?: string;
  /** The workflow run and job deploying: a later attempt of the same job takes over its lease at once. */
  runJob?: string;
}

export interface SyncDeps {
  client: S3Client;
  log: Logger;
  now?: () => Date;
  /** For the deploy lease's waits and the run's duration (default: the system clock). */
  clock?: Clock;
  lease?: LeaseOptions;
  /** From how many small local files they are hashed on a worker thread (default HASH_AHEAD_FILES). */
  hashAheadFrom?: number;
}

export interface SyncResult {
  dryRun: boolean;
  uploaded: number;
  headersUpdated: number;
  skipped: number;
  deleted: number;
  bytesUploaded: number;
  changedPaths: string[];
  plan: Plan;
  leftOut: LeftOut[];
  framework: FrameworkProfile;
  /** Things the user should look at: rules that match nothing, immutable files changed in place. */
  warnings: string[];
  durationMs: number;
}

/** A sync that failed part-way: `result` says what was done before it failed. */
export class SyncFailed extends PartialFailure<SyncResult> {}

export const describeSource = (s: SyncSource): string => (s.kind === 'local' ? s.dir : `s3://${s.bucket}/${s.prefix}`);

async function readSource(
  settings: SyncSettings,
  client: S3Client,
  ahead: HashAhead,
): Promise<{ files: SourceEntry[]; leftOut: LeftOut[] }> {
  const exclude = compileGlobs(settings.exclude);
  const source = settings.source;
  const scan =
    source.kind === 'local'
      ? await scanLocalSource(source.dir, exclude, (f) => ahead.add(f))
      : await scanS3Source(client, source.bucket, source.prefix, exclude).catch((error: unknown) => {
          throw new Error(`Could not read the source ${describeSource(source)}: ${describeError(error)}`, { cause: error });
        });
  if (scan.files.length === 0) {
    throw new InputError(
      'source',
      'must hold at least one file to publish (dotfiles and exclude matches are left out); nothing was changed',
      describeSource(settings.source),
    );
  }
  return scan;
}

/**
 * Which source entries the bucket already holds, byte for byte, and the SHA-256 of each local file
 * that was hashed (for the manifest). In order, without requests while the manifest can vouch:
 * 1. the manifest recorded this object's ETag and content hash: the file's SHA-256 must match;
 * 2. the ETag is the file's MD5 (or multipart MD5): a plain S3 object with this content;
 * 3. otherwise (SSE-KMS and SSE-C ETags are not MD5s; the manifest is lost or the object another
 *    tool's) the full-object SHA-256 checksum S3 stores, read with HEAD; none: the object counts as changed.
 */
async function findSameContent(
  files: SourceEntry[],
  remote: ReadonlyMap<string, RemoteObject>,
  manifest: Manifest,
  concurrency: number,
  checksumOf: (key: string) => Promise<string | undefined>,
  ahead: HashAhead,
): Promise<{ same: Set<string>; hashes: Map<string, string> }> {
  const same = new Set<string>();
  const hashes = new Map<string, string>();
  const candidates = files.filter((f) => remote.get(f.key)?.size === f.size);
  // Files hashed ahead whose record vouches for their object are compared here, without a promise
  // each. With no such file (a first deploy, a lost manifest) the thread's work is not waited for.
  const vouched = candidates.some((f) => f.kind === 'local' && manifest.objects[f.key]?.sha256 !== undefined);
  if (!vouched) ahead.stop();
  const ready = vouched ? await ahead.hashes() : new Map<string, string>();
  const rest = candidates.filter((f) => {
    const recorded = manifest.objects[f.key];
    const sha256 = f.kind === 'local' ? ready.get(f.path) : undefined;
    if (sha256 === undefined || recorded?.sha256 === undefined || recorded.etag !== remote.get(f.key)!.etag) return true;
    hashes.set(f.key, sha256);
    if (sha256 === recorded.sha256) same.add(f.key);
    return false;
  });
  await forEachLimit(rest, concurrency, async (f) => {
    const object = remote.get(f.key)!;
    if (f.kind === 'local') {
      const recorded = manifest.objects[f.key];
      if (recorded?.sha256 !== undefined && recorded.etag === object.etag) {
        const sha256 = await sha256File(f.path, f.size);
        hashes.set(f.key, sha256);
        if (sha256 === recorded.sha256) same.add(f.key);
      } else if (await fileMatchesEtag(f.path, f.size, object.etag)) {
        same.add(f.key);
      } else if (!object.etag.includes('-')) {
        const stored = await checksumOf(f.key);
        if (stored === undefined) return;
        const sha256 = await sha256File(f.path, f.size);
        hashes.set(f.key, sha256);
        if (base64OfHex(sha256) === stored) same.add(f.key);
      }
    } else {
      const recorded = manifest.objects[f.key];
      if (object.etag === f.etag || (recorded?.etag === object.etag && recorded.sourceEtag === f.etag)) same.add(f.key);
    }
  });
  return { same, hashes };
}

/** This deploy's changed paths, with those of an earlier attempt of the same run. */
function changedPathsOf(plan: Plan, manifest: Manifest, runId: string | undefined): string[] {
  const earlier = runId !== undefined && manifest.changes?.run === runId ? manifest.changes.paths : [];
  return [...new Set([...earlier, ...plan.changedPaths])].sort();
}

function nextManifest(
  previous: Manifest,
  files: SourceEntry[],
  remote: ReadonlyMap<string, RemoteObject>,
  plan: Plan,
  written: WriteResult[],
  complete: boolean,
  changes: Manifest['changes'],
  hashes: ReadonlyMap<string, string>,
  observed: ReadonlyMap<string, ObjectHeaders>,
): Manifest {
  const next = emptyManifest();
  if (changes) next.changes = changes;
  const writes = new Map(written.map((w) => [w.key, w]));
  const desired = new Map(plan.writes.map((w) => [w.key, w.headers]));
  const keep = complete ? new Set([...files.map((f) => f.key), ...plan.kept.map((k) => k.key)]) : undefined;
  for (const [key, entry] of Object.entries(previous.objects)) if (!keep || keep.has(key)) next.objects[key] = entry;
  for (const f of files) {
    const write = writes.get(f.key);
    const etag = write?.etag ?? (desired.has(f.key) ? undefined : remote.get(f.key)?.etag);
    if (!etag) continue;
    const headers: ObjectHeaders | undefined = desired.get(f.key) ?? previous.objects[f.key] ?? observed.get(f.key);
    if (!headers) continue;
    // The content hash: what this run wrote or hashed, else what was recorded while the content stayed the same.
    const unchangedContent = !write || write.bytes === 0;
    const sha256 = write?.sha256 ?? hashes.get(f.key) ?? (unchangedContent ? previous.objects[f.key]?.sha256 : undefined);
    next.objects[f.key] = {
      etag,
      cacheControl: headers.cacheControl,
      contentType: headers.contentType,
      ...(headers.extra ? { extra: headers.extra } : {}),
      ...(sha256 ? { sha256 } : {}),
      ...(f.kind === 's3' ? { sourceEtag: f.etag } : {}),
    };
  }
  next.stale = complete ? plan.stale : { ...previous.stale, ...plan.stale };
  return next;
}

/** Rules that decide no file are almost always a typo (`*.png, *.jpg=…`, `static/**: public`): say so. */
function ruleWarnings(settings: SyncSettings, rules: HeaderRules, files: readonly SourceEntry[]): string[] {
  const used = new Set(files.map((f) => rules.cacheRuleFor(f.key)));
  return settings.cacheControl
    .filter((_, i) => !used.has(i))
    .map(
      (r) =>
        `The cache-control rule ${r.glob}=${r.value} decides no file of this build (check the glob; a list of globs is written {*.png,*.jpg}).`,
    );
}

/** What the source holds, and how its files will be served. */
interface SourceRead {
  files: SourceEntry[];
  leftOut: LeftOut[];
  framework: FrameworkProfile;
  rules: HeaderRules;
  warnings: string[];
}

/** What the target holds, and which source entries it already holds byte for byte. */
interface Comparison {
  remote: ReadonlyMap<string, RemoteObject>;
  manifest: Manifest;
  /** The ETag the manifest was read at ('' when there is none), for the conditional write back. */
  manifestEtag: string;
  sameContent: Set<string>;
  /** Headers read with HEAD for objects the manifest cannot vouch for. */
  observed: Map<string, ObjectHeaders>;
  /** SHA-256 of the local files hashed on the way, for the manifest. */
  hashes: Map<string, string>;
  /** HEAD answers, by full key: a copy need not read them again. */
  heads: Map<string, HeadObjectCommandOutput>;
}

/** What the write step did: what landed, how many deletions, and the error that stopped it. */
interface Written {
  written: WriteResult[];
  deleted: number;
  failure?: { error: unknown };
}

export async function syncSite(settings: SyncSettings, deps: SyncDeps): Promise<SyncResult> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const now = deps.now ? deps.now() : new Date(started);
  // A large build's files are hashed on another thread while this one scans it and reads the bucket.
  const ahead = new HashAhead(deps.hashAheadFrom);
  let lease: Lease | undefined;
  try {
    const source = await read(settings, deps, ahead);
    ahead.end();
    // One deploy at a time per prefix: taken before the bucket is read, so the plan rests on what is there.
    if (!settings.dryRun) lease = await takeLease(settings, deps, clock);
    const comparison = await compare(settings, deps, source, ahead);
    const plan = planSync(settings, deps.log, source, comparison, now);
    const changes = changesToReport(settings, deps.log, plan, comparison.manifest);
    const result = (written: WriteResult[], deleted: number): SyncResult =>
      summarise(settings, source, plan, changes.paths, written, deleted, clock.now() - started);
    if (settings.dryRun) {
      await showPlan(deps.log, plan);
      return result([], plan.deletes.length);
    }
    const done = await write(settings, deps, plan, comparison, source.rules);
    if (done.failure) {
      // Remember what did land, so a re-run need not look at it again; the listing stays the truth.
      await record(settings, deps.client, source, comparison, plan, done.written, false, changes.record).catch(() => undefined);
      throw new SyncFailed(describeError(done.failure.error), result(done.written, done.deleted), { cause: done.failure.error });
    }
    await record(settings, deps.client, source, comparison, plan, done.written, true, changes.record);
    return result(done.written, done.deleted);
  } finally {
    ahead.stop();
    await lease?.release();
  }
}

/** Read: the source's files, what is left out, the framework and the header rules. */
async function read(settings: SyncSettings, deps: SyncDeps, ahead: HashAhead): Promise<SourceRead> {
  const { client, log } = deps;
  const scan = await log.group(`Read ${describeSource(settings.source)}`, async () => {
    const scan = await readSource(settings, client, ahead);
    log.info(`${scan.files.length} files to publish`);
    for (const l of scan.leftOut) log.info(`left out ${l.key}: ${l.reason}`);
    return scan;
  });
  const framework =
    settings.framework === 'auto'
      ? detectFramework(scan.files.map((f) => f.key))
      : frameworkProfile(settings.framework, 'the framework input');
  log.info(`framework: ${framework.name} (${framework.reason})`);
  const rules = new HeaderRules(settings.cacheControl, settings.contentType, framework, settings.headers);
  return { ...scan, framework, rules, warnings: ruleWarnings(settings, rules, scan.files) };
}

function takeLease(settings: SyncSettings, deps: SyncDeps, clock: Clock): Promise<Lease> {
  const holder = {
    owner: settings.owner ?? `slipway on ${hostname()} (pid ${process.pid})`,
    ...(settings.runJob ? { run: settings.runJob } : {}),
  };
  return Lease.acquire(deps.client, settings.bucket, settings.prefix, holder, {
    clock,
    log: deps.log,
    ...(deps.lease ? { options: deps.lease } : {}),
  }).catch((error: unknown) => {
    if (error instanceof LeaseHeld) throw error;
    throw new Error(`Could not read ${whereOf(settings)}: ${describeError(error)} (while taking the deploy lease)`, { cause: error });
  });
}

const whereOf = (settings: SyncSettings) => `s3://${settings.bucket}/${settings.prefix}`;

/** Compare: the listing and the manifest, then which source entries the bucket already holds, and the headers the manifest cannot vouch for. */
async function compare(settings: SyncSettings, deps: SyncDeps, source: SourceRead, ahead: HashAhead): Promise<Comparison> {
  const { client, log } = deps;
  const where = whereOf(settings);
  return log.group(`Compare with ${where}`, async () => {
    // The manifest names the keys the bucket should hold: the listing is split where it says, and read side by side.
    const manifestRead = readManifestVersion(client, settings.bucket, settings.prefix);
    const boundaries = manifestRead.then(({ manifest }) => listBoundaries(Object.keys(manifest?.objects ?? {})));
    const [listing, { manifest: stored, etag: manifestEtag }] = await Promise.all([
      listObjects(client, settings.bucket, settings.prefix, boundaries),
      manifestRead,
    ]).catch((error: unknown) => {
      throw new Error(`Could not read ${where}: ${describeError(error)}`, { cause: error });
    });
    const manifest = stored ?? emptyManifest();
    log.info(
      `${listing.objects.size} objects there (${listing.requests} list request${listing.requests === 1 ? '' : 's'})${stored ? '' : ', no Slipway manifest yet'}`,
    );
    const heads = new Map<string, HeadObjectCommandOutput>();
    const checksumOf = async (key: string) => {
      const head = await headObject(client, settings.bucket, settings.prefix + key, true);
      heads.set(settings.prefix + key, head);
      const full = head.ChecksumType === undefined || head.ChecksumType === 'FULL_OBJECT';
      return full && head.ChecksumSHA256 && !head.ChecksumSHA256.includes('-') ? head.ChecksumSHA256 : undefined;
    };
    // Hashing is local disk work: overlap more of it than the network concurrency allows.
    const { same: sameContent, hashes } = await findSameContent(
      source.files,
      listing.objects,
      manifest,
      Math.max(settings.concurrency, 64),
      checksumOf,
      ahead,
    );
    // Objects with the right content whose headers the manifest cannot vouch for (written by
    // another tool, or by a run that was cut short): read their headers once.
    const unknown = [...sameContent].filter((k) => !recordedHeaders(k, listing.objects, manifest));
    const observed = new Map<string, ObjectHeaders>();
    await forEachLimit(unknown, settings.concurrency, async (key) => {
      const head = heads.get(settings.prefix + key) ?? (await headObject(client, settings.bucket, settings.prefix + key));
      heads.set(settings.prefix + key, head);
      observed.set(key, headersOf(head));
    });
    if (unknown.length > 0) log.info(`read the headers of ${unknown.length} objects not in the manifest`);
    return { remote: listing.objects, manifest, manifestEtag, sameContent, observed, hashes, heads };
  });
}

/** Plan: what to write, delete and keep; warnings and a one-line count in the log. */
function planSync(settings: SyncSettings, log: Logger, source: SourceRead, comparison: Comparison, now: Date): Plan {
  const where = whereOf(settings);
  const plan = planDeploy({
    source: source.files,
    remote: comparison.remote,
    manifest: comparison.manifest,
    sameContent: comparison.sameContent,
    observedHeaders: comparison.observed,
    rules: source.rules,
    delete: settings.delete,
    keep: compileGlobs(settings.keep),
    staleGraceMs: settings.staleGraceMs,
    now,
  });
  for (const key of plan.immutableChanged) {
    source.warnings.push(
      `${key} is cached as immutable, yet its content changed under the same name: visitors who have it keep the old copy for up to a year. Give it a hashed name, or a shorter cache-control rule.`,
    );
  }
  for (const w of source.warnings) log.warning(w);
  const notOurs = plan.kept.filter((k) => k.reason === 'not written by Slipway');
  if (notOurs.length > 0)
    log.info(
      `kept ${notOurs.length} object${notOurs.length === 1 ? '' : 's'} under ${where} that Slipway did not write (first deploy here, or its record is gone); delete: all removes them`,
    );
  log.info(
    `plan: ${countOf(plan, 'new')} new, ${countOf(plan, 'changed')} changed, ${countOf(plan, 'headers')} header updates, ${plan.skipped.length} unchanged, ${plan.deletes.length} to delete, ${plan.kept.length} kept`,
  );
  return plan;
}

const countOf = (plan: Plan, change: string) => plan.writes.filter((w) => w.change === change).length;

/** The paths to report (with an earlier attempt's), and the record of them the manifest keeps. */
function changesToReport(
  settings: SyncSettings,
  log: Logger,
  plan: Plan,
  manifest: Manifest,
): { paths: string[]; record: Manifest['changes'] } {
  const paths = changedPathsOf(plan, manifest, settings.runId);
  if (paths.length > plan.changedPaths.length)
    log.info(`reporting ${paths.length - plan.changedPaths.length} paths an earlier attempt of run ${settings.runId} changed`);
  // A run that changed nothing leaves the record alone: a re-run of it has nothing to report either.
  return { paths, record: settings.runId !== undefined && paths.length > 0 ? { run: settings.runId, paths } : manifest.changes };
}

function showPlan(log: Logger, plan: Plan): Promise<void> {
  return log.group('Plan (dry run: nothing is changed)', () => {
    for (const w of plan.writes)
      log.info(
        `would ${w.change === 'headers' ? 'update headers of' : `write (${w.change})`} ${w.key} [${w.headers.cacheControl}; ${w.headers.contentType}]`,
      );
    for (const k of plan.deletes) log.info(`would delete ${k}`);
    for (const k of plan.kept) log.info(`would keep ${k.key}: ${k.reason}${k.until ? ` until ${k.until}` : ''}`);
    return Promise.resolve();
  });
}

/** Write: assets first, then HTML, then deletions; stops at the first phase that fails, saying what landed. */
async function write(settings: SyncSettings, deps: SyncDeps, plan: Plan, comparison: Comparison, rules: HeaderRules): Promise<Written> {
  const { client, log } = deps;
  const target: Target = {
    client,
    bucket: settings.bucket,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    managedNamesFor: (key) => rules.managedNamesFor(key),
    heads: comparison.heads,
  };
  let written: WriteResult[] = [];
  let deleted = 0;
  try {
    if (plan.writes.length > 0) {
      written = await log.group(`Upload ${plan.writes.length} objects (assets first, then HTML)`, () =>
        executeWrites(target, plan.writes, log),
      );
    }
    if (plan.deletes.length > 0) {
      deleted = await log.group(`Delete ${plan.deletes.length} objects no longer in the source`, () =>
        executeDeletes(target, plan.deletes, log),
      );
    }
    return { written, deleted };
  } catch (error) {
    return { written: error instanceof DeployPhaseError ? error.completed : written, deleted, failure: { error } };
  }
}

/** Record: the manifest of what the prefix now holds, written over the version read (only when it changed). */
async function record(
  settings: SyncSettings,
  client: S3Client,
  source: SourceRead,
  comparison: Comparison,
  plan: Plan,
  written: WriteResult[],
  complete: boolean,
  changes: Manifest['changes'],
): Promise<void> {
  const { manifest, remote, hashes, observed } = comparison;
  const next = nextManifest(manifest, source.files, remote, plan, written, complete, changes, hashes, observed);
  if (serializeManifest(next) !== serializeManifest(manifest))
    await writeManifest(client, settings.bucket, settings.prefix, next, comparison.manifestEtag);
}

function summarise(
  settings: SyncSettings,
  source: SourceRead,
  plan: Plan,
  changedPaths: string[],
  written: WriteResult[],
  deleted: number,
  durationMs: number,
): SyncResult {
  return {
    dryRun: settings.dryRun,
    uploaded: plan.writes.filter((w) => w.change !== 'headers').length,
    headersUpdated: countOf(plan, 'headers'),
    skipped: plan.skipped.length,
    deleted,
    bytesUploaded: settings.dryRun
      ? plan.writes.reduce((n, w) => n + (w.change === 'headers' ? 0 : w.entry.size), 0)
      : written.reduce((n, w) => n + w.bytes, 0),
    changedPaths,
    plan,
    leftOut: source.leftOut,
    framework: source.framework,
    warnings: source.warnings,
    durationMs,
  };
}
