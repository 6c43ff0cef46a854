// deploy-static mode: releases, the committed bundle run as the runner runs it (INPUT_*,
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), against moto's S3 and the KeyValueStore stand-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../scripts/lib/action-runner.mjs';
import { startFakeKvs } from '../../scripts/lib/fake-kvs.mjs';
import { awsEnvFor } from '../../scripts/lib/moto.mjs';
import { motoEndpoint, newBucket, writeSite } from '../support/s3.js';

type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let kvs: FakeKvs;
beforeAll(async () => {
  kvs = await startFakeKvs();
});
afterAll(() => kvs.stop());

const run = (inputs: Record<string, string>) =>
  runActionBundle('deploy-static', { prefix: '', 'dry-run': 'false', router: '', site: '', 'trailing-slash': 'keep', mode: 'mirror', ...inputs }, { env: { ...awsEnvFor(motoEndpoint()), AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: kvs.endpoint } });

const build = (n: number) => ({ 'index.html': `<title>v${n}</title><script src="/assets/index-Bq${n}w2e3r.js"></script>`, [`assets/index-Bq${n}w2e3r.js`]: `console.log(${n})` });

describe('deploy-static mode: releases, as the runner runs it', () => {
  it('stages, switches, and reports release-id, previous-release-id, url and an empty changed-paths', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('web-router');
    kvs.writeBehind(arn, 'h:www.example.com', JSON.stringify({ s: 'web' }));
    const first = await run({ source: writeSite(build(1)), bucket, router: arn, site: 'web', mode: 'releases' });
    expect(first.errors).toEqual([]);
    expect(first.outputs['release-id']).toMatch(/^[0-9a-f]{16}$/);
    expect(first.outputs['previous-release-id']).toBe('');
    const second = await run({ source: writeSite(build(2)), bucket, router: arn, site: 'web', mode: 'releases' });
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({ 'previous-release-id': first.outputs['release-id'], url: 'https://www.example.com/', 'changed-paths': '[]', 'changed-paths-file': '', uploaded: '2' });
    expect(JSON.parse(kvs.items(arn).get('s:web')!)).toEqual({ l: `web~${second.outputs['release-id']}`, b: first.outputs['release-id'] });
    expect(second.summary).toContain('in releases mode nothing needs invalidating');
    expect(second.stdout).toContain(`::group::Activate release ${second.outputs['release-id']}`);
  });

  it.each([
    [{ mode: 'releases' }, /Input 'mode' releases needs the router input too/],
    [{ mode: 'atomic', router: 'web' }, /Input 'mode' must be mirror \(sync the site in place\) or releases/],
  ])('bad mode inputs fail before any request: %j', async (inputs, message) => {
    const bucket = await newBucket();
    const before = kvs.requests.length;
    const result = await run({ source: writeSite(build(1)), bucket, ...inputs });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(message);
    expect(kvs.requests.length).toBe(before);
  });
});
