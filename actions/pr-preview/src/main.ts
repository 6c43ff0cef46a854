import { setSecret } from '@actions/core';
import { ActionFailure, runAction } from '../../../src/drivers/actions-runner.js';
import { runContextFrom } from '../../../src/lib/github/event.js';
import { PreviewFailed } from '../../../src/lib/preview/preview.js';
import { prPreviewOutputs, prPreviewSummary } from '../../../src/actions/pr-preview/report.js';
import { createPrPreviewClients, failedOutcome, runPrPreview } from '../../../src/actions/pr-preview/run.js';
import { parsePrPreviewSettings } from '../../../src/actions/pr-preview/settings.js';

await runAction(async (inputs, log) => {
  const settings = parsePrPreviewSettings(inputs, runContextFrom(process.env));
  setSecret(settings.githubToken);
  log.debug(`settings: ${JSON.stringify({ ...settings, githubToken: '***' })}`);
  try {
    const outcome = await runPrPreview(settings, createPrPreviewClients(settings), log);
    return { outputs: prPreviewOutputs(settings, outcome), summary: prPreviewSummary(settings, outcome) };
  } catch (error) {
    if (error instanceof PreviewFailed) {
      const outcome = failedOutcome(settings.command, error);
      throw new ActionFailure(error.message, { outputs: prPreviewOutputs(settings, outcome), summary: prPreviewSummary(settings, outcome) });
    }
    throw error;
  }
});
