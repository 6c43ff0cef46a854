// pr-preview's shared strategy on the edge router: a Next.js export preview routes like
// production at pr-N.<domain> (its host mapped to its prefix, its pages from its own table), and
// cleanup takes the host and the table out of the store with the objects.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub } from '../../stand-ins/fake-github.mjs';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { createGitHubClient } from '../../src/lib/github/client.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import { cleanupPreview, deployPreview, type PreviewDeps } from '../../src/lib/preview/preview.js';
import type { DeployRequest, PreviewRun, PreviewStrategy } from '../../src/lib/preview/request.js';
import { PREVIEW_LIMITS } from '../../src/actions/pr-preview/settings.js';
import { SharedPreviewStore } from '../../src/lib/preview/strategies/shared.js';
import { PreviewRouter } from '../../src/lib/preview/strategies/router.js';
import { createKvsClient } from '../../src/lib/router/store.js';
import { systemClock } from '../../src/lib/util/clock.js';
import { startEdgeSimulator } from '../support/edge-simulator.js';
import { cloudFrontAt, newDistribution } from '../support/cloudfront.js';
import { nextExport } from '../support/framework-builds.js';
import { bucketState, inspector, motoEndpoint, newBucket, s3At, writeSite } from '../support/s3.js';
import { PartialFailure } from '../../src/lib/util/partial-failure.js';
import { previewRun } from '../support/preview.js';

type FakeGitHub = Awaited<ReturnType<typeof startFakeGitHub>>;
type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let github: FakeGitHub;
let kvs: FakeKvs;
beforeAll(async () => {
  github = await startFakeGitHub();
  kvs = await startFakeKvs();
});
afterAll(async () => {
  await github.close();
  await kvs.stop();
});

const REPO = 'acme/web';
const DOMAIN = 'preview.example.com';
// The bucket, distribution and router of the last setup().
let current: { strategy: PreviewStrategy; router: string };
const run = (): PreviewRun =>
  previewRun(current.strategy, DOMAIN, {
    router: current.router,
    comment: false,
    deployment: false,
    runUrl: 'https://github.com/acme/web/actions/runs/9',
    runId: '9',
  });

async function setup() {
  const bucket = await newBucket();
  const distributionId = await newDistribution();
  const arn = kvs.createStore('previews');
  const s3 = s3At(motoEndpoint());
  // The router's name is resolved only when it is not an ARN: no CloudFront call is needed here.
  const cloudfront: CloudFrontClient = cloudFrontAt(motoEndpoint());
  current = { strategy: { kind: 'shared', bucket, distributionId }, router: arn };
  const store = new SharedPreviewStore(
    { repository: REPO, domain: DOMAIN, bucket, distributionId, invalidationTimeoutMs: PREVIEW_LIMITS.invalidationTimeoutMs },
    { s3, cloudfront, log: silentLogger, clock: systemClock },
  );
  const deps: PreviewDeps = {
    store,
    router: new PreviewRouter(
      arn,
      { locate: (n) => store.locate(n), domain: DOMAIN },
      { s3, kvs: createKvsClient(kvs.endpoint), cloudfront, log: silentLogger },
    ),
    s3,
    cloudfront,
    github: createGitHubClient('ghs_test', github.url, { backoffMs: 5 }),
    log: silentLogger,
    clock: systemClock,
  };
  return { bucket, arn, deps };
}

const request = (dir: string, number: number): DeployRequest => ({
  ...run(),
  command: 'deploy',
  number,
  guardHeadSha: false,
  sourceDir: dir,
  cacheControl: [],
  exclude: [],
  concurrency: 8,
});

describe('pr-preview (shared) on the edge router', () => {
  it('a Next.js export preview answers its pages, assets and 404s at pr-N.<domain>; cleanup unroutes it', async () => {
    github.addPull(REPO, { number: 12, headSha: 'c'.repeat(40) });
    const { bucket, arn, deps } = await setup();
    const deployed = await deployPreview(request(writeSite(nextExport), 12), deps);
    expect(deployed.status).toBe('deployed');
    expect(kvs.items(arn).get('h:pr-12.preview.example.com')).toBe(`{"s":"${bucket}/pr-12"}`);

    const edge = await startEdgeSimulator({ store: () => kvs.items(arn), s3: inspector(), bucket, listBucket: true });
    try {
      const status = async (path: string) => {
        const r = await edge.get('pr-12.preview.example.com', path);
        return `${r.status} ${/<title>([^<]*)</.exec(r.body)?.[1] ?? ''}`.trim();
      };
      expect(await status('/')).toBe('200 Next home');
      expect(await status('/about')).toBe('200 Next about');
      expect(await status('/blog/hello')).toBe('200 Next blog post');
      expect(await status('/nope')).toBe('404 Next 404');
      expect(await status('/_next/static/chunks/main-4c3b2a1d.js')).toBe('200');
      expect(await status('/_next/static/chunks/gone.js')).toBe('404');
      // Another PR's host, and the private record of this one, are not reachable.
      expect((await edge.get('pr-13.preview.example.com', '/about')).status).toBe(404);
      expect((await edge.get('pr-12.preview.example.com', '/.slipway/preview.json')).status).toBe(404);

      const cleaned = await cleanupPreview({ ...run(), command: 'cleanup', number: 12 }, deps);
      expect(cleaned.status).toBe('removed');
      expect(cleaned.removal!.steps.at(-1)).toMatch(
        new RegExp(`removed host pr-12.preview.example.com and \\d+ routing entries of site ${bucket}/pr-12`),
      );
      expect([...kvs.items(arn).keys()].filter((k) => k.includes('pr-12'))).toEqual([]);
      expect((await edge.get('pr-12.preview.example.com', '/about')).status).toBe(404);
      expect([...(await bucketState(bucket)).keys()]).toEqual([]);
    } finally {
      await edge.stop();
    }
  });

  it('a preview with a bad _redirects fails before the upload and announces nothing', async () => {
    github.addPull(REPO, { number: 14, headSha: 'd'.repeat(40) });
    const { bucket, arn, deps } = await setup();
    const attempt = deployPreview(request(writeSite({ ...nextExport, _redirects: '/a\n' }), 14), deps);
    await expect(attempt).rejects.toThrow(PartialFailure);
    await expect(attempt).rejects.toThrow(/_redirects line 1/);
    expect([...(await bucketState(bucket)).keys()].filter((k) => !k.includes('.slipway/'))).toEqual([]);
    expect(kvs.items(arn).size).toBe(0);
  });
});
