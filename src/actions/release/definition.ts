// release: the releases deploy-static staged, listed, or the live one switched back.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { S3Client } from '@aws-sdk/client-s3';
import { defineAction } from '../definition.js';
import { createCloudFrontClient } from '../../lib/aws/cloudfront-client.js';
import { createS3Client } from '../../lib/aws/s3-client.js';
import { createKvsClient } from '../../lib/router/store.js';
import { runReleaseCommand } from './command.js';
import { parseReleaseSettings } from './settings.js';

export const release = defineAction({
  name: 'release',
  settings: parseReleaseSettings,
  clients: (settings, env): { s3: S3Client; kvs: CloudFrontKeyValueStoreClient; cloudfront: CloudFrontClient } => ({
    s3: createS3Client(settings.aws, env.vars),
    kvs: createKvsClient(),
    cloudfront: createCloudFrontClient(),
  }),
  // The command builds its outputs and summary as it goes.
  run: runReleaseCommand,
  outputs: (_settings, result) => result.outputs,
  summary: (_settings, result) => result.summary,
  examples: [
    'slipway release --bucket example-web --router web-router --site web',
    'slipway release --command rollback --bucket example-web --router web-router --site web',
  ],
});
