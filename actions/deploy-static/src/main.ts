import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionFailure, runAction } from '../../../action-runtime/run.js';
import { createS3Client } from '../../../src/aws/s3-client.js';
import { deployStaticOutputs, deployStaticSummary } from '../../../src/deploy-static/report.js';
import { parseDeployStaticSettings } from '../../../src/deploy-static/settings.js';
import { syncSite, SyncFailed, type SyncResult } from '../../../src/s3-sync/sync.js';

/** The full list of changed paths, in the runner's temporary folder, for invalidate's paths-file. */
function writeChangedPaths(result: SyncResult): string {
  if (result.dryRun) return '';
  const file = join(mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'slipway-changed-paths-')), 'changed-paths.json');
  writeFileSync(file, JSON.stringify(result.changedPaths));
  return file;
}

await runAction(async (inputs, log) => {
  const settings = parseDeployStaticSettings(inputs, process.cwd(), process.env.GITHUB_RUN_ID);
  log.debug(`settings: ${JSON.stringify(settings)}`);
  const outcome = (result: SyncResult) => ({ outputs: deployStaticOutputs(result, writeChangedPaths(result)), summary: deployStaticSummary(settings, result) });
  try {
    return outcome(await syncSite(settings, { client: createS3Client(settings.aws), log }));
  } catch (error) {
    if (error instanceof SyncFailed) throw new ActionFailure(error.message, outcome(error.result));
    throw error;
  }
});
