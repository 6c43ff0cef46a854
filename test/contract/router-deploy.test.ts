// deploy-static with a router, the committed bundle run as the runner runs it: the store write
// goes through the bundled SDK (SigV4A signer included) to the KeyValueStore stand-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../stand-ins/action-runner.mjs';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { astroSite } from '../support/framework-builds.js';
import { motoEndpoint, newBucket, writeSite } from '../support/s3.js';

type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let kvs: FakeKvs;
beforeAll(async () => {
  kvs = await startFakeKvs();
});
afterAll(() => kvs.stop());

const run = (inputs: Record<string, string>) =>
  runActionBundle(
    'deploy-static',
    { prefix: '', 'dry-run': 'false', router: '', site: '', 'trailing-slash': 'keep', ...inputs },
    { env: { ...awsEnvFor(motoEndpoint()), AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: kvs.endpoint } },
  );

describe('deploy-static with router, as the runner runs it', () => {
  it('uploads, then writes the site table to the store (SigV4A-signed), and says so in the summary', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('web-router');
    const dir = writeSite({ ...astroSite, _redirects: '/old /about 301\n' });
    const result = await run({ source: dir, bucket, prefix: 'site/', router: arn, 'trailing-slash': 'never' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const items = kvs.items(arn);
    expect(JSON.parse(items.get(`s:${bucket}/site`)!)).toEqual({ p: 'site/', m: 'pages', t: 'never', n: '404.html', r: 0, h: 0 });
    expect(items.get(`p:${bucket}/site:/about`)).toBe('{"f":"about/index.html"}');
    expect(items.get(`p:${bucket}/site:/old`)).toBe('{"to":"/about","c":301}');
    expect(result.summary).toContain(`#### Router \`${arn}\`, site \`${bucket}/site\``);
    expect(result.summary).toMatch(/Multi-page build, trailing slash `never`: 4 pages, 1 exact and 0 pattern redirects, 0 header rules\./);
    expect(result.stdout).toContain(`::group::Route site ${bucket}/site through ${arn}`);
  });

  it.each([
    [{ router: 'not a router!' }, /Input 'router' must be the router's name/],
    [{ router: 'web', 'trailing-slash': 'sometimes' }, /Input 'trailing-slash' must be one of keep, always, never/],
    [{ router: 'web', site: 'Bad Site' }, /Input 'site' must be a site name/],
    [{ site: 'web' }, /Input 'site' needs the router input too/],
  ])('bad router inputs fail before any request: %j', async (inputs, message) => {
    const bucket = await newBucket();
    const before = kvs.requests.length;
    const result = await run({ source: writeSite(astroSite), bucket, ...inputs });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(message);
    expect(kvs.requests.length).toBe(before);
  });

  it('a bad _redirects line fails the step with file and line, before the upload', async () => {
    const bucket = await newBucket();
    const result = await run({ source: writeSite({ ...astroSite, _redirects: '/a /b\n/c\n' }), bucket, router: kvs.createStore('r') });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(/_redirects line 2: needs at least "from to"/);
    expect(result.stdout).not.toContain('::group::Upload');
  });
});
