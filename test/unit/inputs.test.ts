import { describe, expect, it } from 'vitest';
import { InputCollector, InputError, InputErrors } from '../../src/inputs/errors.js';
import {
  checkGlob,
  parseBoolean,
  parseBucketName,
  parseDuration,
  parseEndpoint,
  parseGlobRules,
  parseInteger,
  parsePrefix,
  parseRegion,
} from '../../src/inputs/parse.js';

const fails = (fn: () => unknown, input: string, form: RegExp) => {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).input).toBe(input);
  expect((error as InputError).message).toMatch(new RegExp(`^Input '${input}' `));
  expect((error as InputError).message).toMatch(form);
};

describe('booleans are YAML booleans only', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    [' false ', false],
  ])('%j → %s', (raw, value) => {
    expect(parseBoolean('delete', raw)).toBe(value);
  });
  it.each(['yes', 'no', 'flase', '1', '0', 'on', ''])('%j is an error naming the input', (raw) =>
    fails(() => parseBoolean('delete', raw), 'delete', /must be true or false/),
  );
});

describe('durations', () => {
  it.each([
    ['0', 0],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
  ])('%j → %d ms', (raw, ms) => {
    expect(parseDuration('stale-asset-grace', raw)).toBe(ms);
  });
  it.each(['7', '7 days', '-1d', '1.5h', 'd', '', '1w'])('%j is an error', (raw) =>
    fails(() => parseDuration('stale-asset-grace', raw), 'stale-asset-grace', /duration such as 0, 90s, 15m, 1h or 7d/),
  );
});

describe('whole numbers in a range', () => {
  it('accepts the bounds', () => {
    expect(parseInteger('concurrency', '1', 1, 256)).toBe(1);
    expect(parseInteger('concurrency', '256', 1, 256)).toBe(256);
  });
  it.each(['0', '-4', '257', '8.5', 'many', '', '1e3'])('%j is an error', (raw) =>
    fails(() => parseInteger('concurrency', raw, 1, 256), 'concurrency', /whole number from 1 to 256/),
  );
});

describe('globs', () => {
  it.each(['*.html', 'assets/**', '{a,b}/*.js', '[abc].txt'])('%j is valid', (g) => expect(checkGlob('exclude', g)).toBe(g));
  it.each(['assets/[a', '{a,b', '/abs/*.js', 'a\\b'])('%j is malformed', (g) => fails(() => checkGlob('exclude', g), 'exclude', /glob/));
});

describe('GLOB=VALUE rules', () => {
  const anything = () => undefined;
  it('splits at the first =, so values may contain =', () => {
    expect(parseGlobRules('cache-control', '*.png=public, max-age=600\n# comment\n\n  data/** = no-store  ', anything)).toEqual([
      { glob: '*.png', value: 'public, max-age=600' },
      { glob: 'data/**', value: 'no-store' },
    ]);
  });
  it.each(['*.png', '=public', 'assets/[x=public'])('%j is malformed', (line) =>
    fails(() => parseGlobRules('cache-control', line, anything), 'cache-control', /GLOB=VALUE|glob/),
  );
  it('reports the value check', () =>
    fails(() => parseGlobRules('content-type', '*.x=bad', () => 'must name a media type'), 'content-type', /must name a media type/));
});

describe('bucket names', () => {
  it.each(['my-site', 'a.b.c', 'abc', 'x'.repeat(63)])('%j is valid', (b) => expect(parseBucketName('bucket', b)).toBe(b));
  it.each(['ab', 'My_Site', 'site-', '-site', 'a..b', '192.168.1.1', 'x'.repeat(64), 's3://site', 'has space'])('%j is invalid', (b) =>
    fails(() => parseBucketName('bucket', b), 'bucket', /S3 bucket name/),
  );
});

describe('prefixes', () => {
  it.each([
    ['', ''],
    ['site', 'site/'],
    ['site/', 'site/'],
    ['a/b/c', 'a/b/c/'],
  ])('%j → %j', (raw, prefix) => expect(parsePrefix('prefix', raw)).toBe(prefix));
  it.each(['/site', 'a/../b', '..', 'a//b', './a', 'a\\b', 'a/./b'])('%j is invalid', (raw) =>
    fails(() => parsePrefix('prefix', raw), 'prefix', /key prefix/),
  );
});

describe('region and endpoint', () => {
  it('accepts real forms', () => {
    expect(parseRegion('region', 'eu-central-1')).toBe('eu-central-1');
    expect(parseRegion('region', 'us-gov-west-1')).toBe('us-gov-west-1');
    expect(parseEndpoint('endpoint', 'http://127.0.0.1:9000')).toBe('http://127.0.0.1:9000');
  });
  it.each(['useast1', 'US-EAST-1', 'us-east'])('region %j is invalid', (r) =>
    fails(() => parseRegion('region', r), 'region', /AWS region/),
  );
  it.each(['localhost:9000', 'ftp://x', 'not a url'])('endpoint %j is invalid', (e) =>
    fails(() => parseEndpoint('endpoint', e), 'endpoint', /http/),
  );
});

describe('InputCollector', () => {
  it('returns the parsed values, typed, when every input parsed', () => {
    const c = new InputCollector();
    const wait = c.field(() => parseBoolean('wait', 'true'));
    const region = c.field((): string | undefined => undefined);
    expect(c.done({ wait, region })).toEqual({ wait: true, region: undefined });
  });
  it('reports every problem at once, in order, a nested collection among them; a field parsed from a failed one adds none', () => {
    const c = new InputCollector();
    const wait = c.field(() => parseBoolean('wait', 'yes'));
    const later = c.from({ wait }, (v) => parseInteger('later', v.wait ? 'x' : 'y', 0, 1));
    const nested = c.field(() => {
      const inner = new InputCollector();
      const a = inner.field(() => parseInteger('a', 'x', 0, 1));
      const b = inner.field(() => parseDuration('b', 'soon'));
      return inner.done({ a, b });
    });
    expect(later.ok).toBe(false);
    expect(nested.ok).toBe(false);
    let error: unknown;
    try {
      c.done({ wait, later, nested });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputErrors);
    expect((error as InputErrors).errors.map((e) => e.input)).toEqual(['wait', 'a', 'b']);
  });
});
