// Which Cache-Control, Content-Type and further object headers each key gets.
import mime from 'mime-types';
import picomatch from 'picomatch';
import type { GlobRule } from '../../inputs/parse.js';
import { isEntryPoint } from './keys.js';
import { frameworkProfile, isHashedAsset, type FrameworkProfile } from './frameworks.js';

export interface ObjectHeaders {
  cacheControl: string;
  contentType: string;
  /**
   * Further headers Slipway manages (from the `headers` input, and Content-Encoding of .svgz), by
   * lower-case name: content-encoding, content-disposition, content-language, x-amz-meta-*.
   * Absent or empty: none.
   */
  extra?: Record<string, string>;
}

/** A `headers` rule: files matching `glob` get header `name` (lower case) with `value`. */
export interface HeaderRule {
  glob: string;
  name: string;
  value: string;
}

export const NO_CACHE = 'public, max-age=0, must-revalidate';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT_CACHE = 'public, max-age=300';

/** Headers every site needs whatever its rules: a compressed SVG is only an image with its encoding. */
export const DEFAULT_HEADER_RULES: readonly HeaderRule[] = [{ glob: '*.svgz', name: 'content-encoding', value: 'gzip' }];

/** Files the MIME table cannot know by extension. */
export const DEFAULT_TYPE_RULES: readonly GlobRule[] = [{ glob: '.well-known/apple-app-site-association', value: 'application/json' }];

/**
 * Globs are matched against the key relative to the site root, dotfiles included. A glob without
 * a slash matches the file name in any folder (`*.html`), as in .gitignore.
 */
export function compileGlob(glob: string): (key: string) => boolean {
  const matches = picomatch(glob, { dot: true });
  if (glob.includes('/')) return matches;
  return (key) => matches(key.slice(key.lastIndexOf('/') + 1));
}

export function compileGlobs(globs: readonly string[]): (key: string) => boolean {
  const matchers = globs.map(compileGlob);
  return (key) => matchers.some((m) => m(key));
}

interface CompiledRule {
  matches: (key: string) => boolean;
  value: string;
}

const compile = (rules: readonly GlobRule[]): CompiledRule[] => rules.map((r) => ({ matches: compileGlob(r.glob), value: r.value }));

const firstMatch = (rules: CompiledRule[], key: string): string | undefined => rules.find((r) => r.matches(key))?.value;

/** Text types are served as UTF-8. */
export function withCharset(type: string): string {
  if (/;\s*charset=/i.test(type)) return type;
  const textual = mime.charset(type) !== false || /^application\/(json|xml|javascript)$|\+(xml|json)$/.test(type);
  return textual ? `${type}; charset=utf-8` : type;
}

/**
 * The seed's cache policy, made to fit the framework: the user's rules first (first match wins), then
 * entry points always revalidate, content-hashed assets are immutable, everything else is cached briefly.
 */
export class HeaderRules {
  private readonly cache: CompiledRule[];
  private readonly types: CompiledRule[];
  private readonly extra: (CompiledRule & { name: string })[];
  private readonly defaults: (CompiledRule & { name: string })[];
  /** Every header name the `headers` input sets: Slipway manages these on every file. */
  private readonly managedByInput: readonly string[];

  constructor(
    cacheControl: readonly GlobRule[] = [],
    contentType: readonly GlobRule[] = [],
    readonly framework: FrameworkProfile = frameworkProfile('vite', 'default'),
    headers: readonly HeaderRule[] = [],
  ) {
    this.cache = compile(cacheControl);
    this.types = compile([...contentType, ...DEFAULT_TYPE_RULES]);
    const compileRule = (r: HeaderRule) => ({ matches: compileGlob(r.glob), value: r.value, name: r.name });
    this.extra = headers.map(compileRule);
    this.defaults = DEFAULT_HEADER_RULES.map(compileRule);
    this.managedByInput = [...new Set(headers.map((r) => r.name))].sort();
  }

  /**
   * The extra headers Slipway manages on `key`: those the `headers` input names (a file no rule
   * matches gets them removed), and those a built-in default gives this very file. Every other
   * header an object has is someone else's and is kept.
   */
  managedNamesFor(key: string): readonly string[] {
    const own = this.defaults.filter((r) => r.matches(key)).map((r) => r.name);
    return own.length === 0 ? this.managedByInput : [...new Set([...this.managedByInput, ...own])].sort();
  }

  /** Which rule of the cache-control input (by index) decides a key, for the "matches no file" warning. */
  cacheRuleFor(key: string): number {
    return this.cache.findIndex((r) => r.matches(key));
  }

  cacheControlFor(key: string): string {
    const ruled = firstMatch(this.cache, key);
    if (ruled !== undefined) return ruled;
    if (isEntryPoint(key)) return NO_CACHE;
    return isHashedAsset(key, this.framework) ? IMMUTABLE : SHORT_CACHE;
  }

  headersFor(key: string): ObjectHeaders {
    const type = firstMatch(this.types, key) ?? (mime.lookup(key) || 'application/octet-stream');
    const extra: Record<string, string> = {};
    for (const rule of [...this.extra, ...this.defaults]) if (!(rule.name in extra) && rule.matches(key)) extra[rule.name] = rule.value;
    return { cacheControl: this.cacheControlFor(key), contentType: withCharset(type), ...(Object.keys(extra).length > 0 ? { extra } : {}) };
  }
}

export const isImmutable = (cacheControl: string): boolean => /(^|[,\s])immutable($|[,\s])/i.test(cacheControl);

/** The managed extra headers of `h`, by name: only `names` count, an absent header is ''. */
export const managedExtra = (h: ObjectHeaders, names: readonly string[]): string =>
  names.map((n) => `${n}:${h.extra?.[n] ?? ''}`).join('\n');

/** Same Cache-Control, Content-Type and managed extra headers (`names`: HeaderRules.managedNamesFor). */
export const sameHeaders = (a: ObjectHeaders, b: ObjectHeaders, names: readonly string[] = []): boolean =>
  a.cacheControl === b.cacheControl && a.contentType === b.contentType && managedExtra(a, names) === managedExtra(b, names);
