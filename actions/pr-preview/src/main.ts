import { setSecret } from '@actions/core';
import { ActionFailure, runAction } from '../../../action-runtime/run.js';
import { runContextFrom } from '../../../src/github/event.js';
import { PreviewFailed } from '../../../src/preview/preview.js';
import { prPreviewOutputs, prPreviewSummary } from '../../../src/pr-preview/report.js';
import { createPrPreviewClients, failedOutcome, runPrPreview } from '../../../src/pr-preview/run.js';
import { parsePrPreviewSettings } from '../../../src/pr-preview/settings.js';

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
