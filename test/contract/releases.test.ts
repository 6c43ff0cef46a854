// deploy-static mode: releases, the committed bundle run as the runner runs it (INPUT_*,
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), against moto's S3 and the KeyValueStore stand-in.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../stand-ins/action-runner.mjs';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { startEdgeSimulator } from '../support/edge-simulator.js';
import { inspector, motoEndpoint, newBucket, writeSite } from '../support/s3.js';

type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let kvs: FakeKvs;
beforeAll(async () => {
  kvs = await startFakeKvs();
});
afterAll(() => kvs.stop());

const run = (inputs: Record<string, string>) =>
  runActionBundle(
    'deploy-static',
    {
      prefix: '',
      'dry-run': 'false',
      router: '',
      site: '',
      'trailing-slash': 'keep',
      mode: 'mirror',
      verify: 'true',
      'verify-url': '',
      ...inputs,
    },
    { env: { ...awsEnvFor(motoEndpoint()), AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: kvs.endpoint } },
  );

const build = (n: number) => ({
  'index.html': `<title>v${n}</title><script src="/assets/index-Bq${n}w2e3r.js"></script>`,
  [`assets/index-Bq${n}w2e3r.js`]: `console.log(${n})`,
});

describe('deploy-static mode: releases, as the runner runs it', () => {
  it('stages, switches, and reports release-id, previous-release-id, url and an empty changed-paths', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('web-router');
    kvs.writeBehind(arn, 'h:www.example.com', JSON.stringify({ s: 'web' }));
    const first = await run({ source: writeSite(build(1)), bucket, router: arn, site: 'web', mode: 'releases', verify: 'false' });
    expect(first.errors).toEqual([]);
    expect(first.outputs['release-id']).toMatch(/^[0-9a-f]{16}$/);
    expect(first.outputs['previous-release-id']).toBe('');
    const second = await run({ source: writeSite(build(2)), bucket, router: arn, site: 'web', mode: 'releases', verify: 'false' });
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({
      'previous-release-id': first.outputs['release-id'],
      url: 'https://www.example.com/',
      'changed-paths': '[]',
      'changed-paths-file': '',
      uploaded: '2',
    });
    expect(JSON.parse(kvs.items(arn).get('s:web')!)).toEqual({ l: `web~${second.outputs['release-id']}`, b: first.outputs['release-id'] });
    expect(second.summary).toContain('in releases mode nothing needs invalidating');
    expect(second.stdout).toContain(`::group::Activate release ${second.outputs['release-id']}`);
  });

  it('the release action lists the releases and rolls back with one pointer write', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('web-router');
    const ids: string[] = [];
    for (const n of [1, 2])
      ids.push(
        (await run({ source: writeSite(build(n)), bucket, router: arn, site: 'web', mode: 'releases', verify: 'false' })).outputs[
          'release-id'
        ]!,
      );
    const release = (inputs: Record<string, string>) =>
      runActionBundle(
        'release',
        { command: 'list', bucket, prefix: '', router: arn, site: 'web', 'release-id': '', ...inputs },
        { env: { ...awsEnvFor(motoEndpoint()), AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: kvs.endpoint } },
      );
    const listed = await release({});
    expect(listed.errors).toEqual([]);
    expect((JSON.parse(listed.outputs.releases!) as { id: string; live: boolean }[]).map((r) => [r.id, r.live])).toEqual([
      [ids[1], true],
      [ids[0], false],
    ]);
    expect(listed.outputs['release-id']).toBe(ids[1]);
    const before = kvs.requests.length;
    // No host is mapped and no CDN runs here: verification is off, and without that the rollback refuses.
    const unverifiable = await release({ command: 'rollback' });
    expect(unverifiable.exitCode).toBe(1);
    expect(unverifiable.errors.join('\n')).toMatch(/Input 'verify-url' must be set: the router maps no host to site web/);
    const rolled = await release({ command: 'rollback', verify: 'false' });
    expect(rolled.exitCode).toBe(0);
    expect(rolled.outputs).toMatchObject({ 'release-id': ids[0], 'previous-release-id': ids[1] });
    expect(
      kvs.requests
        .slice(before)
        .filter((r) => r.op === 'UpdateKeys')
        .map((r) => r.puts),
    ).toEqual([['s:web']]);
    expect(JSON.parse(kvs.items(arn).get('s:web')!)).toEqual({ l: `web~${ids[0]}`, b: ids[1] });
    expect(rolled.summary).toContain('nothing uploaded, nothing invalidated');
    expect(rolled.summary).toContain('Not verified through the CDN (`verify: false`)');
    expect(rolled.outputs['propagation-ms']).toBe('');
    const bad = await release({ command: 'rollback', 'release-id': 'v1' });
    expect(bad.exitCode).toBe(1);
    expect(bad.errors.join('\n')).toMatch(/Input 'release-id' must be a release id: 16 lower-case hex digits/);
  });

  it('verifies the staged release through the CDN, then reports how long until every edge served it; a broken build switches nothing', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('web-router');
    kvs.writeBehind(arn, 'h:www.example.com', JSON.stringify({ s: 'web' }));
    const edge = await startEdgeSimulator({ store: () => kvs.items(arn), s3: inspector(), bucket, listBucket: true });
    try {
      const inputs = { bucket, router: arn, site: 'web', mode: 'releases', 'verify-url': edge.edgeUrl('www.example.com') };
      const good = await run({ ...inputs, source: writeSite(build(1)) });
      expect(good.errors).toEqual([]);
      expect(good.outputs['propagation-ms']).toMatch(/^\d+$/);
      expect(good.summary).toMatch(
        /\*\*Verified through the CDN\*\* \(`http:\/\/www\.example\.com\.localhost:\d+\/`, staged release requested with its token\): 1 HTML entry points, 1 files they reference, 0 redirects, 0 header rules/,
      );
      expect(good.summary).toContain('**Served everywhere**');
      const live = kvs.items(arn).get('s:web');
      const bad = await run({ ...inputs, source: writeSite(build(2)), 'content-type': 'assets/*.js=text/html' });
      expect(bad.exitCode).toBe(1);
      expect(bad.errors.join('\n')).toMatch(
        /Verification of the staged release through http:\/\/www\.example\.com\.localhost:\d+\/ found 1 problem; nothing was switched, the live release is unchanged\. .*\/assets\/index-Bq2w2e3r\.js: a script served as text\/html/,
      );
      expect(bad.summary).toContain('failed verification');
      expect(bad.summary).toMatch(
        /\| `http:\/\/www\.example\.com\.localhost:\d+\/assets\/index-Bq2w2e3r\.js` \| a script served as text\/html/,
      );
      expect(kvs.items(arn).get('s:web')).toBe(live);
    } finally {
      await edge.stop();
    }
  });

  it('the release action promotes by pointer and collects garbage, with its outputs and summary; bad inputs fail before any request', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('web-router');
    const ids: string[] = [];
    const deploys = [];
    for (const n of [1, 2, 3]) {
      const deployed = await run({ source: writeSite(build(n)), bucket, router: arn, site: 'staging', mode: 'releases', verify: 'false' });
      deploys.push(deployed);
      ids.push(deployed.outputs['release-id']!);
    }
    // Each deploy's summary and outputs report the gc it ran after its switch (keep 10, 7 days: nothing goes).
    expect(deploys[2]!.outputs).toMatchObject({ deleted: '0', 'deleted-releases': '[]' });
    expect(deploys[2]!.summary).toContain(
      '**Garbage collection** after the switch (keep 10 per site, `stale-asset-grace` 7d): 0 releases deleted; 3 releases kept (2 held by a pointer, 1 among the newest 10); nothing left by a staging that never finished.',
    );
    const release = (inputs: Record<string, string>) =>
      runActionBundle(
        'release',
        {
          command: 'list',
          bucket,
          prefix: '',
          router: arn,
          site: 'staging',
          'release-id': '',
          from: '',
          to: '',
          'keep-releases': '10',
          'stale-asset-grace': '7d',
          'dry-run': 'false',
          ...inputs,
        },
        { env: { ...awsEnvFor(motoEndpoint()), AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: kvs.endpoint } },
      );
    const promoted = await release({ command: 'promote', to: 'production', verify: 'false' });
    expect(promoted.errors).toEqual([]);
    expect(promoted.outputs).toMatchObject({ 'release-id': ids[2], 'previous-release-id': '' });
    expect(JSON.parse(kvs.items(arn).get('s:production')!)).toEqual({ l: `staging~${ids[2]}` });
    expect(promoted.summary).toContain('Nothing uploaded or copied, nothing invalidated');
    // keep 1, no grace: the first release is off every pointer (the second is staging's rollback target).
    // What a staging killed before its record leaves: its release folder, its marker, a pool object it wrote.
    const dead = 'eeeeeeeeeeeeeeee';
    for (const [Key, Body] of [
      [`_releases/${dead}/index.html`, '<title>dead</title>'],
      [`.slipway/staging/${dead}.json`, JSON.stringify({ version: 1, id: dead, startedAt: '', pool: ['assets/dead-Dq1w2e3r.js'] })],
      ['assets/dead-Dq1w2e3r.js', 'dead'],
    ] as const)
      await inspector().send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    const dry = await release({ command: 'gc', 'keep-releases': '1', 'stale-asset-grace': '0', 'dry-run': 'true' });
    expect(dry.errors).toEqual([]);
    expect(JSON.parse(dry.outputs['deleted-releases']!)).toEqual([ids[0]]);
    expect(dry.summary).toMatch(/Dry run: garbage collection/);
    expect(dry.summary).toContain('would delete 1 release folder and 1 pool object; kept in grace: 0 folders, 0 pool objects.');
    expect(await inspector().send(new GetObjectCommand({ Bucket: bucket, Key: 'assets/dead-Dq1w2e3r.js' }))).toBeDefined();
    const gc = await release({ command: 'gc', 'keep-releases': '1', 'stale-asset-grace': '0' });
    expect(gc.errors).toEqual([]);
    expect(JSON.parse(gc.outputs['deleted-releases']!)).toEqual([ids[0]]);
    expect(gc.summary).toMatch(/1 releases deleted: \d+ objects/);
    expect(gc.summary).toContain('deleted 1 release folder and 1 pool object (3 objects with their markers)');
    expect(gc.summary).toMatch(/\| `_releases\/eeeeeeeeeeeeeeee\/` \| release folder, 1 file \| [^|]+ \| deleted \|/);
    await expect(inspector().send(new GetObjectCommand({ Bucket: bucket, Key: 'assets/dead-Dq1w2e3r.js' }))).rejects.toThrow();
    const listed = await release({});
    expect((JSON.parse(listed.outputs.releases!) as { id: string; pointers: string[] }[]).map((r) => [r.id, r.pointers.sort()])).toEqual([
      [ids[2], ['production', 'staging']],
      [ids[1], ['staging (rollback)']],
    ]);
    const before = kvs.requests.length;
    for (const [inputs, message] of [
      [{ command: 'promote' }, /Input 'to' is required/],
      [{ command: 'gc', 'keep-releases': '0' }, /Input 'keep-releases' must be a whole number from 1 to 1000/],
      [{ command: 'gc', 'stale-asset-grace': 'soon' }, /Input 'stale-asset-grace' must be a duration/],
      [{ command: 'prune' }, /Input 'command' must be list, rollback, promote or gc/],
      [{ command: 'gc', verify: 'false' }, /Input 'verify' is for command rollback and promote only/],
      [{ 'verify-url': 'https://www.example.com/' }, /Input 'verify-url' is for command rollback and promote only/],
      [{ command: 'rollback', 'verify-url': 'www.example.com' }, /Input 'verify-url' must be the site's URL/],
      [{ command: 'promote', to: 'production', verify: 'maybe' }, /Input 'verify' must be true or false/],
    ] as const) {
      const bad = await release(inputs);
      expect(bad.exitCode).toBe(1);
      expect(bad.errors.join('\n')).toMatch(message);
    }
    expect(kvs.requests.length).toBe(before);
  });

  it('the release action verifies a rollback target through the CDN first: a broken one switches nothing and is listed; a good one reports propagation-ms', async () => {
    const bucket = await newBucket();
    const arn = kvs.createStore('web-router');
    kvs.writeBehind(arn, 'h:www.example.com', JSON.stringify({ s: 'web' }));
    const edge = await startEdgeSimulator({ store: () => kvs.items(arn), s3: inspector(), bucket, listBucket: true });
    try {
      // Staged without verification, so the edge has cached nothing of release 1.
      const ids: string[] = [];
      for (const n of [1, 2])
        ids.push(
          (await run({ source: writeSite(build(n)), bucket, router: arn, site: 'web', mode: 'releases', verify: 'false' })).outputs[
            'release-id'
          ]!,
        );
      const release = (inputs: Record<string, string>) =>
        runActionBundle(
          'release',
          { command: 'rollback', bucket, prefix: '', router: arn, site: 'web', 'verify-url': edge.edgeUrl('www.example.com'), ...inputs },
          { env: { ...awsEnvFor(motoEndpoint()), AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: kvs.endpoint } },
        );
      const script = 'assets/index-Bq1w2e3r.js';
      const saved = await inspector().send(new GetObjectCommand({ Bucket: bucket, Key: script }));
      const body = await saved.Body!.transformToString();
      await inspector().send(new DeleteObjectCommand({ Bucket: bucket, Key: script }));
      const live = kvs.items(arn).get('s:web');
      const broken = await release({});
      expect(broken.exitCode).toBe(1);
      expect(broken.errors.join('\n')).toMatch(
        /found 1 problem; nothing was switched, the live release is unchanged\. .*\/assets\/index-Bq1w2e3r\.js: answered 404, expected 200/,
      );
      expect(broken.summary).toContain(`### Release \`${ids[0]}\` of site \`web\` failed verification`);
      expect(broken.summary).toMatch(
        /\| `http:\/\/www\.example\.com\.localhost:\d+\/assets\/index-Bq1w2e3r\.js` \| answered 404, expected 200 \| `\/` \|/,
      );
      expect(broken.summary).toContain('Roll back or promote to another release');
      expect(kvs.items(arn).get('s:web')).toBe(live);
      // Put back as it was: the rollback verifies, switches and waits for the edge.
      await inspector().send(
        new PutObjectCommand({ Bucket: bucket, Key: script, Body: body, ContentType: saved.ContentType, CacheControl: saved.CacheControl }),
      );
      const good = await release({});
      expect(good.errors).toEqual([]);
      expect(good.outputs).toMatchObject({ 'release-id': ids[0], 'previous-release-id': ids[1] });
      expect(good.outputs['propagation-ms']).toMatch(/^\d+$/);
      expect(good.summary).toMatch(
        /\*\*Verified through the CDN\*\* \(`http:\/\/www\.example\.com\.localhost:\d+\/`, staged release requested with its token\): 1 HTML entry points, 1 files they reference/,
      );
      expect(good.summary).toContain('**Served everywhere**');
      expect(JSON.parse(kvs.items(arn).get('s:web')!)).toEqual({ l: `web~${ids[0]}`, b: ids[1] });
      expect((await edge.get('www.example.com', '/_slipway/release')).body).toBe(ids[0]);
    } finally {
      await edge.stop();
    }
  });

  it.each([
    [{ mode: 'releases' }, /Input 'mode' releases needs the router input too/],
    [{ mode: 'atomic', router: 'web' }, /Input 'mode' must be mirror \(sync the site in place\) or releases/],
    [{ mode: 'releases', router: 'web', verify: 'yes please' }, /Input 'verify' must be true or false/],
    [
      { mode: 'releases', router: 'web', 'verify-url': 'www.example.com' },
      /Input 'verify-url' must be the site's URL, https:\/\/<host>\/ with a host the router maps to this site/,
    ],
    [{ 'verify-url': 'https://www.example.com/' }, /Input 'verify-url' is for mode releases only/],
  ])('bad mode inputs fail before any request: %j', async (inputs, message) => {
    const bucket = await newBucket();
    const before = kvs.requests.length;
    const result = await run({ source: writeSite(build(1)), bucket, ...inputs });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(message);
    expect(kvs.requests.length).toBe(before);
  });
});
