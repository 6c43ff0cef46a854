import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

// The real CloudFront Function file, evaluated as a plain script in its own context.
const source = readFileSync(new URL('../../actions/pr-preview/router/preview-router.js', import.meta.url), 'utf8');

interface Field {
  value: string;
  multiValue?: { value: string }[];
}
interface Request {
  method: string;
  uri: string;
  querystring: Record<string, Field>;
  headers: Record<string, Field>;
  cookies: Record<string, Field>;
}
interface Response {
  statusCode: number;
  statusDescription: string;
  headers: Record<string, Field>;
  body: unknown;
}
type Handler = (event: { request: Request }) => Request | Response;

const handler = vm.runInNewContext(`${source}\n;handler`, {}) as Handler;

function request(host: string | undefined, uri: string, querystring: Record<string, Field> = {}): Request {
  return { method: 'GET', uri, querystring, headers: host === undefined ? {} : { host: { value: host } }, cookies: {} };
}

/** The URI the request is forwarded with; fails if the function answered with a response instead. */
function routed(host: string, uri: string): string {
  const req = request(host, uri);
  const result = handler({ request: req });
  expect(result).toBe(req);
  return (result as Request).uri;
}

const NOT_FOUND = {
  statusCode: 404,
  statusDescription: 'Not Found',
  headers: {
    'content-type': { value: 'text/plain; charset=utf-8' },
    'cache-control': { value: 'no-store' },
  },
  body: { encoding: 'text', data: 'No preview is deployed at this address.' },
};

const HOST = 'pr-123.app.example.com';

describe('the file is a CloudFront Functions script', () => {
  it('has no module syntax and declares function handler', () => {
    expect(source).not.toMatch(/^\s*(import|export)\b/m);
    expect(source).not.toMatch(/\bimport\s*\(/);
    expect(source).not.toMatch(/\brequire\s*\(/);
    expect(source).toMatch(/^(async )?function handler\(event\)/m);
    expect(typeof handler).toBe('function');
  });
});

describe('host → prefix', () => {
  it('prefixes the URI with the pull request of the host', () => {
    expect(routed(HOST, '/assets/app.123.js')).toBe('/pr-123/assets/app.123.js');
    expect(routed('pr-7.app.example.com', '/assets/app.123.js')).toBe('/pr-7/assets/app.123.js');
    expect(routed('pr-999999999.app.example.com', '/a.css')).toBe('/pr-999999999/a.css');
  });

  it('ignores the case of the host', () => {
    expect(routed('PR-42.App.Example.COM', '/logo.svg')).toBe('/pr-42/logo.svg');
  });

  it('ignores a port in the host', () => {
    expect(routed('pr-5.app.example.com:443', '/logo.svg')).toBe('/pr-5/logo.svg');
    expect(routed('PR-5.app.example.com:8080', '/users/1')).toBe('/pr-5/index.html');
  });

  it('keeps method, headers, cookies and the query string untouched', () => {
    const querystring = { v: { value: '2' }, tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] } };
    const expected = structuredClone(querystring);
    for (const uri of ['/assets/app.js', '/users/42']) {
      const req = request(HOST, uri, querystring);
      req.cookies = { session: { value: 'x' } };
      const result = handler({ request: req }) as Request;
      expect(result).toBe(req);
      expect(result.querystring).toBe(querystring);
      expect(result.querystring).toEqual(expected);
      expect(result.method).toBe('GET');
      expect(result.headers).toEqual({ host: { value: HOST } });
      expect(result.cookies).toEqual({ session: { value: 'x' } });
    }
  });
});

describe('SPA fallback', () => {
  it.each(['/', '/about', '/users/42', '/users/42/', '/docs/', '/v1.2/settings', '/deep/nested/route'])('%s → index.html', (uri) => {
    expect(routed(HOST, uri)).toBe('/pr-123/index.html');
  });

  it.each([
    ['/index.html', '/pr-123/index.html'],
    ['/favicon.ico', '/pr-123/favicon.ico'],
    ['/robots.txt', '/pr-123/robots.txt'],
    ['/assets/app.123.js', '/pr-123/assets/app.123.js'],
    ['/assets/app.123.js.map', '/pr-123/assets/app.123.js.map'],
    ['/docs/guide.html', '/pr-123/docs/guide.html'],
    ['/img/a%20b.png', '/pr-123/img/a%20b.png'],
  ])('a file keeps its path: %s → %s', (uri, expected) => {
    expect(routed(HOST, uri)).toBe(expected);
  });
});

describe('unknown hosts get a 404', () => {
  it.each([
    'app.example.com',
    'www.app.example.com',
    'pr-abc.app.example.com',
    'pr-0.app.example.com',
    'pr-01.app.example.com',
    'pr-1234567890.app.example.com',
    'pr-12',
    'pr-12.',
    'pr-.app.example.com',
    'xpr-1.app.example.com',
    'pr_1.app.example.com',
    'pr-1.app.example.com:https',
    'pr-1.app.example.com/x',
    'd111111abcdef8.cloudfront.net',
    '',
  ])('host %j', (host) => {
    expect(handler({ request: request(host, '/index.html') })).toEqual(NOT_FOUND);
  });

  it('no host header', () => {
    expect(handler({ request: request(undefined, '/') })).toEqual(NOT_FOUND);
  });
});

describe('hidden paths get a 404', () => {
  it.each([
    '/.slipway',
    '/.slipway/',
    '/.slipway/manifest.json',
    '/a/.slipway/manifest.json',
    '/.well-known/.slipway/manifest.json',
    '/.env',
    '/.git/config',
    '/assets/.DS_Store',
    '/a/.well-known/security.txt',
    '/.well-known',
  ])('%s', (uri) => {
    expect(handler({ request: request(HOST, uri) })).toEqual(NOT_FOUND);
  });

  it('a leading .well-known/ is served as is, without the SPA fallback', () => {
    expect(routed(HOST, '/.well-known/security.txt')).toBe('/pr-123/.well-known/security.txt');
    expect(routed(HOST, '/.well-known/apple-app-site-association')).toBe('/pr-123/.well-known/apple-app-site-association');
  });
});

describe('traversal and encoding tricks get a 404', () => {
  it.each([
    '/..',
    '/../pr-2/index.html',
    '/a/../.slipway/manifest.json',
    '/./app.js',
    '/%2e%2e/pr-2/app.js',
    '/%2E%2E/pr-2/app.js',
    '/.%2e/pr-2/app.js',
    '/%2eslipway/manifest.json',
    '/a%2f.slipway%2fmanifest.json',
    '/a%2F..%2Fb.js',
    '/a\\b.js',
    '/a%5cb.js',
    '/..\\pr-2\\app.js',
    'index.html',
    '',
  ])('%j', (uri) => {
    expect(handler({ request: request(HOST, uri) })).toEqual(NOT_FOUND);
  });

  it('dots inside a name are fine', () => {
    expect(routed(HOST, '/a..b/c..d.js')).toBe('/pr-123/a..b/c..d.js');
  });
});
