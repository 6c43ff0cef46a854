import { runAction } from '../../../action-runtime/run.js';
import { createCloudFrontClient } from '../../../src/aws/cloudfront-client.js';
import { createS3Client } from '../../../src/aws/s3-client.js';
import { parseReleaseSettings } from '../../../src/releases/action-settings.js';
import { runReleaseCommand } from '../../../src/releases/command.js';
import { createKvsClient } from '../../../src/router/store.js';

await runAction(async (inputs, log) => {
  const settings = parseReleaseSettings(inputs);
  log.debug(`settings: ${JSON.stringify(settings)}`);
  return runReleaseCommand(settings, { s3: createS3Client(settings.aws), kvs: createKvsClient(), cloudfront: createCloudFrontClient(), log });
});
