import { runAction } from '../../../action-runtime/run.js';
import { createS3Client } from '../../../src/aws/s3-client.js';
import { deployStaticOutputs, deployStaticSummary } from '../../../src/deploy-static/report.js';
import { parseDeployStaticSettings } from '../../../src/deploy-static/settings.js';
import { syncSite } from '../../../src/s3-sync/sync.js';

await runAction(async (inputs, log) => {
  const settings = parseDeployStaticSettings(inputs, process.cwd(), process.env.GITHUB_RUN_ID);
  log.debug(`settings: ${JSON.stringify(settings)}`);
  const result = await syncSite(settings, { client: createS3Client(settings.aws), log });
  return { outputs: deployStaticOutputs(result), summary: deployStaticSummary(settings, result) };
});
