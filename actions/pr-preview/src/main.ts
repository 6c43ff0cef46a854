import { setSecret } from '@actions/core';
import { runAction } from '../../../src/drivers/actions-runner.js';
import { runContextFrom } from '../../../src/lib/github/event.js';
import { PartialFailure } from '../../../src/lib/util/partial-failure.js';
import { prPreviewOutputs, prPreviewSummary } from '../../../src/actions/pr-preview/report.js';
import { createPrPreviewClients, runPrPreview, type PrPreviewOutcome } from '../../../src/actions/pr-preview/run.js';
import { parsePrPreviewSettings } from '../../../src/actions/pr-preview/settings.js';

await runAction(async (inputs, log) => {
  const settings = parsePrPreviewSettings(inputs, runContextFrom(process.env));
  setSecret(settings.githubToken);
  log.debug(`settings: ${JSON.stringify({ ...settings, githubToken: '***' })}`);
  try {
    const outcome = await runPrPreview(settings, createPrPreviewClients(settings), log);
    return { outputs: prPreviewOutputs(settings, outcome), summary: prPreviewSummary(settings, outcome) };
  } catch (error) {
    if (error instanceof PartialFailure) {
      const outcome = error.result as PrPreviewOutcome;
      throw new PartialFailure(error.message, { outputs: prPreviewOutputs(settings, outcome), summary: prPreviewSummary(settings, outcome) });
    }
    throw error;
  }
});
