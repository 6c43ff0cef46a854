// The mistakes users make in inputs and in the environment around a step: each is refused before any
// request, naming the input or variable, the expected form and the fix.
import { describe, expect, it } from 'vitest';
import { awsEnvironmentErrors } from '../../src/lib/aws/environment.js';
import { describeError } from '../../src/lib/aws/errors.js';
import { parseDeployStaticSettings } from '../../src/actions/deploy-static/settings.js';
import { cacheControlProblem, parseBucketName, parseHeaderRules, parseRegion } from '../../src/inputs/parse.js';
import { codeSpan, plural } from '../../src/lib/util/markdown.js';
import { prPreviewSummary } from '../../src/actions/pr-preview/report.js';
import type { PrPreviewSettings } from '../../src/actions/pr-preview/settings.js';
import { writeSite } from '../support/s3.js';
import { testEnvironment } from '../support/environment.js';

const site = writeSite({ 'index.html': 'x' });
const parse = (inputs: Record<string, string>) =>
  parseDeployStaticSettings((name) => ({ source: site, bucket: 'ok-bucket', ...inputs })[name], testEnvironment());

describe('cache-control values must be Cache-Control directives, and the error names the line', () => {
  it.each([
    [
      'static/**: public, max-age=31536000, immutable',
      /Input 'cache-control' .*"31536000" is not a Cache-Control directive.*\(got "static\/\*\*: public, max-age=31536000, immutable"\)/,
    ],
    ['*.js=forever please', /"forever please" is not a Cache-Control directive.*\(got "\*\.js=forever please"\)/],
    ['*.js=max-age=soon', /max-age takes a number of seconds, like max-age=300/],
    ['*.js=public=1', /public takes no value/],
  ])('%s', (line, error) => {
    expect(() => parse({ 'cache-control': line })).toThrow(error);
  });
  it.each([
    'public, max-age=300',
    'no-cache',
    'private, no-store',
    'public, max-age=31536000, immutable',
    'public, max-age=60, stale-while-revalidate=600',
    'no-cache="Set-Cookie"',
  ])('accepts %s', (value) => {
    expect(cacheControlProblem(value)).toBeUndefined();
  });
});

describe('headers: only what S3 stores with an object', () => {
  it('parses names in lower case and keeps values', () => {
    expect(
      parseHeaderRules(
        'headers',
        'Build/*.wasm.br=Content-Encoding: br\n*.pdf=Content-Disposition: attachment; filename="x.pdf"\n*=x-amz-meta-team: web',
      ),
    ).toEqual([
      { glob: 'Build/*.wasm.br', name: 'content-encoding', value: 'br' },
      { glob: '*.pdf', name: 'content-disposition', value: 'attachment; filename="x.pdf"' },
      { glob: '*', name: 'x-amz-meta-team', value: 'web' },
    ]);
  });
  it.each([
    [
      '*.html=X-Frame-Options: DENY',
      /X-Frame-Options is a response header: set it with a CloudFront response headers policy or the router's _headers file/,
    ],
    ['*.js=Cache-Control: no-cache', /give that in the input 'cache-control'/],
    ['*.wasm=Content-Type: application/wasm', /give that in the input 'content-type'/],
    ['*.br=br', /must hold GLOB=Header: value lines/],
  ])('refuses %s', (line, error) => {
    expect(() => parseHeaderRules('headers', line)).toThrow(error);
  });
});

describe('names AWS reserves or users mistype', () => {
  it.each(['xn--bucket', 'sthree-site', 'amzn-s3-demo-site', 'site-s3alias', 'site--ol-s3', 'site.mrap', 'site--x-s3', 'site--table-s3'])(
    'bucket %s is refused',
    (name) => {
      expect(() => parseBucketName('bucket', name)).toThrow(/S3 reserves names that start or end with/);
    },
  );
  it('a region typo says which region was meant; a new well-formed region is accepted', () => {
    expect(() => parseRegion('region', 'us-eats-1')).toThrow(
      /Input 'region' must be an AWS region such as us-east-1 or eu-west-1; did you mean us-east-1\?/,
    );
    expect(() => parseRegion('region', 'eu-west')).toThrow(/must be an AWS region/);
    expect(parseRegion('region', 'ap-southeast-9')).toBe('ap-southeast-9');
  });
});

describe('the environment around the step', () => {
  it('names a malformed endpoint variable and a mistyped region variable', () => {
    const errors = awsEnvironmentErrors(
      { AWS_ENDPOINT_URL_S3: 'localhost:4566' },
      { regionGiven: false, endpointGiven: false, services: ['S3'] },
    );
    expect(errors.map((e) => e.message)).toEqual([
      `Input 'AWS_ENDPOINT_URL_S3' must be an http:// or https:// URL (got "localhost:4566").`,
    ]);
    const region = awsEnvironmentErrors({ AWS_REGION: 'eu-wset-1' }, { regionGiven: false, endpointGiven: false, services: ['S3'] });
    expect(region.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Input 'AWS_REGION' must be an AWS region .*did you mean eu-west-1\?/),
    ]);
  });
  it('leaves region names alone behind a custom endpoint (S3-compatible stores have their own)', () => {
    expect(
      awsEnvironmentErrors(
        { AWS_REGION: 'auto', AWS_ENDPOINT_URL: 'https://r2.example.com' },
        { regionGiven: false, endpointGiven: false, services: ['S3'] },
      ),
    ).toEqual([]);
  });
  it('missing credentials say where they come from', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(describeError(error)).toMatch(
      /^No AWS credentials were found\. In a workflow, add aws-actions\/configure-aws-credentials before this step .*id-token: write/,
    );
  });
});

describe('job summaries', () => {
  it('a pipe in a file name shows bare in a list, escaped only in a table cell', () => {
    expect(codeSpan('a|b.txt', { inTable: false })).toBe('`a|b.txt`');
    expect(codeSpan('a|b.txt')).toBe('`a\\|b.txt`');
  });
  it('a cleanup lists its steps as sentences (not code spans), with counts in English', () => {
    const summary = prPreviewSummary({} as PrPreviewSettings, {
      command: 'cleanup',
      cleanup: {
        status: 'removed',
        number: 7,
        removal: { found: true, steps: ['deleted 1 object under s3://previews/pr-7/'] },
        deploymentsDeactivated: 1,
      },
    });
    expect(summary).toContain('- deleted 1 object under s3://previews/pr\\-7/');
    expect(summary).toContain('- 1 deployment marked inactive');
    expect(summary).not.toContain('`deleted');
  });
  it('counts read as English', () => {
    expect(plural(1, 'object')).toBe('1 object');
    expect(plural(2, 'path')).toBe('2 paths');
    expect(plural(1200, 'file')).toBe('1,200 files');
  });
});

it('delete takes true, all or false; framework takes the known names', () => {
  expect(parse({ delete: 'all' }).delete).toBe('all');
  expect(parse({ delete: 'false' }).delete).toBe('none');
  expect(() => parse({ delete: 'yes' })).toThrow(
    /Input 'delete' must be true \(objects earlier deploys wrote\), all \(also objects Slipway did not write\) or false/,
  );
  expect(parse({ framework: 'Next' }).framework).toBe('next');
  expect(() => parse({ framework: 'gatsby' })).toThrow(
    /Input 'framework' must be auto or one of vite, next, cra, astro, sveltekit, nuxt, angular, none/,
  );
});
