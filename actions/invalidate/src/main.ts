import { runAction } from '../../../src/drivers/actions-runner.js';
import { createCloudFrontClient } from '../../../src/lib/aws/cloudfront-client.js';
import { invalidate, type DistributionOutcome } from '../../../src/lib/cloudfront/invalidations.js';
import { invalidateOutputs, invalidateSummary } from '../../../src/actions/invalidate/report.js';
import { parseInvalidateSettings } from '../../../src/actions/invalidate/settings.js';
import { PartialFailure } from '../../../src/lib/util/partial-failure.js';
import { systemClock } from '../../../src/lib/util/clock.js';

await runAction(async (inputs, log) => {
  const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId, GITHUB_JOB: job, GITHUB_ACTION: step } = process.env;
  const settings = parseInvalidateSettings(inputs, { repository, runId, job, step });
  log.debug(`settings: ${JSON.stringify(settings)}`);
  if (settings.pathsInputEmpty) log.warning("The 'paths' input is empty, so nothing is invalidated. Pass [] for an intentionally empty list, or check the output it reads.");
  try {
    const outcomes = await invalidate(settings, { client: createCloudFrontClient(), log, clock: systemClock });
    return { outputs: invalidateOutputs(settings, outcomes), summary: invalidateSummary(settings, outcomes) };
  } catch (error) {
    if (error instanceof PartialFailure) {
      const outcomes = error.result as DistributionOutcome[];
      throw new PartialFailure(error.message, { outputs: invalidateOutputs(settings, outcomes), summary: invalidateSummary(settings, outcomes) });
    }
    throw error;
  }
});
