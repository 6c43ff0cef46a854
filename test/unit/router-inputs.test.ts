// The router inputs (src/inputs/router.ts): a router's name or store ARN, a site name, and
// deploy-static's router + site + trailing-slash read together.
import { describe, expect, it } from 'vitest';
import { InputCollector } from '../../src/inputs/errors.js';
import { parseRouter, parseSite, parseSiteRouting } from '../../src/inputs/router.js';

const ARN = 'arn:aws:cloudfront::123456789012:key-value-store/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f';

describe('router and site', () => {
  it('a router is a name or a key value store ARN', () => {
    expect(parseRouter('router', 'web-router')).toBe('web-router');
    expect(parseRouter('router', ARN)).toBe(ARN);
    expect(() => parseRouter('to-router', 'my router')).toThrow(
      "Input 'to-router' must be the router's name (letters, digits, - and _, up to 64) or its key value store ARN (arn:aws:cloudfront::<account>:key-value-store/<id>) (got \"my router\").",
    );
  });

  it.each(['web', 'previews/pr-12', 'example.com/docs'])('site %j is a site name', (site) => expect(parseSite('site', site)).toBe(site));
  it.each(['Web', 'a//b', 'a/../b', 'docs/', '/docs'])('site %j is not', (site) =>
    expect(() => parseSite('from', site)).toThrow(/^Input 'from' must be a site name of lower-case letters, digits, \. _ - and \//),
  );
});

describe("deploy-static's router, site and trailing-slash", () => {
  const routing = (given: Record<string, string>, bucket = 'web', prefix = 'docs/') => {
    const c = new InputCollector();
    const value = parseSiteRouting((name) => given[name] ?? '', c, bucket, prefix);
    c.done({});
    return value;
  };

  it('no router: no routing', () => expect(routing({})).toBeUndefined());

  it('the site defaults to bucket/prefix, the policy to keep', () => {
    expect(routing({ router: ' web-router ' })).toEqual({ router: 'web-router', site: 'web/docs', slash: 'keep' });
    expect(routing({ router: 'web-router', site: 'staging', 'trailing-slash': 'Always' }, 'web', '')).toEqual({
      router: 'web-router',
      site: 'staging',
      slash: 'always',
    });
  });

  it('site and trailing-slash without a router are errors, reported together', () => {
    expect(() => routing({ site: 'staging', 'trailing-slash': 'never' })).toThrow(
      '2 inputs are invalid: ' +
        'Input \'site\' needs the router input too (which router the site belongs to) (got "staging"). ' +
        'Input \'trailing-slash\' needs the router input too (the edge router applies it) (got "never").',
    );
    expect(() => routing({ router: 'web', 'trailing-slash': 'add' })).toThrow(
      'Input \'trailing-slash\' must be one of keep, always, never (got "add").',
    );
  });
});
