// Crash and re-run: deploy-static (the committed bundle, run as the runner runs it) is killed with
// SIGKILL at seeded random points of a deploy, possibly several times in a row, then run to the
// end, as a crashed runner re-running the job would. The re-run must converge to the exact mirror,
// and a watcher reading the bucket the whole time must never see an HTML page (or service worker)
// that references an asset that is not there.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle, type ActionRun } from '../../stand-ins/action-runner.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { MANIFEST_KEY } from '../../src/lib/s3-sync/keys.js';
import { forEachLimit } from '../../src/lib/util/concurrency.js';
import { bucketState, md5, motoEndpoint, newBucket, s3At, writeSite, type StoredObject } from '../support/s3.js';
import {
  generateSites,
  isComplete,
  isEntryPoint,
  listing,
  mirrorState,
  prng,
  progressOf,
  startWatcher,
  writesDone,
  type Progress,
  type SiteVersions,
  type WatchStats,
} from './crash-support.js';

// Chosen so that every kind of kill point below is drawn at least once.
const SEEDS = [11, 23, 31, 37, 59];
const SITE_SEED = 2024;

/** Every input as the runner fills it in from action.yml, but no grace: the converged bucket is exactly the mirror. */
// The runner fills in the other inputs' action.yml defaults.
const INPUTS = { 'stale-asset-grace': '0' };

/**
 * Where to kill: after a delay drawn over a whole deploy's duration (so start-up, listing and
 * hashing are hit too); after the k-th object write the process reports, k drawn over the writes
 * its plan announces; after the k-th HTML page it writes (a site half old pages, half new); or a
 * few milliseconds into its delete request. The process logs each write once S3 has answered.
 */
type KillPlan =
  { mode: 'time'; afterMs: number } | { mode: 'write'; u: number } | { mode: 'html'; pages: number } | { mode: 'delete'; extraMs: number };

interface Attempt {
  seed: number;
  kill?: KillPlan;
  /** When the kill was sent (ms after spawn), and what triggered it; undefined when the run ended first. */
  killedAtMs?: number;
  trigger?: string;
  run: ActionRun;
  elapsedMs: number;
  /** The bucket just after the attempt, measured against the v1 → v2 change. */
  progress: Progress;
  watch: WatchStats;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const client = () => s3At(motoEndpoint(), 16);
const deploy = (dir: string, bucket: string) =>
  runActionBundle('deploy-static', { ...INPUTS, source: dir, bucket }, { env: awsEnvFor(motoEndpoint()) });

let sites: SiteVersions;
let v1Dir: string;
let v2Dir: string;
/** bucketState of a clean deploy of v2 into a fresh bucket. */
let control: Map<string, StoredObject>;
let controlBucket: string;
/** Per seed, a bucket holding a complete deploy of v1. */
const seedBuckets = new Map<number, string>();
/** How long an uninterrupted, watched v1 → v2 deploy took. */
let fullDeployMs: number;
const attempts: Attempt[] = [];

/** One deploy of v2 into `bucket` with a watcher on the bucket, killed as `kill` says. */
async function attempt(seed: number, bucket: string, kill?: KillPlan): Promise<Attempt> {
  const watcher = startWatcher(s3At(motoEndpoint(), 8), bucket);
  const record: Partial<Attempt> = {};
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  const onSpawn = (child: ChildProcess) => {
    const killNow = (trigger: string) => {
      if (record.killedAtMs !== undefined || child.exitCode !== null) return;
      record.killedAtMs = Date.now() - started;
      record.trigger = trigger;
      child.kill('SIGKILL');
    };
    if (!kill) return;
    if (kill.mode === 'time') {
      timer = setTimeout(() => killNow(`${kill.afterMs}ms timer`), kill.afterMs);
      return;
    }
    let buffered = '';
    let target = -1;
    let writes = 0;
    let pages = 0;
    let planned = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += String(chunk);
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const plan = /^plan: (\d+) new, (\d+) changed, (\d+) header updates/.exec(line);
        if (plan) {
          planned = Number(plan[1]) + Number(plan[2]) + Number(plan[3]);
          if (kill.mode === 'write') {
            target = Math.floor(kill.u * (planned + 1));
            if (target === 0) killNow(`write 0/${planned}`);
          }
          if (kill.mode === 'html' && planned === 0) killNow('html: nothing to write');
        } else if (/^(uploaded \([a-z]+\)|updated headers of) /.test(line)) {
          writes++;
          if (writes === target) killNow(`write ${writes}/${planned}`);
          if (
            isEntryPoint(line.replace(/^(uploaded \([a-z]+\)|updated headers of) /, '')) &&
            ++pages === (kill.mode === 'html' ? kill.pages : -1)
          )
            killNow(`page ${pages}, write ${writes}/${planned}`);
        } else if (line.startsWith('::group::Delete')) {
          if (kill.mode === 'delete') timer = setTimeout(() => killNow(`delete +${kill.extraMs}ms`), kill.extraMs);
        }
      }
    });
  };
  const run = await runActionBundle('deploy-static', { ...INPUTS, source: v2Dir, bucket }, { env: awsEnvFor(motoEndpoint()), onSpawn });
  const elapsedMs = Date.now() - started;
  clearTimeout(timer);
  // Requests the killed process had already sent may still be landing at moto: give them time
  // (the watcher keeps watching) before taking the bucket's state.
  if (record.killedAtMs !== undefined) await sleep(200);
  const watch = await watcher.stop();
  const progress = progressOf(await listing(client(), bucket), sites.v1, sites.v2);
  return { seed, kill, ...record, run, elapsedMs, progress, watch };
}

const withoutManifest = (state: Map<string, StoredObject>) =>
  Object.fromEntries([...state].filter(([k]) => k !== MANIFEST_KEY).sort(([a], [b]) => (a < b ? -1 : 1)));

const killPoint = (a: Attempt) =>
  a.killedAtMs === undefined
    ? `${a.trigger ?? a.kill?.mode}: finished first (exit ${a.run.exitCode})`
    : `${a.killedAtMs}ms (${a.trigger}) → ${a.progress.assetsWritten}/${a.progress.assetsToWrite} assets, ${a.progress.pagesWritten}/${a.progress.pagesToWrite} pages, ${a.progress.removed}/${a.progress.toRemove} removed`;

const watchSummary = (w: WatchStats) =>
  `${w.pagesChecked} pages, ${w.assetChecks} asset HEADs, ${w.violations.length} violations, ` +
  `${w.pageRemovedMeanwhile.length} page-removed-meanwhile, ${w.pageReplacedMeanwhile.length} page-replaced-meanwhile`;

const sumWatch = (list: Attempt[]): WatchStats =>
  list.reduce<WatchStats>(
    (t, { watch: w }) => ({
      sweeps: t.sweeps + w.sweeps,
      pagesChecked: t.pagesChecked + w.pagesChecked,
      assetChecks: t.assetChecks + w.assetChecks,
      violations: [...t.violations, ...w.violations],
      pageRemovedMeanwhile: [...t.pageRemovedMeanwhile, ...w.pageRemovedMeanwhile],
      pageReplacedMeanwhile: [...t.pageReplacedMeanwhile, ...w.pageReplacedMeanwhile],
      errors: [...t.errors, ...w.errors],
    }),
    { sweeps: 0, pagesChecked: 0, assetChecks: 0, violations: [], pageRemovedMeanwhile: [], pageReplacedMeanwhile: [], errors: [] },
  );

beforeAll(async () => {
  sites = generateSites(SITE_SEED);
  v1Dir = writeSite(sites.v1);
  v2Dir = writeSite(sites.v2);
  // The control bucket gets v2; the calibration bucket and one bucket per seed get v1, fully.
  controlBucket = await newBucket();
  const calibration = await newBucket();
  for (const seed of SEEDS) seedBuckets.set(seed, await newBucket());
  const clean = async () => {
    const run = await deploy(v2Dir, controlBucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    control = await bucketState(controlBucket);
    // The faster, parallel reader used below reads the same thing.
    expect(await mirrorState(client(), controlBucket)).toEqual(control);
  };
  const setups = await Promise.all([...[calibration, ...seedBuckets.values()].map((b) => deploy(v1Dir, b)), clean()]);
  for (const run of setups) if (run) expect(run.exitCode, run.stdout + run.stderr).toBe(0);

  const full = await attempt(0, calibration);
  expect(full.run.exitCode, full.run.stdout + full.run.stderr).toBe(0);
  expect(full.watch.violations).toEqual([]);
  fullDeployMs = full.elapsedMs;
});

/** Kill points (ms after spawn, what triggered the kill, what had landed), time to converge, watcher checks. */
function seedFigures(seed: number): string {
  const mine = attempts.filter((a) => a.seed === seed);
  const killed = mine.filter((a) => a.kill).map(killPoint);
  return `seed ${seed}: [${killed.join('; ')}] then ${mine.at(-1)!.elapsedMs}ms to converge, ${sumWatch(mine).pagesChecked} pages checked`;
}

function summary(): string {
  const p = attempts[0]!.progress;
  const ran = SEEDS.filter((seed) => attempts.some((a) => a.seed === seed));
  const all = sumWatch(attempts);
  const removed = [...new Set(all.pageRemovedMeanwhile.map((s) => `${s.page}→${s.asset}`))];
  return (
    `crash-rerun: ${Object.keys(sites.v2).length} files in v2 (${p.assetsToWrite} assets + ${p.pagesToWrite} pages to write, ${p.toRemove} to remove over v1); ` +
    `uninterrupted v2 deploy ${fullDeployMs}ms; ${ran.map(seedFigures).join(' | ')}; watcher: ${watchSummary(all)}` +
    (removed.length > 0 ? ` (removed-meanwhile: ${removed.slice(0, 3).join(', ')}${removed.length > 3 ? ', …' : ''})` : '')
  );
}

afterAll(() => {
  if (attempts.length > 0) console.log(summary());
});

describe('deploy-static killed with SIGKILL at random points, then run again', () => {
  it('(the watcher catches a deploy that writes its pages before their assets)', async () => {
    // Into the control bucket (its state is already taken): v1's pages, then v1's assets, which that bucket lacks.
    const s3 = client();
    const watcher = startWatcher(s3At(motoEndpoint(), 8), controlBucket);
    const missing = Object.entries(sites.v1).filter(([k]) => !sites.v2[k] || isEntryPoint(k));
    for (const batch of [missing.filter(([k]) => isEntryPoint(k)), missing.filter(([k]) => !isEntryPoint(k))]) {
      await forEachLimit(
        batch,
        16,
        async ([Key, Body]) => void (await s3.send(new PutObjectCommand({ Bucket: controlBucket, Key, Body }))),
      );
    }
    const watch = await watcher.stop();
    expect(watch.errors).toEqual([]);
    expect(watch.violations.length, watchSummary(watch)).toBeGreaterThan(0);
  });

  it.for(SEEDS)(
    'seed %i: every killed attempt leaves a consistent site, and the re-run converges to the exact mirror',
    async (seed, { annotate }) => {
      const rng = prng(seed);
      const bucket = seedBuckets.get(seed)!;

      // One to three killed attempts in a row, then one that runs to the end.
      const mine: Attempt[] = [];
      const kills = 1 + Math.floor(rng() * 3);
      for (let i = 0; i < kills; i++) {
        const r = rng();
        const u = rng();
        const kill: KillPlan =
          r < 0.3
            ? { mode: 'time', afterMs: Math.round(fullDeployMs * (0.05 + 0.95 * u)) }
            : r < 0.6
              ? { mode: 'write', u }
              : r < 0.85
                ? { mode: 'html', pages: 1 + Math.floor(u * 20) }
                : { mode: 'delete', extraMs: Math.floor(u * 60) };
        const a = await attempt(seed, bucket, kill);
        mine.push(a);
        attempts.push(a);
        if (a.killedAtMs !== undefined) {
          expect(a.run.signal, `seed ${seed}: ${killPoint(a)}`).toBe('SIGKILL');
          expect(a.run.exitCode).toBeNull();
        } else {
          // A later attempt with less left to do may finish before its kill point.
          expect(a.run.exitCode, a.run.stdout + a.run.stderr).toBe(0);
          expect(isComplete(a.progress)).toBe(true);
        }
      }
      const final = await attempt(seed, bucket);
      mine.push(final);
      attempts.push(final);
      expect(final.run.exitCode, final.run.stdout + final.run.stderr).toBe(0);
      expect(final.run.errors).toEqual([]);

      // The watcher looked during every attempt, and never saw a page whose assets were not there.
      for (const a of mine) {
        expect(a.watch.errors, `seed ${seed}: watcher errors`).toEqual([]);
        expect(a.watch.violations, `seed ${seed}, ${killPoint(a)}: pages visible while an asset they reference was missing`).toEqual([]);
        expect(a.watch.pagesChecked, `seed ${seed}, ${killPoint(a)}: ${watchSummary(a.watch)}`).toBeGreaterThan(0);
        // A missing asset the watcher met while the page changed under it can only be a v1 asset
        // that v2 drops (deleted once every page was written), seen from a page v2 replaces or removes.
        for (const s of [...a.watch.pageRemovedMeanwhile, ...a.watch.pageReplacedMeanwhile]) {
          expect(sites.v2[s.asset], `seed ${seed}: ${s.page} (read) → ${s.asset} missing`).toBeUndefined();
          expect(
            sites.v2[s.page] === undefined || !sites.v2[s.page]!.equals(sites.v1[s.page] ?? Buffer.alloc(0)),
            `seed ${seed}: ${s.page} changed`,
          ).toBe(true);
        }
        for (const s of a.watch.pageRemovedMeanwhile)
          expect(sites.v2[s.page], `seed ${seed}: ${s.page} was deleted, yet v2 has it`).toBeUndefined();
      }
      const watched = sumWatch(mine);
      expect(watched.pagesChecked, `seed ${seed}: ${watchSummary(watched)}`).toBeGreaterThanOrEqual(
        Object.keys(sites.v2).filter((k) => k.endsWith('.html')).length,
      );

      // Converged: exactly the v2 mirror (keys and bodies), with the headers a clean deploy gives.
      const state = withoutManifest(await mirrorState(client(), bucket));
      expect(Object.fromEntries(Object.entries(state).map(([k, o]) => [k, o.md5]))).toEqual(
        Object.fromEntries(Object.entries(sites.v2).map(([k, body]) => [k, md5(body)])),
      );
      expect(state).toEqual(withoutManifest(control));
      await annotate(seedFigures(seed));
    },
  );

  it('the kills landed mid-deploy: SIGKILL, with part of v2 written but not all', async ({ annotate }) => {
    const ran = new Set(attempts.map((a) => a.seed)).size;
    // It judges the attempts of the seed tests above: run alone (-t) it has nothing to judge, and says so.
    expect(ran, 'no seed ran: run this file whole, the seed tests gather the attempts this judges').toBeGreaterThan(0);
    const killed = attempts.filter((a) => a.killedAtMs !== undefined);
    const partial = killed.filter((a) => writesDone(a.progress) > 0 && !isComplete(a.progress));
    const kills = killed.map((a) => `seed ${a.seed} ${killPoint(a)}`);
    expect(killed.length, kills.join('\n')).toBeGreaterThanOrEqual(ran);
    expect(partial.length, kills.join('\n')).toBeGreaterThanOrEqual(Math.ceil(ran / 2));
    // At least once the watcher looked at a site with some pages new and some old.
    if (ran > 1)
      expect(
        killed.filter((a) => a.progress.pagesWritten > 0 && a.progress.pagesWritten < a.progress.pagesToWrite).length,
        kills.join('\n'),
      ).toBeGreaterThan(0);
    for (const a of killed) expect(a.run.signal).toBe('SIGKILL');
    await annotate(summary());
  });
});
