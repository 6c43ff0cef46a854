// Submitting invalidations and waiting for them, within one deadline, for several distributions
// at once.
import { CreateInvalidationCommand, GetInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { createHash } from 'node:crypto';
import { describeError, errorCode, httpStatus } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';
import { formatDuration, type Clock } from '../util/clock.js';
import { backoffSchedule, OutOfTime, retry, waitFor } from '../util/wait.js';
import { PartialFailure } from '../util/partial-failure.js';
import { batchPaths } from './invalidation-paths.js';

export interface InvalidationRequest {
  distributionIds: string[];
  /** Final paths (normalised and collapsed): the same for every distribution. */
  paths: string[];
  wait: boolean;
  timeoutMs: number;
  /** Given by the user; else derived from the run (see callerReference). */
  callerReference?: string;
  /**
   * The workflow step, for derived caller references: re-running it must not pay twice, and another
   * step of the same run (a second deploy, then invalidate again) must get an invalidation of its own.
   */
  run?: { repository: string; runId: string; job: string; step: string };
}

export interface SubmittedInvalidation {
  id: string;
  callerReference: string;
  paths: string[];
  status: string;
}

export interface DistributionOutcome {
  distributionId: string;
  invalidations: SubmittedInvalidation[];
  /** completed, or submitted (wait: false); an error when it failed. */
  status: 'completed' | 'submitted' | 'failed';
  error?: string;
  durationMs: number;
}

export interface InvalidationDeps {
  client: CloudFrontClient;
  log: Logger;
  clock: Clock;
}

/** What failed, distribution by distribution. */
const failureMessage = (outcomes: DistributionOutcome[]): string =>
  outcomes
    .filter((o) => o.error)
    .map((o) => `${o.distributionId}: ${o.error}`)
    .join(' ');

/**
 * The default caller reference: the repository, the workflow run, the job and step, the
 * distribution and the path set — not the attempt — so a re-run of the step gets CloudFront's
 * existing invalidation back instead of paying for a new one, while any other step gets its own.
 * Without a run (a laptop), every call is new.
 */
export function callerReference(
  request: InvalidationRequest,
  distributionId: string,
  batch: string[],
  index: number,
  nonce: string,
): string {
  if (request.callerReference) return index === 0 ? request.callerReference : `${request.callerReference}-${index + 1}`;
  const run = request.run ? [request.run.repository, request.run.runId, request.run.job, request.run.step].join('\0') : `local\0${nonce}`;
  const digest = createHash('sha256')
    .update(`${run}\0${distributionId}\0${batch.join('\n')}`)
    .digest('hex')
    .slice(0, 32);
  return `slipway-${request.run ? request.run.runId : 'local'}-${digest}`;
}

const isCompleted = (status: string | undefined): boolean => (status ?? '').toLowerCase() === 'completed';

/** Worth waiting out: too many in progress, throttling, 5xx, network failures. */
export function isRetriable(error: unknown): boolean {
  const code = errorCode(error);
  const status = httpStatus(error);
  if (code === 'TooManyInvalidationsInProgress' || /throttl|TooManyRequests|RequestLimitExceeded/i.test(code)) return true;
  if (status !== undefined) return status >= 500 || status === 429;
  return /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|TimeoutError/i.test(`${code} ${describeError(error)}`);
}

class DeadlineError extends Error {}

async function submit(
  deps: InvalidationDeps,
  distributionId: string,
  paths: string[],
  reference: string,
  deadline: number,
): Promise<SubmittedInvalidation> {
  const create = async (): Promise<SubmittedInvalidation> => {
    const response = await deps.client.send(
      new CreateInvalidationCommand({
        DistributionId: distributionId,
        InvalidationBatch: { CallerReference: reference, Paths: { Quantity: paths.length, Items: paths } },
      }),
    );
    const invalidation = response.Invalidation;
    if (!invalidation?.Id) throw new Error('CloudFront answered without an invalidation id');
    return { id: invalidation.Id, callerReference: reference, paths, status: invalidation.Status ?? 'InProgress' };
  };
  try {
    return await retry(create, {
      clock: deps.clock,
      every: backoffSchedule(2000, 30_000),
      deadline,
      retriable: (error) => errorCode(error) !== 'InvalidationBatchAlreadyExists' && isRetriable(error),
      describe: (error, delay) => deps.log.info(`${distributionId}: ${errorCode(error)}, trying again in ${formatDuration(delay)}`),
    });
  } catch (error) {
    if (errorCode(error) === 'InvalidationBatchAlreadyExists') {
      throw new Error(
        `caller reference ${reference} was already used with other paths; give a new caller-reference (or leave it empty to derive one)`,
        { cause: error },
      );
    }
    if (error instanceof OutOfTime) {
      throw new DeadlineError(
        `could not submit an invalidation before the timeout; CloudFront kept answering ${describeError(error.lastError)}`,
      );
    }
    throw error;
  }
}

async function waitUntilCompleted(
  deps: InvalidationDeps,
  distributionId: string,
  submitted: SubmittedInvalidation[],
  deadline: number,
): Promise<void> {
  let pending = submitted.filter((s) => !isCompleted(s.status));
  if (pending.length === 0) return;
  const refresh = async (): Promise<true | undefined> => {
    for (const s of pending) s.status = (await invalidationStatus(deps, distributionId, s.id)) ?? s.status;
    pending = pending.filter((s) => !isCompleted(s.status));
    if (pending.length > 0) deps.log.debug(`${distributionId}: ${pending.length} still in progress`);
    return pending.length === 0 ? true : undefined;
  };
  const completed = await waitFor({ clock: deps.clock, every: backoffSchedule(2000, 20_000), deadline, first: 'pause', check: refresh });
  if (!completed) throw new DeadlineError(`timed out waiting; still in progress: ${pending.map((p) => p.id).join(', ')}`);
}

/** The invalidation's status now; undefined when asking failed in a way worth asking again. */
async function invalidationStatus(deps: InvalidationDeps, distributionId: string, id: string): Promise<string | undefined> {
  try {
    const response = await deps.client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: id }));
    return response.Invalidation?.Status;
  } catch (error) {
    if (!isRetriable(error)) throw error;
    return undefined;
  }
}

async function invalidateOne(
  request: InvalidationRequest,
  distributionId: string,
  deps: InvalidationDeps,
  deadline: number,
  nonce: string,
): Promise<DistributionOutcome> {
  const started = deps.clock.now();
  const invalidations: SubmittedInvalidation[] = [];
  const outcome = (status: DistributionOutcome['status'], error?: string): DistributionOutcome => ({
    distributionId,
    invalidations,
    status,
    ...(error ? { error } : {}),
    durationMs: deps.clock.now() - started,
  });
  try {
    const batches = batchPaths(request.paths);
    for (const [index, batch] of batches.entries()) {
      const reference = callerReference(request, distributionId, batch, index, nonce);
      const submitted = await submit(deps, distributionId, batch, reference, deadline);
      invalidations.push(submitted);
      deps.log.info(`${distributionId}: invalidation ${submitted.id} (${batch.length} paths, ${submitted.status})`);
    }
    if (!request.wait) return outcome('submitted');
    await waitUntilCompleted(deps, distributionId, invalidations, deadline);
    deps.log.info(`${distributionId}: completed in ${formatDuration(deps.clock.now() - started)}`);
    return outcome('completed');
  } catch (error) {
    return outcome('failed', describeError(error));
  }
}

/** Invalidates `paths` on every distribution concurrently; throws a PartialFailure with every distribution's outcome if any failed. */
export async function invalidate(request: InvalidationRequest, deps: InvalidationDeps): Promise<DistributionOutcome[]> {
  if (request.paths.length === 0) {
    deps.log.info('No paths to invalidate: nothing to do.');
    return [];
  }
  const deadline = deps.clock.now() + request.timeoutMs;
  const nonce = `${deps.clock.now()}-${Math.random().toString(36).slice(2)}`;
  const outcomes = await Promise.all(request.distributionIds.map((id) => invalidateOne(request, id, deps, deadline, nonce)));
  if (outcomes.some((o) => o.status === 'failed')) throw new PartialFailure(failureMessage(outcomes), outcomes);
  return outcomes;
}
