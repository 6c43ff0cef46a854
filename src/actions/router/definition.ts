// router: the edge router (a CloudFront Function and its KeyValueStore) set up, or its status read.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { defineAction } from '../definition.js';
import { createCloudFrontClient } from '../../lib/aws/cloudfront-client.js';
import { routerStatus, setupRouter } from '../../lib/router/setup.js';
import { createKvsClient } from '../../lib/router/store.js';
import { routerOutputs, routerSummary, type RouterOutcome } from './report.js';
import { parseRouterSettings } from './settings.js';

export const router = defineAction({
  name: 'router',
  settings: parseRouterSettings,
  clients: (): { cloudfront: CloudFrontClient; kvs: CloudFrontKeyValueStoreClient } => ({
    cloudfront: createCloudFrontClient(),
    kvs: createKvsClient(),
  }),
  run: async (settings, deps): Promise<RouterOutcome> =>
    settings.command === 'setup'
      ? { command: 'setup', result: await setupRouter(settings, deps) }
      : { command: 'status', result: await routerStatus(settings, deps) },
  outputs: (_settings, outcome) => routerOutputs(outcome),
  summary: routerSummary,
  examples: [
    'slipway router --command setup --distribution-id E2QWRUHAPOMQZL --hosts www.example.com=production',
    'slipway router status',
    'slipway router code > router.js   # the function, for Terraform or CDK',
  ],
});
