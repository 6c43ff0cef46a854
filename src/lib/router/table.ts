// A site's routing table as key-value pairs for the edge router's KeyValueStore (the format the
// function in edge/router.js reads). Built from the build's keys and its _redirects / _headers,
// checked against the store's quotas before anything is written.
import { decideLayout, type PageLayout, type PageMode } from './layout.js';
import {
  fillPattern,
  matchPattern,
  parseHeaders,
  parseRedirects,
  RulesFileError,
  type HeaderRule,
  type RedirectRule,
} from './rules-files.js';

export type SlashPolicy = 'keep' | 'always' | 'never';
export const SLASH_POLICIES: readonly SlashPolicy[] = ['keep', 'always', 'never'];

/** CloudFront KeyValueStore quotas and the router's own bounds on per-request work. */
export const LIMITS = {
  keyBytes: 512,
  valueBytes: 1024,
  storeBytes: 5 * 1024 * 1024,
  patternRedirects: 100,
  headerRules: 100,
  /** Values read for pattern redirects (and again for header rules) in one request, at most. */
  chunks: 8,
} as const;

export interface SiteTableInput {
  site: string;
  /** Key prefix of the site in the bucket: '' or ending in '/'. */
  prefix: string;
  slash: SlashPolicy;
  /** The build's keys relative to the prefix. */
  keys: readonly string[];
  identical: (a: string, b: string) => boolean;
  mode?: PageMode;
  redirects?: string;
  headers?: string;
}

export interface SiteTable {
  site: string;
  layout: PageLayout;
  entries: Map<string, string>;
  /** Rules that were left out on purpose (shadowed by a file, never reached), for the log. */
  notes: string[];
  counts: { pages: number; exactRedirects: number; patternRedirects: number; headerRules: number };
}

export const SITE_ID = /^[a-z0-9][a-z0-9._/-]{0,127}$/;
export const siteKey = (site: string) => `s:${site}`;
export const pathKey = (site: string, path: string) => `p:${site}:${path}`;
export const hostKey = (host: string) => `h:${host}`;
/** Every key of one site starts with one of these. */
export const siteKeyPrefixes = (site: string) => [`s:${site}:`, `p:${site}:`];

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const hasExtension = (path: string) => path.slice(path.lastIndexOf('/') + 1).indexOf('.') > 0;
const normalize = (path: string) => (path.length > 1 ? path.replace(/\/+$/, '') || '/' : '/');

/** Packs rules into as few values of at most 1 KB as possible. */
function chunk(rules: unknown[], file: string, lineOf: (i: number) => number, what: string): string[] {
  const chunks: string[] = [];
  let current: unknown[] = [];
  rules.forEach((rule, i) => {
    if (bytes(JSON.stringify([rule])) > LIMITS.valueBytes)
      throw new RulesFileError(
        file,
        lineOf(i),
        `this ${what} is longer than the ${LIMITS.valueBytes}-byte value limit of the key value store`,
      );
    if (bytes(JSON.stringify([...current, rule])) > LIMITS.valueBytes) {
      chunks.push(JSON.stringify(current));
      current = [];
    }
    current.push(rule);
  });
  if (current.length > 0) chunks.push(JSON.stringify(current));
  if (chunks.length > LIMITS.chunks)
    throw new RulesFileError(
      file,
      lineOf(rules.length - 1),
      `the ${what}s need ${chunks.length} values of 1 KB; the router reads at most ${LIMITS.chunks} per request: shorten or remove some`,
    );
  return chunks;
}

interface Resolved {
  layout: PageLayout;
  keys: ReadonlySet<string>;
}

/** The file a 200/404 rewrite serves; it must be in the build. */
function rewriteTarget(rule: RedirectRule, r: Resolved): string {
  const to = decodeURI(rule.to);
  const file = hasExtension(to) ? to.slice(1) : r.layout.pages.get(normalize(to));
  if (file === undefined || !r.keys.has(file))
    throw new RulesFileError('_redirects', rule.line, `the rewrite target ${rule.to} is not a file or page of this build`);
  return file;
}

function exactValue(rule: RedirectRule, r: Resolved): string {
  if (rule.status === 200) return JSON.stringify({ f: rewriteTarget(rule, r) });
  if (rule.status === 404) return JSON.stringify({ f: rewriteTarget(rule, r), c: 404 });
  return JSON.stringify({ to: rule.to, c: rule.status });
}

/** Exact rules as entries, in Netlify's order: first rule wins, files shadow unforced rules. */
function exactRedirects(rules: RedirectRule[], r: Resolved, notes: string[]): Map<string, string> {
  const entries = new Map<string, string>();
  rules.forEach((rule, i) => {
    const from = normalize(decodeURI(rule.from));
    const earlier = rules.slice(0, i).find((p) => p.pattern && matchPattern(p.from, from));
    if (rule.pattern) return;
    if (earlier) return notes.push(`_redirects line ${rule.line} is never reached: line ${earlier.line} matches ${from} first`);
    if (entries.has(from)) return notes.push(`_redirects line ${rule.line} is never reached: an earlier line redirects ${from}`);
    const file = r.layout.pages.get(from) ?? (r.keys.has(from.slice(1)) ? from.slice(1) : undefined);
    if (file !== undefined && !rule.force)
      return notes.push(`_redirects line ${rule.line} is shadowed by ${file} (add ! after the status to force it)`);
    entries.set(from, exactValue(rule, r));
  });
  return entries;
}

/** A forced pattern rule overrides the pages it matches: those become exact entries. */
function forcedOverPages(rules: RedirectRule[], r: Resolved, exact: Map<string, string>): void {
  const forced = rules.filter((rule) => rule.pattern && rule.force);
  if (forced.length === 0) return;
  for (const path of r.layout.pages.keys()) {
    if (exact.has(path)) continue;
    for (const rule of forced) {
      const got = matchPattern(rule.from, path);
      if (!got) continue;
      const to = fillPattern(rule.to, got);
      exact.set(path, exactValue({ ...rule, to, pattern: false }, r));
      break;
    }
  }
}

function redirectEntries(site: string, text: string | undefined, r: Resolved, notes: string[]) {
  const rules = text === undefined ? [] : parseRedirects(text);
  const patterns = rules.filter((rule) => rule.pattern);
  if (patterns.length > LIMITS.patternRedirects)
    throw new RulesFileError(
      '_redirects',
      patterns[LIMITS.patternRedirects]!.line,
      `more than ${LIMITS.patternRedirects} pattern rules (with * or :placeholders); exact rules are not limited`,
    );
  for (const rule of patterns)
    if (rule.status === 200 || rule.status === 404) if (hasExtension(rule.to) && !rule.to.includes(':')) rewriteTarget(rule, r);
  const exact = exactRedirects(rules, r, notes);
  forcedOverPages(rules, r, exact);
  const chunks = chunk(
    patterns.map((p) => [p.from, p.to, p.status, p.force ? 1 : 0]),
    '_redirects',
    (i) => patterns[i]!.line,
    'pattern rule',
  );
  return { exact, patterns: patterns.length, chunks: chunks.map((value, i) => [`s:${site}:r${i}`, value] as const) };
}

function headerEntries(site: string, text: string | undefined) {
  const rules: HeaderRule[] = text === undefined ? [] : parseHeaders(text);
  if (rules.length > LIMITS.headerRules)
    throw new RulesFileError('_headers', rules[LIMITS.headerRules]!.line, `more than ${LIMITS.headerRules} path rules`);
  const chunks = chunk(
    rules.map((h) => [h.path, h.headers]),
    '_headers',
    (i) => rules[i]!.line,
    'header rule',
  );
  return { count: rules.length, chunks: chunks.map((value, i) => [`s:${site}:h${i}`, value] as const) };
}

function checkEntry(key: string, value: string): void {
  if (bytes(key) > LIMITS.keyBytes)
    throw new Error(
      `The routing key ${JSON.stringify(key.slice(0, 80))}… is ${bytes(key)} bytes; the key value store allows ${LIMITS.keyBytes}: shorten the page path or the site name`,
    );
  if (bytes(value) > LIMITS.valueBytes)
    throw new Error(
      `The routing value of ${JSON.stringify(key)} is ${bytes(value)} bytes; the key value store allows ${LIMITS.valueBytes}: shorten the redirect target`,
    );
}

export function buildSiteTable(input: SiteTableInput): SiteTable {
  const layout = decideLayout(input.keys, input.identical, input.mode);
  const resolved: Resolved = { layout, keys: new Set(input.keys) };
  const notes: string[] = [];
  const redirects = redirectEntries(input.site, input.redirects, resolved, notes);
  const headers = headerEntries(input.site, input.headers);
  const entries = new Map<string, string>();
  for (const [path, file] of layout.pages) entries.set(pathKey(input.site, path), JSON.stringify({ f: file }));
  for (const [path, value] of redirects.exact) entries.set(pathKey(input.site, path), value);
  for (const [key, value] of [...redirects.chunks, ...headers.chunks]) entries.set(key, value);
  const config = {
    p: input.prefix,
    m: layout.mode,
    t: input.slash,
    ...(layout.notFound ? { n: layout.notFound } : {}),
    r: redirects.chunks.length,
    h: headers.chunks.length,
  };
  entries.set(siteKey(input.site), JSON.stringify(config));
  for (const [key, value] of entries) checkEntry(key, value);
  return {
    site: input.site,
    layout,
    entries,
    notes,
    counts: {
      pages: layout.pages.size,
      exactRedirects: redirects.exact.size,
      patternRedirects: redirects.patterns,
      headerRules: headers.count,
    },
  };
}

/** A hostname served by a site, or redirected (301, path and query kept) to another hostname. */
export type HostRule = { host: string; site: string } | { host: string; redirectTo: string };

export const hostValue = (rule: HostRule): string => JSON.stringify('site' in rule ? { s: rule.site } : { r: rule.redirectTo });
