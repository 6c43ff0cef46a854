// invalidate: CloudFront invalidations for one or more distributions, collapsed to a path budget.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { defineAction } from '../definition.js';
import { createCloudFrontClient } from '../../lib/aws/cloudfront-client.js';
import { invalidate as invalidatePaths } from '../../lib/cloudfront/invalidations.js';
import { invalidateOutputs, invalidateSummary } from './report.js';
import { parseInvalidateSettings } from './settings.js';

export const invalidate = defineAction({
  name: 'invalidate',
  settings: parseInvalidateSettings,
  clients: (): { client: CloudFrontClient } => ({ client: createCloudFrontClient() }),
  run: (settings, deps) => {
    if (settings.pathsInputEmpty)
      deps.log.warning(
        "The 'paths' input is empty, so nothing is invalidated. Pass [] for an intentionally empty list, or check the output it reads.",
      );
    return invalidatePaths(settings, deps);
  },
  outputs: invalidateOutputs,
  summary: invalidateSummary,
  examples: ["slipway invalidate --distribution-id E2QWRUHAPOMQZL --paths /index.html --paths '/assets/*'"],
});
