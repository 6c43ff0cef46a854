// What the dedicated strategy's parts share: a request whose retry finds it already done, the wait
// for CloudFront or Route 53 to catch up, the tags that mark a resource as a preview's, and the
// words of a step (done, or planned in a dry run).
import { errorCode } from '../../../aws/errors.js';
import { waitFor } from '../../../util/wait.js';
import { previewTags } from '../../naming.js';
import type { DedicatedStoreDeps, DedicatedStoreSettings } from './config.js';

/**
 * Runs a request whose retry (after a response lost on the way back) would be answered with one
 * of `doneCodes` because the first attempt already did it: that answer counts as success.
 */
export async function idempotent(send: () => Promise<unknown>, ...doneCodes: string[]): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (!doneCodes.includes(errorCode(error))) throw error;
  }
}

/** Checks until `check` gives a value, or `timeoutMs` has passed (then undefined). */
export async function poll<T>(
  deps: DedicatedStoreDeps,
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const { clock, log } = deps;
  return waitFor({
    clock,
    every: deps.pollMs,
    deadline: clock.now() + timeoutMs,
    last: 'at-deadline',
    check,
    describe: () => log.info(`waiting for ${what}`),
  });
}

/** The preview's tags, as S3 and CloudFront take them. */
export function resourceTags(settings: DedicatedStoreSettings, number: number): { Key: string; Value: string }[] {
  return Object.entries(previewTags(settings.repository, settings.domain, number)).map(([Key, Value]) => ({ Key, Value }));
}

/** A step's verb: what was done, or in a dry run what would be. */
export const verb = (dryRun: boolean, done: string, planned: string): string => (dryRun ? planned : done);
