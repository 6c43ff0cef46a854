// Which Cache-Control and Content-Type each key gets.
import mime from 'mime-types';
import picomatch from 'picomatch';
import type { GlobRule } from '../inputs/parse.js';

export interface ObjectHeaders {
  cacheControl: string;
  contentType: string;
}

export const NO_CACHE = 'public, max-age=0, must-revalidate';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT_CACHE = 'public, max-age=300';

/** The seed's cache policy: pages and service workers always revalidate, hashed assets are immutable. */
export const DEFAULT_CACHE_RULES: readonly GlobRule[] = [
  { glob: '*.html', value: NO_CACHE },
  { glob: '*.htm', value: NO_CACHE },
  { glob: 'sw.js', value: NO_CACHE },
  { glob: 'service-worker.js', value: NO_CACHE },
  { glob: 'assets/**', value: IMMUTABLE },
  { glob: '**', value: SHORT_CACHE },
];

/** Files the MIME table cannot know by extension. */
export const DEFAULT_TYPE_RULES: readonly GlobRule[] = [
  { glob: '.well-known/apple-app-site-association', value: 'application/json' },
];

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

export class HeaderRules {
  private readonly cache: CompiledRule[];
  private readonly types: CompiledRule[];

  constructor(cacheControl: readonly GlobRule[] = [], contentType: readonly GlobRule[] = []) {
    this.cache = compile([...cacheControl, ...DEFAULT_CACHE_RULES]);
    this.types = compile([...contentType, ...DEFAULT_TYPE_RULES]);
  }

  headersFor(key: string): ObjectHeaders {
    const type = firstMatch(this.types, key) ?? (mime.lookup(key) || 'application/octet-stream');
    return { cacheControl: firstMatch(this.cache, key)!, contentType: withCharset(type) };
  }
}

export const isImmutable = (cacheControl: string): boolean => /(^|[,\s])immutable($|[,\s])/i.test(cacheControl);

export const sameHeaders = (a: ObjectHeaders, b: ObjectHeaders): boolean => a.cacheControl === b.cacheControl && a.contentType === b.contentType;
