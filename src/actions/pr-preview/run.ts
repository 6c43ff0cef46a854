// The one entry the action and the CLI share: settings in, the command's outcome out.
import { Route53Client } from '@aws-sdk/client-route-53';
import { createCloudFrontClient } from '../../lib/aws/cloudfront-client.js';
import { createS3Client } from '../../lib/aws/s3-client.js';
import { createGitHubClient } from '../../lib/github/client.js';
import type { Logger } from '../../lib/log/logger.js';
import {
  cleanupPreview,
  deployPreview,
  sweepPreviews,
  type CleanupOutcome,
  type DeployOutcome,
  type SweepOutcome,
} from '../../lib/preview/preview.js';
import { openPreview, type PreviewClients } from '../../lib/preview/strategies/index.js';
import { systemClock } from '../../lib/util/clock.js';
import { mapPartialFailure } from '../../lib/util/partial-failure.js';
import type { PrPreviewSettings } from './settings.js';

export type PrPreviewOutcome =
  | { command: 'deploy'; deploy: DeployOutcome }
  | { command: 'cleanup'; cleanup: CleanupOutcome }
  | { command: 'sweep'; sweep: SweepOutcome };

export type PrPreviewClients = PreviewClients;

export function createPrPreviewClients(settings: PrPreviewSettings): PrPreviewClients {
  return {
    s3: createS3Client({ concurrency: settings.concurrency }),
    cloudfront: createCloudFrontClient(),
    route53: new Route53Client({ region: 'us-east-1', maxAttempts: 8 }),
    github: createGitHubClient(settings.githubToken),
    clock: systemClock,
  };
}

/** The settings are the request: its strategy opened over the clients, then the command. */
export async function runPrPreview(settings: PrPreviewSettings, clients: PrPreviewClients, log: Logger): Promise<PrPreviewOutcome> {
  const deps = await openPreview(settings, clients, log);
  // A failed command still reports what it did: its outcome, as this command's.
  switch (settings.command) {
    case 'deploy':
      return mapPartialFailure(deployPreview(settings, deps), (deploy: DeployOutcome) => ({ command: 'deploy', deploy }));
    case 'cleanup':
      return mapPartialFailure(cleanupPreview(settings, deps), (cleanup: CleanupOutcome) => ({ command: 'cleanup', cleanup }));
    case 'sweep':
      return mapPartialFailure(sweepPreviews(settings, deps), (sweep: SweepOutcome) => ({ command: 'sweep', sweep }));
  }
}
