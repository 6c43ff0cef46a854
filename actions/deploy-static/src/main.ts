import { runAction } from '../../../action-runtime/run.js';
import { createCloudFrontClient } from '../../../src/aws/cloudfront-client.js';
import { createS3Client } from '../../../src/aws/s3-client.js';
import { deployStaticOutputs, deployStaticSummary } from '../../../src/deploy-static/report.js';
import { parseDeployStaticSettings } from '../../../src/deploy-static/settings.js';
import { deployWithRouter } from '../../../src/router/deploy-static.js';
import { routedSummary } from '../../../src/router/report.js';
import { createKvsClient } from '../../../src/router/store.js';
import { syncSite } from '../../../src/s3-sync/sync.js';

await runAction(async (inputs, log) => {
  const settings = parseDeployStaticSettings(inputs, process.cwd(), process.env.GITHUB_RUN_ID);
  log.debug(`settings: ${JSON.stringify(settings)}`);
  const client = createS3Client(settings.aws);
  const deps = { s3: client, kvs: createKvsClient(), cloudfront: createCloudFrontClient(), log };
  const { sync: result, routed } = await deployWithRouter(settings, settings.routing, deps, () => syncSite(settings, { client, log }));
  return { outputs: deployStaticOutputs(result), summary: deployStaticSummary(settings, result) + routedSummary(settings.routing, routed) };
});
