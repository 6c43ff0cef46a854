// Verification of a staged release through the CDN, before it goes live, and the wait after the
// switch until the CDN serves it. Both go through the router's two releases-mode features:
//   GET /_slipway/release   answers the id of the release the request is served from;
//   x-slipway-verify: <id>.<token>   serves release <id> instead of the live one, only when <token>
//                            is the one its config holds (the public cannot browse unreleased builds).
// The rewritten URI is the cache key, so what verification loads is cached under the staged release's
// own keys (or pool keys with the same bytes): nothing a visitor gets changes.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-the-cache-key.html
//
// What is checked: every HTML entry point (up to MAX_PAGES, else an even sample that keeps the root and
// 404 pages), everything each references (scripts, stylesheets, modulepreloads, preloads, icons,
// images and srcsets, the web manifest and its icons, CSS url() and @import), up to MAX_REFERENCES;
// each must answer 200 with the Content-Type its kind and extension call for (a script is never
// text/html), and, for files of the build, the Content-Type and Cache-Control the rules gave it
// (a Cache-Control set by a _headers rule wins, as the router applies it). The exact redirects answer
// their status and Location, and every _headers rule whose path a checked URL matches shows its headers.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import mime from 'mime-types';
import type { Logger } from '../log/logger.js';
import { matchPattern } from '../router/rules-files.js';
import { loopbackAwareLookup } from '../router/store.js';
import type { ObjectHeaders } from '../s3-sync/rules.js';
import { forEachLimit } from '../util/concurrency.js';
import { systemClock, type Clock } from '../util/clock.js';
import { cssReferences, htmlReferences, manifestReferences, type ReferenceKind } from './html-refs.js';

export const RELEASE_PATH = '/_slipway/release';
export const VERIFY_HEADER = 'x-slipway-verify';
export const MAX_PAGES = 100;
export const MAX_REFERENCES = 2000;
export const MAX_REDIRECTS = 100;
const BODY_LIMIT = 5 * 1024 * 1024;

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}
export type HttpGet = (url: URL, headers: Record<string, string>) => Promise<HttpAnswer>;

/** A GET that never follows redirects; names under .localhost are loopback (test and local CDNs). */
export const httpGet: HttpGet = (url, headers) =>
  new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      { method: 'GET', headers: { 'user-agent': 'slipway-verify', ...headers }, lookup: loopbackAwareLookup, timeout: 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= BODY_LIMIT) chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.href} within 15 s`)));
    req.on('error', reject);
    req.end();
  });

const header = (a: HttpAnswer, name: string): string => {
  const v = a.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

export interface WaitOptions {
  /** Consecutive answers with the id, after every POP seen answered it, before it counts. */
  confirmations: number;
  intervalMs: number;
  timeoutMs: number;
  clock?: Clock;
  get?: HttpGet;
  /** Extra request headers (the verification token). */
  headers?: Record<string, string>;
}

export interface WaitResult {
  /** true: every POP reached answered the id; false: the wait ran out. */
  served: boolean;
  /** From the start of the wait until the answers showing the id everywhere began. */
  ms: number;
  polls: number;
  /** Each POP reached (x-amz-cf-pop) with the last release it answered. */
  pops: Record<string, string>;
  /** The last answer that did not show the id, for the error. */
  lastOther?: string;
}

export class RouterTooOld extends Error {
  constructor(url: string) {
    super(
      `The CDN at ${url} answered ${RELEASE_PATH} without an x-slipway-release header: its router was published before Slipway could verify releases. Update it (the router action, command setup), or set verify: false.`,
    );
    this.name = 'RouterTooOld';
  }
}

/**
 * Polls <site>/_slipway/release until it answers `id` from every POP this runner reaches (CloudFront
 * names it in x-amz-cf-pop) `confirmations` times in a row. A runner reaches a few POPs, not all of
 * them; the KeyValueStore replicates one way to all, so these stand for the rest.
 */
export async function waitForRelease(site: URL, id: string, options: WaitOptions): Promise<WaitResult> {
  const clock = options.clock ?? systemClock;
  const get = options.get ?? httpGet;
  const url = new URL(RELEASE_PATH, site);
  const start = clock.now();
  const pops: Record<string, string> = {};
  let streak = 0;
  let streakStart = start;
  let polls = 0;
  let lastOther: string | undefined;
  for (;;) {
    const at = clock.now();
    let seen: string;
    let pop = '';
    try {
      const a = await get(url, { 'cache-control': 'no-cache', ...options.headers });
      pop = header(a, 'x-amz-cf-pop');
      if (a.status === 200 && !header(a, 'x-slipway-release')) throw new RouterTooOld(site.href);
      seen = a.status === 200 ? a.body.trim() : `${a.status} ${a.body.trim().slice(0, 80)}`;
    } catch (error) {
      if (error instanceof RouterTooOld) throw error;
      seen = String(error instanceof Error ? error.message : error);
    }
    polls++;
    pops[pop] = seen;
    if (seen === id && Object.values(pops).every((v) => v === id)) {
      if (streak++ === 0) streakStart = at;
      if (streak >= options.confirmations) return { served: true, ms: streakStart - start, polls, pops };
    } else {
      streak = 0;
      if (seen !== id) lastOther = pop ? `${seen} (from ${pop})` : seen;
    }
    if (clock.now() - start >= options.timeoutMs)
      return { served: false, ms: clock.now() - start, polls, pops, ...(lastOther !== undefined ? { lastOther } : {}) };
    await clock.sleep(options.intervalMs);
  }
}

export interface StagedRelease {
  id: string;
  token: string;
  /** The build's files and the headers the rules gave them. */
  files: Readonly<Record<string, { headers: ObjectHeaders }>>;
  /** The release's routing table (site <site>~<id>). */
  entries: ReadonlyMap<string, string>;
  /** <site>~<id> */
  tableSite: string;
}

export interface Problem {
  url: string;
  /** The page that references it ('' for entry points, redirects and header rules). */
  from: string;
  problem: string;
}

export interface VerifyReport {
  url: string;
  pages: number;
  pagesTotal: number;
  references: number;
  referencesTotal: number;
  redirects: number;
  headerRules: number;
  problems: Problem[];
  /** Waiting for the CDN to serve the staged release, then checking it. */
  waitMs: number;
  checkMs: number;
}

export class VerificationFailed extends Error {
  constructor(
    readonly report: VerifyReport,
    readonly id: string,
  ) {
    const first = report.problems.slice(0, 5).map((p) => `${p.url}: ${p.problem}${p.from ? ` (referenced by ${p.from})` : ''}`);
    super(
      `Verification of the staged release through ${report.url} found ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}; nothing was switched, the live release is unchanged. ${first.join('; ')}${report.problems.length > 5 ? '; …' : ''}`,
    );
    this.name = 'VerificationFailed';
  }
}

export interface VerifyOptions {
  /** The site's URL, a host the router maps to the site. */
  url: string;
  concurrency?: number;
  wait?: Omit<WaitOptions, 'headers'>;
  get?: HttpGet;
  clock?: Clock;
  log?: Logger;
}

/** KeyValueStore updates reach the edges "within seconds" (no bound documented): poll every half second, for up to 3 minutes. */
export const DEFAULT_WAIT = { confirmations: 3, intervalMs: 500, timeoutMs: 180_000 } as const;

const hasExt = (path: string) => path.slice(path.lastIndexOf('/') + 1).indexOf('.') > 0;
const mediaType = (t: string) => t.split(';')[0]!.trim().toLowerCase();
const normalize = (path: string) => (path.length > 1 ? path.replace(/\/+$/, '') || '/' : '/');
const JS = new Set(['text/javascript', 'application/javascript', 'application/x-javascript', 'text/ecmascript', 'application/ecmascript']);

/** What a kind of reference must come as, whatever its name says. */
function kindProblem(kind: ReferenceKind, type: string): string | undefined {
  if (kind === 'script' && !JS.has(type)) return `a script served as ${type || 'no Content-Type'} (browsers refuse to run it)`;
  if (kind === 'style' && type !== 'text/css') return `a stylesheet served as ${type || 'no Content-Type'} (browsers ignore it)`;
  if (kind === 'manifest' && type !== 'application/manifest+json' && type !== 'application/json')
    return `a web manifest served as ${type || 'no Content-Type'}`;
  if ((kind === 'image' || kind === 'font') && type.startsWith('text/html')) return `an ${kind} served as text/html`;
  return undefined;
}

function sample<T>(items: T[], max: number, keep: (t: T) => boolean): T[] {
  if (items.length <= max) return items;
  const kept = items.filter(keep).slice(0, max);
  const rest = items.filter((t) => !keep(t));
  const step = rest.length / (max - kept.length);
  return [...kept, ...Array.from({ length: max - kept.length }, (_, i) => rest[Math.floor(i * step)]!)];
}

interface Target {
  path: string;
  kind: ReferenceKind | 'page';
  from: string;
  /** For pages: the status the router answers (404 for a not-found page). */
  status?: number;
}

export async function verifyRelease(release: StagedRelease, options: VerifyOptions): Promise<VerifyReport> {
  const clock = options.clock ?? systemClock;
  const get = options.get ?? httpGet;
  const site = new URL(options.url);
  const auth = { [VERIFY_HEADER]: `${release.id}.${release.token}` };
  const started = clock.now();
  const wait = await waitForRelease(site, release.id, { ...DEFAULT_WAIT, ...options.wait, clock, get, headers: auth });
  const report: VerifyReport = {
    url: site.href,
    pages: 0,
    pagesTotal: 0,
    references: 0,
    referencesTotal: 0,
    redirects: 0,
    headerRules: 0,
    problems: [],
    waitMs: wait.ms,
    checkMs: 0,
  };
  if (!wait.served) {
    report.problems.push({
      url: new URL(RELEASE_PATH, site).href,
      from: '',
      problem: `the CDN did not serve the staged release within ${Math.round(wait.ms / 1000)} s (last answer: ${wait.lastOther ?? 'none'}); check that the router maps this host to the site and that the router is current`,
    });
    throw new VerificationFailed(report, release.id);
  }
  const checkStart = clock.now();
  const prefix = (kind: string) => `${kind}:${release.tableSite}:`;
  const config = JSON.parse(release.entries.get(`s:${release.tableSite}`) ?? '{}') as { t?: string };
  const headerRules: [string, [string, string][]][] = [];
  const pages = new Map<string, { file: string; code?: number }>();
  const redirects: { path: string; to: string; code: number }[] = [];
  for (const [key, value] of release.entries) {
    if (key.startsWith(prefix('p'))) {
      const e = JSON.parse(value) as { f?: string; c?: number; to?: string };
      const path = key.slice(prefix('p').length);
      if (e.to) redirects.push({ path, to: e.to, code: e.c ?? 301 });
      else if (e.f) pages.set(path, { file: e.f, ...(e.c ? { code: e.c } : {}) });
    } else if (/^s:.*:h\d+$/.test(key) && key.startsWith(prefix('s')))
      headerRules.push(...(JSON.parse(value) as [string, [string, string][]][]));
  }
  report.headerRules = headerRules.length;

  // Entry points: every page of the table, and every HTML file no page path reaches.
  const viaPage = new Set([...pages.values()].map((p) => p.file));
  const pageUrl = (path: string) => (path !== '/' && !hasExt(path) && config.t === 'always' ? `${path}/` : path);
  const entries: Target[] = [...pages].map(([path, p]) => ({
    path: pageUrl(path),
    kind: 'page' as const,
    from: '',
    status: p.code ?? 200,
  }));
  for (const key of Object.keys(release.files))
    if (/\.(x?html?)$/i.test(key) && !viaPage.has(key))
      entries.push({ path: `/${key.split('/').map(encodeURIComponent).join('/')}`, kind: 'page', from: '', status: 200 });
  entries.sort((a, b) => (a.path < b.path ? -1 : 1));
  report.pagesTotal = entries.length;
  const checkedPages = sample(entries, MAX_PAGES, (t) => t.path === '/' || t.status === 404);
  report.pages = checkedPages.length;

  const problem = (t: Target, text: string) => report.problems.push({ url: new URL(t.path, site).href, from: t.from, problem: text });
  const seen = new Set<string>(checkedPages.map((t) => t.path));
  const queue: Target[] = [];
  const enqueue = (kind: ReferenceKind, raw: string, base: URL, from: string) => {
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch {
      return;
    }
    if (url.origin !== site.origin) return; // data:, other hosts, mailto: … are not this release's
    const path = url.pathname + url.search;
    report.referencesTotal++;
    if (seen.has(path)) return;
    seen.add(path);
    if (queue.length < MAX_REFERENCES) queue.push({ path, kind, from });
  };

  const checkHeaders = (t: Target, a: HttpAnswer, decoded: string) => {
    const type = mediaType(header(a, 'content-type'));
    const key = decoded.slice(1);
    const file = release.files[key];
    const routed = normalize(decoded);
    const expected = new Map<string, string>();
    for (const [pattern, list] of headerRules) {
      if (!matchPattern(pattern, routed)) continue;
      for (const [name, value] of list)
        expected.set(name.toLowerCase(), expected.has(name.toLowerCase()) ? `${expected.get(name.toLowerCase())}, ${value}` : value);
    }
    if (t.kind !== 'page') {
      const byKind = kindProblem(t.kind, type);
      if (byKind) return problem(t, byKind);
    }
    const wantType = file ? mediaType(file.headers.contentType) : hasExt(decoded) ? mime.lookup(decoded) || '' : '';
    if (wantType && type !== wantType) problem(t, `Content-Type ${type || '(none)'}, expected ${wantType}`);
    const wantCache = expected.get('cache-control') ?? file?.headers.cacheControl;
    if (wantCache !== undefined && header(a, 'cache-control') !== wantCache)
      problem(t, `Cache-Control ${JSON.stringify(header(a, 'cache-control'))}, expected ${JSON.stringify(wantCache)}`);
    for (const [name, value] of expected) {
      if (name !== 'cache-control' && header(a, name) !== value)
        problem(t, `header ${name}: ${JSON.stringify(header(a, name))}, expected ${JSON.stringify(value)} (a _headers rule)`);
    }
  };

  const check = async (t: Target): Promise<void> => {
    const url = new URL(t.path, site);
    let a: HttpAnswer;
    try {
      a = await get(url, auth);
    } catch (error) {
      return void problem(t, `no answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    const want = t.status ?? 200;
    if (a.status !== want)
      return void problem(t, `answered ${a.status}${header(a, 'location') ? ` → ${header(a, 'location')}` : ''}, expected ${want}`);
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      decoded = url.pathname;
    }
    // A page is checked as the file the router serves for it.
    const file = t.kind === 'page' ? (pages.get(normalize(decoded))?.file ?? decoded.slice(1)) : decoded.slice(1);
    checkHeaders(t, a, `/${file}`);
    const type = mediaType(header(a, 'content-type'));
    if (t.kind === 'page' && type.includes('html')) {
      const refs = htmlReferences(a.body);
      const base = refs.base ? new URL(refs.base, url) : url;
      for (const r of refs.references) enqueue(r.kind, r.url, base, url.pathname);
    } else if (type === 'text/css') for (const r of cssReferences(a.body)) enqueue('other', r, url, url.pathname);
    else if (t.kind === 'manifest') for (const r of manifestReferences(a.body)) enqueue('image', r, url, url.pathname);
  };

  const concurrency = options.concurrency ?? 8;
  await forEachLimit(checkedPages, concurrency, check);
  // References found while checking (stylesheets and manifests add more) are checked until none are left.
  while (queue.length > 0) {
    const batch = queue.splice(0);
    report.references += batch.length;
    await forEachLimit(batch, concurrency, check);
  }

  const exact = redirects.sort((a, b) => (a.path < b.path ? -1 : 1)).slice(0, MAX_REDIRECTS);
  report.redirects = exact.length;
  await forEachLimit(exact, concurrency, async (r) => {
    const t: Target = { path: r.path.split('/').map(encodeURIComponent).join('/'), kind: 'other', from: '' };
    try {
      const a = await get(new URL(t.path, site), auth);
      const location = header(a, 'location');
      if (a.status !== r.code || location !== r.to)
        problem(t, `answered ${a.status}${location ? ` → ${location}` : ''}, expected the redirect ${r.code} → ${r.to}`);
    } catch (error) {
      problem(t, `no answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  report.checkMs = clock.now() - checkStart;
  report.waitMs = checkStart - started;
  options.log?.info(
    `verified ${report.pages} of ${report.pagesTotal} pages, ${report.references} referenced files, ${report.redirects} redirects through ${site.href}: ${report.problems.length} problems`,
  );
  if (report.problems.length > 0) throw new VerificationFailed(report, release.id);
  return report;
}
