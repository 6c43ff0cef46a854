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

/** S3 bucket naming rules (3-63 characters, lower case, digits, dots and hyphens, not an IP). */
export function parseBucketName(input: string, raw: string): string {
  const value = raw.trim();
  const form = 'must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit';
  if (value.startsWith('s3://')) throw new InputError(input, `${form}, without s3://`, raw);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || value.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(value)) {
    throw new InputError(input, form, raw);
  }
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
  if (value.startsWith('/') || value.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..') || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new InputError(input, form, raw);
  }
  return `${body}/`;
}

export function parseRegion(input: string, raw: string): string {
  const value = raw.trim();
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value)) throw new InputError(input, 'must be an AWS region such as us-east-1', raw);
  return value;
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
