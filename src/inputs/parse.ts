// Strict parsers for action inputs and CLI flags. Every malformed value is an InputError that
// names the input and the expected form; nothing is guessed.
import picomatch from 'picomatch';
import { InputError } from './errors.js';

const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

/** YAML 1.2 core-schema booleans only, as configure-aws-credentials does: `yes` or `flase` are errors. */
export function parseBoolean(input: string, raw: string): boolean {
  const value = raw.trim();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new InputError(input, 'must be true or false', raw);
}

export function parseInteger(input: string, raw: string, min: number, max: number): number {
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(input, `must be a whole number from ${min} to ${max}`, raw);
  }
  return Number(value);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Durations like `0`, `90s`, `15m`, `1h30m`, `7d`. Returns milliseconds. */
export function parseDuration(input: string, raw: string): number {
  const value = raw.trim();
  if (value === '0') return 0;
  if (!/^(\d+(ms|s|m|h|d))+$/.test(value)) {
    throw new InputError(input, 'must be a duration such as 0, 90s, 15m, 1h or 7d', raw);
  }
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}

/** Non-empty lines, trimmed; lines starting with `#` are comments. */
export function parseLines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** A glob is malformed when its brackets, braces or parentheses do not balance. */
export function checkGlob(input: string, glob: string): string {
  if (glob.startsWith('/')) throw new InputError(input, 'takes globs relative to the site root, without a leading /', glob);
  if (glob.includes('\\')) throw new InputError(input, 'takes globs with forward slashes only', glob);
  try {
    picomatch.makeRe(glob, { strictBrackets: true });
  } catch {
    throw new InputError(input, 'must hold valid globs (balanced [], {} and ())', glob);
  }
  return glob;
}

export function parseGlobList(input: string, raw: string): string[] {
  return parseLines(raw).map((glob) => checkGlob(input, glob));
}

export interface GlobRule {
  glob: string;
  value: string;
}

/**
 * Multi-line `GLOB=VALUE` rules. The first `=` separates the glob from the value, so values may
 * contain `=` (`max-age=300`).
 */
export function parseGlobRules(input: string, raw: string, checkValue: (value: string) => string | undefined): GlobRule[] {
  return parseLines(raw).map((line) => {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new InputError(input, 'must hold one GLOB=VALUE rule per line', line);
    const glob = checkGlob(input, line.slice(0, eq).trim());
    const value = line.slice(eq + 1).trim();
    const problem = checkValue(value);
    if (problem) throw new InputError(input, problem, line);
    return { glob, value };
  });
}

/**
 * Prefixes and suffixes S3 reserves (general purpose bucket naming rules:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): access points,
 * Object Lambda, Multi-Region Access Points, directory and table buckets.
 */
const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** S3 bucket naming rules (3-63 characters, lower case, digits, dots and hyphens, not an IP, no reserved affix). */
export function parseBucketName(input: string, raw: string): string {
  const value = raw.trim();
  const form = 'must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit';
  if (value.startsWith('s3://')) throw new InputError(input, `${form}, without s3://`, raw);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || value.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(value)) {
    throw new InputError(input, form, raw);
  }
  const reserved = RESERVED_BUCKET_PREFIXES.find((p) => value.startsWith(p)) ?? RESERVED_BUCKET_SUFFIXES.find((x) => value.endsWith(x));
  if (reserved) throw new InputError(input, `${form}; S3 reserves names that start or end with ${reserved}`, raw);
  return value;
}

/**
 * A key prefix: relative (no leading `/`), no `.` or `..` segments, no empty segments, no backslash.
 * Returned with exactly one trailing `/`, or '' for the bucket root.
 */
export function parsePrefix(input: string, raw: string): string {
  const value = raw.trim();
  if (value === '') return '';
  const form = 'must be a key prefix like site/v2: no leading /, no . or .. segments, no empty segments, no backslash';
  const body = value.endsWith('/') ? value.slice(0, -1) : value;
  const segments = body.split('/');
  if (
    value.startsWith('/') ||
    value.includes('\\') ||
    segments.some((s) => s === '' || s === '.' || s === '..') ||
    /[\u0000-\u001f\u007f]/.test(value)
  ) {
    throw new InputError(input, form, raw);
  }
  return `${body}/`;
}

/** AWS's commercial, GovCloud and China regions (December 2026). */
export const KNOWN_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'cn-north-1',
  'cn-northwest-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eusc-de-east-1',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-gov-east-1',
  'us-gov-west-1',
  'us-west-1',
  'us-west-2',
];

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * An AWS region: the form of one, and not a near miss of a known one (`us-eats-1` is a typo that
 * would otherwise end in a DNS error). A known area with a new number (`ap-southeast-9`), or an area
 * far from every known one, is accepted: AWS opens new regions.
 */
export function parseRegion(input: string, raw: string): string {
  const value = raw.trim();
  const form = 'must be an AWS region such as us-east-1 or eu-west-1';
  if (!/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(value)) throw new InputError(input, form, raw);
  const area = (region: string) => region.replace(/-\d+$/, '');
  const areas = [...new Set(KNOWN_REGIONS.map(area))];
  if (!areas.includes(area(value))) {
    const near = areas
      .filter((a) => editDistance(a, area(value)) <= 2)
      .sort((a, b) => editDistance(a, area(value)) - editDistance(b, area(value)));
    if (near.length > 0) {
      const number = value.slice(area(value).length);
      const meant = KNOWN_REGIONS.includes(`${near[0]}${number}`) ? `${near[0]}${number}` : KNOWN_REGIONS.find((r) => area(r) === near[0]);
      throw new InputError(input, `${form}; did you mean ${meant}?`, raw);
    }
  }
  return value;
}

/** Cache-Control directives (RFC 9111 §5.2, RFC 8246 immutable, RFC 5861 stale-*), and which take seconds. */
const CACHE_DIRECTIVES = new Map<string, 'none' | 'seconds' | 'optional-fields'>([
  ['public', 'none'],
  ['private', 'optional-fields'],
  ['no-cache', 'optional-fields'],
  ['no-store', 'none'],
  ['no-transform', 'none'],
  ['must-revalidate', 'none'],
  ['proxy-revalidate', 'none'],
  ['must-understand', 'none'],
  ['immutable', 'none'],
  ['max-age', 'seconds'],
  ['s-maxage', 'seconds'],
  ['stale-while-revalidate', 'seconds'],
  ['stale-if-error', 'seconds'],
]);

/** undefined when `value` is a Cache-Control header value; else what is wrong with it. */
export function cacheControlProblem(value: string): string | undefined {
  const form = 'must hold GLOB=VALUE lines whose VALUE is Cache-Control directives such as public, max-age=300';
  if (value === '') return `${form}; this VALUE is empty`;
  for (const part of value.split(',')) {
    const directive = part.trim();
    const m = /^([A-Za-z-]+)(?:=(.*))?$/.exec(directive);
    const kind = m ? CACHE_DIRECTIVES.get(m[1]!.toLowerCase()) : undefined;
    if (!m || kind === undefined)
      return `${form}; ${JSON.stringify(directive)} is not a Cache-Control directive (known: ${[...CACHE_DIRECTIVES.keys()].join(', ')})`;
    const arg = m[2];
    if (kind === 'seconds' && (arg === undefined || !/^\d+$/.test(arg)))
      return `${form}; ${m[1]} takes a number of seconds, like ${m[1]}=300`;
    if (kind === 'none' && arg !== undefined) return `${form}; ${m[1]} takes no value`;
    if (kind === 'optional-fields' && arg !== undefined && !/^"[A-Za-z0-9-, ]*"$/.test(arg))
      return `${form}; ${m[1]} takes no value or a quoted list of header names`;
  }
  return undefined;
}

export function parseEndpoint(input: string, raw: string): string {
  const value = raw.trim();
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InputError(input, 'must be an http:// or https:// URL', raw);
  }
  return value;
}

/**
 * Object headers S3 stores and serves back (PutObject: Content-Encoding, Content-Disposition,
 * Content-Language, and user metadata x-amz-meta-*). Cache-Control and Content-Type have their own
 * inputs; anything else is a response header S3 does not keep with an object.
 */
const OBJECT_HEADER = /^(content-encoding|content-disposition|content-language|x-amz-meta-[a-z0-9-]+)$/;

/** Multi-line `GLOB=Header: value` rules for further object headers; names returned in lower case. */
export function parseHeaderRules(input: string, raw: string): { glob: string; name: string; value: string }[] {
  return parseGlobRules(input, raw, () => undefined).map(({ glob, value: header }) => {
    const line = `${glob}=${header}`;
    const colon = header.indexOf(':');
    if (colon <= 0) throw new InputError(input, 'must hold GLOB=Header: value lines, like *.wasm.br=Content-Encoding: br', line);
    const name = header.slice(0, colon).trim().toLowerCase();
    const value = header.slice(colon + 1).trim();
    if (name === 'cache-control' || name === 'content-type')
      throw new InputError(
        input,
        `takes headers other than ${name === 'cache-control' ? 'Cache-Control' : 'Content-Type'}: give that in the input '${name}'`,
        line,
      );
    if (!OBJECT_HEADER.test(name)) {
      throw new InputError(
        input,
        `takes only headers S3 stores with an object (Content-Encoding, Content-Disposition, Content-Language, x-amz-meta-*); ${header.slice(0, colon).trim()} is a response header: set it with a CloudFront response headers policy or the router's _headers file`,
        line,
      );
    }
    if (value === '' || !/^[\x20-\x7e]+$/.test(value))
      throw new InputError(input, 'must give each header a value of printable ASCII characters', line);
    return { glob, name, value };
  });
}
