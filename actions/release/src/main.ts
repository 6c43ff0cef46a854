import { runAction } from '../../../src/drivers/actions-runner.js';
import { createCloudFrontClient } from '../../../src/lib/aws/cloudfront-client.js';
import { createS3Client } from '../../../src/lib/aws/s3-client.js';
import { parseReleaseSettings } from '../../../src/actions/release/settings.js';
import { runReleaseCommand } from '../../../src/actions/release/command.js';
import { createKvsClient } from '../../../src/lib/router/store.js';

await runAction(async (inputs, log) => {
  const settings = parseReleaseSettings(inputs);
  log.debug(`settings: ${JSON.stringify(settings)}`);
  return runReleaseCommand(settings, { s3: createS3Client(settings.aws), kvs: createKvsClient(), cloudfront: createCloudFrontClient(), log });
});
