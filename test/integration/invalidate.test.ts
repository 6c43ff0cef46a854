// Invalidations against moto's CloudFront, counted at a proxy. moto completes an invalidation at
// once and does not de-duplicate by caller reference: the waiting and de-duplication paths are
// covered with a scripted fake in test/unit/invalidations.test.ts; here we check what we send.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { invalidate, type InvalidationRequest } from '../../src/lib/cloudfront/invalidations.js';
import { collapsePaths } from '../../src/lib/cloudfront/invalidation-paths.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import { systemClock } from '../../src/lib/util/clock.js';
import { cloudFrontAt, invalidationsOf, newDistribution } from '../support/cloudfront.js';
import { motoEndpoint } from '../support/s3.js';

let proxy: AwsProxy;
beforeEach(async () => {
  proxy = await startAwsProxy(motoEndpoint());
});
afterEach(() => proxy.close());

const run = (request: Partial<InvalidationRequest> & { distributionIds: string[] }) =>
  invalidate(
    {
      paths: ['/*'],
      wait: true,
      timeoutMs: 60_000,
      run: { repository: 'acme/web', runId: '555', job: 'deploy', step: 'invalidate' },
      ...request,
    },
    { client: cloudFrontAt(proxy.endpoint), log: silentLogger, clock: systemClock },
  );

describe('invalidate against moto', () => {
  it('submits the paths and waits (moto answers COMPLETED, AWS Completed)', async () => {
    const dist = await newDistribution();
    const [outcome] = await run({ distributionIds: [dist], paths: ['/', '/index.html', '/a%20b.js'] });
    expect(outcome).toMatchObject({ distributionId: dist, status: 'completed' });
    const stored = await invalidationsOf(dist);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.paths.sort()).toEqual(['/', '/a%20b.js', '/index.html']);
    expect(stored[0]!.id).toBe(outcome!.invalidations[0]!.id);
    expect(proxy.ops('CreateInvalidation')).toHaveLength(1);
  });

  it('splits into batches within CloudFront limits', async () => {
    const dist = await newDistribution();
    const paths = Array.from({ length: 18 }, (_, i) => `/section-${i}/*`);
    const [outcome] = await run({ distributionIds: [dist], paths });
    expect(outcome!.invalidations.map((i) => i.paths.length)).toEqual([15, 3]);
    expect((await invalidationsOf(dist)).map((i) => i.paths.length).sort()).toEqual([15, 3]);
  });

  it('submits collapsed paths', async () => {
    const dist = await newDistribution();
    const paths = collapsePaths(Array.from({ length: 40 }, (_, i) => `/assets/chunk-${i}.js`).concat(['/', '/index.html']), 20);
    await run({ distributionIds: [dist], paths });
    expect((await invalidationsOf(dist))[0]!.paths.sort()).toEqual(['/', '/assets/*', '/index.html']);
  });

  it('sends the same caller reference and paths on a re-run of the run (what makes AWS return the existing one)', async () => {
    const dist = await newDistribution();
    await run({ distributionIds: [dist], paths: ['/index.html'] });
    await run({ distributionIds: [dist], paths: ['/index.html'] });
    const stored = await invalidationsOf(dist);
    // moto records both; AWS would have answered the second with the first.
    expect(stored).toHaveLength(2);
    expect(stored[0]!.callerReference).toBe(stored[1]!.callerReference);
    expect(stored[0]!.callerReference).toMatch(/^slipway-555-[0-9a-f]{32}$/);
  });

  it('handles several distributions, each with its own invalidation', async () => {
    const [a, b] = [await newDistribution(), await newDistribution()];
    const outcomes = await run({ distributionIds: [a, b], paths: ['/x.html'] });
    expect(outcomes.map((o) => [o.distributionId, o.status])).toEqual([
      [a, 'completed'],
      [b, 'completed'],
    ]);
    expect(await invalidationsOf(a)).toHaveLength(1);
    expect(await invalidationsOf(b)).toHaveLength(1);
  });

  it('fails with the reason for a distribution that does not exist, without retrying', async () => {
    const failure = await run({ distributionIds: ['E0NOSUCHDIST00'] }).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/E0NOSUCHDIST00: .*NoSuchDistribution/);
    expect(proxy.ops('CreateInvalidation')).toHaveLength(1);
  });
});
