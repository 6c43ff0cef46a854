// What moto cannot show: CloudFront's limits, throttling, invalidations that stay in progress,
// and de-duplication by caller reference. A small fake keeps AWS's documented semantics.
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  type CreateInvalidationCommandInput,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { callerReference, invalidate, type DistributionOutcome, type InvalidationRequest } from '../../src/lib/cloudfront/invalidations.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import type { Clock } from '../../src/lib/util/clock.js';
import { PartialFailure } from '../../src/lib/util/partial-failure.js';
import { fakeClock } from '../support/clock.js';

const START = 1_000_000;

const cloudfront = mockClient(CloudFrontClient);
const DIST = 'E2QWRUHAPOMQZL';

/** A GetInvalidation / CreateInvalidation answer. */
const answer = (id: string, status: string) => ({
  Invalidation: { Id: id, Status: status, CreateTime: new Date(), InvalidationBatch: { CallerReference: 'ref', Paths: { Quantity: 0 } } },
});

const awsError = (name: string, status: number) =>
  Object.assign(new Error(`${name} from the fake`), { name, $metadata: { httpStatusCode: status } });

/**
 * CloudFront per its documentation: the same caller reference with the same paths returns the
 * existing invalidation; with other paths, InvalidationBatchAlreadyExists. Statuses advance when
 * `complete()` is called.
 */
function fakeCloudFront() {
  const byReference = new Map<string, { id: string; paths: string }>();
  const status = new Map<string, string>();
  let created = 0;
  cloudfront.on(CreateInvalidationCommand).callsFake((input: CreateInvalidationCommandInput) => {
    const ref = `${input.DistributionId}/${input.InvalidationBatch!.CallerReference}`;
    const paths = JSON.stringify(input.InvalidationBatch!.Paths!.Items);
    const existing = byReference.get(ref);
    if (existing && existing.paths !== paths) throw awsError('InvalidationBatchAlreadyExists', 409);
    if (existing) return { Invalidation: { Id: existing.id, Status: status.get(existing.id) } };
    const id = `I${String(++created).padStart(12, '0')}`;
    byReference.set(ref, { id, paths });
    status.set(id, 'InProgress');
    return { Invalidation: { Id: id, Status: 'InProgress' } };
  });
  cloudfront
    .on(GetInvalidationCommand)
    .callsFake((input: { Id: string }) => ({ Invalidation: { Id: input.Id, Status: status.get(input.Id) } }));
  return {
    get created() {
      return created;
    },
    complete: () => status.forEach((_, id) => status.set(id, 'Completed')),
  };
}

const request = (overrides: Partial<InvalidationRequest> = {}): InvalidationRequest => ({
  distributionIds: [DIST],
  paths: ['/index.html'],
  wait: true,
  timeoutMs: 15 * 60_000,
  run: { repository: 'acme/web', runId: '7001', job: 'deploy', step: 'invalidate' },
  ...overrides,
});

const deps = (clock: Clock) => ({ client: new CloudFrontClient({ region: 'us-east-1' }), log: silentLogger, clock });

beforeEach(() => cloudfront.reset());

describe('idempotent re-runs', () => {
  it('a re-run of the same workflow run gets the existing invalidation back, not a new one', async () => {
    const fake = fakeCloudFront();
    const clock = fakeClock(START, (sleeps) => {
      if (sleeps === 2) fake.complete();
    });
    const attempt1 = await invalidate(request(), deps(clock));
    const attempt2 = await invalidate(request(), deps(clock));
    expect(fake.created).toBe(1);
    expect(attempt2[0]!.invalidations[0]!.id).toBe(attempt1[0]!.invalidations[0]!.id);
    expect(attempt2[0]!.status).toBe('completed');
  });

  it('derives the reference from repository, run, distribution and paths — never the attempt', () => {
    const r = request();
    const ref = callerReference(r, DIST, ['/a'], 0, 'nonce-1');
    expect(callerReference(r, DIST, ['/a'], 0, 'nonce-2')).toBe(ref);
    expect(
      callerReference(request({ run: { repository: 'acme/web', runId: '7002', job: 'deploy', step: 'invalidate' } }), DIST, ['/a'], 0, 'n'),
    ).not.toBe(ref);
    expect(callerReference(r, 'E1AAAAAAAAAAAA', ['/a'], 0, 'n')).not.toBe(ref);
    expect(callerReference(r, DIST, ['/b'], 0, 'n')).not.toBe(ref);
    expect(callerReference(request({ run: undefined }), DIST, ['/a'], 0, 'n1')).not.toBe(
      callerReference(request({ run: undefined }), DIST, ['/a'], 0, 'n2'),
    );
    expect(callerReference(request({ callerReference: 'release-42' }), DIST, ['/a'], 1, 'n')).toBe('release-42-2');
  });

  it('a given reference reused with other paths fails with what to do', async () => {
    fakeCloudFront();
    await invalidate(request({ callerReference: 'release-42', wait: false }), deps(fakeClock(START)));
    const failure = await invalidate(
      request({ callerReference: 'release-42', paths: ['/other.html'], wait: false }),
      deps(fakeClock(START)),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartialFailure);
    expect((failure as Error).message).toMatch(
      /caller reference release-42 was already used with other paths; give a new caller-reference/,
    );
  });
});

describe('limits and throttling', () => {
  it('backs off on TooManyInvalidationsInProgress and throttling, then submits', async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .rejectsOnce(awsError('TooManyInvalidationsInProgress', 400))
      .rejectsOnce(awsError('Throttling', 400))
      .resolves(answer('I1', 'Completed'));
    const clock = fakeClock(START);
    const [outcome] = await invalidate(request(), deps(clock));
    expect(outcome).toMatchObject({ status: 'completed', invalidations: [{ id: 'I1' }] });
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(3);
    // Exponential backoff with jitter: attempt 0 waits 1–2 s, attempt 1 waits 2–4 s.
    expect(clock.slept).toHaveLength(2);
    expect(clock.slept[0]!).toBeGreaterThanOrEqual(1000);
    expect(clock.slept[0]!).toBeLessThanOrEqual(2000);
    expect(clock.slept[1]!).toBeGreaterThanOrEqual(2000);
    expect(clock.slept[1]!).toBeLessThanOrEqual(4000);
  });

  it('gives up at the timeout when CloudFront keeps refusing, saying why', async () => {
    cloudfront.on(CreateInvalidationCommand).rejects(awsError('TooManyInvalidationsInProgress', 400));
    const clock = fakeClock(START);
    const start = clock.now();
    const failure = await invalidate(request({ timeoutMs: 5 * 60_000 }), deps(clock)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartialFailure);
    expect((failure as Error).message).toMatch(
      /could not submit an invalidation before the timeout; CloudFront kept answering .*TooManyInvalidationsInProgress/,
    );
    expect(clock.now() - start).toBeLessThanOrEqual(5 * 60_000);
    expect(cloudfront.commandCalls(CreateInvalidationCommand).length).toBeGreaterThan(5);
  });

  it('does not retry what cannot succeed', async () => {
    cloudfront.on(CreateInvalidationCommand).rejects(awsError('NoSuchDistribution', 404));
    const failure = await invalidate(request(), deps(fakeClock(START))).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/NoSuchDistribution/);
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(1);
  });

  it('submits every batch, each with its own reference', async () => {
    fakeCloudFront();
    const wildcards = Array.from({ length: 20 }, (_, i) => `/w${i}/*`);
    const [outcome] = await invalidate(request({ paths: wildcards, wait: false }), deps(fakeClock(START)));
    expect(outcome!.invalidations.map((i) => i.paths.length)).toEqual([15, 5]);
    const refs = cloudfront.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input.InvalidationBatch!.CallerReference);
    expect(new Set(refs).size).toBe(2);
  });
});

describe('waiting', () => {
  it('polls with growing intervals, reading the status case-insensitively', async () => {
    cloudfront.on(CreateInvalidationCommand).resolves(answer('I1', 'InProgress'));
    cloudfront
      .on(GetInvalidationCommand)
      .resolvesOnce(answer('I1', 'InProgress'))
      .resolvesOnce(answer('I1', 'InProgress'))
      .resolves(answer('I1', 'COMPLETED'));
    const clock = fakeClock(START);
    const [outcome] = await invalidate(request(), deps(clock));
    expect(outcome!.status).toBe('completed');
    expect(cloudfront.commandCalls(GetInvalidationCommand)).toHaveLength(3);
    expect(clock.slept[2]!).toBeGreaterThan(clock.slept[0]!);
  });

  it('fails at the timeout with the ids still in progress', async () => {
    cloudfront.on(CreateInvalidationCommand).resolves(answer('ISTUCK', 'InProgress'));
    cloudfront.on(GetInvalidationCommand).resolves(answer('ISTUCK', 'InProgress'));
    const clock = fakeClock(START);
    const failure = await invalidate(request({ timeoutMs: 60_000 }), deps(clock)).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/E2QWRUHAPOMQZL: timed out waiting; still in progress: ISTUCK/);
    expect((failure as PartialFailure<DistributionOutcome[]>).result[0]).toMatchObject({
      status: 'failed',
      invalidations: [{ id: 'ISTUCK' }],
    });
    expect(clock.now() - 1_000_000).toBeLessThanOrEqual(60_000);
  });

  it('wait: false returns after submitting', async () => {
    cloudfront.on(CreateInvalidationCommand).resolves(answer('I1', 'InProgress'));
    const [outcome] = await invalidate(request({ wait: false }), deps(fakeClock(START)));
    expect(outcome!.status).toBe('submitted');
    expect(cloudfront.commandCalls(GetInvalidationCommand)).toHaveLength(0);
  });
});

describe('several distributions', () => {
  it('are handled concurrently, and one failure does not hide the others', async () => {
    const order: string[] = [];
    cloudfront.on(CreateInvalidationCommand).callsFake(async (input: CreateInvalidationCommandInput) => {
      order.push(`start ${input.DistributionId}`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`end ${input.DistributionId}`);
      if (input.DistributionId === 'E1BROKENBROKEN') throw awsError('AccessDenied', 403);
      return answer(`I-${input.DistributionId}`, 'Completed');
    });
    const failure = (await invalidate(request({ distributionIds: [DIST, 'E1BROKENBROKEN'] }), deps(fakeClock(START))).catch(
      (e: unknown) => e,
    )) as PartialFailure<DistributionOutcome[]>;
    expect(order.slice(0, 2)).toEqual([`start ${DIST}`, 'start E1BROKENBROKEN']);
    expect(failure.result.map((o) => [o.distributionId, o.status])).toEqual([
      [DIST, 'completed'],
      ['E1BROKENBROKEN', 'failed'],
    ]);
    expect(failure.message).toMatch(/^E1BROKENBROKEN: .*AccessDenied/);
  });

  it('no paths: nothing is sent', async () => {
    expect(await invalidate(request({ paths: [] }), deps(fakeClock(START)))).toEqual([]);
    expect(cloudfront.calls()).toHaveLength(0);
  });
});
