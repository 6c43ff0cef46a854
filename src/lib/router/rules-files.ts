// Netlify's `_redirects` and `_headers` files, parsed and checked at deploy time. Every problem
// names the file and the line, so a bad rule fails the deploy instead of misrouting at the edge.
// Syntax: https://docs.netlify.com/routing/redirects/ and https://docs.netlify.com/routing/headers/

export class RulesFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${file} line ${line}: ${problem}`);
    this.name = 'RulesFileError';
  }
}

export const REDIRECT_STATUSES = [200, 301, 302, 303, 307, 308, 404] as const;
export type RedirectStatus = (typeof REDIRECT_STATUSES)[number];

export interface RedirectRule {
  line: number;
  from: string;
  to: string;
  status: RedirectStatus;
  force: boolean;
  /** The from path has a `*` splat or `:placeholder`. */
  pattern: boolean;
}

export interface HeaderRule {
  line: number;
  path: string;
  headers: [name: string, value: string][];
}

const PLACEHOLDER = /^:[a-z_][a-z0-9_]*$/i;
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;
const HEADER_VALUE = /^[\x20-\x7e\t]*$/;
// Headers a viewer-response function may not set, or that would break the response.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html
const FORBIDDEN_HEADERS = new Set([
  'connection',
  'content-length',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
  'warning',
  'x-cache',
  'x-amz-cf-id',
  'x-amz-cf-pop',
  'x-edge-location',
]);

/** Checks a `from` path (or a `_headers` path): absolute, `*` only as the last segment, safe placeholders. */
function checkPathPattern(file: string, line: number, path: string, what: string): boolean {
  if (/^https?:\/\//i.test(path))
    throw new RulesFileError(
      file,
      line,
      `${what} ${JSON.stringify(path)} names a host; host rules (apex ↔ www, previews) are the router's hosts input, not this file`,
    );
  if (!path.startsWith('/')) throw new RulesFileError(file, line, `${what} ${JSON.stringify(path)} must be a path starting with /`);
  if (path.includes('?') || path.includes('#'))
    throw new RulesFileError(file, line, `${what} ${JSON.stringify(path)} must not hold a query or fragment`);
  const segments = path.split('/');
  let pattern = false;
  segments.forEach((segment, i) => {
    if (segment.includes('*')) {
      if (segment !== '*' || i !== segments.length - 1)
        throw new RulesFileError(file, line, `${what} ${JSON.stringify(path)} may use * only as its whole last segment (/blog/*)`);
      pattern = true;
    } else if (segment.startsWith(':')) {
      if (!PLACEHOLDER.test(segment))
        throw new RulesFileError(
          file,
          line,
          `${what} ${JSON.stringify(path)} has a bad placeholder ${JSON.stringify(segment)}; use :name with letters, digits and _`,
        );
      pattern = true;
    } else if (segment === '.' || segment === '..') {
      throw new RulesFileError(file, line, `${what} ${JSON.stringify(path)} must not hold . or .. segments`);
    }
  });
  return pattern;
}

function parseStatus(file: string, line: number, token: string): { status: RedirectStatus; force: boolean } {
  const m = /^(\d{3})(!?)$/.exec(token);
  const status = m ? Number(m[1]) : NaN;
  if (!m || !(REDIRECT_STATUSES as readonly number[]).includes(status)) {
    throw new RulesFileError(
      file,
      line,
      `status ${JSON.stringify(token)} must be one of ${REDIRECT_STATUSES.join(', ')}, optionally followed by ! (force)`,
    );
  }
  return { status: status as RedirectStatus, force: m[2] === '!' };
}

function parseRedirectLine(file: string, line: number, text: string): RedirectRule {
  const tokens = text.split(/\s+/);
  if (tokens.length < 2)
    throw new RulesFileError(file, line, 'needs at least "from to" (then an optional status such as 301, 200 or 404, and ! to force)');
  const [from, to, ...rest] = tokens as [string, string, ...string[]];
  if (to.includes('=') && !/^https?:\/\//i.test(to))
    throw new RulesFileError(file, line, `query-string conditions (${JSON.stringify(to)}) are not supported by the edge router`);
  if (rest.length > 1 || (rest[0] !== undefined && rest[0].includes('='))) {
    throw new RulesFileError(
      file,
      line,
      `conditions such as Country=, Language= or Role= (${JSON.stringify(rest.join(' '))}) are not supported by the edge router`,
    );
  }
  const pattern = checkPathPattern(file, line, from, 'from');
  const external = /^https?:\/\/[^/\s]+/i.test(to);
  if (!external && !to.startsWith('/'))
    throw new RulesFileError(file, line, `to ${JSON.stringify(to)} must be a path starting with / or an http(s):// URL`);
  const { status, force } = rest[0] === undefined ? { status: 301 as const, force: false } : parseStatus(file, line, rest[0]);
  if ((status === 200 || status === 404) && external)
    throw new RulesFileError(
      file,
      line,
      `a ${status} rewrite cannot proxy to ${JSON.stringify(to)}: CloudFront Functions have no network; use 301, 302, 307 or 308`,
    );
  if ((status === 200 || status === 404) && to.includes('?'))
    throw new RulesFileError(file, line, `a ${status} rewrite target must be a file path without a query (${JSON.stringify(to)})`);
  for (const name of to.match(/:[a-z_][a-z0-9_]*/gi) ?? []) {
    if (name !== ':splat' && !from.split('/').includes(name) && !external)
      throw new RulesFileError(file, line, `to uses ${name}, which from does not capture`);
  }
  if (to.includes(':splat') && !from.endsWith('/*')) throw new RulesFileError(file, line, 'to uses :splat but from has no trailing /*');
  return { line, from, to, status, force, pattern };
}

/** Lines of a file without comments and blank lines, with their 1-based numbers. */
function meaningfulLines(text: string): { line: number; text: string; indented: boolean }[] {
  return text.split(/\r?\n/).flatMap((raw, i) => {
    const trimmed = raw.trim();
    return trimmed === '' || trimmed.startsWith('#') ? [] : [{ line: i + 1, text: trimmed, indented: /^\s/.test(raw) }];
  });
}

export function parseRedirects(text: string, file = '_redirects'): RedirectRule[] {
  return meaningfulLines(text).map((l) => parseRedirectLine(file, l.line, l.text.replace(/\s+#.*$/, '')));
}

export function parseHeaders(text: string, file = '_headers'): HeaderRule[] {
  const rules: HeaderRule[] = [];
  for (const l of meaningfulLines(text)) {
    if (!l.indented) {
      checkPathPattern(file, l.line, l.text, 'path');
      rules.push({ line: l.line, path: l.text, headers: [] });
      continue;
    }
    const rule = rules.at(-1);
    if (!rule) throw new RulesFileError(file, l.line, 'a header line must follow a path line (an unindented line starting with /)');
    const colon = l.text.indexOf(':');
    const name = colon < 0 ? '' : l.text.slice(0, colon).trim().toLowerCase();
    const value = colon < 0 ? '' : l.text.slice(colon + 1).trim();
    if (!TOKEN.test(name)) throw new RulesFileError(file, l.line, `expected "Header-Name: value", got ${JSON.stringify(l.text)}`);
    if (FORBIDDEN_HEADERS.has(name))
      throw new RulesFileError(file, l.line, `header ${name} cannot be set at the edge (CloudFront owns it)`);
    if (!HEADER_VALUE.test(value)) throw new RulesFileError(file, l.line, `the value of ${name} must be printable ASCII`);
    rule.headers.push([name, value]);
  }
  const empty = rules.find((r) => r.headers.length === 0);
  if (empty)
    throw new RulesFileError(file, empty.line, `path ${empty.path} has no header lines under it (indent them: "  X-Frame-Options: DENY")`);
  return rules;
}

/** Netlify-style match of a `/a/:name/*` pattern; the captured values, or undefined. Mirrors the edge function's. */
export function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  const got: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '*') {
      got.splat = s.slice(i).join('/');
      return got;
    }
    if (i >= s.length) return undefined;
    if (p[i]!.startsWith(':')) {
      if (s[i] === '') return undefined;
      got[p[i]!.slice(1)] = s[i]!;
    } else if (p[i] !== s[i]) return undefined;
  }
  return p.length === s.length ? got : undefined;
}

export const fillPattern = (to: string, got: Record<string, string>): string =>
  to.replace(/:([a-z_][a-z0-9_]*)/gi, (all, name: string) => got[name] ?? all);
